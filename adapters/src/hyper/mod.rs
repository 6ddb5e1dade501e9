//! WebSocket upgrades of [hyper](https://hyper.rs) 1 server requests.
//!
//! [`upgrade`] checks a request with exactly the checks of the byte path
//! ([`UpgradeRequest::from_parts`]), lets the application decide (subprotocol, extra headers,
//! or a refusal), negotiates permessage-deflate as [`AcceptOptions::deflate`] allows, and
//! returns the `101` response for the service to return plus an [`UpgradeFut`] that yields
//! the [`WebSocket`] once hyper has switched the connection. A request that fails a check
//! gets a [`Refusal`] holding the right HTTP error response (400, 405, 426, 505, …).
//!
//! Nothing is spawned here: the service returns the response, and the caller spawns (or
//! otherwise drives) the upgrade future on its executor. The connection must be served with
//! upgrades enabled (`hyper::server::conn::http1::Builder::serve_connection(..).with_upgrades()`).
//!
//! ```no_run
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use http_body_util::Full;
//! use hyper::{Request, Response};
//! use wsflow::{Accept, AcceptOptions, Reject, UpgradeRequest};
//!
//! async fn service(
//!     mut request: Request<hyper::body::Incoming>,
//! ) -> Result<Response<Full<Bytes>>, Infallible> {
//!     if !wsflow::hyper::is_upgrade_request(&request) {
//!         return Ok(Response::new(Full::new(Bytes::from("hello over HTTP"))));
//!     }
//!     let decide = |request: &UpgradeRequest| -> Result<Accept, Reject> {
//!         match request.subprotocols.iter().find(|name| *name == "chat") {
//!             Some(name) => Ok(Accept::new().subprotocol(name.clone())),
//!             None => Ok(Accept::new()),
//!         }
//!     };
//!     match wsflow::hyper::upgrade(&mut request, &AcceptOptions::new(), decide) {
//!         Ok((response, upgrade)) => {
//!             tokio::spawn(async move {
//!                 let Ok(mut ws) = upgrade.await else { return };
//!                 while let Ok(Some(message)) = ws.recv().await {
//!                     if ws.send(message).await.is_err() {
//!                         break;
//!                     }
//!                 }
//!             });
//!             Ok(response)
//!         }
//!         Err(refusal) => Ok(refusal.into_response()),
//!     }
//! }
//! ```

mod io;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::upgrade::OnUpgrade;
use wsflow_core::handshake::{Accept, HandshakeError, UpgradeRequest, error_http_response};
use wsflow_core::{Config, Connection};

use crate::tokio::TokioRuntime;
use crate::{AcceptOptions, Error, Reject, Runtime, WebSocket};

pub use io::UpgradedIo;

/// A WebSocket on a connection that hyper upgraded, driven by tokio's timers.
pub type HyperWebSocket = WebSocket<UpgradedIo, TokioRuntime>;

/// Whether `request` asks for a WebSocket: its `Upgrade` header names `websocket`. This is
/// for routing only and says nothing about validity; [`upgrade`] runs the checks and answers
/// a malformed request with the right error, so route every request this returns `true` for
/// to it.
pub fn is_upgrade_request<B>(request: &Request<B>) -> bool {
    wants_websocket(request.headers())
}

/// [`is_upgrade_request`] on the headers alone.
pub(crate) fn wants_websocket(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::UPGRADE)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&byte| byte == b','))
        .any(|item| item.trim_ascii().eq_ignore_ascii_case(b"websocket"))
}

/// Upgrades a hyper server request (any body type) to a WebSocket.
///
/// The request is checked as on the byte path (RFC 6455 §4.2.1) and, if valid, shown to
/// `decide`, which answers with an [`Accept`] (subprotocol, extra headers) or a [`Reject`].
/// On acceptance this returns the `101 Switching Protocols` response, which the service must
/// return unchanged, and the [`UpgradeFut`] to await (in a task of the caller's) for the
/// open WebSocket; permessage-deflate is negotiated as `options.deflate` allows and
/// `options.config` governs the connection. The request's `hyper::upgrade::OnUpgrade` is
/// taken out of its extensions.
///
/// On failure the [`Refusal`] carries the HTTP response to return instead: the core's error
/// answer for a request that fails a check (status from [`HandshakeError::http_status`]),
/// the application's [`Reject`] as given, or `500` when the request cannot be upgraded at
/// all (it did not come from a hyper server connection).
pub fn upgrade<B, F>(
    request: &mut Request<B>,
    options: &AcceptOptions,
    decide: F,
) -> Result<(Response<Full<Bytes>>, UpgradeFut), Refusal>
where
    F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    let (mut parts, ()) = Request::new(()).into_parts();
    parts.method = request.method().clone();
    parts.uri = request.uri().clone();
    parts.version = request.version();
    parts.headers = request.headers().clone();
    let upgrade_request = UpgradeRequest::from_parts(&parts).map_err(Refusal::invalid)?;
    let on_upgrade = take_on_upgrade(request.extensions_mut())?;
    let accept = decide(&upgrade_request).map_err(|reject| Refusal::rejected(&reject))?;
    Ok(accept_with(
        &upgrade_request,
        accept,
        on_upgrade,
        options,
        options.config.clone(),
    ))
}

