//! `wsflow-sim`: the deterministic simulation over a range of seeds.
//!
//! ```text
//! wsflow-sim --seeds 10000 [--start 0] [--runtime core|blocking|tokio|smol|async-std|all] [--verbose]
//! ```
//!
//! Prints a summary (seeds, connections, wall time, the hash of all traces); for each failing
//! seed, what failed and the one command that replays it. Exits 1 on a failure.

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use wsflow_conformance::sim::{self, Flavor, Trace};

/// Runs the simulation for a range of seeds.
#[derive(Debug, Parser)]
#[command(name = "wsflow-sim")]
struct Cli {
    /// How many seeds.
    #[arg(long, default_value_t = 1000)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    start: u64,
    /// Which implementations the sides run on.
    #[arg(long, default_value = "all", value_parser = ["core", "blocking", "tokio", "smol", "async-std", "all"])]
    runtime: String,
    /// Print each connection's outcome.
    #[arg(long)]
    verbose: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(flavors) = Flavor::parse(&cli.runtime) else {
        eprintln!("unknown runtime {}", cli.runtime);
        return ExitCode::from(2);
    };
    let started = Instant::now();
    let mut connections = 0;
    let mut trace = Trace::default();
    let mut failed = Vec::new();
    for seed in cli.start..cli.start.saturating_add(cli.seeds) {
        if cli.verbose {
            eprintln!("seed {seed}");
        }
        match sim::run_seed(seed, &flavors, cli.verbose) {
            Ok(report) => {
                connections += report.connections;
                trace.add(b'S', &report.trace.to_le_bytes());
            }
            Err(error) => {
                // Every failure is reported (the first few in full): one failing seed should
                // not hide a second, different one.
                if failed.len() < MAX_PRINTED {
                    eprintln!("seed {seed} FAILED: {error}");
                    eprintln!("replay: {}", sim::replay_command(seed, &cli.runtime));
                }
                failed.push(seed);
            }
        }
    }
    println!(
        "wsflow-sim: {} seeds from {} ({}), {connections} connections passed, {} seeds failed, in {:.1?}; trace {:016x}",
        cli.seeds,
        cli.start,
        cli.runtime,
        failed.len(),
        started.elapsed(),
        trace.finish()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("failed seeds: {failed:?}");
        ExitCode::FAILURE
    }
}

/// Failures printed in full (all are listed by seed at the end).
const MAX_PRINTED: usize = 20;
