//! The README's first command: an echo server and a client talking over 127.0.0.1, on every
//! I/O layer built in, printing what goes back and forth.

use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Instant;

use wsflow::{AcceptOptions, ConnectOptions};
use wsflow_core::handshake::Accept;
use wsflow_core::{CloseCode, Config, Connection, Event, Message, Role};
use wsflow_examples::blocking::{Session, echo};
use wsflow_examples::cli::RuntimeChoice;
use wsflow_examples::{asynchronous, echo as echo_server};

fn blocking_demo() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = std::thread::spawn(move || -> std::io::Result<()> {
        let (stream, _) = listener.accept()?;
        let session = Session::accept(stream, ServerOptions::new(), Config::default())?;
        println!("  server: accepted the upgrade request");
        let closed = session.run(echo)?;
        println!("  server: closed with {} ({:?})", closed.code, closed.cause);
        Ok(())
    });

    let mut client = Session::connect(&format!("ws://{addr}/demo"), Config::default(), None)?;
    let started = Instant::now();
    client
        .connection()
        .send_text("hello from the blocking client")
        .map_err(to_io)?;
    client
        .connection()
        .send_binary(vec![42u8; 1 << 20])
        .map_err(to_io)?;
    client
        .connection()
        .send_ping(&b"are you there?"[..])
        .map_err(to_io)?;
    let mut echoed = 0;
    let closed = client.run(|connection, event| match event {
        Event::Message(Message::Text(text)) => {
            println!("  client: echoed text {:?}", text.as_str());
            echoed += 1;
        }
        Event::Message(Message::Binary(data)) => {
            println!("  client: echoed {} binary bytes", data.len());
            echoed += 1;
            if echoed == 2 {
                let _ = connection.close(Instant::now(), CloseCode::NORMAL, "done");
            }
        }
        Event::Pong(payload) => println!("  client: pong {:?}", String::from_utf8_lossy(&payload)),
        Event::Closed(closed) => println!(
            "  client: closed with {} {:?} ({:?}) after {:?}",
            closed.code,
            closed.reason.as_str(),
            closed.cause,
            started.elapsed()
        ),
        _ => {}
    })?;
    server
        .join()
        .map_err(|_| to_io("server thread panicked"))??;
    if closed.was_clean() {
        Ok(())
    } else {
        Err(to_io(format!("unclean close: {closed:?}")))
    }
}

fn to_io(error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(error.to_string())
}

/// An echo server on `runtime` in a background thread, and a client on the same runtime.
fn async_demo(runtime: RuntimeChoice) -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    // The server runs until the process exits; the demo only needs it for one client.
    std::thread::spawn(move || echo_server::serve(runtime, listener, &AcceptOptions::new()));
    asynchronous::demo(
        runtime,
        &format!("ws://{addr}/demo"),
        &ConnectOptions::new(),
    )
}

fn main() -> ExitCode {
    println!("wsflow demo: echo server and client over 127.0.0.1, on every I/O layer");
    let mut failed = false;
    for runtime in [
        RuntimeChoice::Blocking,
        RuntimeChoice::Tokio,
        RuntimeChoice::Smol,
        RuntimeChoice::AsyncStd,
    ] {
        println!("[{runtime}]");
        let result = match runtime {
            RuntimeChoice::Blocking => blocking_demo(),
            other => async_demo(other),
        };
        if let Err(error) = result {
            eprintln!("  {runtime} demo failed: {error}");
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
