//! `connect` that prefers HTTP/2: ALPN `h2` (or prior knowledge for `ws://`), and the
//! HTTP/1.1 upgrade when the server does not take WebSockets over HTTP/2.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::H2WebSocket;
use super::client::{Client, handshake};
use crate::{ConnectOptions, Error, Runtime, WebSocket};

/// The driver of a client's HTTP/2 connection, boxed: poll it (spawn it, or `join`/`select`
/// it with the code that uses the WebSockets) for as long as a WebSocket on it runs.
pub type ClientDriver = Pin<Box<dyn Future<Output = Result<(), Error>> + Send>>;

/// What [`tokio::connect`](self::tokio::connect) and its siblings opened.
pub enum Connected<H1, R: Runtime> {
    /// A WebSocket on an HTTP/2 stream, the [`Client`] to open more on the same connection,
    /// and the connection's driver, which must be polled.
    Http2 {
        /// The WebSocket.
        websocket: H2WebSocket<R>,
        /// Opens more WebSockets on the same connection.
        client: Client,
        /// The connection's I/O; nothing moves unless it is polled.
        driver: ClientDriver,
    },
    /// A WebSocket over HTTP/1.1: the server negotiated `http/1.1`, or did not advertise
    /// extended CONNECT, or (for `ws://`) does not speak HTTP/2 with prior knowledge.
    Http1(WebSocket<H1, R>),
}

impl<H1, R: Runtime> std::fmt::Debug for Connected<H1, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Connected::Http2 { .. } => "Connected::Http2",
            Connected::Http1(_) => "Connected::Http1",
        })
    }
}

/// The deadline of an HTTP/2 attempt: the connect timeout of `options`.
fn attempt_timeout(options: &ConnectOptions) -> Duration {
    options
        .connect_timeout
        .unwrap_or(crate::DEFAULT_CONNECT_TIMEOUT)
}

/// Runs `attempt` under `timeout` with `R`'s timer; a late attempt is a timed-out I/O error.
async fn within<R: Runtime, T>(
    timeout: Duration,
    attempt: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let now = R::now();
    let deadline = now.checked_add(timeout).unwrap_or(now);
    let mut timer = std::pin::pin!(R::sleep_until(deadline));
    let mut attempt = std::pin::pin!(attempt);
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(result) = attempt.as_mut().poll(cx) {
            return std::task::Poll::Ready(result);
        }
        timer.as_mut().poll(cx).map(|_| {
            Err(Error::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "HTTP/2 connect timed out",
            )))
        })
    })
    .await
}

/// The HTTP/2 handshake on an open stream, or `Ok(None)` when the server cannot take
/// WebSockets over it (it refused the preface, or did not advertise extended CONNECT).
async fn h2_client<T>(io: T) -> Result<Option<(Client, ClientDriver)>, Error>
where
    T: ::tokio::io::AsyncRead + ::tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let Ok((client, connection)) = handshake(io).await else {
        // Not an HTTP/2 server (prior knowledge refused): HTTP/1.1 it is.
        return Ok(None);
    };
    if !client.supports_websocket() {
        return Ok(None);
    }
    Ok(Some((client, Box::pin(connection))))
}

/// Opens the first WebSocket on a new connection, driving the connection meanwhile (the
/// caller drives it afterwards).
async fn first_websocket<R: Runtime>(
    client: &Client,
    driver: &mut ClientDriver,
    url: &str,
    options: &ConnectOptions,
) -> Result<H2WebSocket<R>, Error> {
    let request = options.request(url)?;
    let open = client.websocket::<R>(request, options.config.clone());
    let mut open = std::pin::pin!(open);
    std::future::poll_fn(|cx| {
        if let std::task::Poll::Ready(result) = open.as_mut().poll(cx) {
            return std::task::Poll::Ready(result);
        }
        match driver.as_mut().poll(cx) {
            std::task::Poll::Ready(Err(error)) => std::task::Poll::Ready(Err(error)),
            std::task::Poll::Ready(Ok(())) => {
                std::task::Poll::Ready(Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into())))
            }
            std::task::Poll::Pending => std::task::Poll::Pending,
        }
    })
    .await
}

/// The ALPN list `connect` offers: `h2` first, then `http/1.1`.
#[cfg(feature = "rustls")]
fn alpn_config(options: &ConnectOptions) -> Result<std::sync::Arc<rustls::ClientConfig>, Error> {
    let base = match &options.tls {
        Some(config) => config.clone(),
        None => crate::tls::default_client_config().map_err(Error::Io)?,
    };
    let mut config = (*base).clone();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(std::sync::Arc::new(config))
}

