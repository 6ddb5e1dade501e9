//! The HTTP/2 multiplexing benchmark (`bench-h2`): N WebSockets as streams of ONE HTTP/2
//! connection (cleartext, prior knowledge, RFC 8441) against N WebSockets on N TCP
//! connections (HTTP/1.1 upgrade). Both are served by the same program, the example echo
//! server's `--http2` code (`wsflow_examples::http2::serve`, which tells the two apart by the
//! connection's first byte), in a process of its own per runtime and mode, so that its CPU
//! time and resident memory belong to one mode alone. The load is [`load::run`]'s, over
//! [`crate::h2`]'s streams for HTTP/2: pre-encoded frames, every echo checked.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use wsflow::AcceptOptions;
use wsflow_examples::cli::RuntimeChoice;

use crate::cpu::process_rss_kib;
use crate::load::{self, LoadConfig, LoadReport};
use crate::report::{self, Spread};

/// How the N WebSockets reach the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One TCP connection each, HTTP/1.1 upgrade.
    Http1,
    /// Streams of one HTTP/2 connection, extended CONNECT.
    Http2,
}

impl Mode {
    /// Both modes, in table order.
    pub const BOTH: [Mode; 2] = [Mode::Http1, Mode::Http2];

    /// The name in the tables.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Http1 => "HTTP/1.1",
            Mode::Http2 => "HTTP/2",
        }
    }
}

/// The runtimes the example server runs WebSockets over HTTP/2 on.
pub const RUNTIMES: [RuntimeChoice; 3] = [
    RuntimeChoice::Tokio,
    RuntimeChoice::Smol,
    RuntimeChoice::AsyncStd,
];

/// Looks a runtime up by its name (`tokio`, `smol`, `async-std`).
pub fn runtime_named(name: &str) -> Option<RuntimeChoice> {
    RUNTIMES.into_iter().find(|r| r.to_string() == name)
}

/// The server side, run by `bench-h2 --serve RUNTIME`: binds a loopback port, prints
/// `listening ADDR`, and serves with the example echo server's options until killed.
pub fn serve(runtime: RuntimeChoice) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("listening {}", listener.local_addr()?);
    io::stdout().flush()?;
    let options = AcceptOptions::new().config(wsflow_examples::testee_config(None));
    wsflow_examples::http2::serve(runtime, listener, &options, None)
}

/// A server process (`exe --serve RUNTIME`), killed when dropped.
pub struct Server {
    child: Child,
    addr: String,
}

impl Server {
    /// Starts `exe --serve runtime`, pinned to CPU `cpu` with `taskset` when given, and
    /// waits for its address. Its stderr (a line per connection) is dropped.
    pub fn start(exe: &Path, runtime: RuntimeChoice, cpu: Option<usize>) -> io::Result<Server> {
        let mut command = crate::cpu::pinned_command(exe, cpu);
        command
            .args(["--serve", &runtime.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = command.spawn()?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let Some(addr) = line.trim().strip_prefix("listening ").map(str::to_owned) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other(format!("{runtime} server did not start")));
        };
        Ok(Server { child, addr })
    }

