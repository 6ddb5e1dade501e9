//! Load generator: `bench-load --addr A --conns N --size S --depth D --secs T [--warmup W]
//! [--raw] [--http2] [--server-pid P]` (`--http2`: the N WebSockets are streams of one HTTP/2
//! connection, prior knowledge) prints `msgs_per_sec=… checked=… content_checked=… counted=…
//! secs=… gen_cpu_secs=… server_cpu_secs=… gen_wait_secs=… server_wait_secs=…` (from
//! `counted` on, over the counted window; `*_wait_secs` is time runnable but waiting for a
//! CPU; a CPU field is left out when it could not be read, the server's without
//! `--server-pid`);
//! `--idle N [--source IP]` opens N idle connections (from loopback address IP when given),
//! prints `ready N`, answers the server's pings with pongs, prints `pings=P open=O` (pings so
//! far, connections still open) for every line read on stdin, and holds them until stdin
//! closes; `--smoke` runs the CI case.

use std::io::{BufRead, Write};
use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use wsflow_bench::idle::{self, IdleCounts};

use wsflow_bench::load::{self, LoadConfig};

fn parse<T: std::str::FromStr>(value: Option<String>, flag: &str) -> std::io::Result<T> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("{flag} needs a number")))
}

fn main() -> std::io::Result<()> {
    let mut config = LoadConfig {
        addr: String::from("127.0.0.1:9001"),
        conns: 1,
        size: 16,
        depth: 1,
        warmup: Duration::from_millis(500),
        duration: Duration::from_secs(3),
        raw: false,
        tls: None,
        http2: false,
        server_pid: None,
    };
    let mut idle = None;
    let mut source: Option<IpAddr> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--addr" => config.addr = parse(args.next(), "--addr")?,
            "--conns" => config.conns = parse(args.next(), "--conns")?,
            "--size" => config.size = parse(args.next(), "--size")?,
            "--depth" => config.depth = parse::<usize>(args.next(), "--depth")?.max(1),
            "--secs" => config.duration = Duration::from_secs_f64(parse(args.next(), "--secs")?),
            "--warmup" => config.warmup = Duration::from_secs_f64(parse(args.next(), "--warmup")?),
            "--raw" => config.raw = true,
            "--http2" => config.http2 = true,
            "--server-pid" => config.server_pid = Some(parse(args.next(), "--server-pid")?),
            "--idle" => idle = Some(parse::<usize>(args.next(), "--idle")?),
            "--source" => {
                source = Some(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .ok_or_else(|| std::io::Error::other("--source needs an IP address"))?,
                );
            }
            "--smoke" => {
                let report = wsflow_bench::smoke()?;
                println!(
                    "smoke ok: {:.0} msgs/s, {} echoes checked ({} by content)",
                    report.msgs_per_sec, report.checked, report.content_checked
                );
                return Ok(());
            }
            other => return Err(std::io::Error::other(format!("unknown argument {other}"))),
        }
    }
    // One thread: the generator has the other core to itself and never competes with itself.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    if let Some(conns) = idle {
        return runtime.block_on(hold_idle(&config.addr, conns, source));
    }
    let report = runtime.block_on(load::run(config))?;
    println!("{}", load::report_line(&report));
    Ok(())
}

/// The `--idle` mode: opens the connections, then reports the counts on every stdin line
/// until stdin closes. The connections' tasks answer pings meanwhile, on this thread.
async fn hold_idle(addr: &str, conns: usize, source: Option<IpAddr>) -> std::io::Result<()> {
    let counts = Arc::new(IdleCounts::default());
    idle::open(addr, conns, source, &counts).await?;
    println!("ready {conns}");
    std::io::stdout().flush()?;
    // Stdin is read on a thread of its own, so this one keeps answering pings.
    let (lines, mut requests) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            if line.is_err() || lines.send(()).is_err() {
                break;
            }
        }
    });
    while requests.recv().await.is_some() {
        println!(
            "pings={} open={}",
            counts.pings.load(Ordering::Relaxed),
            counts.open.load(Ordering::Relaxed)
        );
        std::io::stdout().flush()?;
    }
    Ok(())
}