/// `connect` for one runtime: `$rt` is the runtime module, `$tcp` its TCP stream,
/// `$tls` the TLS crate (`tokio_rustls` or `futures_rustls`), `$io` wraps the stream in
/// tokio's I/O traits, `$runtime` the timer.
macro_rules! h2_connect {
    ($module:ident, $rt:ident, $tcp:ty, $tls:ident, $io:path, $runtime:ty, $h1:ty) => {
        /// WebSockets over HTTP/2 with this runtime's `connect`.
        pub mod $module {
            use super::*;

            /// What [`connect`] opens: a WebSocket over HTTP/2, or this runtime's usual one.
            pub type Connected = super::Connected<$h1, $runtime>;

            /// Connects to a `ws://` or `wss://` URL preferring HTTP/2: for `wss://`, TLS
            /// offers ALPN `h2` and `http/1.1`; for `ws://`, HTTP/2 with prior knowledge is
            /// tried. When the server negotiates `h2` and advertises extended CONNECT, the
            /// WebSocket is an HTTP/2 stream ([`Connected::Http2`](super::Connected::Http2):
            /// poll its driver). Otherwise this falls back to the HTTP/1.1 upgrade on a new
            /// connection, through the runtime's `connect_with` (which honours every
            /// option). The HTTP/2 attempt goes directly (no proxy) and runs under
            /// `options.connect_timeout`; a refusal of the WebSocket over HTTP/2 is an
            /// answer, returned as the error, not retried.
            ///
            /// # Cancel safety
            /// Not resumable: dropping the future drops the connection being opened.
            pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Connected, Error> {
                let attempt = async {
                    let Some((client, mut driver)) = dial(url, options).await? else {
                        return Ok(None);
                    };
                    let websocket =
                        first_websocket::<$runtime>(&client, &mut driver, url, options).await?;
                    Ok(Some((websocket, client, driver)))
                };
                match within::<$runtime, _>(attempt_timeout(options), attempt).await? {
                    Some((websocket, client, driver)) => Ok(super::Connected::Http2 {
                        websocket,
                        client,
                        driver,
                    }),
                    None => Ok(super::Connected::Http1(
                        crate::$rt::connect_with(url, options).await?,
                    )),
                }
            }

            /// Opens an HTTP/2 connection to the server of `url` (TLS with ALPN `h2` for
            /// `wss://`, prior knowledge for `ws://`) for [`Client::websocket`], without
            /// opening a WebSocket yet, under `options.connect_timeout`. Fails with
            /// [`HandshakeError::ExtendedConnectDisabled`](crate::HandshakeError::ExtendedConnectDisabled)
            /// when the server does not take WebSockets over HTTP/2; there is no fallback.
            ///
            /// # Cancel safety
            /// Not resumable: dropping the future drops the connection being opened.
            pub async fn client(
                url: &str,
                options: &ConnectOptions,
            ) -> Result<(Client, ClientDriver), Error> {
                within::<$runtime, _>(attempt_timeout(options), dial(url, options))
                    .await?
                    .ok_or(Error::Handshake(
                        crate::HandshakeError::ExtendedConnectDisabled,
                    ))
            }

            /// TCP, TLS with ALPN for `wss://`, and the HTTP/2 handshake; `None` when the
            /// server will not take WebSockets over HTTP/2.
            async fn dial(
                url: &str,
                options: &ConnectOptions,
            ) -> Result<Option<(Client, ClientDriver)>, Error> {
                let request = options.request(url)?;
                let tcp = <$tcp>::connect((request.host(), request.port()))
                    .await
                    .map_err(Error::Io)?;
                tcp.set_nodelay(true).map_err(Error::Io)?;
                if !request.is_secure() {
                    return h2_client($io(tcp)).await;
                }
                #[cfg(feature = "rustls")]
                {
                    let name = rustls::pki_types::ServerName::try_from(request.host().to_owned())
                        .map_err(|error| {
                        Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, error))
                    })?;
                    let tls = $tls::TlsConnector::from(alpn_config(options)?)
                        .connect(name, tcp)
                        .await
                        .map_err(Error::Io)?;
                    if tls.get_ref().1.alpn_protocol() != Some(&b"h2"[..]) {
                        return Ok(None);
                    }
                    h2_client($io(tls)).await
                }
                #[cfg(not(feature = "rustls"))]
                Ok(None)
            }
        }
    };
}

#[cfg(feature = "tokio")]
fn tokio_io<S>(io: S) -> S {
    io
}

#[cfg(feature = "tokio")]
h2_connect!(
    tokio,
    tokio,
    ::tokio::net::TcpStream,
    tokio_rustls,
    tokio_io,
    crate::tokio::TokioRuntime,
    crate::tokio::TokioIo<crate::tokio::MaybeTlsStream>
);

#[cfg(feature = "smol")]
h2_connect!(
    smol,
    smol,
    ::smol::net::TcpStream,
    futures_rustls,
    crate::h2::compat,
    crate::futures_io::AsyncIoRuntime,
    crate::futures_io::FuturesIo<crate::smol::MaybeTlsStream>
);

#[cfg(feature = "async-std")]
h2_connect!(
    async_std,
    async_std,
    ::async_std::net::TcpStream,
    futures_rustls,
    crate::h2::compat,
    crate::futures_io::AsyncIoRuntime,
    crate::async_std::AsyncStdIo<crate::async_std::MaybeTlsStream>
);
