//! What TLS costs an echo server: `bench-tls [--secs S] [--size BYTES] [--conns N]
//! [--depth D] [--reps R]` runs wsflow (tokio) and tokio-tungstenite over ws:// and wss://
//! (rustls, *ring*, TLS 1.3), each server on a thread of its own and the load generator on
//! this one, cases interleaved per repetition. Prints the median msgs/s, the server's CPU per
//! echo (from /proc/self/task/TID/schedstat) and the generator's CPU share, which says
//! whether the generator rather than the server was the bottleneck.

use std::net::TcpListener;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wsflow_bench::load::{self, LoadConfig};
use wsflow_bench::servers;
use wsflow_bench::tls::{TLS_SERVERS, TestPki, serve_tls};

/// CPU time of a thread so far, in nanoseconds (0 without procfs).
fn thread_cpu_ns(tid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat"))
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// The calling thread's id, as procfs names it.
fn own_tid() -> String {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|path| Some(path.file_name()?.to_string_lossy().into_owned()))
        .unwrap_or_default()
}

/// One measured run.
#[derive(Clone, Copy)]
struct Run {
    msgs_per_sec: f64,
    server_us_per_msg: f64,
    generator_share: f64,
}

fn value<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    flag: &str,
) -> std::io::Result<T> {
    args.next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("{flag} needs a number")))
}

#[allow(clippy::cast_precision_loss)]
fn main() -> std::io::Result<()> {
    let (mut secs, mut size, mut conns, mut depth, mut reps) =
        (3.0_f64, 1024_usize, 10_usize, 1_usize, 3_usize);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--secs" => secs = value(&mut args, "--secs")?,
            "--size" => size = value(&mut args, "--size")?,
            "--conns" => conns = value(&mut args, "--conns")?,
            "--depth" => depth = value(&mut args, "--depth")?,
            "--reps" => reps = value::<usize>(&mut args, "--reps")?.max(1),
            other => return Err(std::io::Error::other(format!("unknown argument {other}"))),
        }
    }
    let pki = TestPki::new()?;
    // One server thread per case, started once and reused by every repetition.
    let mut cases = Vec::new();
    for kind in TLS_SERVERS {
        for tls in [false, true] {
            let listener = TcpListener::bind("127.0.0.1:0")?;
            let addr = listener.local_addr()?.to_string();
            let (tid_tx, tid_rx) = mpsc::channel();
            let config = pki.server.clone();
            std::thread::spawn(move || {
                let _ = tid_tx.send(own_tid());
                let result = if tls {
                    serve_tls(kind, listener, &config)
                } else {
                    servers::serve(kind, listener)
                };
                if let Err(error) = result {
                    eprintln!("{} server failed: {error}", kind.name());
                }
            });
            let tid = tid_rx.recv().map_err(std::io::Error::other)?;
            cases.push((kind, tls, addr, tid, Vec::<Run>::new()));
        }
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let generator_tid = own_tid();
    for _ in 0..reps {
        for (_, tls, addr, tid, runs) in &mut cases {
            let config = LoadConfig {
                addr: addr.clone(),
                conns,
                size,
                depth,
                warmup: Duration::from_millis(500),
                duration: Duration::from_secs_f64(secs),
                raw: false,
                tls: tls.then(|| pki.client.clone()),
                http2: false,
                server_pid: None,
            };
            let (server_before, generator_before, started) = (
                thread_cpu_ns(tid),
                thread_cpu_ns(&generator_tid),
                Instant::now(),
            );
            let report = runtime.block_on(load::run(config))?;
            let wall = started.elapsed().as_secs_f64();
            let server_ns = thread_cpu_ns(tid).saturating_sub(server_before) as f64;
            let generator_ns =
                thread_cpu_ns(&generator_tid).saturating_sub(generator_before) as f64;
            runs.push(Run {
                msgs_per_sec: report.msgs_per_sec,
                server_us_per_msg: server_ns / 1000.0 / report.checked.max(1) as f64,
                generator_share: generator_ns / 1e9 / wall,
            });
        }
    }
    let median = |runs: &[Run], pick: fn(&Run) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(pick).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!("{conns} conns x {size} B, depth {depth}, {secs} s per run, median of {reps}");
    println!(
        "{:<20} {:>6} {:>12} {:>16} {:>15}",
        "server", "scheme", "msgs/s", "server µs/msg", "generator CPU"
    );
    let mut plain_rate = 0.0;
    for (kind, tls, _, _, runs) in &cases {
        let rate = median(runs, |r| r.msgs_per_sec);
        let share = median(runs, |r| r.generator_share);
        let ratio = if *tls {
            format!("  wss/ws {:.2}x", rate / plain_rate)
        } else {
            String::new()
        };
        if !tls {
            plain_rate = rate;
        }
        println!(
            "{:<20} {:>6} {:>12.0} {:>16.2} {:>14.0}%{ratio}{}",
            kind.name(),
            if *tls { "wss" } else { "ws" },
            rate,
            median(runs, |r| r.server_us_per_msg),
            share * 100.0,
            if share > 0.9 {
                "  (generator-bound: the ratio understates the server)"
            } else {
                ""
            }
        );
    }
    Ok(())
}
