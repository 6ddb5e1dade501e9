//! WebSockets over HTTP/2 against HTTP/1.1: `bench-h2 [--runtimes tokio,smol,async-std]
//! [--sizes 16,1024,65536] [--websockets 100] [--depth 1] [--secs 2] [--warmup 0.5]
//! [--reps 3] [--server-cpu N]` serves with the example echo server's `--http2` code in one
//! process per runtime and mode (pinned to CPU N with `taskset` when given), opens the N
//! WebSockets as streams of one HTTP/2 connection or on N TCP connections, and prints two
//! Markdown tables: msgs/s with the server's CPU per echo, both sides' CPU shares and the
//! server's TCP connection count; and the server's resident memory per open WebSocket.
//! `bench/h2.sh` runs it pinned. `--serve RUNTIME` is the server side, which it starts itself.

use std::io;
use std::time::Duration;

use wsflow_bench::multiplex::{self, Bench, CaseRun, Figures, Mode, Options};
use wsflow_examples::cli::RuntimeChoice;

fn number<T: std::str::FromStr>(value: Option<String>, flag: &str) -> io::Result<T> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| io::Error::other(format!("{flag} needs a number")))
}

fn list<T: std::str::FromStr>(value: Option<String>, flag: &str) -> io::Result<Vec<T>> {
    let value = value.ok_or_else(|| io::Error::other(format!("{flag} needs a list")))?;
    value
        .split(',')
        .map(|item| number(Some(item.trim().to_owned()), flag))
        .collect()
}

fn runtime(name: &str) -> io::Result<RuntimeChoice> {
    multiplex::runtime_named(name)
        .ok_or_else(|| io::Error::other(format!("no runtime {name} (tokio, smol or async-std)")))
}

fn main() -> io::Result<()> {
    let mut options = Options {
        runtimes: multiplex::RUNTIMES.to_vec(),
        sizes: vec![16, 1024, 65_536],
        websockets: 100,
        depth: 1,
        warmup: Duration::from_millis(500),
        duration: Duration::from_secs(2),
        reps: 3,
        server_cpu: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--serve" => return multiplex::serve(runtime(&args.next().unwrap_or_default())?),
            "--runtimes" => {
                options.runtimes = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|name| runtime(name.trim()))
                    .collect::<io::Result<_>>()?;
            }
            "--sizes" => options.sizes = list(args.next(), "--sizes")?,
            "--websockets" => options.websockets = number(args.next(), "--websockets")?,
            "--depth" => options.depth = number::<usize>(args.next(), "--depth")?.max(1),
            "--secs" => options.duration = Duration::from_secs_f64(number(args.next(), "--secs")?),
            "--warmup" => {
                options.warmup = Duration::from_secs_f64(number(args.next(), "--warmup")?);
            }
            "--reps" => options.reps = number::<usize>(args.next(), "--reps")?.max(1),
            "--server-cpu" => options.server_cpu = Some(number(args.next(), "--server-cpu")?),
            other => return Err(io::Error::other(format!("unknown argument {other}"))),
        }
    }
    let exe = std::env::current_exe()?;
    // One thread: the generator uses one core, as bench-load does.
    let bench = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(async {
            let mut bench = Bench::start(&exe, options).await?;
            bench.run().await?;
            Ok::<_, io::Error>(bench)
        })?;
    print_tables(&bench);
    Ok(())
}

/// A whole number (its decimal digits) with thousands separators.
fn grouped(digits: &str) -> String {
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && digit.is_ascii_digit() {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn or_dash(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| String::from("-"), |v| format!("{v:.decimals$}"))
}

fn ratio(h2: Option<f64>, h1: Option<f64>) -> String {
    match (h2, h1) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}×", a / b),
        _ => String::from("-"),
    }
}

/// The server's TCP connections over the runs, as `n` or `min–max`.
fn connections(runs: &[CaseRun]) -> String {
    let min = runs.iter().map(|r| r.connections).min().unwrap_or(0);
    let max = runs.iter().map(|r| r.connections).max().unwrap_or(0);
    if min == max {
        min.to_string()
    } else {
        format!("{min}–{max}")
    }
}

