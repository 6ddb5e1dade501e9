//! `connect` that prefers HTTP/2: ALPN `h2` (or prior knowledge for `ws://`), and the
//! HTTP/1.1 upgrade when the server does not take WebSockets over HTTP/2.

use std::future::Future;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::Poll;

use wsflow_core::handshake::{ClientRequest, HandshakeError};

use super::H2WebSocket;
use super::client::{Client, handshake};
use crate::connect::{self as generic, ConnectError, ConnectStep, Deadline, Net, authority};
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

/// What `connect` offers in TLS's ALPN: HTTP/2 first.
const ALPN: [&[u8]; 2] = [b"h2", b"http/1.1"];

/// Where the HTTP/2 attempt of a connect ended.
enum Attempt<N: Net> {
    /// The server takes WebSockets over HTTP/2 on this connection.
    Http2(Client, ClientDriver),
    /// TLS agreed on HTTP/1.1 (or on nothing): the upgrade runs on this same connection.
    Http1(N::Transport),
    /// HTTP/2 was agreed (or tried with prior knowledge) but the server does not take
    /// WebSockets over it: HTTP/1.1 needs a new connection.
    Refused,
}

/// Opens the connection to `request`'s server (TCP, the proxy's tunnel if one applies, TLS
/// offering `h2` and `http/1.1` for `wss://`: the same steps as every connect) and, unless
/// TLS agreed on HTTP/1.1, runs the HTTP/2 handshake on it, all under `deadline`.
async fn dial<N: Net>(
    request: &ClientRequest,
    options: &ConnectOptions,
    deadline: Deadline,
) -> Result<Attempt<N>, Error> {
    let transport = Box::pin(generic::open::<N>(request, options, deadline, &ALPN)).await?;
    if request.is_secure() && N::alpn(&transport) != Some(&b"h2"[..]) {
        return Ok(Attempt::Http1(transport));
    }
    let target = authority(request.host(), request.port());
    match generic::within::<N::Runtime, _>(deadline.at, h2_client(N::h2_io(transport))).await {
        Some(Ok(Some((client, driver)))) => Ok(Attempt::Http2(client, driver)),
        Some(Ok(None)) => Ok(Attempt::Refused),
        Some(Err(error)) => Err(error),
        None => {
            Err(ConnectError::timed_out(ConnectStep::Handshake, target, deadline.timeout).into())
        }
    }
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
/// caller drives it afterwards), under `deadline`.
async fn first_websocket<R: Runtime>(
    client: &Client,
    driver: &mut ClientDriver,
    request: &ClientRequest,
    options: &ConnectOptions,
    deadline: Deadline,
) -> Result<H2WebSocket<R>, Error> {
    let open = client.websocket::<R>(request.clone(), options.config.clone());
    let mut open = std::pin::pin!(open);
    let opened = std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = open.as_mut().poll(cx) {
            return Poll::Ready(result);
        }
        match driver.as_mut().poll(cx) {
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Ready(Ok(())) => {
                Poll::Ready(Err(Error::Io(std::io::ErrorKind::UnexpectedEof.into())))
            }
            Poll::Pending => Poll::Pending,
        }
    });
    generic::within::<R, _>(deadline.at, opened)
        .await
        .unwrap_or_else(|| {
            let target = authority(request.host(), request.port());
            Err(ConnectError::timed_out(ConnectStep::Handshake, target, deadline.timeout).into())
        })
}

/// The runtime modules' `connect`: see [`tokio::connect`](self::tokio::connect).
async fn connect<N: Net>(
    url: &str,
    options: &ConnectOptions,
) -> Result<Connected<N::Transport, N::Runtime>, Error> {
    let request = options.request(url)?;
    let deadline = Deadline::of::<N::Runtime>(options);
    match dial::<N>(&request, options, deadline).await? {
        Attempt::Http2(client, mut driver) => {
            let websocket =
                first_websocket::<N::Runtime>(&client, &mut driver, &request, options, deadline)
                    .await?;
            Ok(Connected::Http2 {
                websocket,
                client,
                driver,
            })
        }
        Attempt::Http1(transport) => {
            let result = generic::handshake::<N>(transport, &request, options, deadline).await;
            let mut options = options.clone();
            let mut redirects_left = options.max_redirects;
            match generic::follow_redirect(result, &request, &mut options, &mut redirects_left) {
                ControlFlow::Break(result) => result.map(Connected::Http1),
                ControlFlow::Continue(next) => {
                    options.max_redirects = redirects_left;
                    generic::connect_until::<N>(&next, &options, deadline)
                        .await
                        .map(Connected::Http1)
                }
            }
        }
        // A new connection with the whole timeout: the server has answered, so the time
        // the HTTP/2 attempt took is not the server's silence.
        Attempt::Refused => generic::connect::<N>(url, options)
            .await
            .map(Connected::Http1),
    }
}

