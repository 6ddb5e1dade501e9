//! tokio's client and server stream, plain or TLS (`tokio-rustls`), and its [`Net`] for the
//! generic connect.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use ::tokio::net::TcpStream;

use crate::connect::Net;
use crate::tokio::{TokioIo, TokioRuntime};
use crate::transport::Transport;

/// A tokio stream, plain or TLS; what `connect` returns and what `accept_with` takes.
/// Its shutdown sends TLS close_notify, then half-closes the socket.
#[derive(Debug)]
#[non_exhaustive]
pub enum MaybeTlsStream<S = TcpStream> {
    /// No TLS.
    Plain(S),
    /// TLS, client or server side (boxed: a TLS session is large).
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    Tls(Box<tokio_rustls::TlsStream<S>>),
}

impl From<TcpStream> for MaybeTlsStream<TcpStream> {
    fn from(stream: TcpStream) -> Self {
        MaybeTlsStream::Plain(stream)
    }
}

impl<S> MaybeTlsStream<S> {
    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        match self {
            MaybeTlsStream::Plain(stream) => stream,
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Tls(stream) => stream.get_ref().0,
        }
    }

    /// Whether the stream runs TLS.
    pub fn is_tls(&self) -> bool {
        !matches!(self, MaybeTlsStream::Plain(_))
    }

    /// The protocol agreed by ALPN during the TLS handshake (`h2`, `http/1.1`), if any: how
    /// a server that offers both picks HTTP/2 or HTTP/1.1 for the connection.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        match self {
            MaybeTlsStream::Plain(_) => None,
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Tls(stream) => stream.get_ref().1.alpn_protocol(),
        }
    }
}

impl MaybeTlsStream<TcpStream> {
    /// Sets `TCP_NODELAY` on the socket.
    pub fn set_nodelay(&self, on: bool) -> io::Result<()> {
        self.get_ref().set_nodelay(on)
    }
}

#[cfg(feature = "rustls")]
impl<S> From<tokio_rustls::server::TlsStream<S>> for MaybeTlsStream<S> {
    fn from(stream: tokio_rustls::server::TlsStream<S>) -> Self {
        MaybeTlsStream::Tls(Box::new(stream.into()))
    }
}

#[cfg(feature = "rustls")]
impl<S> From<tokio_rustls::client::TlsStream<S>> for MaybeTlsStream<S> {
    fn from(stream: tokio_rustls::client::TlsStream<S>) -> Self {
        MaybeTlsStream::Tls(Box::new(stream.into()))
    }
}

/// Calls `$method` on whichever stream is inside.
macro_rules! each {
    ($self:ident, $stream:ident => $call:expr) => {
        match $self.get_mut() {
            MaybeTlsStream::Plain($stream) => $call,
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Tls($stream) => $call,
        }
    };
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for MaybeTlsStream<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        each!(self, stream => Pin::new(stream).poll_read(cx, buf))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for MaybeTlsStream<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        each!(self, stream => Pin::new(stream).poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        each!(self, stream => Pin::new(stream).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            MaybeTlsStream::Plain(stream) => stream.is_write_vectored(),
            #[cfg(feature = "rustls")]
            MaybeTlsStream::Tls(stream) => stream.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, stream => Pin::new(stream).poll_flush(cx))
    }

    /// TLS: close_notify, then the socket's write side is shut down (tokio-rustls does both).
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, stream => Pin::new(stream).poll_shutdown(cx))
    }
}

/// The server side of a TLS handshake on an accepted socket, with `config`; pass the
/// result to `accept_with`. Not bounded in time: wrap it in a timeout for untrusted peers.
///
/// # Cancel safety
///
/// Not resumable: dropping the future drops the socket.
#[cfg(feature = "rustls")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub async fn tls_accept(
    stream: TcpStream,
    config: std::sync::Arc<rustls::ServerConfig>,
) -> io::Result<MaybeTlsStream> {
    let stream = tokio_rustls::TlsAcceptor::from(config)
        .accept(stream)
        .await?;
    Ok(stream.into())
}

/// tokio's primitives for the generic connect.
pub(crate) struct TokioNet;

impl Net for TokioNet {
    type Runtime = TokioRuntime;
    type Tcp = TcpStream;
    type Transport = TokioIo<MaybeTlsStream>;

    async fn resolve(host: String, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok(::tokio::net::lookup_host((host.as_str(), port))
            .await?
            .collect())
    }

    async fn tcp(addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    fn raw(tcp: &mut TcpStream) -> impl Transport + Send + '_ {
        TokioIo(tcp)
    }

    fn plain(tcp: TcpStream) -> Self::Transport {
        TokioIo(MaybeTlsStream::Plain(tcp))
    }

    #[cfg(feature = "rustls")]
    async fn tls(
        tcp: TcpStream,
        config: std::sync::Arc<rustls::ClientConfig>,
        name: rustls::pki_types::ServerName<'static>,
    ) -> io::Result<Self::Transport> {
        let stream = tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await?;
        Ok(TokioIo(stream.into()))
    }

    #[cfg(feature = "http2")]
    type H2Io = MaybeTlsStream;

    #[cfg(feature = "http2")]
    fn alpn(transport: &Self::Transport) -> Option<&[u8]> {
        transport.0.alpn_protocol()
    }

    #[cfg(feature = "http2")]
    fn h2_io(transport: Self::Transport) -> MaybeTlsStream {
        transport.0
    }
}
