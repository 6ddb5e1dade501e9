//! The client role: WebSockets as extended CONNECT streams of one HTTP/2 connection.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use h2::client::SendRequest;
use tokio::io::{AsyncRead, AsyncWrite};
use wsflow_core::handshake::{ClientRequest, HandshakeError};
use wsflow_core::mask::MaskSource;
use wsflow_core::{Config, Connection};

use super::H2WebSocket;
use super::stream::{H2Stream, io_error};
use crate::{Error, Runtime};

/// A handle that opens WebSockets on one HTTP/2 connection; clone it freely (each clone
/// shares the connection).
#[derive(Debug, Clone)]
pub struct Client {
    send: SendRequest<Bytes>,
}

/// The I/O of a client's HTTP/2 connection: a future the caller must keep polling (spawn it,
/// or `join`/`select` it with the code that uses the WebSockets) for as long as any of them
/// runs; it completes when the connection closes. Dropping it closes the connection at
/// once, and whatever is still queued (a last close frame, say) is lost: to end gracefully,
/// drop every [`Client`] and WebSocket of the connection and await this future, which then
/// sends what is queued, says GOAWAY and completes.
#[must_use = "the HTTP/2 connection makes no progress unless this future is polled"]
pub struct ClientConnection<T> {
    conn: h2::client::Connection<T, Bytes>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> Future for ClientConnection<T> {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.conn)
            .poll(cx)
            .map_err(|error| Error::Io(io_error(error)))
    }
}

/// Runs the HTTP/2 client handshake on `io` (past TLS with ALPN `h2`, or cleartext with
/// prior knowledge) and waits for the server's SETTINGS, so that
/// [`Client::supports_websocket`] is known when this returns. It takes one PING round trip.
/// The settings are [`super::client_builder`]'s.
///
/// # Cancel safety
/// Not cancel safe: dropping the future drops `io` half-way through the handshake.
pub async fn handshake<T>(io: T) -> Result<(Client, ClientConnection<T>), Error>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    handshake_with(io, &super::client_builder()).await
}

/// [`handshake`] with your own `h2` settings. Keep the connection window at least the
/// stream window times the number of WebSockets you open, or one that is not read can use
/// up the connection's window and stall the others.
///
/// # Cancel safety
/// Not cancel safe, as [`handshake`].
pub async fn handshake_with<T>(
    io: T,
    builder: &h2::client::Builder,
) -> Result<(Client, ClientConnection<T>), Error>
where
    T: AsyncRead + AsyncWrite + Unpin,
{
    let io_err = |error| Error::Io(io_error(error));
    let (send, mut conn) = builder.handshake(io).await.map_err(io_err)?;
    // A server's first frame is its SETTINGS (RFC 9113 §3.4), so once our PING is answered
    // its settings (ENABLE_CONNECT_PROTOCOL among them) have been applied.
    if let Some(mut ping_pong) = conn.ping_pong() {
        ping_pong.send_ping(h2::Ping::opaque()).map_err(io_err)?;
        std::future::poll_fn(|cx| {
            if let Poll::Ready(result) = Pin::new(&mut conn).poll(cx) {
                return Poll::Ready(Err(match result {
                    Ok(()) => Error::Io(std::io::ErrorKind::UnexpectedEof.into()),
                    Err(error) => io_err(error),
                }));
            }
            ping_pong
                .poll_pong(cx)
                .map(|pong| pong.map(drop).map_err(io_err))
        })
        .await?;
    }
    Ok((Client { send }, ClientConnection { conn }))
}

impl Client {
    /// Whether the server advertised `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`, without which
    /// it cannot take a WebSocket over HTTP/2 (then use HTTP/1.1 on another connection).
    pub fn supports_websocket(&self) -> bool {
        self.send.is_extended_connect_protocol_enabled()
    }

