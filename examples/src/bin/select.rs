//! `select`: the connection as a `futures` `Stream` of messages and a `Sink` for them, in a
//! `tokio::select!` loop with a timer: a tick is sent every 20 ms, every echo is printed, and
//! after a few ticks the client closes. Cancel safety is what makes this loop correct:
//! whichever branch loses the race, no message is lost or half-sent.

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use wsflow::{CloseCode, Error, Message};
use wsflow_examples::cli;

/// Sends ticks and receives echoes in one select! loop.
#[derive(Debug, Parser)]
#[command(name = "select")]
struct Args {
    /// How many ticks to send before closing.
    #[arg(long, default_value_t = 5)]
    ticks: usize,
}

async fn run(ticks: usize) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr()?);
    let server = tokio::spawn(async move {
        let (stream, _) = listener.accept().await?;
        let mut ws = wsflow::tokio::accept(stream).await?;
        while let Some(message) = ws.recv().await? {
            ws.send(message).await?;
        }
        Ok::<(), Error>(())
    });

    let mut ws = wsflow::tokio::connect(&url).await?;
    let mut timer = tokio::time::interval(Duration::from_millis(20));
    let (mut sent, mut echoed) = (0, 0);
    while echoed < ticks {
        tokio::select! {
            _ = timer.tick(), if sent < ticks => {
                sent += 1;
                SinkExt::send(&mut ws, Message::text(format!("tick {sent}"))).await?;
            }
            message = ws.next() => match message {
                Some(Ok(message)) => {
                    echoed += 1;
                    println!("echo: {}", message.as_text().unwrap_or("(binary)"));
                }
                Some(Err(error)) => return Err(error),
                None => break,
            },
        }
    }
    let report = ws.close(CloseCode::NORMAL, "enough").await?;
    println!("closed: {} ({:?})", report.code, report.cause);
    server.await.expect("the server task")?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Args = cli::parse();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(args.ticks)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("select: {error}");
            ExitCode::FAILURE
        }
    }
}
