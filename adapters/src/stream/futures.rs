//! The smol and async-std client and server stream, plain or TLS (`futures-rustls`), and
//! their [`Net`](crate::connect::Net) for the generic connect.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

/// A `futures-io` stream, plain or TLS; what smol's and async-std's `connect` return and
/// their `accept_with` takes. Its close sends TLS close_notify before closing the stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum MaybeTls<S> {
    /// No TLS.
    Plain(S),
    /// TLS, client or server side (boxed: a TLS session is large).
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    Tls(Box<futures_rustls::TlsStream<S>>),
}

impl<S> MaybeTls<S> {
    /// The underlying stream.
    pub fn get_ref(&self) -> &S {
        match self {
            MaybeTls::Plain(stream) => stream,
            #[cfg(feature = "rustls")]
            MaybeTls::Tls(stream) => stream.get_ref().0,
        }
    }

    /// Whether the stream runs TLS.
    pub fn is_tls(&self) -> bool {
        !matches!(self, MaybeTls::Plain(_))
    }

    /// The protocol agreed by ALPN during the TLS handshake (`h2`, `http/1.1`), if any: how
    /// a server that offers both picks HTTP/2 or HTTP/1.1 for the connection.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        match self {
            MaybeTls::Plain(_) => None,
            #[cfg(feature = "rustls")]
            MaybeTls::Tls(stream) => stream.get_ref().1.alpn_protocol(),
        }
    }
}

#[cfg(feature = "rustls")]
impl<S> From<futures_rustls::server::TlsStream<S>> for MaybeTls<S> {
    fn from(stream: futures_rustls::server::TlsStream<S>) -> Self {
        MaybeTls::Tls(Box::new(stream.into()))
    }
}

#[cfg(feature = "rustls")]
impl<S> From<futures_rustls::client::TlsStream<S>> for MaybeTls<S> {
    fn from(stream: futures_rustls::client::TlsStream<S>) -> Self {
        MaybeTls::Tls(Box::new(stream.into()))
    }
}

/// Calls `$call` on whichever stream is inside.
macro_rules! each {
    ($self:ident, $stream:ident => $call:expr) => {
        match $self.get_mut() {
            MaybeTls::Plain($stream) => $call,
            #[cfg(feature = "rustls")]
            MaybeTls::Tls($stream) => $call,
        }
    };
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for MaybeTls<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        each!(self, stream => Pin::new(stream).poll_read(cx, buf))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for MaybeTls<S> {
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

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, stream => Pin::new(stream).poll_flush(cx))
    }

    /// TLS: close_notify, then the inner stream's `poll_close` (futures-rustls does both).
    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        each!(self, stream => Pin::new(stream).poll_close(cx))
    }
}

/// The smol or async-std parts around [`MaybeTls`]: `From<TcpStream>`, `set_nodelay`,
/// `tls_accept` and the runtime's `Net`, for `$tcp` wrapped by `$wrap`, resolving with
/// `$resolve`.
macro_rules! futures_net {
    ($net:ident, $tcp:ty, $wrap:ident, $resolve:path) => {
        impl From<$tcp> for $crate::futures_io::MaybeTls<$tcp> {
            fn from(stream: $tcp) -> Self {
                $crate::futures_io::MaybeTls::Plain(stream)
            }
        }

        impl $crate::futures_io::MaybeTls<$tcp> {
            /// Sets `TCP_NODELAY` on the socket.
            pub fn set_nodelay(&self, on: bool) -> std::io::Result<()> {
                self.get_ref().set_nodelay(on)
            }
        }

        /// The server side of a TLS handshake on an accepted socket, with `config`; pass
        /// the result to `accept_with`. Not bounded in time: wrap it in a timeout for
        /// untrusted peers.
        ///
        /// # Cancel safety
        ///
        /// Not resumable: dropping the future drops the socket.
        #[cfg(feature = "rustls")]
        #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
        pub async fn tls_accept(
            stream: $tcp,
            config: std::sync::Arc<rustls::ServerConfig>,
        ) -> std::io::Result<MaybeTlsStream> {
            let stream = futures_rustls::TlsAcceptor::from(config)
                .accept(stream)
                .await?;
            Ok(stream.into())
        }

        /// This runtime's primitives for the generic connect.
        pub(crate) struct $net;

        impl $crate::connect::Net for $net {
            type Runtime = $crate::futures_io::AsyncIoRuntime;
            type Tcp = $tcp;
            type Transport = $wrap<MaybeTlsStream>;

            async fn resolve(
                host: String,
                port: u16,
            ) -> std::io::Result<Vec<std::net::SocketAddr>> {
                $resolve(host, port).await
            }

            async fn tcp(addr: std::net::SocketAddr) -> std::io::Result<$tcp> {
                let stream = <$tcp>::connect(addr).await?;
                stream.set_nodelay(true)?;
                Ok(stream)
            }

            fn raw(tcp: &mut $tcp) -> impl $crate::Transport + Send + '_ {
                $crate::futures_io::FuturesIo(tcp)
            }

            fn plain(tcp: $tcp) -> Self::Transport {
                $wrap($crate::futures_io::MaybeTls::Plain(tcp))
            }

            #[cfg(feature = "rustls")]
            async fn tls(
                tcp: $tcp,
                config: std::sync::Arc<rustls::ClientConfig>,
                name: rustls::pki_types::ServerName<'static>,
            ) -> std::io::Result<Self::Transport> {
                let stream = futures_rustls::TlsConnector::from(config)
                    .connect(name, tcp)
                    .await?;
                Ok($wrap(stream.into()))
            }

            #[cfg(feature = "http2")]
            type H2Io = tokio_util::compat::Compat<MaybeTlsStream>;

            #[cfg(feature = "http2")]
            fn alpn(transport: &Self::Transport) -> Option<&[u8]> {
                transport.0.alpn_protocol()
            }

            #[cfg(feature = "http2")]
            fn h2_io(transport: Self::Transport) -> Self::H2Io {
                $crate::h2::compat(transport.0)
            }
        }
    };
}
