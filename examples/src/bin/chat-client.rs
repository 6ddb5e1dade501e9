//! `chat-client --runtime {tokio,smol,async-std} --url ws://127.0.0.1:PORT/`: sends each
//! line of stdin as a text message and prints every message from the others; closes
//! cleanly at the end of stdin.

use std::io::BufRead;
use std::process::ExitCode;

use clap::Parser;
use wsflow_examples::chat;
use wsflow_examples::cli::{self, RuntimeChoice};

/// Sends each line of stdin to a chat server and prints what the others say.
#[derive(Debug, Parser)]
#[command(name = "chat-client")]
struct Args {
    /// The I/O layer to connect with (an async one).
    #[arg(long)]
    runtime: RuntimeChoice,
    /// The chat server, e.g. ws://127.0.0.1:9001/.
    #[arg(long)]
    url: String,
}

fn main() -> ExitCode {
    let args = cli::parse::<Args>();
    // Stdin has no portable async API across the three runtimes: a thread reads it and
    // hands lines over a channel (bounded, so a fast paste waits for the socket). The
    // thread ends at EOF, dropping the sender, which is how the client learns to close.
    let (lines, incoming) = smol::channel::bounded(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if lines.send_blocking(line).is_err() {
                break;
            }
        }
    });
    match chat::client(args.runtime, &args.url, incoming, |text| println!("{text}")) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("chat-client: {error}");
            ExitCode::from(2)
        }
    }
}
