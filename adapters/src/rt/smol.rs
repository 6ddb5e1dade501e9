//! Glue for [smol](https://docs.rs/smol): its TCP streams through [`FuturesIo`] and the
//! `async-io` timer.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wsflow::Error> {
//! let mut ws = wsflow::smol::connect("ws://127.0.0.1:9001/").await?;
//! ws.send("hello").await?;
//! let reply = ws.recv().await?;
//! # Ok(()) }
//! ```

use smol::net::TcpStream;
use wsflow_core::handshake::{Accept, UpgradeRequest};

pub use crate::futures_io::{AsyncIo, FuturesIo};
use crate::{AcceptOptions, ConnectOptions, Error, Reject, WebSocket};

/// A WebSocket over a smol stream, by default a `TcpStream`, whose `poll_close` half-closes.
pub type WebSocketStream<S = TcpStream> = WebSocket<FuturesIo<S>, AsyncIo>;

/// Connects to a `ws://` URL with default options.
pub async fn connect(url: &str) -> Result<WebSocketStream, Error> {
    connect_with(url, &ConnectOptions::default()).await
}

/// Connects to a `ws://` URL: resolves the host through smol's blocking pool, opens TCP
/// with `TCP_NODELAY`, runs the opening handshake.
pub async fn connect_with(url: &str, options: &ConnectOptions) -> Result<WebSocketStream, Error> {
    crate::handshake::connect_via(url, options, |host, port| async move {
        let socket = TcpStream::connect((host.as_str(), port)).await?;
        socket.set_nodelay(true).map(|()| FuturesIo(socket))
    })
    .await
}

/// Accepts a WebSocket on an accepted TCP stream, agreeing to any valid request.
pub async fn accept(stream: TcpStream) -> Result<WebSocketStream, Error> {
    accept_with(stream, &AcceptOptions::default(), crate::accept_any).await
}

/// Accepts a WebSocket on an accepted TCP stream (with `TCP_NODELAY`); `decide` sees the
/// upgrade request and accepts or rejects it (see [`WebSocket::server`]).
pub async fn accept_with<F>(
    socket: TcpStream,
    options: &AcceptOptions,
    decide: F,
) -> Result<WebSocketStream, Error>
where
    F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    socket.set_nodelay(true)?;
    WebSocket::server(FuturesIo(socket), options, decide).await
}
