//! `chat-server --runtime {tokio,smol,async-std} --addr 127.0.0.1:PORT`: relays every text
//! message from one client to all the others, until killed (see `wsflow_examples::chat`).

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

use clap::Parser;
use wsflow_examples::chat;
use wsflow_examples::cli::{self, RuntimeChoice};

/// Relays every text message from one client to all the others, until killed.
#[derive(Debug, Parser)]
#[command(name = "chat-server")]
struct Args {
    /// The I/O layer to serve with (an async one).
    #[arg(long)]
    runtime: RuntimeChoice,
    /// The address to listen on (port 0: any free port, printed on stdout).
    #[arg(long)]
    addr: SocketAddr,
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    let result = TcpListener::bind(args.addr).and_then(|listener| {
        // With `--addr 127.0.0.1:0` this is how a caller learns the port.
        println!("chat-server: listening on ws://{}/", listener.local_addr()?);
        chat::serve(args.runtime, listener)
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("chat-server: {error}");
            ExitCode::from(2)
        }
    }
}
