//! `chat-server --runtime {tokio,smol,async-std} --addr 127.0.0.1:PORT`: relays every text
//! message from one client to all the others, until killed (see `wsflow_examples::chat`).

use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;

use wsflow_examples::chat;
use wsflow_examples::cli::{Flags, RuntimeChoice};

fn main() -> ExitCode {
    let result = Flags::from_env(&[]).and_then(|flags| {
        let runtime: RuntimeChoice = flags.required("runtime")?;
        let addr: SocketAddr = flags.required("addr")?;
        let listener = TcpListener::bind(addr).map_err(|e| format!("bind {addr}: {e}"))?;
        // With `--addr 127.0.0.1:0` this is how a caller learns the port.
        match listener.local_addr() {
            Ok(local) => println!("chat-server: listening on ws://{local}/"),
            Err(error) => return Err(error.to_string()),
        }
        chat::serve(runtime, listener).map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("chat-server: {error}");
            ExitCode::from(2)
        }
    }
}
