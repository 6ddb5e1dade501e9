//! The density benchmark: many idle WebSockets with keepalive on, to measure what one
//! connection costs a server in resident memory and what its keepalive pings cost in CPU.
//!
//! A process may hold only as many connections as its file-descriptor limit allows, and
//! where that limit is lower than the count asked for (20,000 on the machine the figures
//! were taken on, with no right to raise it) the connections are spread over several server
//! processes of the same kind, one port each, and the figures summed over them. The clients
//! (`bench-load --idle`) are separate processes too, one per server process as long as the
//! ephemeral ports allow, and bound to a loopback address of their own where several share
//! one server port, so that no address runs out of ports.

use std::fmt::Write as _;
use std::io::{self, BufRead, BufReader, Write};
use std::net::IpAddr;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use crate::cpu;
use crate::memguard::MemoryGuard;

/// File descriptors a process keeps for other things than connections (listener, stdio,
/// runtime's epoll and wakers, libraries' files).
pub const FD_RESERVE: u64 = 256;

/// Connections one client process opens at most from its one source address: a little under
/// the 28,232 ephemeral ports of Linux's default range.
pub const PORTS_PER_SOURCE: usize = 25_000;

/// How the connections are spread over processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// Per server process, the connection count of each of its client processes.
    pub servers: Vec<Vec<usize>>,
}

impl Plan {
    /// Spreads `conns` over as few server processes as a per-process limit of `fd_limit`
    /// descriptors allows (one process when it is `None`, unlimited), or over exactly
    /// `processes` when given; each server's connections over client processes of at most
    /// [`PORTS_PER_SOURCE`] and the same descriptor limit.
    ///
    /// # Errors
    /// When `processes` is zero, or too few for the limit.
    pub fn new(conns: usize, fd_limit: Option<u64>, processes: Option<usize>) -> io::Result<Plan> {
        let per_process = fd_limit.map_or(usize::MAX, |limit| {
            usize::try_from(limit.saturating_sub(FD_RESERVE)).unwrap_or(usize::MAX)
        });
        if per_process == 0 {
            return Err(io::Error::other(
                "the descriptor limit leaves no room for connections",
            ));
        }
        let count = processes.unwrap_or_else(|| conns.div_ceil(per_process).max(1));
        if count == 0 {
            return Err(io::Error::other("at least one server process is needed"));
        }
        let per_client = per_process.min(PORTS_PER_SOURCE);
        let servers: Vec<Vec<usize>> = split(conns, count)
            .into_iter()
            .map(|server_conns| split(server_conns, server_conns.div_ceil(per_client).max(1)))
            .collect();
        if let Some(most) = servers.iter().map(|c| c.iter().sum::<usize>()).max()
            && most > per_process
        {
            return Err(io::Error::other(format!(
                "{count} processes would hold {most} connections each, over the limit of \
                 {per_process} descriptors (ulimit -n less {FD_RESERVE})"
            )));
        }
        Ok(Plan { servers })
    }

    /// Client processes over all servers.
    pub fn clients(&self) -> usize {
        self.servers.iter().map(Vec::len).sum()
    }
}

/// `total` split into `parts` counts differing by at most one.
fn split(total: usize, parts: usize) -> Vec<usize> {
    (0..parts)
        .map(|i| total / parts + usize::from(i < total % parts))
        .collect()
}

/// The soft limit on open files of this process (inherited by its children), from
/// `/proc/self/limits`; `None` when unlimited.
///
/// # Errors
/// When procfs cannot be read or has no such line.
pub fn fd_limit() -> io::Result<Option<u64>> {
    parse_fd_limit(&std::fs::read_to_string("/proc/self/limits")?)
}

fn parse_fd_limit(limits: &str) -> io::Result<Option<u64>> {
    let line = limits
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))
        .ok_or_else(|| io::Error::other("no open-files line in /proc/self/limits"))?;
    match line.split_whitespace().next() {
        Some("unlimited") => Ok(None),
        Some(soft) => soft.parse().map(Some).map_err(io::Error::other),
        None => Err(io::Error::other("empty open-files line")),
    }
}

