//! Glue for async-std.
//!
//! **Deprecated in spirit**: async-std is discontinued upstream (its README points to smol;
//! RUSTSEC-2025-0052). This module stays for existing users; new code should use
//! [`crate::smol`], which runs on the same reactor.
//!
//! async-std's `TcpStream::poll_close` only flushes, so a WebSocket over it through
//! [`FuturesIo`] would never send the TCP FIN a server owes its client at the end of the
//! close handshake. [`AsyncStdIo`] is the transport that does: its shutdown calls
//! `shutdown(Shutdown::Write)`. The same holds for its `UnixStream`, which `AsyncStdIo` also
//! takes.

use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::task::{Context, Poll, ready};

use ::async_std::net::TcpStream;
use ::async_std::os::unix::net::UnixStream;
use wsflow_core::handshake::{Accept, UpgradeRequest};

pub use crate::futures_io::{AsyncIo, FuturesIo};
use crate::{AcceptOptions, ConnectOptions, Error, Reject, Transport, WebSocket};

/// An async-std socket whose write side can be shut down (its `poll_close` does not).
pub trait ShutdownWrite {
    /// `shutdown(Shutdown::Write)` on the socket.
    fn shutdown_write(&self) -> io::Result<()>;
}

impl ShutdownWrite for TcpStream {
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

impl ShutdownWrite for UnixStream {
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

/// An async-std socket (`TcpStream` by default, or `UnixStream`) as a [`Transport`] that
/// really half-closes.
#[derive(Debug)]
pub struct AsyncStdIo<S = TcpStream>(pub FuturesIo<S>);

impl<S> Transport for AsyncStdIo<S>
where
    FuturesIo<S>: Transport,
    S: ShutdownWrite,
{
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
        Poll::Ready(self.0.0.shutdown_write())
    }
}

/// A WebSocket over an async-std socket, by default a `TcpStream`.
pub type WebSocketStream<S = TcpStream> = WebSocket<AsyncStdIo<S>, AsyncIo>;

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
        Ok(AsyncStdIo(FuturesIo(stream)))
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
    let transport = AsyncStdIo(FuturesIo(stream));
    WebSocket::server(transport, options, decide).await
}
