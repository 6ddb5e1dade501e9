//! Density benchmark: `bench-density [--conns N] [--servers a,b] [--processes P]
//! [--keepalive SECS] [--window SECS] [--min-free-gib G] [--pin]` holds N idle WebSockets with keepalive on
//! against each server kind and prints resident memory per connection and the CPU the
//! keepalive pings cost (see `wsflow_bench::density`). A kind whose processes bring the
//! machine's available memory under G GiB (default 6) is stopped and its row failed.
//! `--pin` puts the servers on CPU 0 and the clients on CPU 1 (off by default: on a shared
//! machine, a dozen processes on one core each wait their turn and time out; the CPU time
//! measured is each process's own either way). `density.sh` runs it.

use std::time::Duration;

use wsflow_bench::density::{self, DensityConfig, FD_RESERVE, Plan};
use wsflow_bench::servers::ServerKind;

/// The default servers: wsflow on each runtime, then the peers. raw-tcp has no keepalive;
/// the batch and multi-thread variants of wsflow-tokio hold idle connections alike.
const DEFAULT_SERVERS: &str =
    "wsflow-tokio,wsflow-smol,wsflow-async-std,tokio-tungstenite,fastwebsockets,tokio-websockets";

fn number<T: std::str::FromStr>(value: Option<String>, flag: &str) -> std::io::Result<T> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("{flag} needs a number")))
}

fn main() -> std::io::Result<()> {
    let exe = std::env::current_exe()?;
    let bin_dir = exe
        .parent()
        .ok_or_else(|| std::io::Error::other("no directory for bench-server"))?
        .to_path_buf();
    let mut config = DensityConfig {
        conns: 100_000,
        processes: None,
        keepalive: Duration::from_secs(10),
        window: Duration::from_secs(30),
        bin_dir,
        pin: false,
        min_available_kib: 6 << 20,
    };
    let mut servers = String::from(DEFAULT_SERVERS);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--conns" => config.conns = number(args.next(), "--conns")?,
            "--servers" => servers = args.next().unwrap_or_default(),
            "--processes" => config.processes = Some(number(args.next(), "--processes")?),
            "--keepalive" => {
                config.keepalive = Duration::from_secs_f64(number(args.next(), "--keepalive")?);
            }
            "--window" => config.window = Duration::from_secs_f64(number(args.next(), "--window")?),
            "--pin" => config.pin = true,
            "--min-free-gib" => {
                let gib: f64 = number(args.next(), "--min-free-gib")?;
                // Whole KiB are precise enough for a floor.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let kib = (gib * 1_048_576.0) as u64;
                config.min_available_kib = kib;
            }
            other => return Err(std::io::Error::other(format!("unknown argument {other}"))),
        }
    }
    if config.keepalive.is_zero() || config.window.is_zero() {
        return Err(std::io::Error::other(
            "--keepalive and --window must be above zero",
        ));
    }
    let kinds: Vec<&str> = servers
        .split([',', ' '])
        .filter(|s| !s.is_empty())
        .collect();
    for kind in &kinds {
        if ServerKind::from_name(kind).is_none() {
            return Err(std::io::Error::other(format!(
                "no server named {kind} (see bench-server --list)"
            )));
        }
    }
    let fd_limit = density::fd_limit()?;
    let plan = Plan::new(config.conns, fd_limit, config.processes)?;
    if plan.clients() > 254 {
        return Err(std::io::Error::other(
            "more than 254 client processes: raise ulimit -n",
        ));
    }
    let processes = plan.servers.len();
    let limit = fd_limit.map_or_else(|| String::from("unlimited"), |n| n.to_string());
    let why = if processes > 1 {
        format!(
            "{processes} server processes of each kind, because a process may open only {limit} files \
             (ulimit -n; {FD_RESERVE} kept for other uses) and every connection is one"
        )
    } else {
        format!("one server process (ulimit -n is {limit})")
    };
    eprintln!("plan: {why}; {} client processes", plan.clients());
    let mut rows = Vec::new();
    for (round, kind) in (1u8..).zip(&kinds) {
        let row = density::measure(kind, &plan, &config, round).map_err(|e| e.to_string());
        if let Err(reason) = &row {
            eprintln!("{kind} failed: {reason}");
        }
        rows.push((kind.to_string(), row));
    }
    println!(
        "wsflow density benchmark: {} idle WebSockets per server kind on loopback, keepalive ping every {} s, \
         {} s counted",
        config.conns,
        config.keepalive.as_secs_f64(),
        config.window.as_secs_f64()
    );
    println!("{why}.");
    println!(
        "KiB/conn: growth of the servers' VmRSS (summed over the processes) from before the \
         connections to the end of the window, per connection; user-space memory only (kernel \
         socket buffers are not in VmRSS)."
    );
    println!(
        "keepalive ms/s: server CPU time (all processes, /proc/PID/task/*/schedstat) per second \
         of the window, in which the clients sent nothing, so it is the pings' cost; µs/ping: \
         that CPU time over the pings the clients received and answered."
    );
    println!(
        "wsflow pings through its keepalive setting (a ping after a period of silence, the \
         connection failed if the pong is three periods late); the peers have no keepalive, so \
         their servers send a Ping from a tokio interval per connection (bench/src/keepalive.rs)."
    );
    if config.pin {
        println!("servers pinned to CPU 0, clients to CPU 1.");
    }
    println!();
    print!("{}", density::table(&rows));
    Ok(())
}
