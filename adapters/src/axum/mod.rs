//! An [axum](https://docs.rs/axum) 0.8 extractor for wsflow WebSockets.
//!
//! [`WebSocketUpgrade`] takes the place of axum's own `WebSocketUpgrade` (which is tied to
//! tokio-tungstenite). It checks the request with the byte path's checks when it is
//! extracted, so a bad request never reaches the handler: it is answered with the core's
//! error response (400, 405, 426, 505, …, with a one-line reason). In the handler, choose
//! subprotocols, permessage-deflate and the connection's [`Config`], look at the request
//! ([`WebSocketUpgrade::request`]) or decide with a callback, then return
//! [`WebSocketUpgrade::on_upgrade`]'s response.
//!
//! **The one spawn**: an axum handler must return its `101` response before hyper can hand
//! the connection over, so `on_upgrade` spawns one tokio task that awaits the upgrade and
//! runs the callback — exactly what axum's own extractor does. To spawn it yourself (another
//! executor, a `JoinSet`, a task name), use [`WebSocketUpgrade::upgrade`], which spawns
//! nothing and returns the response with the [`UpgradeFut`].
//!
//! `Option<WebSocketUpgrade>` serves plain HTTP and WebSocket on one route: `None` for a
//! request that does not ask for a WebSocket, a rejection for one that asks badly.
//!
//! ```no_run
//! use axum::response::Response;
//! use wsflow::DeflateConfig;
//! use wsflow::axum::WebSocketUpgrade;
//!
//! async fn chat(ws: WebSocketUpgrade) -> Response {
//!     ws.protocols(["chat.v2", "chat.v1"])
//!         .deflate(DeflateConfig::default())
//!         .on_upgrade(|mut socket| async move {
//!             while let Ok(Some(message)) = socket.recv().await {
//!                 if socket.send(message).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         })
//! }
//!
//! let app: axum::Router = axum::Router::new().route("/chat", axum::routing::get(chat));
//! ```

use std::fmt;
use std::future::Future;

use axum::body::Body;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::HeaderMap;
use http::request::Parts;
use http_body_util::Full;
use hyper::upgrade::OnUpgrade;
use wsflow_core::Config;
use wsflow_core::extension::deflate::DeflateConfig;
use wsflow_core::handshake::{Accept, UpgradeRequest};

use crate::hyper::{
    HyperWebSocket, Refusal, UpgradeFut, accept_with, take_on_upgrade, wants_websocket,
};
use crate::{AcceptOptions, Error, Reject};

/// A valid WebSocket upgrade request, extracted from an axum request; see the
/// [module docs](self). The rejection is a [`Refusal`], which answers with the core's error
/// response.
pub struct WebSocketUpgrade {
    request: UpgradeRequest,
    on_upgrade: OnUpgrade,
    options: AcceptOptions,
    protocols: Vec<String>,
    on_failed: Option<Box<dyn FnOnce(Error) + Send>>,
}

impl fmt::Debug for WebSocketUpgrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocketUpgrade")
            .field("request", &self.request)
            .field("options", &self.options)
            .field("protocols", &self.protocols)
            .finish_non_exhaustive()
    }
}

impl WebSocketUpgrade {
    /// Checks `parts` and takes hyper's upgrade handle out of its extensions.
    fn from_parts(parts: &mut Parts) -> Result<Self, Refusal> {
        let request = UpgradeRequest::from_parts(parts).map_err(Refusal::invalid)?;
        let on_upgrade = take_on_upgrade(&mut parts.extensions)?;
        Ok(WebSocketUpgrade {
            request,
            on_upgrade,
            options: AcceptOptions::new(),
            protocols: Vec::new(),
            on_failed: None,
        })
    }

    /// The subprotocols this endpoint speaks. The first subprotocol in the *client's* list
    /// (its order of preference, RFC 6455 §4.1) that is among these is chosen; with no
    /// match, none is (the client then decides whether to go on).
    pub fn protocols<I>(mut self, protocols: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Accepts permessage-deflate (RFC 7692) offers with these settings (off by default).
    pub fn deflate(mut self, deflate: DeflateConfig) -> Self {
        self.options.deflate = Some(deflate);
        self
    }

    /// Replaces the connection's config (limits, timers, keepalive).
    pub fn config(mut self, config: Config) -> Self {
        self.options.config = config;
        self
    }

    /// Called with the error, in the spawned task, when hyper fails to upgrade the
    /// connection after the `101` (the client went away); by default the error is dropped.
    pub fn on_failed_upgrade<F>(mut self, callback: F) -> Self
    where
        F: FnOnce(Error) + Send + 'static,
    {
        self.on_failed = Some(Box::new(callback));
        self
    }

    /// The checked request: target, headers (`Origin`, `Authorization`, cookies), offered
    /// subprotocols and extensions.
    pub fn request(&self) -> &UpgradeRequest {
        &self.request
    }

    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        self.request.request.headers()
    }

