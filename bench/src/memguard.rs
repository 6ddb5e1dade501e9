//! A guard against running the machine out of memory: a thread that watches `MemAvailable`
//! and kills the benchmark's own child processes (by process id) when it falls below a floor,
//! so a server that needs far more memory per connection than expected fails its row instead
//! of pushing the machine, which others share, into swap or the OOM killer.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often `MemAvailable` is read.
const POLL: Duration = Duration::from_millis(100);

/// The watching thread; stops when dropped.
pub struct MemoryGuard {
    pids: Arc<Mutex<Vec<(u32, bool)>>>,
    stop: Arc<AtomicBool>,
    /// `MemAvailable` (KiB) when the guard fired, 0 while it has not.
    tripped_at: Arc<AtomicU64>,
    /// Summed `VmRSS` (KiB) of the measured processes when the guard fired.
    measured_rss: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl MemoryGuard {
    /// Starts watching: once `MemAvailable` is under `floor_kib`, every process later
    /// [`add`](Self::add)ed is killed (and any added afterwards too).
    pub fn new(floor_kib: u64) -> MemoryGuard {
        let pids = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let tripped_at = Arc::new(AtomicU64::new(0));
        let measured_rss = Arc::new(AtomicU64::new(0));
        let thread = {
            let (pids, stop) = (Arc::clone(&pids), Arc::clone(&stop));
            let (tripped_at, measured_rss) = (Arc::clone(&tripped_at), Arc::clone(&measured_rss));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match available_kib() {
                        Some(available) if available < floor_kib => {
                            let pids = pids.lock().unwrap_or_else(PoisonError::into_inner);
                            if tripped_at.load(Ordering::Relaxed) == 0 {
                                let rss: u64 = pids
                                    .iter()
                                    .filter(|(_, measured)| *measured)
                                    .filter_map(|(pid, _)| {
                                        crate::cpu::process_rss_kib(Some(*pid)).ok()
                                    })
                                    .sum();
                                measured_rss.store(rss, Ordering::Relaxed);
                                tripped_at.store(available.max(1), Ordering::Relaxed);
                            }
                            kill_all(&pids);
                        }
                        _ => {}
                    }
                    std::thread::sleep(POLL);
                }
            })
        };
        MemoryGuard {
            pids,
            stop,
            tripped_at,
            measured_rss,
            thread: Some(thread),
        }
    }

    /// Puts process `pid` (a child of this process) under the guard; the resident memory
    /// of the `measured` ones is summed when it fires.
    pub fn add(&self, pid: u32, measured: bool) {
        self.pids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((pid, measured));
    }

    /// When the guard fired: `MemAvailable` and the measured processes' summed `VmRSS`,
    /// KiB; `None` if it has not.
    pub fn tripped(&self) -> Option<(u64, u64)> {
        let available = self.tripped_at.load(Ordering::Relaxed);
        (available > 0).then(|| (available, self.measured_rss.load(Ordering::Relaxed)))
    }
}

impl Drop for MemoryGuard {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Sends SIGKILL to each of `pids` (the `kill` command: this crate has no unsafe code).
fn kill_all(pids: &[(u32, bool)]) {
    if pids.is_empty() {
        return;
    }
    let _ = std::process::Command::new("kill")
        .arg("-KILL")
        .args(pids.iter().map(|(pid, _)| pid.to_string()))
        .stderr(std::process::Stdio::null())
        .status();
}

/// `MemAvailable` from `/proc/meminfo`, KiB.
pub fn available_kib() -> Option<u64> {
    parse_available(&std::fs::read_to_string("/proc/meminfo").ok()?)
}

fn parse_available(meminfo: &str) -> Option<u64> {
    meminfo
        .lines()
        .find_map(|line| line.strip_prefix("MemAvailable:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn available_memory_is_parsed_and_read() {
        let text = "MemTotal:       24000000 kB\nMemAvailable:   12345678 kB\n";
        assert_eq!(parse_available(text), Some(12_345_678));
        assert_eq!(parse_available("MemTotal: 1 kB\n"), None);
        assert!(available_kib().is_some_and(|kib| kib > 0));
    }

    #[test]
    fn guard_kills_its_processes_under_the_floor_and_only_then() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        // A floor no machine is under: the child lives.
        let guard = MemoryGuard::new(1);
        guard.add(child.id(), true);
        std::thread::sleep(POLL * 3);
        assert!(child.try_wait().unwrap().is_none());
        assert_eq!(guard.tripped(), None);
        drop(guard);
        // A floor every machine is under: the child is killed.
        let guard = MemoryGuard::new(u64::MAX);
        guard.add(child.id(), true);
        let status = child.wait().unwrap();
        assert!(!status.success());
        assert!(guard.tripped().is_some());
    }
}