/// Takes hyper's upgrade handle out of a request's extensions.
pub(crate) fn take_on_upgrade(extensions: &mut http::Extensions) -> Result<OnUpgrade, Refusal> {
    extensions
        .remove::<OnUpgrade>()
        .ok_or_else(Refusal::not_upgradable)
}

/// The accepting half shared with the axum extractor: the core answers and opens the
/// connection, so negotiation is the byte path's.
pub(crate) fn accept_with(
    request: &UpgradeRequest,
    accept: Accept,
    on_upgrade: OnUpgrade,
    options: &AcceptOptions,
    config: Config,
) -> (Response<Full<Bytes>>, UpgradeFut) {
    let (response, connection) = Connection::accept_request(
        request,
        accept,
        &options.server_options(),
        config,
        TokioRuntime::now(),
    );
    let response = response.map(|()| Full::new(Bytes::new()));
    let future = UpgradeFut {
        on_upgrade,
        connection: Some(connection),
    };
    (response, future)
}

/// The open [`HyperWebSocket`], once hyper has sent the `101` and handed the connection
/// over. Returned by [`upgrade`]; await it in a task of your own after returning the
/// response (it cannot complete before the response is written).
///
/// Fails with [`Error::Io`] when hyper cannot upgrade the connection (the client went away,
/// or the connection was served without `with_upgrades()`).
///
/// # Cancel safety
///
/// Dropping it drops the upgraded connection, which closes it without a close handshake.
#[must_use = "the WebSocket exists only once this future is awaited"]
pub struct UpgradeFut {
    on_upgrade: OnUpgrade,
    connection: Option<Connection>,
}

impl UpgradeFut {
    /// The negotiated subprotocol, if any (also in the `101` response's headers).
    pub fn subprotocol(&self) -> Option<&str> {
        self.connection
            .as_ref()
            .and_then(Connection::opened)
            .and_then(|opened| opened.subprotocol.as_deref())
    }
}

impl fmt::Debug for UpgradeFut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UpgradeFut")
            .field("subprotocol", &self.subprotocol())
            .finish_non_exhaustive()
    }
}

impl Future for UpgradeFut {
    type Output = Result<HyperWebSocket, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let upgraded = ready!(Pin::new(&mut self.on_upgrade).poll(cx));
        // Polled again after completion: the connection was handed out already.
        let Some(connection) = self.connection.take() else {
            return Poll::Ready(Err(Error::Closed));
        };
        let upgraded = upgraded.map_err(|error| Error::Io(std::io::Error::other(error)))?;
        Poll::Ready(Ok(WebSocket::from_connection(
            UpgradedIo(upgraded),
            connection,
        )))
    }
}

/// An upgrade that did not happen: the HTTP response to send instead, and why. Boxed
/// inside, so the `Result` of [`upgrade`] stays small.
#[derive(Debug)]
pub struct Refusal(Box<RefusalParts>);

#[derive(Debug)]
struct RefusalParts {
    response: Response<Full<Bytes>>,
    error: Error,
}

impl Refusal {
    fn new(response: Response<Full<Bytes>>, error: Error) -> Self {
        Refusal(Box::new(RefusalParts { response, error }))
    }

    /// The core's answer to a request that failed a check.
    pub(crate) fn invalid(error: HandshakeError) -> Self {
        let response = error_http_response(&error).map_or_else(
            || status_response(StatusCode::BAD_REQUEST, Bytes::new()),
            |response| response.map(Full::new),
        );
        Refusal::new(response, Error::Handshake(error))
    }

    /// The application's refusal, sent as given.
    pub(crate) fn rejected(reject: &Reject) -> Self {
        let mut response = status_response(reject.status(), reject.body_bytes().clone());
        response.headers_mut().clone_from(reject.headers());
        Refusal::new(response, Error::Rejected(reject.status()))
    }

    /// A request without hyper's upgrade handle: not from a hyper server connection.
    fn not_upgradable() -> Self {
        let why = "the request carries no hyper::upgrade::OnUpgrade: it did not come from a hyper server connection";
        let response = status_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            Bytes::from_static(b"this connection cannot be upgraded\n"),
        );
        Refusal::new(response, Error::Io(std::io::Error::other(why)))
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.0.response.status()
    }

    /// Why: [`Error::Handshake`] for a request that failed a check, [`Error::Rejected`] for
    /// the application's refusal, [`Error::Io`] for a request hyper cannot upgrade.
    pub fn error(&self) -> &Error {
        &self.0.error
    }

    /// The response to return from the service.
    pub fn into_response(self) -> Response<Full<Bytes>> {
        self.0.response
    }

    /// The response and the error.
    pub fn into_parts(self) -> (Response<Full<Bytes>>, Error) {
        (self.0.response, self.0.error)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebSocket upgrade refused with {}", self.status())
    }
}

impl std::error::Error for Refusal {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0.error)
    }
}

/// A response with `status` and `body`.
fn status_response(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
}
