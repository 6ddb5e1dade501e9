//! The server role: an HTTP/2 connection that offers extended CONNECT, and its requests.

use std::task::{Context, Poll};

use bytes::Bytes;
use h2::RecvStream;
use h2::server::SendResponse;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use tokio::io::{AsyncRead, AsyncWrite};
use wsflow_core::Connection;
use wsflow_core::handshake::{Accept, HandshakeError, UpgradeRequest, error_http_response};

use super::stream::{H2Stream, io_error};
use crate::{AcceptOptions, Error, Reject, Runtime, WebSocket};

/// The server side of one HTTP/2 connection with `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`
/// (RFC 8441 §3): it yields each request as an [`IncomingRequest`], and each accepted
/// WebSocket runs on its own stream.
///
/// **Driving**: this type *is* the connection's I/O. Keep calling [`Self::accept`] (in a loop
/// of its own, next to the tasks that run the WebSockets) until it returns `None`; while it
/// is not being polled, no WebSocket of this connection reads or writes anything. Nothing is
/// spawned inside.
pub struct ServerConnection<T> {
    conn: h2::server::Connection<T, Bytes>,
}

impl<T: AsyncRead + AsyncWrite + Unpin> ServerConnection<T> {
    /// Runs the HTTP/2 server handshake on `io` (already past TLS with ALPN `h2`, or
    /// cleartext with prior knowledge), advertising extended CONNECT, with
    /// [`super::server_builder`]'s settings: at most 128 streams of 64 KiB window each, and a
    /// connection window that covers them all, so a WebSocket whose reader is slow holds
    /// back only its own stream.
    ///
    /// # Cancel safety
    /// Not cancel safe: dropping the future drops `io` half-way through the preface.
    pub async fn handshake(io: T) -> Result<Self, Error> {
        Self::handshake_with(io, super::server_builder()).await
    }

    /// [`Self::handshake`] with your own `h2` settings (window sizes, stream limits, …);
    /// extended CONNECT is enabled on it here. Keep the connection window at least the
    /// stream window times the stream limit, or one WebSocket that is not read can use up
    /// the connection's window and stall the others.
    ///
    /// # Cancel safety
    /// Not cancel safe, as [`Self::handshake`].
    pub async fn handshake_with(io: T, mut builder: h2::server::Builder) -> Result<Self, Error> {
        builder.enable_connect_protocol();
        let conn = builder
            .handshake(io)
            .await
            .map_err(|error| Error::Io(io_error(error)))?;
        Ok(ServerConnection { conn })
    }

    /// The next request on this connection, driving the connection's I/O (every open
    /// WebSocket's too) while it waits. `None` once the connection has closed.
    ///
    /// # Cancel safety
    /// Cancel safe: a request that arrived stays queued inside `h2` for the next call.
    pub async fn accept(&mut self) -> Option<Result<IncomingRequest, Error>> {
        std::future::poll_fn(|cx| self.poll_accept(cx)).await
    }

    /// [`Self::accept`] as a poll function, for a hand-written future.
    pub fn poll_accept(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<IncomingRequest, Error>>> {
        self.conn.poll_accept(cx).map(|next| {
            next.map(|result| {
                result
                    .map(|(request, respond)| IncomingRequest { request, respond })
                    .map_err(|error| Error::Io(io_error(error)))
            })
        })
    }

    /// Starts a graceful shutdown (GOAWAY): no new streams; the open ones finish. Keep
    /// calling [`Self::accept`] until it returns `None`.
    pub fn graceful_shutdown(&mut self) {
        self.conn.graceful_shutdown();
    }

    /// The `h2` connection, for settings and pings.
    pub fn h2_mut(&mut self) -> &mut h2::server::Connection<T, Bytes> {
        &mut self.conn
    }
}

/// One request on a [`ServerConnection`]: a WebSocket's extended CONNECT, or any other
/// request, which is the caller's to answer ([`Self::into_parts`]).
#[derive(Debug)]
pub struct IncomingRequest {
    request: Request<RecvStream>,
    respond: SendResponse<Bytes>,
}

/// The `:protocol` of a request, which `h2` keeps as a request extension.
fn protocol<B>(request: &Request<B>) -> Option<&str> {
    request
        .extensions()
        .get::<h2::ext::Protocol>()
        .map(h2::ext::Protocol::as_str)
}

impl IncomingRequest {
    /// The request head and body stream.
    pub fn request(&self) -> &Request<RecvStream> {
        &self.request
    }

    /// Whether this is a WebSocket's extended CONNECT (`CONNECT` with
    /// `:protocol = websocket`). For routing only; [`Self::accept`] runs the checks.
    pub fn is_websocket(&self) -> bool {
        self.request.method() == Method::CONNECT
            && protocol(&self.request).is_some_and(|p| p.eq_ignore_ascii_case("websocket"))
    }

