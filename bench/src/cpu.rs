//! CPU time of a whole process from procfs, so the echo benchmark can report what the server
//! and the load generator each spent in the counted window and say which one was the
//! bottleneck; and its resident memory, for the memory figures.

use std::io;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// CPU time (user + system) used so far by every live thread of process `pid`, or of this
/// process with `None`.
///
/// Sums `/proc/PID/task/*/schedstat` (nanoseconds: precise over a one-second window), and
/// falls back to utime + stime from `/proc/PID/stat` (clock ticks, `USER_HZ` = 100 on Linux)
/// where the kernel has no schedstat. A thread that exits inside the window takes its time
/// with it from the schedstat sum; the benchmark's servers keep their threads for their life.
///
/// # Errors
/// When the process does not exist or procfs is not mounted.
pub fn process_cpu(pid: Option<u32>) -> io::Result<Duration> {
    let proc = proc_dir(pid);
    match schedstat_sum(&proc) {
        Ok(ns) => Ok(Duration::from_nanos(ns)),
        Err(_) => stat_ticks(&proc).map(|ticks| Duration::from_millis(ticks * 10)),
    }
}

/// Time the live threads of process `pid` (this process with `None`) have spent runnable but
/// waiting for a CPU (the second field of schedstat): time another process on the same core
/// took from it. An error where the kernel has no schedstat.
///
/// # Errors
/// When the process does not exist, or procfs or schedstat are missing.
pub fn process_wait(pid: Option<u32>) -> io::Result<Duration> {
    let proc = proc_dir(pid);
    schedstat_field(&proc, 1).map(Duration::from_nanos)
}

/// Resident memory (`VmRSS`) of process `pid`, or of this process with `None`, in KiB.
///
/// # Errors
/// When the process does not exist or procfs is not mounted.
pub fn process_rss_kib(pid: Option<u32>) -> io::Result<u64> {
    let status = std::fs::read_to_string(format!("{}/status", proc_dir(pid)))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| io::Error::other("no VmRSS"))
}

/// The procfs directory of process `pid`, or of this process with `None`.
fn proc_dir(pid: Option<u32>) -> String {
    pid.map_or_else(|| String::from("/proc/self"), |pid| format!("/proc/{pid}"))
}

/// Sum of the first field (time on CPU, ns) of every thread's schedstat.
fn schedstat_sum(proc: &str) -> io::Result<u64> {
    schedstat_field(proc, 0)
}

/// Sum of field `index` (ns) of every thread's schedstat.
fn schedstat_field(proc: &str, index: usize) -> io::Result<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("{proc}/task"))? {
        let path = task?.path().join("schedstat");
        // A thread may exit between the listing and the read: it no longer counts.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        total += text
            .split_whitespace()
            .nth(index)
            .and_then(|ns| ns.parse::<u64>().ok())
            .ok_or_else(|| io::Error::other("unreadable schedstat"))?;
    }
    Ok(total)
}

/// utime + stime of the process (all threads, exited ones included), in clock ticks.
fn stat_ticks(proc: &str) -> io::Result<u64> {
    let text = std::fs::read_to_string(format!("{proc}/stat"))?;
    // The command name in parentheses may hold spaces: count fields after its closing one.
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after it.
    let after = text
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| io::Error::other("unreadable stat"))?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| -> io::Result<u64> {
        fields
            .get(i)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| io::Error::other("unreadable stat"))
    };
    Ok(field(11)? + field(12)?)
}

/// A command that runs `exe` pinned to CPU `cpu` with `taskset` when given, with async-std's
/// pool at one thread (it sizes the pool by CPU count, not affinity), as tokio's
/// current-thread runtime and smol's executor are: the benchmarks compare one core each.
#[must_use]
pub fn pinned_command(exe: &Path, cpu: Option<usize>) -> Command {
    let mut command = match cpu {
        Some(cpu) => {
            let mut taskset = Command::new("taskset");
            taskset.args(["-c", &cpu.to_string()]).arg(exe);
            taskset
        }
        None => Command::new(exe),
    };
    command.env("ASYNC_STD_THREAD_COUNT", "1");
    command
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// CPU time of the calling thread (ns), from its own schedstat.
    fn thread_cpu_ns() -> u64 {
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
        text.split_whitespace().next().unwrap().parse().unwrap()
    }

    /// Burns CPU on this thread until it has `ns` more of it, however loaded the machine is
    /// (a wall-clock burn got under 30 ms of CPU at load 7 on 2 cores). The checks compare
    /// with this thread's own time: the process-wide sums cover live threads only, and the
    /// harness's other test threads come and go meanwhile.
    fn burn_thread(ns: u64) -> u64 {
        let target = thread_cpu_ns() + ns;
        let give_up = Instant::now() + Duration::from_secs(60);
        let mut x = 1u64;
        while thread_cpu_ns() < target {
            assert!(Instant::now() < give_up, "no CPU time in 60 s");
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
            }
        }
        thread_cpu_ns()
    }

    #[test]
    fn own_cpu_time_grows_while_busy() {
        let mine = burn_thread(100_000_000);
        // The sum over live threads holds this one's time at least.
        let total = process_cpu(None).unwrap();
        assert!(total >= Duration::from_nanos(mine), "{total:?} < {mine} ns");
    }

    #[test]
    fn both_sources_read_another_pid() {
        let mine = burn_thread(50_000_000);
        let proc = format!("/proc/{}", std::process::id());
        // Read by number, as the generator reads the server: both sources see the work.
        assert!(schedstat_sum(&proc).unwrap() >= mine);
        assert!(stat_ticks(&proc).unwrap() >= 1);
    }

    #[test]
    fn waiting_time_is_readable() {
        // Whether this process waited depends on the machine: only check it can be read.
        assert!(process_wait(Some(std::process::id())).is_ok());
        assert!(process_wait(Some(u32::MAX)).is_err());
    }

    #[test]
    fn missing_process_is_an_error() {
        assert!(process_cpu(Some(u32::MAX)).is_err());
        assert!(process_rss_kib(Some(u32::MAX)).is_err());
    }

    #[test]
    fn resident_memory_is_read_by_number_and_as_self() {
        let by_number = process_rss_kib(Some(std::process::id())).unwrap();
        // Any process of this size is at least a few hundred KiB resident.
        assert!(by_number > 100, "{by_number}");
        assert!(process_rss_kib(None).unwrap() > 100);
    }
}