fn print_tables(bench: &Bench) {
    let options = bench.options();
    let pinned = options
        .server_cpu
        .map_or_else(|| String::from("not pinned"), |cpu| format!("on CPU {cpu}"));
    println!(
        "{} WebSockets, depth {} (each sends, awaits its echo{}), {:.1} s counted after {:.1} s \
         warm-up, median of {}; servers {pinned}",
        options.websockets,
        options.depth,
        if options.depth > 1 { " batch" } else { "" },
        options.duration.as_secs_f64(),
        options.warmup.as_secs_f64(),
        options.reps
    );
    println!();
    println!(
        "| runtime | size | mode | server TCP conns | msgs/s | server µs/msg | server CPU | \
         gen CPU | waited | HTTP/2 ÷ HTTP/1.1 msgs/s | HTTP/2 ÷ HTTP/1.1 µs/msg |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let (mut bound, mut busy) = (0, 0);
    for &runtime in &options.runtimes {
        for (size_index, &size) in options.sizes.iter().enumerate() {
            let mut http1 = Figures::default();
            for served in bench.servers.iter().filter(|s| s.runtime == runtime) {
                let (mode, runs) = (served.mode, &served.runs[size_index]);
                let figures: Vec<Figures> = runs.iter().map(|r| Figures::of(&r.report)).collect();
                let median = Figures::median(&figures);
                let mut mark = String::new();
                if median.generator_bound() {
                    mark.push_str(" *");
                    bound += 1;
                }
                if median.machine_busy() {
                    mark.push_str(" +");
                    busy += 1;
                }
                let (rate_ratio, cpu_ratio) = match mode {
                    Mode::Http1 => {
                        http1 = median;
                        (String::new(), String::new())
                    }
                    Mode::Http2 => (
                        ratio(Some(median.msgs_per_sec), Some(http1.msgs_per_sec)),
                        ratio(median.server_us_per_msg, http1.server_us_per_msg),
                    ),
                };
                println!(
                    "| {runtime} | {size} B | {} | {} | {}{mark} | {} | {} | {} | {} | {rate_ratio} | {cpu_ratio} |",
                    mode.name(),
                    connections(runs),
                    grouped(&format!("{:.0}", median.msgs_per_sec)),
                    or_dash(median.server_us_per_msg, 2),
                    or_dash(median.server_share, 2),
                    or_dash(median.gen_share, 2),
                    or_dash(median.waited, 2),
                );
            }
        }
    }
    println!();
    println!(
        "server µs/msg: server CPU per echoed message; server CPU, gen CPU: share of its core \
         the server, the generator used; waited: the larger share of the window either waited \
         for its CPU"
    );
    if bound > 0 {
        println!(
            "* generator-bound (generator CPU ≥ 0.90, or ≥ 0.50 and 0.25 above the server): \
             msgs/s there understates the server; compare µs/msg"
        );
    }
    if busy > 0 {
        println!(
            "+ busy machine (a side waited for its CPU ≥ 10 % of the window): msgs/s uncertain, \
             µs/msg less so"
        );
    }
    println!("generator-bound cases: {bound}; busy-machine cases: {busy}");
    println!();
    println!(
        "| runtime | mode | server TCP conns | server RSS before (KiB) | with {} idle WebSockets (KiB) | KiB per WebSocket | HTTP/2 ÷ HTTP/1.1 |",
        options.websockets
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for &runtime in &options.runtimes {
        let mut http1 = None;
        for served in bench.servers.iter().filter(|s| s.runtime == runtime) {
            let (mode, footprint) = (served.mode, &served.footprint);
            let per = footprint.kib_per_websocket(options.websockets);
            let vs = match mode {
                Mode::Http1 => {
                    http1 = Some(per);
                    String::new()
                }
                Mode::Http2 => ratio(Some(per), http1),
            };
            println!(
                "| {runtime} | {} | {} | {} | {} | {per:.1} | {vs} |",
                mode.name(),
                footprint.connections,
                grouped(&footprint.rss_before_kib.to_string()),
                grouped(&footprint.rss_after_kib.to_string()),
            );
        }
    }
}
