//! Glue for async-std.
//!
//! **Deprecated in spirit**: async-std is discontinued upstream (its README points to smol;
//! RUSTSEC-2025-0052). This module stays for existing users; new code should use
//! `wsflow::smol`, which runs on the same reactor.
//!
//! async-std's `TcpStream::poll_close` (and `UnixStream`'s) only flushes, so a WebSocket over
//! it through [`FuturesIo`] would never send the TCP FIN a server owes its client at the
//! end of the close handshake. [`AsyncStdIo`] is the transport that does: its shutdown
//! calls `shutdown(Shutdown::Write)`.

use std::io::{self, IoSlice};
use std::net::Shutdown;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use ::async_std::net::TcpStream;
use ::async_std::os::unix::net::UnixStream;
use futures_io::{AsyncRead, AsyncWrite};

pub use crate::futures_io::{AsyncIoRuntime, FuturesIo};
use crate::{Transport, WebSocket};

/// An async-std socket whose write side can be shut down.
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
pub struct AsyncStdIo<S = TcpStream>(pub S);

impl<S: AsyncRead + AsyncWrite + ShutdownWrite + Unpin> Transport for AsyncStdIo<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }

    forward_writes!();

    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(Pin::new(&mut self.0).poll_flush(cx))?;
        Poll::Ready(self.0.shutdown_write())
    }
}

pub use crate::futures_io::MaybeTls;

/// An async-std TCP stream, with or without TLS: what `connect` returns and `accept_with`
/// takes.
pub type MaybeTlsStream = MaybeTls<TcpStream>;

/// A WebSocket over an async-std socket, by default a TCP stream with or without TLS (what
/// `connect` and `accept` give).
pub type WebSocketStream<S = MaybeTlsStream> = WebSocket<AsyncStdIo<S>, AsyncIoRuntime>;

/// A plain or TLS socket as a transport: close_notify (TLS), then `shutdown(Write)`, since
/// async-std's own close only flushes.
impl<S: AsyncRead + AsyncWrite + ShutdownWrite + Unpin> Transport for AsyncStdIo<MaybeTls<S>> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }

    forward_writes!();

    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(Pin::new(&mut self.0).poll_close(cx))?;
        Poll::Ready(self.0.get_ref().shutdown_write())
    }
}

/// Resolves with async-std's resolver (a blocking lookup on its thread pool).
async fn resolve(host: String, port: u16) -> io::Result<Vec<std::net::SocketAddr>> {
    use ::async_std::net::ToSocketAddrs as _;
    Ok((host.as_str(), port).to_socket_addrs().await?.collect())
}

futures_net!(AsyncStdNet, TcpStream, AsyncStdIo, resolve);
tcp_helpers!("async-std", AsyncStdIo, AsyncStdNet);
