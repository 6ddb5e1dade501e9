//! The same testees on the async adapters: one generic body per role, and per runtime only
//! what differs — how to block on a future, spawn a task and wrap a listener.

use std::future::Future;
use std::io;
use std::net::TcpListener;

use wsflow::{AcceptOptions, ConnectOptions, Error, Runtime, Transport, WebSocket};
use wsflow_core::Message;

use crate::autobahn::endpoint;
use crate::cli::RuntimeChoice;

/// Echoes every message until the connection ends; reports how it ended.
pub async fn echo_connection<T: Transport, R: Runtime>(accepted: Result<WebSocket<T, R>, Error>) {
    let result = async {
        let mut ws = accepted?;
        while let Some(message) = ws.recv().await? {
            ws.send(message).await?;
        }
        Ok::<(), Error>(())
    }
    .await;
    if let Err(error) = result {
        eprintln!("connection ended: {error}");
    }
}

/// Accepts connections on a `std` listener until accepting fails, spawning one task per
/// connection on the chosen runtime: `$make` (a `Clone` closure) turns the handshake's
/// result into the task's future. The accept loop and the spawn are the only per-runtime
/// code; `$make` is expanded once per runtime, so a generic body is instantiated with each
/// runtime's concrete `WebSocket` type (and its `Send`-ness checked there). Evaluates to
/// `io::Result<()>`.
macro_rules! serve_tasks {
    ($runtime:expr, $listener:expr, $options:expr, $make:expr) => {{
        let listener: std::net::TcpListener = $listener;
        let options: wsflow::AcceptOptions = ::std::clone::Clone::clone($options);
        match listener.set_nonblocking(true) {
            Err(error) => Err(error),
            Ok(()) => match $runtime {
                $crate::cli::RuntimeChoice::Tokio => $crate::asynchronous::tokio_runtime()
                    .and_then(|rt| {
                        rt.block_on(async move {
                            let listener = tokio::net::TcpListener::from_std(listener)?;
                            let make = $make;
                            loop {
                                let (stream, _) = listener.accept().await?;
                                let (options, make) = (options.clone(), make.clone());
                                tokio::spawn(async move {
                                    let accepted = wsflow::tokio::accept_with(
                                        stream,
                                        &options,
                                        wsflow::accept_any,
                                    );
                                    make(accepted.await).await;
                                });
                            }
                        })
                    }),
                $crate::cli::RuntimeChoice::Smol => smol::block_on(async move {
                    let listener = smol::net::TcpListener::try_from(listener)?;
                    let make = $make;
                    loop {
                        let (stream, _) = listener.accept().await?;
                        let (options, make) = (options.clone(), make.clone());
                        smol::spawn(async move {
                            let accepted =
                                wsflow::smol::accept_with(stream, &options, wsflow::accept_any);
                            make(accepted.await).await;
                        })
                        .detach();
                    }
                }),
                $crate::cli::RuntimeChoice::AsyncStd => async_std::task::block_on(async move {
                    let listener = async_std::net::TcpListener::from(listener);
                    let make = $make;
                    loop {
                        let (stream, _) = listener.accept().await?;
                        let (options, make) = (options.clone(), make.clone());
                        async_std::task::spawn(async move {
                            let accepted = wsflow::async_std::accept_with(
                                stream,
                                &options,
                                wsflow::accept_any,
                            );
                            make(accepted.await).await;
                        });
                    }
                }),
                $crate::cli::RuntimeChoice::Blocking => {
                    Err(std::io::Error::other("not an async runtime"))
                }
            },
        }
    }};
}

/// Serves the echo protocol on `listener` until killed, one task per connection.
pub fn serve(
    runtime: RuntimeChoice,
    listener: TcpListener,
    options: &AcceptOptions,
) -> io::Result<()> {
    serve_tasks!(runtime, listener, options, |accepted| echo_connection(
        accepted
    ))
}

