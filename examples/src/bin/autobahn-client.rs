//! `autobahn-client --runtime {blocking,tokio,smol,async-std} --url ws://127.0.0.1:PORT
//! --agent NAME [--deflate] [--max-message-size BYTES] [--ca-file CA.pem] [--http2]`: the Autobahn
//! client testee loop; a `wss://` URL is verified against `--ca-file` if given, else the
//! bundled web roots.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use wsflow::ConnectOptions;
use wsflow_examples::cli::{self, RuntimeChoice};
use wsflow_examples::{autobahn, http2, testee_config, testee_deflate};

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
    /// Trust only the CA certificates of this PEM file for wss:// URLs.
    #[arg(long, value_name = "CA.pem")]
    ca_file: Option<PathBuf>,
    /// Run every case as a WebSocket over one HTTP/2 connection (RFC 8441): prior knowledge
    /// for ws://, ALPN h2 for wss://. Not on the blocking runtime (exit code 2).
    #[arg(long)]
    http2: bool,
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    let mut options = ConnectOptions::new().config(testee_config(args.max_message_size));
    options.deflate = testee_deflate(args.deflate);
    if let Some(ca_file) = &args.ca_file {
        match wsflow::tls::client_config_from_ca_file(ca_file) {
            Ok(config) => options = options.tls_config(config),
            Err(error) => {
                eprintln!("autobahn-client: {error}");
                return ExitCode::from(2);
            }
        }
    }
    let result = if args.http2 {
        http2::run_autobahn(args.runtime, &args.url, &args.agent, &options)
    } else {
        autobahn::run(args.runtime, &args.url, &args.agent, &options)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("autobahn-client: {error}");
            ExitCode::from(2)
        }
    }
}