/// What the benchmark is asked to do.
#[derive(Debug, Clone)]
pub struct DensityConfig {
    /// Connections per server kind.
    pub conns: usize,
    /// Server processes per kind; `None` for as few as the descriptor limit allows.
    pub processes: Option<usize>,
    /// The servers' ping period.
    pub keepalive: Duration,
    /// The counted stretch of idle time.
    pub window: Duration,
    /// Directory of `bench-server` and `bench-load`.
    pub bin_dir: std::path::PathBuf,
    /// Pin servers to CPU 0 and clients to CPU 1 (`taskset`); otherwise the scheduler
    /// places them.
    pub pin: bool,
    /// A kind's processes are killed and its row failed when the machine's `MemAvailable`
    /// falls under this many KiB ([`MemoryGuard`]).
    pub min_available_kib: u64,
}

/// One row of the table: a server kind's figures, or why it failed.
#[derive(Debug, Clone)]
pub struct Row {
    /// The server kind's name.
    pub server: String,
    /// Connections held.
    pub conns: usize,
    /// Server processes.
    pub processes: usize,
    /// Sum over the servers of `VmRSS` before the connections, KiB.
    pub rss_before_kib: u64,
    /// Sum over the servers of `VmRSS` at the end of the window, KiB.
    pub rss_after_kib: u64,
    /// Server CPU seconds over the window, all processes.
    pub cpu_secs: f64,
    /// The window's length, seconds.
    pub window_secs: f64,
    /// Pings the clients received in the window.
    pub pings: u64,
}

impl Row {
    /// Resident memory each connection added, KiB.
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    pub fn kib_per_conn(&self) -> f64 {
        self.rss_after_kib.saturating_sub(self.rss_before_kib) as f64 / self.conns.max(1) as f64
    }
}

/// A child process whose first stdout line was read; killed when dropped.
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Process {
    /// Starts `exe args`, on CPU `cpu` when given; its stderr is this process's.
    fn spawn(exe: &Path, args: &[String], cpu: Option<usize>) -> io::Result<Self> {
        let mut command = cpu::pinned_command(exe, cpu);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        let mut child = command.spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        Ok(Process {
            child,
            stdin,
            stdout: BufReader::new(stdout),
        })
    }

    /// Waits for the next line, which must start with `expect` (`listening`, `ready`).
    fn expect(&mut self, expect: &str) -> io::Result<()> {
        let line = self.line()?;
        if line.starts_with(expect) {
            return Ok(());
        }
        Err(io::Error::other(format!(
            "process {} said {line:?} where {expect:?} was expected (its stderr says why)",
            self.pid()
        )))
    }

    fn line(&mut self) -> io::Result<String> {
        let mut line = String::new();
        self.stdout.read_line(&mut line)?;
        Ok(line.trim().to_owned())
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGKILL without waiting, so that several processes end at nearly the same
    /// moment (a server killed first would otherwise see its clients' EOFs, and the other
    /// way round); the drop waits.
    fn kill_now(&mut self) {
        let _ = self.child.kill();
    }

    /// Asks a client for its counts: `(pings, open connections)`.
    fn counts(&mut self) -> io::Result<(u64, u64)> {
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| io::Error::other("no stdin"))?;
        stdin.write_all(b"\n")?;
        stdin.flush()?;
        let line = self.line()?;
        let field = |key: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(key))
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| io::Error::other(format!("client answered {line:?}")))
        };
        Ok((field("pings=")?, field("open=")?))
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Closing stdin ends a client; a server needs the kill.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sums `read` over `processes`.
fn sum<T: std::iter::Sum>(
    processes: &[Process],
    read: impl Fn(Option<u32>) -> io::Result<T>,
) -> io::Result<T> {
    processes.iter().map(|p| read(Some(p.pid()))).sum()
}

/// Pings and open connections summed over `clients`.
fn client_counts(clients: &mut [Process]) -> io::Result<(u64, u64)> {
    let mut total = (0, 0);
    for client in clients {
        let (pings, open) = client.counts()?;
        total = (total.0 + pings, total.1 + open);
    }
    Ok(total)
}