    /// The server's process id (`taskset` execs it, so it is the child's).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sockets process `pid` holds open: its listener and every accepted TCP connection.
fn sockets(pid: u32) -> io::Result<usize> {
    let mut count = 0;
    for fd in std::fs::read_dir(format!("/proc/{pid}/fd"))? {
        // An fd closed between the listing and the read no longer counts.
        if let Ok(target) = std::fs::read_link(fd?.path()) {
            count += usize::from(target.to_string_lossy().starts_with("socket:"));
        }
    }
    Ok(count)
}

/// The server's TCP connections: its sockets but the listener.
fn server_connections(pid: u32) -> io::Result<usize> {
    Ok(sockets(pid)?.saturating_sub(1))
}

/// The server's resident memory before and after the N WebSockets were opened (idle).
#[derive(Clone, Copy, Debug)]
pub struct Footprint {
    /// VmRSS before, KiB.
    pub rss_before_kib: u64,
    /// VmRSS with the N WebSockets open and idle, KiB.
    pub rss_after_kib: u64,
    /// TCP connections the server held meanwhile.
    pub connections: usize,
}

impl Footprint {
    /// Resident KiB per open WebSocket (the HTTP/2 connection's own share included).
    #[allow(clippy::cast_precision_loss)]
    pub fn kib_per_websocket(&self, websockets: usize) -> f64 {
        (self.rss_after_kib as f64 - self.rss_before_kib as f64) / websockets.max(1) as f64
    }
}

/// Time the server gets to settle before and after the WebSockets open (its tasks start
/// and allocate when first polled).
const SETTLE: Duration = Duration::from_millis(300);

/// One measured run of a case.
#[derive(Clone, Copy, Debug)]
pub struct CaseRun {
    /// What the generator measured.
    pub report: LoadReport,
    /// TCP connections the server held at the end of the warm-up.
    pub connections: usize,
}

/// What [`Bench`] measures.
#[derive(Clone, Debug)]
pub struct Options {
    /// Runtimes to serve with.
    pub runtimes: Vec<RuntimeChoice>,
    /// Message sizes, bytes.
    pub sizes: Vec<usize>,
    /// WebSockets open at once, each echoing.
    pub websockets: usize,
    /// Messages in flight per WebSocket (1 = send, await the echo, repeat).
    pub depth: usize,
    /// Time run before counting.
    pub warmup: Duration,
    /// Time counted.
    pub duration: Duration,
    /// Runs per case.
    pub reps: usize,
    /// The CPU the servers are pinned to (`taskset`), if any.
    pub server_cpu: Option<usize>,
}

/// One server process, for one runtime and mode, and what was measured of it.
pub struct Served {
    /// The runtime it serves with.
    pub runtime: RuntimeChoice,
    /// How the generator's WebSockets reach it.
    pub mode: Mode,
    /// The process.
    pub server: Server,
    /// Its memory and connections with the WebSockets open and idle.
    pub footprint: Footprint,
    /// Per message size (in [`Options::sizes`] order), each run.
    pub runs: Vec<Vec<CaseRun>>,
}

/// One server process per runtime and mode, with what was measured of it.
pub struct Bench {
    /// Every server, by runtime, then mode ([`Mode::BOTH`] order).
    pub servers: Vec<Served>,
    options: Options,
}

impl Bench {
    /// Starts a server (`exe --serve`) per runtime and mode and measures each one's
    /// footprint, one at a time while the others idle.
    pub async fn start(exe: &Path, options: Options) -> io::Result<Bench> {
        let mut servers = Vec::new();
        for &runtime in &options.runtimes {
            for mode in Mode::BOTH {
                let server = Server::start(exe, runtime, options.server_cpu)?;
                let footprint = footprint(&server, mode, &options).await?;
                let runs = vec![Vec::new(); options.sizes.len()];
                servers.push(Served {
                    runtime,
                    mode,
                    server,
                    footprint,
                    runs,
                });
            }
        }
        Ok(Bench { servers, options })
    }

    /// Runs every case `reps` times, round-robin (repetition, then runtime, size and mode),
    /// so that a slow spell of the shared machine lowers one run of each case rather than
    /// every run of one.
    pub async fn run(&mut self) -> io::Result<()> {
        let options = &self.options;
        for _ in 0..options.reps {
            for (size_index, &size) in options.sizes.iter().enumerate() {
                for served in &mut self.servers {
                    let run = run_case(&served.server, served.mode, size, options).await?;
                    served.runs[size_index].push(run);
                }
            }
        }
        Ok(())
    }

