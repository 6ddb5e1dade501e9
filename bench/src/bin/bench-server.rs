//! Echo server for the benchmark: `bench-server --server NAME --addr HOST:PORT
//! [--keepalive SECS]` (`--keepalive`: ping every connection on that period, for the
//! density benchmark). Prints `listening` once bound, so the runner knows when to start the
//! load.

use std::io::Write;

use std::time::Duration;

use wsflow_bench::servers::{ServerKind, serve_with};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (mut name, mut addr) = (None, String::from("127.0.0.1:9001"));
    let mut keepalive = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--server" => name = args.next(),
            "--addr" => addr = args.next().unwrap_or(addr),
            "--keepalive" => {
                let secs = args
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|secs| secs.is_finite() && *secs > 0.0)
                    .ok_or_else(|| std::io::Error::other("--keepalive needs seconds > 0"))?;
                keepalive = Some(Duration::from_secs_f64(secs));
            }
            "--list" => {
                for kind in ServerKind::ALL {
                    println!("{}", kind.name());
                }
                return Ok(());
            }
            other => return Err(std::io::Error::other(format!("unknown argument {other}"))),
        }
    }
    let name = name.ok_or_else(|| std::io::Error::other("--server NAME is required"))?;
    let kind = ServerKind::from_name(&name)
        .ok_or_else(|| std::io::Error::other(format!("no server named {name} (see --list)")))?;
    if kind == ServerKind::RawTcp && keepalive.is_some() {
        // Refused before `listening`, so a runner waiting for that line sees the failure.
        return Err(std::io::Error::other("raw-tcp has no keepalive"));
    }
    let listener = std::net::TcpListener::bind(&addr)?;
    println!("listening {} {addr}", kind.name());
    std::io::stdout().flush()?;
    serve_with(kind, listener, keepalive)
}
