//! An echo server on one of the three runtimes, e.g. for the Autobahn TestSuite:
//! `cargo run --release -p wsflow --all-features --example echo_server -- tokio 127.0.0.1:9001`.
//! One task per connection; each echoes until the peer closes.

use std::net::SocketAddr;

use wsflow::{Error, Runtime, Transport, WebSocket};

/// Echoes every message; returns when the connection is over.
async fn echo<T: Transport, R: Runtime>(mut ws: WebSocket<T, R>) -> Result<(), Error> {
    while let Some(message) = ws.recv().await? {
        ws.send(message).await?;
    }
    Ok(())
}

fn report(result: Result<(), Error>) {
    if let Err(error) = result {
        eprintln!("connection: {error}");
    }
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let runtime = args.next().unwrap_or_else(|| "tokio".into());
    let addr: SocketAddr = args
        .next()
        .unwrap_or_else(|| "127.0.0.1:9001".into())
        .parse()
        .map_err(std::io::Error::other)?;
    match runtime.as_str() {
        "tokio" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
            .block_on(async {
                let listener = tokio::net::TcpListener::bind(addr).await?;
                loop {
                    let (stream, _) = listener.accept().await?;
                    tokio::spawn(async move {
                        report(async { echo(wsflow::tokio::accept(stream).await?).await }.await);
                    });
                }
            }),
        "smol" => smol::block_on(async {
            let listener = smol::net::TcpListener::bind(addr).await?;
            loop {
                let (stream, _) = listener.accept().await?;
                smol::spawn(async move {
                    report(async { echo(wsflow::smol::accept(stream).await?).await }.await);
                })
                .detach();
            }
        }),
        "async-std" => async_std::task::block_on(async {
            let listener = async_std::net::TcpListener::bind(addr).await?;
            loop {
                let (stream, _) = listener.accept().await?;
                async_std::task::spawn(async move {
                    report(async { echo(wsflow::async_std::accept(stream).await?).await }.await);
                });
            }
        }),
        other => Err(std::io::Error::other(format!("unknown runtime {other}"))),
    }
}
