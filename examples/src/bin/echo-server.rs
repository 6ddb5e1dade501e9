//! `echo-server --runtime {blocking,tokio,smol,async-std} --addr 127.0.0.1:PORT [--deflate]
//! [--max-message-size BYTES]`: echoes every message until killed.

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

use clap::Parser;
use wsflow::AcceptOptions;
use wsflow_examples::cli::{self, RuntimeChoice};
use wsflow_examples::{echo, testee_config, testee_deflate};

/// Echoes every WebSocket message back until killed.
#[derive(Debug, Parser)]
#[command(name = "echo-server")]
struct Args {
    /// The I/O layer to serve with.
    #[arg(long)]
    runtime: RuntimeChoice,
    /// The address to listen on.
    #[arg(long)]
    addr: SocketAddr,
    /// Accept permessage-deflate.
    #[arg(long)]
    deflate: bool,
    /// The largest message accepted, in bytes (default 64 MiB).
    #[arg(long, value_name = "BYTES")]
    max_message_size: Option<u64>,
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    let mut options = AcceptOptions::new().config(testee_config(args.max_message_size));
    options.deflate = testee_deflate(args.deflate);
    let result = TcpListener::bind(args.addr)
        .map_err(|e| format!("bind {}: {e}", args.addr))
        .and_then(|listener| {
            echo::serve(args.runtime, listener, &options).map_err(|e| e.to_string())
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("echo-server: {error}");
            ExitCode::from(2)
        }
    }
}
