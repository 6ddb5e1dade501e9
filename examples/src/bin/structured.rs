//! `structured [--clients N]`: a server and N clients in scopes that own them; the clients'
//! scope is cancelled by a timeout, and the server watches every connection close (see
//! `wsflow_examples::structured`).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use wsflow_examples::cli;
use wsflow_examples::structured;

/// Runs a server and clients in cancellable scopes and checks that nothing outlives them.
#[derive(Debug, Parser)]
#[command(name = "structured")]
struct Args {
    /// How many clients to run.
    #[arg(long, default_value_t = 4)]
    clients: usize,
}

fn main() -> ExitCode {
    let clients = cli::parse::<Args>().clients;
    let report = match smol::block_on(structured::run(clients, Duration::from_millis(100))) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("structured: {error}");
            return ExitCode::from(1);
        }
    };
    println!("structured: {report:?}");
    if report.cancelled && report.ended_by_peer == clients && report.live_after == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!("structured: something outlived its scope");
        ExitCode::from(1)
    }
}
