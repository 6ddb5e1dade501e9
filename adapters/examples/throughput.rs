//! Echo throughput per runtime over 127.0.0.1: 16-byte messages on one connection, one at a
//! time (round trips) and pipelined. `cargo run --release -p wsflow --all-features
//! --example throughput`; `WSFLOW_THROUGHPUT_SECS` sets the time per case (default 1).

use std::future::Future;
use std::time::{Duration, Instant};

use wsflow::{CloseCode, Error, Runtime, Transport, WebSocket};

/// Messages kept in flight by the pipelined case.
const WINDOW: usize = 64;

/// Echoes until the peer closes.
async fn echo<T: Transport, R: Runtime>(mut ws: WebSocket<T, R>) -> Result<(), Error> {
    while let Some(message) = ws.recv().await? {
        ws.send(message).await?;
    }
    Ok(())
}

/// Runs the two cases for `time` each and prints messages per second.
async fn measure<T: Transport, R: Runtime>(
    name: &str,
    mut ws: WebSocket<T, R>,
    time: Duration,
) -> Result<(), Error> {
    let payload = bytes::Bytes::from_static(b"0123456789abcdef");
    let started = Instant::now();
    let mut count = 0u32;
    while started.elapsed() < time {
        ws.send(payload.clone()).await?;
        ws.recv().await?.ok_or(Error::Closed)?;
        count += 1;
    }
    let round_trips = f64::from(count) / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut count = 0u32;
    while started.elapsed() < time {
        for _ in 0..WINDOW {
            ws.start_send(payload.clone())?;
        }
        ws.flush().await?;
        for _ in 0..WINDOW {
            ws.recv().await?.ok_or(Error::Closed)?;
        }
        count += WINDOW as u32;
    }
    let pipelined = f64::from(count) / started.elapsed().as_secs_f64();
    println!(
        "{name:<10} one at a time {round_trips:>9.0} msg/s   pipelined ({WINDOW}) {pipelined:>9.0} msg/s"
    );
    ws.close(CloseCode::NORMAL, "").await?;
    Ok(())
}

/// The server on its own thread with its own runtime, the client on this one.
fn case<S, C>(server: S, client: C) -> Result<(), Error>
where
    S: FnOnce(std::net::TcpListener) -> Result<(), Error> + Send + 'static,
    C: FnOnce(String) -> Result<(), Error>,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("ws://{}/", listener.local_addr()?);
    listener.set_nonblocking(true)?;
    let server = std::thread::spawn(move || server(listener));
    client(url)?;
    server.join().map_err(|_| Error::Closed)?
}

fn block_on_tokio<F: Future>(future: F) -> F::Output {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    runtime.expect("tokio runtime").block_on(future)
}

/// The ceiling: the same one-at-a-time exchange as plain TCP on tokio, no WebSocket.
async fn raw_tcp(time: Duration) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = std::thread::spawn(move || {
        let listener = listener.into_std()?;
        block_on_tokio(async {
            let (mut stream, _) = tokio::net::TcpListener::from_std(listener)?
                .accept()
                .await?;
            stream.set_nodelay(true)?;
            let mut buf = [0u8; 16];
            while stream.read_exact(&mut buf).await.is_ok() {
                stream.write_all(&buf).await?;
            }
            Ok::<_, std::io::Error>(())
        })
    });
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut buf = [7u8; 16];
    let started = Instant::now();
    let mut count = 0u32;
    while started.elapsed() < time {
        stream.write_all(&buf).await?;
        stream.read_exact(&mut buf).await?;
        count += 1;
    }
    let rate = f64::from(count) / started.elapsed().as_secs_f64();
    println!(
        "{:<10} one at a time {rate:>9.0} msg/s   (plain TCP, the ceiling)",
        "raw tokio"
    );
    drop(stream);
    server
        .join()
        .map_err(|_| std::io::Error::other("server panicked"))?
}

fn main() -> Result<(), Error> {
    let secs = std::env::var("WSFLOW_THROUGHPUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let time = Duration::from_secs_f64(secs);
    block_on_tokio(raw_tcp(time))?;
    case(
        |listener| {
            block_on_tokio(async {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                echo(wsflow::tokio::accept(listener.accept().await?.0).await?).await
            })
        },
        |url| {
            block_on_tokio(async {
                measure("tokio", wsflow::tokio::connect(&url).await?, time).await
            })
        },
    )?;
    case(
        |listener| {
            smol::block_on(async {
                let listener = smol::net::TcpListener::try_from(listener)?;
                echo(wsflow::smol::accept(listener.accept().await?.0).await?).await
            })
        },
        |url| {
            smol::block_on(async {
                measure("smol", wsflow::smol::connect(&url).await?, time).await
            })
        },
    )?;
    case(
        |listener| {
            async_std::task::block_on(async {
                let listener = async_std::net::TcpListener::from(listener);
                echo(wsflow::async_std::accept(listener.accept().await?.0).await?).await
            })
        },
        |url| {
            async_std::task::block_on(async {
                measure("async-std", wsflow::async_std::connect(&url).await?, time).await
            })
        },
    )?;
    Ok(())
}
