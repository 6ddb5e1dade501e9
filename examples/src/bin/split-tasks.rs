//! `split-tasks`: one connection split into a sending and a receiving half that run in two
//! tokio tasks; either half alone keeps the connection going. The halves are put back
//! together to close. Server and client on 127.0.0.1.

use std::process::ExitCode;

use clap::Parser;
use wsflow::{CloseCode, Error, Message};
use wsflow_examples::cli;

/// Sends and receives on two tasks over one connection.
#[derive(Debug, Parser)]
#[command(name = "split-tasks")]
struct Args {
    /// How many messages the sending task sends.
    #[arg(long, default_value_t = 100)]
    messages: usize,
}

async fn echo_server(listener: tokio::net::TcpListener) -> Result<(), Error> {
    let (stream, _) = listener.accept().await?;
    let mut ws = wsflow::tokio::accept(stream).await?;
    while let Some(message) = ws.recv().await? {
        ws.send(message).await?;
    }
    Ok(())
}

async fn run(messages: usize) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr()?);
    let server = tokio::spawn(echo_server(listener));

    let ws = wsflow::tokio::connect(&url).await?;
    let (mut send, mut recv) = ws.split();
    let sender = tokio::spawn(async move {
        for i in 0..messages {
            send.send(format!("message {i}")).await?;
        }
        Ok::<_, Error>(send)
    });
    let receiver = tokio::spawn(async move {
        let mut received = 0;
        while received < messages {
            match recv.recv().await? {
                Some(Message::Text(_)) => received += 1,
                Some(Message::Binary(_)) => {}
                None => break,
            }
        }
        Ok::<_, Error>((recv, received))
    });
    let send = sender.await.expect("the sending task")?;
    let (recv, received) = receiver.await.expect("the receiving task")?;
    println!("sent {messages} messages from one task, received {received} echoes in another");

    let mut ws = send.reunite(recv).expect("halves of one connection");
    let report = ws.close(CloseCode::NORMAL, "done").await?;
    println!("closed: {} ({:?})", report.code, report.cause);
    server.await.expect("the server task")?;
    Ok(())
}

fn main() -> ExitCode {
    let args: Args = cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match runtime.block_on(run(args.messages)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("split-tasks: {error}");
            ExitCode::FAILURE
        }
    }
}