    /// The request and the handle to answer it with, for requests that are not WebSockets.
    pub fn into_parts(self) -> (Request<RecvStream>, SendResponse<Bytes>) {
        (self.request, self.respond)
    }

    /// Answers `status` with an empty body (a 404 for an unknown path, say).
    pub fn respond(self, status: StatusCode) {
        let mut respond = self.respond;
        let mut response = Response::new(());
        *response.status_mut() = status;
        // An error here means the client reset the stream already: nothing left to answer.
        let _ = respond.send_response(response, true);
    }

    /// Checks the request as a WebSocket's extended CONNECT
    /// ([`UpgradeRequest::from_h2_parts`]: the same checks and negotiation as an HTTP/1.1
    /// upgrade), lets `decide` accept or refuse it, and answers on the stream: `200` and an
    /// open [`WebSocket`] on acceptance; the core's error response (400, 405, 426, …) for a
    /// request that fails a check ([`Error::Handshake`]); the [`Reject`] as given
    /// ([`Error::Rejected`]). A request that is not `CONNECT` gets `405` with
    /// `Allow: CONNECT`; route those away with [`Self::is_websocket`] first if they have
    /// another meaning.
    ///
    /// Nothing is awaited: the answer is queued on the stream and leaves when the
    /// connection is next driven.
    pub fn accept<R, F>(self, options: &AcceptOptions, decide: F) -> Result<H2WebSocket<R>, Error>
    where
        R: Runtime,
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        let (parts, body) = self.request.into_parts();
        let mut respond = self.respond;
        let protocol = parts.extensions.get::<h2::ext::Protocol>().cloned();
        let upgrade = match UpgradeRequest::from_h2_parts(
            &parts,
            protocol.as_ref().map(h2::ext::Protocol::as_str),
        ) {
            Ok(upgrade) => upgrade,
            Err(error) => {
                refuse_invalid(&mut respond, &error);
                return Err(Error::Handshake(error));
            }
        };
        let accept = match decide(&upgrade) {
            Ok(accept) => accept,
            Err(reject) => {
                let mut response = Response::new(());
                *response.status_mut() = reject.status();
                *response.headers_mut() = reject.headers().clone();
                send(&mut respond, response, reject.body_bytes().clone());
                return Err(Error::Rejected(reject.status()));
            }
        };
        let (response, connection) = Connection::accept_request(
            &upgrade,
            accept,
            &options.server_options(),
            options.config.clone(),
            R::now(),
        );
        let mut response = response;
        strip_connection_fields(response.headers_mut());
        let send_stream = respond
            .send_response(response, false)
            .map_err(|error| Error::Io(io_error(error)))?;
        let stream = H2Stream::new(send_stream, body);
        Ok(WebSocket::from_connection(stream, connection))
    }
}

/// A WebSocket on one stream of an HTTP/2 connection.
pub type H2WebSocket<R> = WebSocket<H2Stream, R>;

/// Answers a request that failed a check, as the core says, except that over HTTP/2 the
/// method a WebSocket needs is `CONNECT`.
fn refuse_invalid(respond: &mut SendResponse<Bytes>, error: &HandshakeError) {
    let Some(answer) = error_http_response(error) else {
        respond.send_reset(h2::Reason::PROTOCOL_ERROR);
        return;
    };
    let (mut parts, body) = answer.into_parts();
    if parts.headers.contains_key(header::ALLOW) {
        parts
            .headers
            .insert(header::ALLOW, HeaderValue::from_static("CONNECT"));
    }
    send(respond, Response::from_parts(parts, ()), body);
}

/// Removes the fields HTTP/2 forbids (RFC 9113 §8.2.2): `h2` refuses to send a response
/// that has them, which would leave the stream unanswered.
fn strip_connection_fields(headers: &mut http::HeaderMap) {
    for name in [
        header::CONNECTION,
        header::UPGRADE,
        header::TRANSFER_ENCODING,
        header::HeaderName::from_static("keep-alive"),
        header::HeaderName::from_static("proxy-connection"),
    ] {
        headers.remove(name);
    }
}

/// Sends a final response with `body`, then ends the stream.
fn send(respond: &mut SendResponse<Bytes>, mut response: Response<()>, body: Bytes) {
    strip_connection_fields(response.headers_mut());
    let Ok(mut stream) = respond.send_response(response, body.is_empty()) else {
        // Never leave a request unanswered (a no-op if the client reset it already).
        respond.send_reset(h2::Reason::INTERNAL_ERROR);
        return;
    };
    if !body.is_empty() {
        // Queued without reserving window: error bodies are a sentence long.
        let _ = stream.send_data(body, true);
    }
}
