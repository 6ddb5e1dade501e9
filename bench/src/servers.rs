//! Echo servers, one per library and runtime, each written the way that library's own docs
//! show an echo loop: receive a message, send it back. Each serves until killed.

use std::io;
use std::net::TcpListener;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Which echo server to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// wsflow on a current-thread tokio runtime.
    WsflowTokio,
    /// wsflow on a current-thread tokio runtime, echoing in batches through the public
    /// poll API: queue every message already received, then write them all in one flush.
    WsflowTokioBatch,
    /// wsflow on tokio's multi-thread scheduler (one worker per CPU the process may use).
    WsflowTokioMt,
    /// wsflow on smol, with a local executor.
    WsflowSmol,
    /// wsflow on async-std (set `ASYNC_STD_THREAD_COUNT=1` for one worker).
    WsflowAsyncStd,
    /// tokio-tungstenite.
    TokioTungstenite,
    /// fastwebsockets, behind this crate's own handshake.
    Fastwebsockets,
    /// tokio-websockets.
    TokioWebsockets,
    /// Raw TCP echo: the ceiling no WebSocket server can pass.
    RawTcp,
}

impl ServerKind {
    /// Every server, in table order.
    pub const ALL: [ServerKind; 9] = [
        ServerKind::WsflowTokio,
        ServerKind::WsflowTokioBatch,
        ServerKind::WsflowTokioMt,
        ServerKind::WsflowSmol,
        ServerKind::WsflowAsyncStd,
        ServerKind::TokioTungstenite,
        ServerKind::Fastwebsockets,
        ServerKind::TokioWebsockets,
        ServerKind::RawTcp,
    ];

    /// The name used on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::WsflowTokio => "wsflow-tokio",
            ServerKind::WsflowTokioBatch => "wsflow-tokio-batch",
            ServerKind::WsflowTokioMt => "wsflow-tokio-mt",
            ServerKind::WsflowSmol => "wsflow-smol",
            ServerKind::WsflowAsyncStd => "wsflow-async-std",
            ServerKind::TokioTungstenite => "tokio-tungstenite",
            ServerKind::Fastwebsockets => "fastwebsockets",
            ServerKind::TokioWebsockets => "tokio-websockets",
            ServerKind::RawTcp => "raw-tcp",
        }
    }

    /// Looks a server up by [`name`](Self::name).
    pub fn from_name(name: &str) -> Option<ServerKind> {
        ServerKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

pub(crate) fn report(result: Result<(), impl std::fmt::Display>) {
    if let Err(error) = result {
        report_end(&error.to_string());
    }
}

/// Prints why a connection ended, unless it is the reset that ends every case.
pub(crate) fn report_end(text: &str) {
    if !text.contains("reset") && !text.contains("broken pipe") && !text.contains("Broken pipe") {
        eprintln!("connection ended: {text}");
    }
}

/// Serves `kind` on `listener` until the process is killed (or accept fails).
pub fn serve(kind: ServerKind, listener: TcpListener) -> io::Result<()> {
    serve_with(kind, listener, None)
}

/// [`serve`], pinging every connection on the period `keepalive` when it is given (the
/// density benchmark): wsflow through its own keepalive setting (a ping after that much
/// silence, the connection failed when the pong is three periods late); the peers, which have no
/// keepalive of their own, from a timer per connection ([`crate::keepalive`]). Without it,
/// every server runs the plain echo loop of the echo benchmark.
///
/// # Errors
/// When the runtime cannot start, accept fails, or `keepalive` is asked of the raw TCP
/// echo, which speaks no WebSocket after the handshake.
pub fn serve_with(
    kind: ServerKind,
    listener: TcpListener,
    keepalive: Option<Duration>,
) -> io::Result<()> {
    listener.set_nonblocking(true)?;
    let mut options = wsflow::AcceptOptions::new();
    if let Some(period) = keepalive {
        // Three periods for the pong: on a loaded machine a process may wait seconds for
        // its CPU, and the benchmark measures the pings' cost, not how fast a dead peer is
        // found.
        options.config = options.config.keepalive(period, period * 3);
    }
    match (kind, keepalive) {
        (ServerKind::RawTcp, Some(_)) => Err(io::Error::other("raw-tcp has no keepalive")),
        (
            ServerKind::TokioTungstenite | ServerKind::Fastwebsockets | ServerKind::TokioWebsockets,
            Some(period),
        ) => crate::keepalive::serve(kind, listener, period),
        (ServerKind::WsflowTokio, _) => {
            tokio_current()?.block_on(wsflow_tokio(listener, options, false))
        }
        (ServerKind::WsflowTokioBatch, _) => {
            tokio_current()?.block_on(wsflow_tokio(listener, options, true))
        }
        (ServerKind::WsflowTokioMt, _) => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(wsflow_tokio(listener, options, false)),
        (ServerKind::WsflowSmol, _) => wsflow_smol(listener, options),
        (ServerKind::WsflowAsyncStd, _) => {
            async_std::task::block_on(wsflow_async_std(listener, options))
        }
        (ServerKind::TokioTungstenite, None) => {
            tokio_current()?.block_on(tokio_tungstenite(listener))
        }
        (ServerKind::Fastwebsockets, None) => tokio_current()?.block_on(fastwebsockets(listener)),
        (ServerKind::TokioWebsockets, None) => {
            tokio_current()?.block_on(tokio_websockets(listener))
        }
        (ServerKind::RawTcp, None) => tokio_current()?.block_on(raw_tcp(listener)),
    }
}

pub(crate) fn tokio_current() -> io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

async fn wsflow_echo<T: wsflow::Transport, R: wsflow::Runtime>(
    mut ws: wsflow::WebSocket<T, R>,
) -> Result<(), wsflow::Error> {
    while let Some(message) = ws.recv().await? {
        ws.send(message).await?;
    }
    Ok(())
}

/// The echo loop written against the poll API, to show what batching buys: after one
/// message, take every further message that is already complete without waiting, queue all
/// the replies, and write them with one flush. The idiomatic loop above writes per message.
async fn wsflow_echo_batched<T: wsflow::Transport, R: wsflow::Runtime>(
    mut ws: wsflow::WebSocket<T, R>,
) -> Result<(), wsflow::Error> {
    while let Some(message) = ws.recv().await? {
        ws.start_send(message)?;
        loop {
            match std::future::poll_fn(|cx| Poll::Ready(ws.poll_recv(cx))).await {
                Poll::Ready(Ok(Some(message))) => ws.start_send(message)?,
                Poll::Ready(Ok(None)) => return Ok(()),
                Poll::Ready(Err(error)) => return Err(error),
                Poll::Pending => break,
            }
        }
        ws.flush().await?;
    }
    Ok(())
}

async fn wsflow_tokio(
    listener: TcpListener,
    options: wsflow::AcceptOptions,
    batched: bool,
) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let options = Arc::new(options);
    loop {
        let (stream, _) = listener.accept().await?;
        let options = Arc::clone(&options);
        tokio::spawn(async move {
            match wsflow::tokio::accept_with(stream, &options, wsflow::accept_any).await {
                Ok(ws) if batched => report(wsflow_echo_batched(ws).await),
                Ok(ws) => report(wsflow_echo(ws).await),
                Err(error) => report(Err(error)),
            }
        });
    }
}