/// Measures server `kind` (a `bench-server` name): starts the plan's server processes (the
/// `round` picks their ports and the clients' source addresses, fresh for every kind), takes
/// their memory, opens the connections, waits one ping period and two seconds so every
/// connection's timer runs, then counts the servers' CPU time and the clients' pings over
/// the window. Progress goes to stderr.
///
/// # Errors
/// When a process does not start, a connection cannot be opened, or one closed before the
/// end of the window.
#[allow(clippy::cast_precision_loss)] // KiB counts far below 2^52
pub fn measure(kind: &str, plan: &Plan, config: &DensityConfig, round: u8) -> io::Result<Row> {
    let guard = MemoryGuard::new(config.min_available_kib);
    let result = measure_guarded(kind, plan, config, round, &guard);
    match (result, guard.tripped()) {
        (Ok(row), None) => Ok(row),
        (Ok(_) | Err(_), Some((available, rss))) => Err(io::Error::other(format!(
            "stopped by the memory guard: MemAvailable fell to {:.1} GiB (floor {:.1} GiB) \
             with the servers at {:.1} GiB resident",
            available as f64 / 1_048_576.0,
            config.min_available_kib as f64 / 1_048_576.0,
            rss as f64 / 1_048_576.0,
        ))),
        (Err(error), None) => Err(error),
    }
}

fn measure_guarded(
    kind: &str,
    plan: &Plan,
    config: &DensityConfig,
    round: u8,
    guard: &MemoryGuard,
) -> io::Result<Row> {
    let server_exe = config.bin_dir.join("bench-server");
    let client_exe = config.bin_dir.join("bench-load");
    let keepalive = format!("{}", config.keepalive.as_secs_f64());
    let mut servers = Vec::new();
    let mut addrs = Vec::new();
    for index in 0..plan.servers.len() {
        let addr = format!(
            "127.0.0.1:{}",
            19_500 + u16::from(round) * 32 + index as u16
        );
        let args = ["--server", kind, "--addr", &addr, "--keepalive", &keepalive].map(String::from);
        let mut server = Process::spawn(&server_exe, &args, config.pin.then_some(0))?;
        guard.add(server.pid(), true);
        server.expect("listening")?;
        servers.push(server);
        addrs.push(addr);
    }
    std::thread::sleep(Duration::from_millis(300));
    let rss_before_kib = sum(&servers, cpu::process_rss_kib)?;
    let started = Instant::now();
    // The clients start together and open their connections at once.
    let mut clients = Vec::new();
    for (addr, counts) in addrs.iter().zip(&plan.servers) {
        for &conns in counts {
            let mut args = ["--addr", addr, "--idle", &conns.to_string()]
                .map(String::from)
                .to_vec();
            // A server port with one client: the kernel picks each connection's port at
            // connect time, unique per destination, so the ports of other clients' servers
            // do not count. Several clients on one port (one process holds them all) each
            // bind an address of their own, 127.0.ROUND.N, for a range of ports each; not
            // by default, as a bind with port 0 searches every address's bound ports and
            // cost the clients most of a core at 100,000 connections.
            if counts.len() > 1 {
                let source = IpAddr::from([127, 0, round, clients.len() as u8 + 1]);
                args.extend(["--source".to_owned(), source.to_string()]);
            }
            let client = Process::spawn(&client_exe, &args, config.pin.then_some(1))?;
            guard.add(client.pid(), false);
            clients.push(client);
        }
    }
    for client in &mut clients {
        client.expect("ready")?;
    }
    let conns: usize = plan.servers.iter().flatten().sum();
    eprintln!(
        "{kind}: {conns} connections open in {:.1} s; waiting {:.0} s for the ping timers",
        started.elapsed().as_secs_f64(),
        config.keepalive.as_secs_f64() + 2.0
    );
    std::thread::sleep(config.keepalive + Duration::from_secs(2));
    let (pings_before, _) = client_counts(&mut clients)?;
    let cpu_before = sum(&servers, cpu::process_cpu)?;
    let window_start = Instant::now();
    std::thread::sleep(config.window);
    let cpu_after = sum(&servers, cpu::process_cpu)?;
    let window_secs = window_start.elapsed().as_secs_f64();
    let (pings_after, open) = client_counts(&mut clients)?;
    let rss_after_kib = sum(&servers, cpu::process_rss_kib)?;
    if open != conns as u64 {
        return Err(io::Error::other(format!(
            "{} of {conns} connections ended before the end of the window",
            conns as u64 - open.min(conns as u64)
        )));
    }
    for process in servers.iter_mut().chain(&mut clients) {
        process.kill_now();
    }
    drop(servers);
    drop(clients);
    Ok(Row {
        server: kind.to_owned(),
        conns,
        processes: plan.servers.len(),
        rss_before_kib,
        rss_after_kib,
        cpu_secs: cpu_after.saturating_sub(cpu_before).as_secs_f64(),
        window_secs,
        pings: pings_after - pings_before,
    })
}

