//! Options of the runtime modules' `connect` and `accept` helpers, and a server's refusal.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use wsflow_core::Config;
use wsflow_core::extension::deflate::DeflateConfig;
use wsflow_core::handshake::{
    Accept, ClientRequest, HandshakeLimits, ServerOptions, UpgradeRequest,
};

use crate::error::Error;
use crate::proxy::Proxy;

/// Options of a client connection: the handshake's extras and the connection's [`Config`].
///
/// ```
/// use wsflow::ConnectOptions;
///
/// let options = ConnectOptions::new().subprotocol("chat.v1");
/// assert_eq!(options.subprotocols, ["chat.v1"]);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Limits, timers and switches of the connection.
    pub config: Config,
    /// Subprotocols to offer, most wanted first.
    pub subprotocols: Vec<String>,
    /// Extra request headers (`Authorization`, `Origin`, …).
    pub headers: HeaderMap,
    /// Limits on the server's response, and the handshake timeout.
    pub limits: HandshakeLimits,
    /// Offer permessage-deflate (RFC 7692) with these settings; `None` (the default) offers
    /// no compression.
    pub deflate: Option<DeflateConfig>,
    /// The deadline of the whole connect (DNS, TCP, proxy, TLS, handshake); `None` (the
    /// default) means [`DEFAULT_CONNECT_TIMEOUT`](crate::DEFAULT_CONNECT_TIMEOUT), 10 s.
    pub connect_timeout: Option<Duration>,
    /// Connect through this proxy; `None` (the default) connects directly.
    pub proxy: Option<Proxy>,
    /// Without [`proxy`](Self::proxy), take it from `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`
    /// unless `NO_PROXY` lists the host (off by default).
    pub proxy_from_env: bool,
    /// How many handshake redirects to follow (0, the default: none).
    pub max_redirects: u8,
    /// The TLS client config for `wss://` URLs; `None` (the default) uses
    /// [`tls::default_client_config`](crate::tls::default_client_config).
    #[cfg(feature = "rustls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
    pub tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

impl ConnectOptions {
    /// The defaults: no subprotocol, no extra header, default limits and config.
    pub fn new() -> Self {
        ConnectOptions::default()
    }

    /// Replaces the connection's config.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Offers a subprotocol, after those already added.
    pub fn subprotocol(mut self, name: impl Into<String>) -> Self {
        self.subprotocols.push(name.into());
        self
    }

    /// Adds a request header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Replaces the handshake limits and timeout.
    pub fn limits(mut self, limits: HandshakeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Turns permessage-deflate on with these settings (off by default).
    pub fn deflate(mut self, deflate: DeflateConfig) -> Self {
        self.deflate = Some(deflate);
        self
    }

    /// The handshake request for `url` with these options, checked.
    pub fn request(&self, url: &str) -> Result<ClientRequest, Error> {
        let mut request = ClientRequest::new(url)?.limits(self.limits);
        for name in &self.subprotocols {
            request = request.subprotocol(name.clone());
        }
        for (name, value) in &self.headers {
            request = request.header(name.clone(), value.clone());
        }
        if let Some(deflate) = &self.deflate {
            request = request.deflate(deflate.clone());
        }
        request.validate()?;
        Ok(request)
    }
}

/// Options of a server connection.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AcceptOptions {
    /// Limits, timers and switches of the connection.
    pub config: Config,
    /// Limits on the client's request, and the handshake timeout.
    pub limits: HandshakeLimits,
    /// Accept permessage-deflate (RFC 7692) offers with these settings; `None` (the
    /// default) declines compression.
    pub deflate: Option<DeflateConfig>,
}

impl AcceptOptions {
    /// The defaults.
    pub fn new() -> Self {
        AcceptOptions::default()
    }

    /// Replaces the connection's config.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Replaces the handshake limits and timeout.
    pub fn limits(mut self, limits: HandshakeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// Turns permessage-deflate on with these settings (off by default).
    pub fn deflate(mut self, deflate: DeflateConfig) -> Self {
        self.deflate = Some(deflate);
        self
    }

    /// The core's settings for the server side of the handshake.
    pub fn server_options(&self) -> ServerOptions {
        let mut options = ServerOptions::new().limits(self.limits);
        options.deflate.clone_from(&self.deflate);
        options
    }
}

/// A server's refusal of an upgrade request: the HTTP response to send before closing.
/// Boxed inside, so a `Result<Accept, Reject>` stays small.
///
/// ```
/// use http::{HeaderValue, StatusCode, header};
/// use wsflow::Reject;
///
/// let reject = Reject::new(StatusCode::UNAUTHORIZED)
///     .header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
///     .body("log in first");
/// assert_eq!(reject.status(), StatusCode::UNAUTHORIZED);
/// let plain: Reject = StatusCode::FORBIDDEN.into();
/// assert!(plain.body_bytes().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct Reject(Box<RejectParts>);

#[derive(Debug, Clone)]
struct RejectParts {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reject {
    /// A refusal with `status`, no extra header and an empty body.
    pub fn new(status: StatusCode) -> Self {
        Reject(Box::new(RejectParts {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }))
    }

    /// Adds a response header (`WWW-Authenticate`, `Retry-After`, …).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.0.headers.append(name, value);
        self
    }

    /// Sets the response body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.0.body = body.into();
        self
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The extra response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// The response body.
    pub fn body_bytes(&self) -> &Bytes {
        &self.0.body
    }
}

impl From<StatusCode> for Reject {
    fn from(status: StatusCode) -> Self {
        Reject::new(status)
    }
}

/// The `decide` callback that accepts every valid request with no subprotocol and no
/// extension: what the runtime modules' `accept` uses.
pub fn accept_any(_request: &UpgradeRequest) -> Result<Accept, Reject> {
    Ok(Accept::new())
}