    /// Opens a WebSocket as a new stream: sends the extended CONNECT for `request`
    /// ([`ClientRequest::to_h2_request`] plus `:protocol = websocket`) and checks the answer
    /// ([`Connection::client_h2`]). Fails with [`Error::Handshake`] when the server did not
    /// advertise extended CONNECT, refused ([`HandshakeError::UnexpectedStatus`]) or agreed
    /// to something not offered, or when no answer came within `request`'s handshake
    /// timeout ([`HandshakeError::Timeout`]). The [`ClientConnection`] must be driven
    /// meanwhile.
    ///
    /// # Cancel safety
    /// Cancel safe: a cancelled attempt resets its stream and leaves the connection as it was.
    pub async fn websocket<R: Runtime>(
        &self,
        request: ClientRequest,
        config: Config,
    ) -> Result<H2WebSocket<R>, Error> {
        self.websocket_masked(request, config, None).await
    }

    /// [`Self::websocket`] with the masking keys taken from `masks` instead of the random
    /// source, so that a test can compare the client's frames byte for byte (the
    /// conformance suite's HTTP/2 runner does, with `FixedMask`). Predictable keys defeat
    /// masking's purpose (RFC 6455 §10.3): never in production.
    #[doc(hidden)]
    pub async fn websocket_masked<R: Runtime>(
        &self,
        request: ClientRequest,
        config: Config,
        masks: Option<Box<dyn MaskSource>>,
    ) -> Result<H2WebSocket<R>, Error> {
        let timer = R::sleep_until(deadline(&request, R::now()));
        let attempt = self.open::<R>(request, config, masks);
        let mut timer = std::pin::pin!(timer);
        let mut attempt = std::pin::pin!(attempt);
        std::future::poll_fn(|cx| {
            if let Poll::Ready(result) = attempt.as_mut().poll(cx) {
                return Poll::Ready(result);
            }
            timer
                .as_mut()
                .poll(cx)
                .map(|_| Err(Error::Handshake(HandshakeError::Timeout)))
        })
        .await
    }

    async fn open<R: Runtime>(
        &self,
        request: ClientRequest,
        config: Config,
        masks: Option<Box<dyn MaskSource>>,
    ) -> Result<H2WebSocket<R>, Error> {
        let mut connect = request.to_h2_request().map_err(Error::Handshake)?;
        if !self.supports_websocket() {
            return Err(Error::Handshake(HandshakeError::ExtendedConnectDisabled));
        }
        connect
            .extensions_mut()
            .insert(h2::ext::Protocol::from_static("websocket"));
        let io_err = |error| Error::Io(io_error(error));
        let mut send = self.send.clone().ready().await.map_err(io_err)?;
        let (response, send_stream) = send.send_request(connect, false).map_err(io_err)?;
        let mut stream_guard = Some(send_stream);
        let response = response.await.map_err(io_err)?;
        let (parts, body) = response.into_parts();
        let head = http::Response::from_parts(parts, ());
        match Connection::client_h2(&request, head, config, R::now()) {
            Ok(connection) => {
                let connection = match masks {
                    Some(masks) => connection.with_mask_source(masks),
                    None => connection,
                };
                let send_stream = stream_guard.take().ok_or(Error::Closed)?;
                Ok(crate::WebSocket::from_connection(
                    H2Stream::new(send_stream, body),
                    connection,
                ))
            }
            Err(error) => {
                if let Some(mut send_stream) = stream_guard.take() {
                    send_stream.send_reset(h2::Reason::CANCEL);
                }
                Err(Error::Handshake(error))
            }
        }
    }
}

/// When the answer to `request` must have come: its handshake timeout from `now`, or a year
/// from now for a timeout too large to add (`Duration::MAX` for "never").
fn deadline(request: &ClientRequest, now: Instant) -> Instant {
    let year = Duration::from_secs(365 * 24 * 3600);
    now.checked_add(request.handshake_limits().timeout)
        .or_else(|| now.checked_add(year))
        .unwrap_or(now)
}