/// The table of results: one line per server kind, measured or failed with its reason.
#[allow(clippy::cast_precision_loss)] // counts far below 2^52
pub fn table(rows: &[(String, Result<Row, String>)]) -> String {
    let mut out = format!(
        "{:<18} {:>11} {:>9} {:>9} {:>13} {:>9} {:>10}\n",
        "server", "connections", "processes", "KiB/conn", "keepalive ms/s", "pings/s", "µs/ping"
    );
    for (server, row) in rows {
        // Writing to a String cannot fail.
        let _ = match row {
            Ok(row) => writeln!(
                out,
                "{:<18} {:>11} {:>9} {:>9.2} {:>14.2} {:>9.0} {:>10.2}",
                row.server,
                row.conns,
                row.processes,
                row.kib_per_conn(),
                row.cpu_secs * 1e3 / row.window_secs,
                row.pings as f64 / row.window_secs,
                if row.pings > 0 {
                    row.cpu_secs * 1e6 / row.pings as f64
                } else {
                    f64::NAN
                },
            ),
            Err(reason) => writeln!(out, "{server:<18} FAILED: {reason}"),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_uses_one_process_when_the_limit_allows() {
        let plan = Plan::new(100_000, None, None).unwrap();
        assert_eq!(plan.servers.len(), 1);
        // One source address cannot hold 100,000 ports: four clients of 25,000.
        assert_eq!(plan.servers[0], vec![25_000; 4]);
        let plan = Plan::new(100_000, Some(1 << 20), None).unwrap();
        assert_eq!(plan.servers.len(), 1);
    }

    #[test]
    fn plan_spreads_over_processes_under_a_low_limit() {
        let plan = Plan::new(100_000, Some(20_000), None).unwrap();
        assert_eq!(plan.servers.len(), 6);
        let per_server: Vec<usize> = plan.servers.iter().map(|c| c.iter().sum()).collect();
        assert_eq!(per_server.iter().sum::<usize>(), 100_000);
        assert!(
            per_server.iter().all(|&n| n == 16_666 || n == 16_667),
            "{per_server:?}"
        );
        assert_eq!(plan.clients(), 6);
        // Asked for fewer processes than the limit allows: refused, not overrun.
        assert!(Plan::new(100_000, Some(20_000), Some(4)).is_err());
        assert!(Plan::new(100_000, Some(20_000), Some(0)).is_err());
        assert_eq!(
            Plan::new(10, Some(20_000), Some(3)).unwrap().servers,
            [vec![4], vec![3], vec![3]]
        );
    }

    #[test]
    fn open_files_limit_is_read_from_procfs_text() {
        let text = "Limit  Soft Limit  Hard Limit  Units\n\
                    Max open files            20000                20000                files\n";
        assert_eq!(parse_fd_limit(text).unwrap(), Some(20_000));
        let text = "Max open files            unlimited            unlimited            files\n";
        assert_eq!(parse_fd_limit(text).unwrap(), None);
        assert!(parse_fd_limit("Max processes 10 10\n").is_err());
        assert!(fd_limit().is_ok());
    }

    #[test]
    fn table_shows_figures_and_failures() {
        let row = Row {
            server: "wsflow-tokio".into(),
            conns: 1000,
            processes: 1,
            rss_before_kib: 2000,
            rss_after_kib: 5000,
            cpu_secs: 0.5,
            window_secs: 10.0,
            pings: 1000,
        };
        let text = table(&[
            ("wsflow-tokio".into(), Ok(row)),
            (
                "fastwebsockets".into(),
                Err("3 of 1000 connections ended".into()),
            ),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("server"));
        // 3 KiB per connection, 50 ms/s, 100 pings/s, 500 µs per ping.
        let fields: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(
            fields,
            [
                "wsflow-tokio",
                "1000",
                "1",
                "3.00",
                "50.00",
                "100",
                "500.00"
            ]
        );
        assert!(lines[2].contains("FAILED: 3 of 1000"));
    }
}
