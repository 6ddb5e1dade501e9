//! Glue for [tokio](https://tokio.rs): its I/O traits, its timer, TCP `connect`/`accept`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wsflow::Error> {
//! let mut ws = wsflow::tokio::connect("ws://127.0.0.1:9001/").await?;
//! ws.send("hello").await?;
//! while let Some(message) = ws.recv().await? {
//!     println!("{message:?}");
//! }
//! # Ok(()) }
//! ```

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use ::tokio::net::TcpStream;
use ::tokio::time::Sleep;
use wsflow_core::handshake::{Accept, UpgradeRequest};

use crate::{AcceptOptions, ConnectOptions, Error, Reject, Runtime, Transport, WebSocket};

/// The tokio runtime: `tokio::time` timers and clock (so a paused test clock applies).
#[derive(Debug, Clone, Copy, Default)]
pub struct Tokio;

impl Runtime for Tokio {
    type Timer = Sleep;

    fn sleep_until(deadline: Instant) -> Sleep {
        ::tokio::time::sleep_until(deadline.into())
    }

    fn reset(timer: Pin<&mut Sleep>, deadline: Instant) {
        timer.reset(deadline.into());
    }

    fn now() -> Instant {
        ::tokio::time::Instant::now().into_std()
    }
}

/// Any tokio byte stream (`TcpStream`, `UnixStream`, `DuplexStream`, a TLS stream) as a
/// [`Transport`]; its `poll_shutdown` is tokio's, which half-closes sockets.
#[derive(Debug)]
pub struct TokioIo<S>(pub S);

impl<S: AsyncRead + AsyncWrite + Unpin> Transport for TokioIo<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(buf);
        Pin::new(&mut self.0)
            .poll_read(cx, &mut buf)
            .map_ok(|()| buf.filled().len())
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// A WebSocket over a tokio stream, by default a `TcpStream`.
pub type WebSocketStream<S = TcpStream> = WebSocket<TokioIo<S>, Tokio>;

/// Connects to a `ws://` URL with default options.
pub async fn connect(url: &str) -> Result<WebSocketStream, Error> {
    connect_with(url, &ConnectOptions::default()).await
}

/// Connects to a `ws://` URL: resolves the host with tokio, opens TCP with `TCP_NODELAY`,
/// runs the opening handshake.
pub async fn connect_with(url: &str, options: &ConnectOptions) -> Result<WebSocketStream, Error> {
    crate::handshake::connect_via(url, options, |host, port| async move {
        let tcp = TcpStream::connect((host.as_str(), port)).await?;
        tcp.set_nodelay(true)?;
        Ok(TokioIo(tcp))
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
    stream: TcpStream,
    options: &AcceptOptions,
    decide: F,
) -> Result<WebSocketStream, Error>
where
    F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    stream.set_nodelay(true)?;
    WebSocket::server(TokioIo(stream), options, decide).await
}