fn wsflow_smol(listener: TcpListener, options: wsflow::AcceptOptions) -> io::Result<()> {
    // A local executor keeps every connection on this thread, like current-thread tokio;
    // `smol::spawn` would use the global executor's threads.
    let executor = smol::LocalExecutor::new();
    let options = Rc::new(options);
    smol::block_on(executor.run(async {
        let listener = smol::net::TcpListener::try_from(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            let options = Rc::clone(&options);
            executor
                .spawn(async move {
                    match wsflow::smol::accept_with(stream, &options, wsflow::accept_any).await {
                        Ok(ws) => report(wsflow_echo(ws).await),
                        Err(error) => report(Err(error)),
                    }
                })
                .detach();
        }
    }))
}

async fn wsflow_async_std(listener: TcpListener, options: wsflow::AcceptOptions) -> io::Result<()> {
    let listener = async_std::net::TcpListener::from(listener);
    let options = Arc::new(options);
    loop {
        let (stream, _) = listener.accept().await?;
        let options = Arc::clone(&options);
        async_std::task::spawn(async move {
            match wsflow::async_std::accept_with(stream, &options, wsflow::accept_any).await {
                Ok(ws) => report(wsflow_echo(ws).await),
                Err(error) => report(Err(error)),
            }
        });
    }
}

async fn tokio_tungstenite(listener: TcpListener) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let echo = async {
                let mut ws = tokio_tungstenite::accept_async(stream).await?;
                while let Some(message) = ws.next().await {
                    let message = message?;
                    if message.is_binary() || message.is_text() {
                        ws.send(message).await?;
                    }
                }
                Ok::<(), tokio_tungstenite::tungstenite::Error>(())
            };
            report(echo.await);
        });
    }
}

async fn fastwebsockets(listener: TcpListener) -> io::Result<()> {
    use fastwebsockets::{FragmentCollector, OpCode, Role, WebSocket, WebSocketError};
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let echo = async {
                crate::handshake::server(&mut stream)
                    .await
                    .map_err(WebSocketError::IoError)?;
                // The collector joins fragments, so the echo is per message like the others.
                let mut ws =
                    FragmentCollector::new(WebSocket::after_handshake(stream, Role::Server));
                loop {
                    let frame = ws.read_frame().await?;
                    match frame.opcode {
                        OpCode::Close => break,
                        OpCode::Text | OpCode::Binary => ws.write_frame(frame).await?,
                        _ => {}
                    }
                }
                Ok::<(), WebSocketError>(())
            };
            report(echo.await);
        });
    }
}

async fn tokio_websockets(listener: TcpListener) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let echo = async {
                let (_request, mut ws) = tokio_websockets::ServerBuilder::new()
                    .accept(stream)
                    .await?;
                while let Some(message) = ws.next().await {
                    let message = message?;
                    if message.is_binary() || message.is_text() {
                        ws.send(message).await?;
                    }
                }
                Ok::<(), tokio_websockets::Error>(())
            };
            report(echo.await);
        });
    }
}

async fn raw_tcp(listener: TcpListener) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            // Answers the handshake so the generator opens it like the others, then copies
            // bytes back untouched: the least work any server can do per byte. The
            // generator is told (`--raw`) to expect its own masked frames back.
            let echo = async {
                crate::handshake::server(&mut stream).await?;
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = stream.read(&mut buf).await?;
                    if n == 0 {
                        return Ok::<(), io::Error>(());
                    }
                    stream.write_all(&buf[..n]).await?;
                }
            };
            report(echo.await);
        });
    }
}
