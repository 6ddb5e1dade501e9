//! `autobahn-client --runtime {blocking,tokio,smol,async-std} --url ws://127.0.0.1:PORT
//! --agent NAME [--deflate] [--max-message-size BYTES]`: the Autobahn client testee loop.

use std::process::ExitCode;

use clap::Parser;
use wsflow::ConnectOptions;
use wsflow_examples::cli::{self, RuntimeChoice};
use wsflow_examples::{autobahn, testee_config, testee_deflate};

/// Runs every case of an Autobahn fuzzing server, echoing each message, then asks it to
/// write its reports.
#[derive(Debug, Parser)]
#[command(name = "autobahn-client")]
struct Args {
    /// The I/O layer to connect with.
    #[arg(long)]
    runtime: RuntimeChoice,
    /// The fuzzing server, e.g. ws://127.0.0.1:9001.
    #[arg(long)]
    url: String,
    /// The name the reports give this client.
    #[arg(long)]
    agent: String,
    /// Offer permessage-deflate.
    #[arg(long)]
    deflate: bool,
    /// The largest message accepted, in bytes (default 64 MiB).
    #[arg(long, value_name = "BYTES")]
    max_message_size: Option<u64>,
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    let mut options = ConnectOptions::new().config(testee_config(args.max_message_size));
    options.deflate = testee_deflate(args.deflate);
    match autobahn::run(args.runtime, &args.url, &args.agent, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("autobahn-client: {error}");
            ExitCode::from(2)
        }
    }
}
