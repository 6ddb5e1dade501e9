//! Soak test: `soak --runtime tokio|smol|async-std|all [--secs S] [--warmup S]
//! [--connections N] [--deflate-share F] [--abort-chance F] [--cancel-chance F]
//! [--max-message BYTES] [--seed N] [--out DIR]`.
//!
//! Runs thousands of loopback connections (server and clients in this process) for `--secs`,
//! samples RSS and open fds every second, writes `DIR/soak-RUNTIME.{csv,svg}` and prints one
//! summary line. Exits 1 if an echo was lost, duplicated or changed, a clean close failed, a
//! server connection outlived its client, or RSS grew after the warm-up. `--runtime all`
//! runs each runtime in a process of its own, so each RSS figure is its own.

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

use wsflow_bench::soak::runtimes::{self, RUNTIMES};
use wsflow_bench::soak::sample::{self, Sampler};
use wsflow_bench::soak::{Plan, Tally};

struct Args {
    runtime: String,
    plan: Plan,
    out: PathBuf,
}

fn value<T: std::str::FromStr>(
    args: &mut impl Iterator<Item = String>,
    flag: &str,
) -> Result<T, String> {
    args.next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{flag} needs a value of the right kind"))
}

fn parse() -> Result<Args, String> {
    let mut parsed = Args {
        runtime: String::from("all"),
        plan: Plan::default(),
        out: PathBuf::from("target/soak"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let plan = &mut parsed.plan;
        match arg.as_str() {
            "--runtime" => parsed.runtime = value(&mut args, "--runtime")?,
            "--secs" => plan.duration = Duration::from_secs_f64(value(&mut args, "--secs")?),
            "--warmup" => plan.warmup = Duration::from_secs_f64(value(&mut args, "--warmup")?),
            "--connections" => plan.connections = value(&mut args, "--connections")?,
            "--deflate-share" => plan.deflate_share = value(&mut args, "--deflate-share")?,
            "--abort-chance" => plan.abort_chance = value(&mut args, "--abort-chance")?,
            "--cancel-chance" => plan.cancel_chance = value(&mut args, "--cancel-chance")?,
            "--max-message" => plan.max_message = value(&mut args, "--max-message")?,
            "--seed" => plan.seed = value(&mut args, "--seed")?,
            "--out" => parsed.out = value(&mut args, "--out")?,
            "-h" | "--help" => {
                return Err(String::from(
                    "usage: soak --runtime tokio|smol|async-std|all [--secs S] [--warmup S] \
                     [--connections N] [--deflate-share F] [--abort-chance F] [--cancel-chance F] \
                     [--max-message BYTES] [--seed N] [--out DIR]",
                ));
            }
            other => return Err(format!("unknown argument {other} (see --help)")),
        }
    }
    if parsed.runtime != "all" && !RUNTIMES.contains(&parsed.runtime.as_str()) {
        return Err(format!(
            "--runtime {} is not one of all, {}",
            parsed.runtime,
            RUNTIMES.join(", ")
        ));
    }
    Ok(parsed)
}

/// Runs every runtime in a child process of this binary, with the same arguments.
fn run_all() -> ExitCode {
    let mut failed = false;
    for runtime in RUNTIMES {
        let mut args: Vec<String> = std::env::args().skip(1).collect();
        if let Some(at) = args.iter().position(|a| a == "--runtime") {
            args.drain(at..(at + 2).min(args.len()));
        }
        let status = std::env::current_exe().and_then(|exe| {
            let mut child = Command::new(exe);
            child.args(&args).args(["--runtime", runtime]);
            // smol's global executor runs on SMOL_THREADS threads, one unless set: give it
            // one per CPU, as tokio's multi-thread runtime and async-std have. On one thread
            // serving both ends of 2,000 connections, a 2-core machine busy with other work
            // delayed handshakes and closes past their 10 s limits (100 failures in a
            // 10-minute run, none on tokio or async-std in the same hour).
            if runtime == "smol" && std::env::var_os("SMOL_THREADS").is_none() {
                let cpus = std::thread::available_parallelism().map_or(1, usize::from);
                child.env("SMOL_THREADS", cpus.to_string());
            }
            child.status()
        });
        match status {
            Ok(status) if status.success() => {}
            Ok(_) => failed = true,
            Err(error) => {
                eprintln!("soak: cannot run the {runtime} child: {error}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("soak: {message}");
            return ExitCode::from(2);
        }
    };
    if args.runtime == "all" {
        return run_all();
    }
    let plan = Arc::new(args.plan);
    let tally = Arc::new(Tally::default());
    let sampler = Sampler::start(Arc::clone(&tally), Duration::from_secs(1));
    let started = Instant::now();
    let result = runtimes::run(&args.runtime, &plan, &tally);
    let load_end = plan.duration.as_secs_f64();
    // A few more seconds of samples after the drain show what is left once the load is gone.
    std::thread::sleep(Duration::from_secs(3));
    let samples = sampler.finish();
    let wall = started.elapsed().as_secs_f64();
    if let Err(error) = result {
        tally.fail(format!("run failed: {error}"));
    }
    let verdict = sample::judge(&samples, plan.warmup.as_secs_f64(), load_end);
    let title = format!(
        "wsflow soak on {}: {} connections, {:.0} s, deflate share {:.0} %",
        args.runtime,
        plan.connections,
        load_end,
        plan.deflate_share * 100.0
    );
    let written = std::fs::create_dir_all(&args.out).and_then(|()| {
        let stem = args.out.join(format!("soak-{}", args.runtime));
        std::fs::write(stem.with_extension("csv"), sample::csv(&samples))?;
        std::fs::write(
            stem.with_extension("svg"),
            sample::svg(&title, &samples, plan.warmup.as_secs_f64(), load_end),
        )
    });
    if let Err(error) = written {
        eprintln!(
            "soak: cannot write the chart into {}: {error}",
            args.out.display()
        );
    }
    let get = |counter| Tally::get(counter);
    let peak_fds = samples.iter().map(|s| s.fds).max().unwrap_or(0);
    #[allow(clippy::cast_precision_loss)]
    let echoes_per_sec = get(&tally.echoed) as f64 / load_end.max(1e-9);
    println!(
        "soak {}: {:.0} s, {} sessions ({} deflate), {} echoes ({echoes_per_sec:.0}/s), {} clean closes, \
         {} aborts, {} server-side peer losses, {} cancellations; RSS {:.1} MiB after warm-up, \
         {:.1} MiB at the end of the load, peak {:.1} MiB; peak fds {peak_fds}; {}",
        args.runtime,
        wall,
        get(&tally.sessions),
        get(&tally.deflate_sessions),
        get(&tally.echoed),
        get(&tally.clean_closes),
        get(&tally.aborts),
        get(&tally.server_errors),
        get(&tally.cancellations),
        kib_to_mib(verdict.early_kib),
        kib_to_mib(verdict.late_kib),
        kib_to_mib(verdict.peak_kib),
        if verdict.steady {
            "RSS steady"
        } else {
            "RSS GREW"
        },
    );
    let failures = tally.failures();
    for failure in &failures {
        eprintln!("FAIL {failure}");
    }
    if failures.is_empty() && verdict.steady && get(&tally.echoed) > 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[allow(clippy::cast_precision_loss)]
fn kib_to_mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}