    /// What was measured with.
    pub fn options(&self) -> &Options {
        &self.options
    }
}

/// Opens `options.websockets` idle WebSockets in `mode` and reads the server's memory and
/// connections before and after.
async fn footprint(server: &Server, mode: Mode, options: &Options) -> io::Result<Footprint> {
    tokio::time::sleep(SETTLE).await;
    let rss_before_kib = process_rss_kib(Some(server.pid()))?;
    let open = crate::open::open_all(&load_config(server, mode, 0, options)).await?;
    tokio::time::sleep(SETTLE).await;
    let footprint = Footprint {
        rss_before_kib,
        rss_after_kib: process_rss_kib(Some(server.pid()))?,
        connections: server_connections(server.pid())?,
    };
    drop(open);
    Ok(footprint)
}

/// The load of one case: `options`' WebSockets in `mode`, echoing `size` bytes.
fn load_config(server: &Server, mode: Mode, size: usize, options: &Options) -> LoadConfig {
    LoadConfig {
        addr: server.addr.clone(),
        conns: options.websockets,
        size,
        depth: options.depth,
        warmup: options.warmup,
        duration: options.duration,
        raw: false,
        tls: None,
        http2: mode == Mode::Http2,
        server_pid: Some(server.pid()),
    }
}

/// One run of `size`-byte echoes in `mode`, counting the server's TCP connections at the end
/// of the warm-up, when every WebSocket is open (each one's handshake was answered) and
/// busy, and the previous case's connections have had the warm-up to close.
async fn run_case(
    server: &Server,
    mode: Mode,
    size: usize,
    options: &Options,
) -> io::Result<CaseRun> {
    let config = load_config(server, mode, size, options);
    let pid = server.pid();
    let count = async {
        tokio::time::sleep(options.warmup).await;
        server_connections(pid)
    };
    let streams = crate::open::open_all(&config).await?;
    let (report, connections) = tokio::join!(load::run_on(config, streams), count);
    Ok(CaseRun {
        report: report?,
        connections: connections?,
    })
}

/// The figures of one run, as the tables show them.
#[derive(Clone, Copy, Debug, Default)]
pub struct Figures {
    /// Echoes per second.
    pub msgs_per_sec: f64,
    /// Server CPU µs per echo.
    pub server_us_per_msg: Option<f64>,
    /// Share of its core the server used.
    pub server_share: Option<f64>,
    /// Share of its core the generator used.
    pub gen_share: Option<f64>,
    /// The larger share of the window the server or the generator waited for its CPU.
    pub waited: Option<f64>,
}

impl Figures {
    /// The figures of `report`.
    #[allow(clippy::cast_precision_loss)]
    pub fn of(report: &LoadReport) -> Figures {
        let share = |cpu: Option<f64>| cpu.map(|cpu| cpu / report.secs);
        Figures {
            msgs_per_sec: report.msgs_per_sec,
            server_us_per_msg: report
                .server_cpu_secs
                .filter(|_| report.counted > 0)
                .map(|cpu| cpu * 1e6 / report.counted as f64),
            server_share: share(report.server_cpu_secs),
            gen_share: share(report.gen_cpu_secs),
            waited: match (report.server_wait_secs, report.gen_wait_secs) {
                (Some(a), Some(b)) => share(Some(a.max(b))),
                (a, b) => share(a.or(b)),
            },
        }
    }

    /// The median of each figure over `runs` (separately, as `bench/run.sh` does).
    pub fn median(runs: &[Figures]) -> Figures {
        let of = |pick: fn(&Figures) -> Option<f64>| {
            Spread::of(runs.iter().filter_map(pick)).map(|spread| spread.median)
        };
        Figures {
            msgs_per_sec: of(|f| Some(f.msgs_per_sec)).unwrap_or(0.0),
            server_us_per_msg: of(|f| f.server_us_per_msg),
            server_share: of(|f| f.server_share),
            gen_share: of(|f| f.gen_share),
            waited: of(|f| f.waited),
        }
    }

    /// Whether the generator rather than the server was the bottleneck
    /// ([`report::generator_bound`], the echo benchmark's rule).
    pub fn generator_bound(&self) -> bool {
        report::generator_bound(self.gen_share, self.server_share)
    }

    /// Whether either side waited for its CPU ≥ 10 % of the window
    /// ([`report::machine_busy`]): msgs/s is then uncertain, µs per message much less so.
    pub fn machine_busy(&self) -> bool {
        report::machine_busy(self.waited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_sockets_are_counted() {
        let pid = std::process::id();
        let before = sockets(pid).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        // Other tests of this binary may open sockets meanwhile: at least one more.
        assert!(sockets(pid).unwrap() > before);
        drop(listener);
        assert!(sockets(u32::MAX).is_err());
    }

    #[test]
    fn generator_bound_follows_run_sh() {
        let figures = |g, s| Figures {
            gen_share: Some(g),
            server_share: Some(s),
            ..Figures::default()
        };
        assert!(figures(0.95, 0.9).generator_bound());
        assert!(figures(0.6, 0.3).generator_bound());
        assert!(!figures(0.6, 0.5).generator_bound());
        assert!(!figures(0.4, 0.1).generator_bound());
    }

    #[test]
    fn median_takes_each_figure_on_its_own() {
        let runs = [1.0, 3.0, 2.0].map(|x| Figures {
            msgs_per_sec: x,
            server_us_per_msg: Some(10.0 - x),
            ..Figures::default()
        });
        let median = Figures::median(&runs);
        assert!((median.msgs_per_sec - 2.0).abs() < f64::EPSILON);
        assert_eq!(median.server_us_per_msg, Some(8.0));
        assert_eq!(median.gen_share, None);
    }
}