    /// The subprotocol [`Self::protocols`] chooses for this request, if any.
    pub fn selected_protocol(&self) -> Option<&str> {
        self.request
            .subprotocols
            .iter()
            .find(|offered| self.protocols.iter().any(|ours| ours == *offered))
            .map(String::as_str)
    }

    /// Accepts, without spawning anything: the `101` response to return from the handler
    /// and the future of the WebSocket, to spawn or drive yourself (it completes only after
    /// the response has been sent).
    pub fn upgrade(self) -> (Response, UpgradeFut) {
        let mut accept = Accept::new();
        if let Some(name) = self.selected_protocol() {
            accept = accept.subprotocol(name);
        }
        let (response, future) = accept_with(
            &self.request,
            accept,
            self.on_upgrade,
            &self.options,
            self.options.config.clone(),
        );
        (into_axum(response), future)
    }

    /// Accepts (with the subprotocol [`Self::protocols`] chose) and spawns a tokio task
    /// that awaits the upgraded connection and runs `callback` on the WebSocket; returns
    /// the `101` response for the handler to return. The spawn is the same as in axum's
    /// own extractor; [`Self::upgrade`] is the spawn-free form.
    pub fn on_upgrade<C, Fut>(mut self, callback: C) -> Response
    where
        C: FnOnce(HyperWebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let on_failed = self.on_failed.take();
        let (response, future) = self.upgrade();
        spawn(future, on_failed, callback);
        response
    }

    /// Lets `decide` answer the request (subprotocol, extra headers such as `Set-Cookie`,
    /// or a [`Reject`] such as a 401 or 403, which is returned as the response), then
    /// proceeds as [`Self::on_upgrade`]. The [`Accept`] is used as given: [`Self::protocols`]
    /// does not apply (read [`Self::selected_protocol`] inside `decide` to combine them).
    pub fn on_upgrade_with<D, C, Fut>(self, decide: D, callback: C) -> Response
    where
        D: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
        C: FnOnce(HyperWebSocket) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        match self.upgrade_with(decide) {
            Ok((response, future, on_failed)) => {
                spawn(future, on_failed, callback);
                response
            }
            Err(refusal) => IntoResponse::into_response(refusal),
        }
    }

    /// The decision step of [`Self::on_upgrade_with`].
    #[allow(clippy::type_complexity)]
    fn upgrade_with<D>(
        mut self,
        decide: D,
    ) -> Result<(Response, UpgradeFut, Option<Box<dyn FnOnce(Error) + Send>>), Refusal>
    where
        D: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        let accept = decide(&self.request).map_err(|reject| Refusal::rejected(&reject))?;
        let (response, future) = accept_with(
            &self.request,
            accept,
            self.on_upgrade,
            &self.options,
            self.options.config.clone(),
        );
        Ok((into_axum(response), future, self.on_failed.take()))
    }
}

/// The task `on_upgrade` spawns: await hyper's upgrade, then run the application.
fn spawn<C, Fut>(future: UpgradeFut, on_failed: Option<Box<dyn FnOnce(Error) + Send>>, callback: C)
where
    C: FnOnce(HyperWebSocket) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    ::tokio::spawn(async move {
        match future.await {
            Ok(socket) => callback(socket).await,
            Err(error) => {
                if let Some(on_failed) = on_failed {
                    on_failed(error);
                }
            }
        }
    });
}

fn into_axum(response: http::Response<Full<Bytes>>) -> Response {
    response.map(Body::new)
}

impl<S: Send + Sync> FromRequestParts<S> for WebSocketUpgrade {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Refusal> {
        WebSocketUpgrade::from_parts(parts)
    }
}

/// `None` for a request without `Upgrade: websocket` (plain HTTP on the same route); a
/// request that asks for a WebSocket but fails a check is still rejected.
impl<S: Send + Sync> OptionalFromRequestParts<S> for WebSocketUpgrade {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, Refusal> {
        if !wants_websocket(&parts.headers) {
            return Ok(None);
        }
        WebSocketUpgrade::from_parts(parts).map(Some)
    }
}

/// The refusal's HTTP response: the core's error answer, or the application's [`Reject`].
impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        into_axum(Refusal::into_response(self))
    }
}
