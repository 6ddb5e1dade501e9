//! [`MaybeTlsStream`]: the one stream type of `connect` and `accept`, for `ws://` and `wss://`.

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::stream::Stream;
#[cfg(feature = "rustls")]
use super::tls::TlsStream;

/// A TCP stream, plain or TLS: what [`connect`](super::connect) returns for both `ws://` and
/// `wss://`, and what [`accept`](super::accept) takes (a `TcpStream` converts into it; a TLS
/// one comes from [`tls_accept`](super::tls_accept)).
///
/// [`Stream::try_clone`] works for a plain stream and fails with
/// [`io::ErrorKind::Unsupported`] for a TLS one (see [`TlsStream`]), so
/// [`WebSocket::split`](super::WebSocket::split) is only available without TLS.
#[derive(Debug)]
#[non_exhaustive]
pub enum MaybeTlsStream {
    /// No TLS.
    Plain(TcpStream),
    /// TLS, client or server side.
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    Tls(TlsStream),
}

impl From<TcpStream> for MaybeTlsStream {
    fn from(stream: TcpStream) -> Self {
        MaybeTlsStream::Plain(stream)
    }
}

#[cfg(feature = "rustls")]
impl From<TlsStream> for MaybeTlsStream {
    fn from(stream: TlsStream) -> Self {
        MaybeTlsStream::Tls(stream)
    }
}

impl MaybeTlsStream {
    /// The TCP socket (under the TLS session, if any).
    pub fn get_ref(&self) -> &TcpStream {
        match self {
            MaybeTlsStream::Plain(stream) => stream,
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Tls(stream) => stream.get_ref(),
        }
    }

    /// Whether the stream runs TLS.
    pub fn is_tls(&self) -> bool {
        !matches!(self, MaybeTlsStream::Plain(_))
    }

    /// Sets `TCP_NODELAY` on the socket.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.get_ref().set_nodelay(on)
    }

    /// Sets the socket's write timeout (see [`TcpStream::set_write_timeout`]): it bounds a
    /// write to a peer that does not read.
    pub fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.get_ref().set_write_timeout(timeout)
    }
}

/// Calls `$call` on whichever stream is inside.
macro_rules! each {
    ($self:ident, $stream:ident => $call:expr) => {
        match $self {
            MaybeTlsStream::Plain($stream) => $call,
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Tls($stream) => $call,
        }
    };
}

impl Read for MaybeTlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        each!(self, stream => stream.read(buf))
    }

    fn read_vectored(&mut self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        each!(self, stream => stream.read_vectored(bufs))
    }
}

impl Write for MaybeTlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        each!(self, stream => stream.write(buf))
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        each!(self, stream => stream.write_vectored(bufs))
    }

    fn flush(&mut self) -> io::Result<()> {
        each!(self, stream => stream.flush())
    }
}

impl Stream for MaybeTlsStream {
    fn set_read_timeout(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        each!(self, stream => Stream::set_read_timeout(stream, timeout))
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        each!(self, stream => stream.shutdown_write())
    }

    fn shutdown_both(&mut self) -> io::Result<()> {
        each!(self, stream => stream.shutdown_both())
    }

    fn try_clone(&self) -> io::Result<Self> {
        match self {
            MaybeTlsStream::Plain(stream) => TcpStream::try_clone(stream).map(Self::Plain),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Tls(stream) => Stream::try_clone(stream).map(Self::Tls),
        }
    }
}
