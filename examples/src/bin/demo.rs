//! The README's first command: an echo server and a client talking over 127.0.0.1, on every
//! I/O layer built in, printing what goes back and forth.

use std::io;
use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use wsflow::blocking;
use wsflow::{AcceptOptions, Runtime, Transport, WebSocket};
use wsflow_core::{CloseCode, Event, Message};
use wsflow_examples::asynchronous::tokio_runtime;
use wsflow_examples::cli::{self, RuntimeChoice};
use wsflow_examples::echo as echo_server;

/// Runs an echo server and a client over 127.0.0.1 on every I/O layer built in.
#[derive(Debug, Parser)]
#[command(name = "demo")]
struct Args {}

/// The blocking layer ([`wsflow::blocking`]): an echo server thread and a client sending a
/// text, a 1 MiB binary and a ping, then closing once the echoes and the pong are back.
fn blocking_demo() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = std::thread::spawn(move || -> io::Result<()> {
        let (stream, _) = listener.accept()?;
        let mut ws = blocking::accept(stream).map_err(to_io)?;
        println!("  server: accepted the upgrade request");
        echo_server::echo_blocking(&mut ws).map_err(to_io)?;
        let closed = ws
            .close_report()
            .ok_or_else(|| to_io("no close report after the end"))?;
        println!("  server: closed with {} ({:?})", closed.code, closed.cause);
        Ok(())
    });

    let mut client = blocking::connect(&format!("ws://{addr}/demo")).map_err(to_io)?;
    let started = Instant::now();
    client
        .send("hello from the blocking client")
        .map_err(to_io)?;
    client.send(vec![42u8; 1 << 20]).map_err(to_io)?;
    client.ping(&b"are you there?"[..]).map_err(to_io)?;
    let (mut echoed, mut ponged) = (0, false);
    while echoed < 2 || !ponged {
        match client.recv_event().map_err(to_io)? {
            Some(Event::Message(Message::Text(text))) => {
                println!("  client: echoed text {:?}", text.as_str());
                echoed += 1;
            }
            Some(Event::Message(Message::Binary(data))) => {
                println!("  client: echoed {} binary bytes", data.len());
                echoed += 1;
            }
            Some(Event::Pong(payload)) => {
                println!("  client: pong {:?}", String::from_utf8_lossy(&payload));
                ponged = true;
            }
            Some(_) => {}
            None => return Err(to_io("closed before the echoes and the pong")),
        }
    }
    let closed = client.close(CloseCode::NORMAL, "done").map_err(to_io)?;
    println!(
        "  client: closed with {} {:?} ({:?}) after {:?}",
        closed.code,
        closed.reason.as_str(),
        closed.cause,
        started.elapsed()
    );
    server
        .join()
        .map_err(|_| to_io("server thread panicked"))??;
    if closed.was_clean() {
        Ok(())
    } else {
        Err(to_io(format!("unclean close: {closed:?}")))
    }
}

fn to_io(error: impl std::fmt::Display) -> io::Error {
    io::Error::other(error.to_string())
}

/// The async client: a text and a 1 MiB binary, their echoes, then a clean close.
async fn demo_client<T: Transport, R: Runtime>(mut ws: WebSocket<T, R>) -> io::Result<()> {
    let started = Instant::now();
    ws.send("hello from the async client")
        .await
        .map_err(io::Error::other)?;
    ws.send(vec![42u8; 1 << 20])
        .await
        .map_err(io::Error::other)?;
    for _ in 0..2 {
        match ws.recv().await.map_err(io::Error::other)? {
            Some(Message::Text(text)) => println!("  client: echoed text {:?}", text.as_str()),
            Some(Message::Binary(data)) => println!("  client: echoed {} binary bytes", data.len()),
            None => return Err(io::Error::other("closed before the echoes")),
        }
    }
    let closed = ws
        .close(CloseCode::NORMAL, "done")
        .await
        .map_err(io::Error::other)?;
    println!(
        "  client: closed with {} ({:?}) after {:?}",
        closed.code,
        closed.cause,
        started.elapsed()
    );
    if closed.was_clean() {
        Ok(())
    } else {
        Err(io::Error::other(format!("unclean close: {closed:?}")))
    }
}

/// An echo server on `runtime` in a background thread, and a client on the same runtime.
fn async_demo(runtime: RuntimeChoice) -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("ws://{}/demo", listener.local_addr()?);
    // The server runs until the process exits; the demo only needs it for one client.
    std::thread::spawn(move || echo_server::serve(runtime, listener, &AcceptOptions::new(), None));
    match runtime {
        RuntimeChoice::Tokio => tokio_runtime()?.block_on(async {
            let ws = wsflow::tokio::connect(&url)
                .await
                .map_err(io::Error::other)?;
            demo_client(ws).await
        }),
        RuntimeChoice::Smol => smol::block_on(async {
            let ws = wsflow::smol::connect(&url)
                .await
                .map_err(io::Error::other)?;
            demo_client(ws).await
        }),
        RuntimeChoice::AsyncStd => async_std::task::block_on(async {
            let ws = wsflow::async_std::connect(&url)
                .await
                .map_err(io::Error::other)?;
            demo_client(ws).await
        }),
        RuntimeChoice::Blocking => blocking_demo(),
    }
}

fn main() -> ExitCode {
    // No flags: parsing still rejects any argument with a usage message.
    cli::parse::<Args>();
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
