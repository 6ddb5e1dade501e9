//! `chat-client --runtime {tokio,smol,async-std} --url ws://127.0.0.1:PORT/`: sends each
//! line of stdin as a text message and prints every message from the others; closes
//! cleanly at the end of stdin.

use std::io::BufRead;
use std::process::ExitCode;

use wsflow_examples::chat;
use wsflow_examples::cli::{Flags, RuntimeChoice};

fn main() -> ExitCode {
    let result = Flags::from_env(&[]).and_then(|flags| {
        let runtime: RuntimeChoice = flags.required("runtime")?;
        let url: String = flags.required("url")?;
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
        chat::client(runtime, &url, incoming, |text| println!("{text}")).map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("chat-client: {error}");
            ExitCode::from(2)
        }
    }
}