/// The runtime modules' `client`: see [`tokio::client`](self::tokio::client).
async fn client<N: Net>(
    url: &str,
    options: &ConnectOptions,
) -> Result<(Client, ClientDriver), Error> {
    let request = options.request(url)?;
    match dial::<N>(&request, options, Deadline::of::<N::Runtime>(options)).await? {
        Attempt::Http2(client, driver) => Ok((client, driver)),
        Attempt::Http1(_) | Attempt::Refused => {
            Err(Error::Handshake(HandshakeError::ExtendedConnectDisabled))
        }
    }
}

/// `connect` and `client` for one runtime: `$net` its primitives for the generic connect,
/// `$runtime` its timers, `$h1` the transport of its HTTP/1.1 WebSockets.
macro_rules! h2_connect {
    ($module:ident, $net:ty, $runtime:ty, $h1:ty) => {
        /// WebSockets over HTTP/2 with this runtime's `connect`.
        pub mod $module {
            use super::*;

            /// What [`connect`] opens: a WebSocket over HTTP/2, or this runtime's usual one.
            pub type Connected = super::Connected<$h1, $runtime>;

            /// Connects to a `ws://` or `wss://` URL preferring HTTP/2, through the same
            /// steps as the runtime's `connect_with` (DNS, TCP, the proxy of `options`, TLS)
            /// under `options.connect_timeout`: for `wss://`, TLS offers ALPN `h2` and
            /// `http/1.1`; for `ws://`, HTTP/2 is tried with prior knowledge. When the
            /// server agrees on `h2` and advertises extended CONNECT, the WebSocket is an
            /// HTTP/2 stream ([`Connected::Http2`](super::Connected::Http2): poll its
            /// driver). When TLS agrees on `http/1.1`, the HTTP/1.1 upgrade runs on the same
            /// connection (following redirects as `options` allows). When the server speaks
            /// HTTP/2 without extended CONNECT, or refuses the prior-knowledge preface, the
            /// HTTP/1.1 upgrade runs on a new connection through the runtime's
            /// `connect_with`, with a new timeout. A refusal of the WebSocket over HTTP/2 is
            /// an answer, returned as the error, not retried.
            ///
            /// # Cancel safety
            /// Not resumable: dropping the future drops the connection being opened.
            pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Connected, Error> {
                super::connect::<$net>(url, options).await
            }

            /// Opens an HTTP/2 connection to the server of `url` (through the proxy of
            /// `options`, if any; TLS with ALPN `h2` for `wss://`, prior knowledge for
            /// `ws://`) for [`Client::websocket`], without opening a WebSocket yet, under
            /// `options.connect_timeout`. Fails with
            /// [`HandshakeError::ExtendedConnectDisabled`](crate::HandshakeError::ExtendedConnectDisabled)
            /// when the server does not take WebSockets over HTTP/2; there is no fallback.
            ///
            /// # Cancel safety
            /// Not resumable: dropping the future drops the connection being opened.
            pub async fn client(
                url: &str,
                options: &ConnectOptions,
            ) -> Result<(Client, ClientDriver), Error> {
                super::client::<$net>(url, options).await
            }
        }
    };
}

#[cfg(feature = "tokio")]
h2_connect!(
    tokio,
    crate::tokio_stream::TokioNet,
    crate::tokio::TokioRuntime,
    crate::tokio::TokioIo<crate::tokio::MaybeTlsStream>
);

#[cfg(feature = "smol")]
h2_connect!(
    smol,
    crate::smol::SmolNet,
    crate::futures_io::AsyncIoRuntime,
    crate::futures_io::FuturesIo<crate::smol::MaybeTlsStream>
);

#[cfg(feature = "async-std")]
h2_connect!(
    async_std,
    crate::async_std::AsyncStdNet,
    crate::futures_io::AsyncIoRuntime,
    crate::async_std::AsyncStdIo<crate::async_std::MaybeTlsStream>
);