/// A single-threaded tokio runtime, like the other two runtimes' `block_on`.
pub fn tokio_runtime() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// Runs `future` to completion on the chosen runtime.
pub fn block_on<F: Future>(runtime: RuntimeChoice, future: F) -> io::Result<F::Output> {
    Ok(match runtime {
        RuntimeChoice::Tokio => tokio_runtime()?.block_on(future),
        RuntimeChoice::Smol => smol::block_on(future),
        RuntimeChoice::AsyncStd => async_std::task::block_on(future),
        RuntimeChoice::Blocking => return Err(io::Error::other("not an async runtime")),
    })
}

/// Connects with the chosen runtime's helper; the `WebSocket` types differ per runtime, so
/// the caller's generic body is instantiated three times, the protocol code once.
macro_rules! with_connection {
    ($runtime:expr, $options:expr, |$connect:ident| $body:expr) => {
        match $runtime {
            RuntimeChoice::Tokio => block_on($runtime, {
                let $connect =
                    |url: String| async move { wsflow::tokio::connect_with(&url, $options).await };
                $body
            }),
            RuntimeChoice::Smol => block_on($runtime, {
                let $connect =
                    |url: String| async move { wsflow::smol::connect_with(&url, $options).await };
                $body
            }),
            RuntimeChoice::AsyncStd => block_on($runtime, {
                let $connect = |url: String| async move {
                    wsflow::async_std::connect_with(&url, $options).await
                };
                $body
            }),
            RuntimeChoice::Blocking => Err(io::Error::other("not an async runtime")),
        }
    };
}

/// The Autobahn client loop over any runtime's `connect`.
pub async fn autobahn_cases<T, R, F, Fut>(base: &str, agent: &str, connect: F) -> io::Result<()>
where
    T: Transport,
    R: Runtime,
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<WebSocket<T, R>, Error>>,
{
    let mut ws = connect(endpoint(base, "getCaseCount", agent, None))
        .await
        .map_err(io::Error::other)?;
    // The fuzzing server drops this connection once it has sent the count, sometimes with a
    // reset (CI saw "connection reset by peer" right after the count): the count is all
    // that is wanted, so the connection is dropped as soon as it arrives.
    let count = loop {
        match ws.recv().await.map_err(io::Error::other)? {
            Some(Message::Text(text)) => break text.trim().parse::<usize>().ok(),
            Some(Message::Binary(_)) => {}
            None => break None,
        }
    };
    drop(ws);
    let count = count.ok_or_else(|| io::Error::other("no case count received"))?;
    eprintln!("autobahn-client: {count} cases");
    for case in 1..=count {
        let url = endpoint(base, "runCase", agent, Some(case));
        let result = async {
            let mut ws = connect(url).await?;
            while let Some(message) = ws.recv().await? {
                ws.send(message).await?;
            }
            Ok::<(), Error>(())
        }
        .await;
        // A failed case is the fuzzing server's verdict to record, not ours.
        if let Err(error) = result {
            eprintln!("case {case}: {error}");
        }
    }
    let mut ws = connect(endpoint(base, "updateReports", agent, None))
        .await
        .map_err(io::Error::other)?;
    // The server writes its reports on this request and may then drop the connection
    // without a close handshake; that ending is not a failure of the run.
    loop {
        match ws.recv().await {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) => {
                eprintln!("updateReports: {error}");
                break;
            }
        }
    }
    Ok(())
}

/// Runs the Autobahn client loop on an async runtime.
pub fn autobahn(
    runtime: RuntimeChoice,
    base: &str,
    agent: &str,
    options: &ConnectOptions,
) -> io::Result<()> {
    with_connection!(runtime, options, |connect| autobahn_cases(
        base, agent, connect
    ))?
}

/// The demo's client: a text, a 1 MiB binary and a ping, their echoes, then a clean close.
pub async fn demo_client<T, R, F, Fut>(url: String, connect: F) -> io::Result<()>
where
    T: Transport,
    R: Runtime,
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<WebSocket<T, R>, Error>>,
{
    let started = std::time::Instant::now();
    let mut ws = connect(url).await.map_err(io::Error::other)?;
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
        .close(wsflow_core::CloseCode::NORMAL, "done")
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

/// Runs [`demo_client`] on an async runtime.
pub fn demo(runtime: RuntimeChoice, url: &str, options: &ConnectOptions) -> io::Result<()> {
    with_connection!(runtime, options, |connect| demo_client(
        url.to_owned(),
        connect
    ))?
}
