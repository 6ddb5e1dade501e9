//! Glue for async-std.
//!
//! **Deprecated in spirit**: async-std is discontinued upstream (its README points to smol;
//! RUSTSEC-2025-0052). This module stays for existing users; new code should use
//! [`crate::smol`], which runs on the same reactor.
//!
//! async-std's `TcpStream::poll_close` only flushes, so a WebSocket over it through
//! [`FuturesIo`] would never send the TCP FIN a server owes its client at the end of the
//! close handshake. [`AsyncStdTcp`] is the transport that does: its shutdown calls
//! `shutdown(Shutdown::Write)`.

use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::task::{Context, Poll, ready};

use ::async_std::net::TcpStream;
use wsflow_core::handshake::{Accept, UpgradeRequest};

pub use crate::futures_io::{AsyncIo, FuturesIo};
use crate::{AcceptOptions, ConnectOptions, Error, Reject, Transport, WebSocket};

/// async-std's `TcpStream` as a [`Transport`] that really half-closes.
#[derive(Debug)]
pub struct AsyncStdTcp(pub FuturesIo<TcpStream>);

impl Transport for AsyncStdTcp {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        self.0.poll_read(cx, buf)
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.0.poll_write(cx, buf)
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_vectored(cx, bufs)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.poll_flush(cx)
    }

    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.0.poll_flush(cx))?;
        Poll::Ready(self.0.0.shutdown(Shutdown::Write))
    }
}

/// A WebSocket over an async-std `TcpStream`.
pub type WebSocketStream = WebSocket<AsyncStdTcp, AsyncIo>;

/// Connects to a `ws://` URL with default options.
pub async fn connect(url: &str) -> Result<WebSocketStream, Error> {
    connect_with(url, &ConnectOptions::default()).await
}

/// Connects to a `ws://` URL: resolves the host with async-std, opens TCP with
/// `TCP_NODELAY`, runs the opening handshake.
pub async fn connect_with(url: &str, options: &ConnectOptions) -> Result<WebSocketStream, Error> {
    let dial = |host: String, port| async move {
        let stream = TcpStream::connect((host.as_str(), port)).await?;
        stream.set_nodelay(true)?;
        Ok(AsyncStdTcp(FuturesIo(stream)))
    };
    crate::handshake::connect_via(url, options, dial).await
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
    let transport = AsyncStdTcp(FuturesIo(stream));
    WebSocket::server(transport, options, decide).await
}
