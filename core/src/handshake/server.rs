//! The server role: read and validate the upgrade request, then accept or reject it.

use crate::extension::deflate::{DeflateConfig, PerMessageDeflate};
use std::time::Instant;

use bytes::Bytes;
use http::header;
use http::{Method, Request, Uri, Version};

use super::accept_key::{accept_key, is_valid_key};
use super::error::HandshakeError;
use super::head::{HeadReader, header_map, malformed};
use super::headers::{extensions, has_token, is_token, list_items, only_value};
use super::limits::HandshakeLimits;
use super::response::{Accept, accept_response, write_accept};
use super::{State, deadline_after};
use crate::extension::ExtensionOffer;

/// A server's opening handshake: feed received bytes to [`Self::receive`] until it returns
/// the [`UpgradeRequest`], then answer with [`UpgradeRequest::accept`] or
/// [`reject_response`](crate::handshake::reject_response). When `receive` fails, answer
/// with [`error_response`](crate::handshake::error_response) and close.
///
/// ```
/// use std::time::Instant;
/// use wsflow_core::handshake::{Accept, HandshakeLimits, ServerHandshake};
///
/// let mut handshake = ServerHandshake::new(HandshakeLimits::default(), Instant::now());
/// let request = handshake
///     .receive(
///         b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
///           Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
///           Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\
///           Sec-WebSocket-Version: 13\r\n\r\n",
///     )?
///     .expect("the head is complete");
/// assert_eq!(request.origin(), Some("http://example.com"));
/// assert_eq!(request.subprotocols, ["chat", "superchat"]);
///
/// let response = request.accept(&Accept::new().subprotocol("chat"));
/// assert!(response.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
/// # Ok::<(), wsflow_core::handshake::HandshakeError>(())
/// ```
#[derive(Debug)]
pub struct ServerHandshake {
    reader: HeadReader,
    deadline: Instant,
    state: State,
    /// How often `httparse` ran, for the test that proves it runs once per request.
    #[cfg(test)]
    pub(crate) parses: usize,
}

/// A valid upgrade request, waiting for the application to accept or reject it.
#[derive(Debug, Clone)]
pub struct UpgradeRequest {
    /// The request head; its URI is the request target as sent (usually path and query).
    pub request: Request<()>,
    /// The offered subprotocols, in the client's order of preference.
    pub subprotocols: Vec<String>,
    /// The offered extensions, in order; the same name may appear more than once with
    /// alternative parameters.
    pub extensions: Vec<ExtensionOffer>,
    /// Bytes received after the request head: the client's first frames. They stay inside
    /// the core, which feeds them to the connection once the request is accepted.
    pub(crate) leftover: Bytes,
    /// The `Sec-WebSocket-Accept` value for an HTTP/1.1 upgrade; `None` for an HTTP/2
    /// extended CONNECT (RFC 8441), which is answered with a plain `200`.
    pub(crate) accept_key: Option<String>,
}

/// Requests are equal when their heads (method, target, version, headers) and what was
/// parsed from them are.
impl PartialEq for UpgradeRequest {
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (&self.request, &other.request);
        a.method() == b.method()
            && a.uri() == b.uri()
            && a.version() == b.version()
            && a.headers() == b.headers()
            && self.subprotocols == other.subprotocols
            && self.extensions == other.extensions
            && self.accept_key == other.accept_key
    }
}

impl Eq for UpgradeRequest {}

impl UpgradeRequest {
    /// Checks a request that an HTTP server (hyper, axum, any other) has already parsed, with
    /// exactly the checks of the byte path (RFC 6455 §4.2.1: GET, HTTP/1.1, one `Host`,
    /// `Upgrade: websocket`, `Connection: upgrade`, version 13, a valid key, well-formed
    /// subprotocol and extension lists). Answer it with
    /// [`Connection::accept_request`](crate::Connection::accept_request), or with
    /// [`HandshakeError::http_status`] when this fails.
    ///
    /// ```
    /// use wsflow_core::handshake::UpgradeRequest;
    ///
    /// let request = http::Request::get("/chat")
    ///     .header("host", "example.com")
    ///     .header("upgrade", "websocket")
    ///     .header("connection", "Upgrade")
    ///     .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
    ///     .header("sec-websocket-version", "13")
    ///     .body(())
    ///     .unwrap();
    /// let (parts, ()) = request.into_parts();
    /// let upgrade = UpgradeRequest::from_parts(&parts)?;
    /// assert_eq!(upgrade.request.uri().path(), "/chat");
    /// # Ok::<(), wsflow_core::handshake::HandshakeError>(())
    /// ```
    pub fn from_parts(parts: &http::request::Parts) -> Result<UpgradeRequest, HandshakeError> {
        let mut request = Request::new(());
        *request.method_mut() = parts.method.clone();
        *request.uri_mut() = parts.uri.clone();
        *request.version_mut() = parts.version;
        *request.headers_mut() = parts.headers.clone();
        validate_request(request)
    }

    /// The `Origin` header, which browsers send; check it against an allow list to stop
    /// other sites' pages from connecting with the user's cookies (RFC 6455 §10.2).
    pub fn origin(&self) -> Option<&str> {
        self.request
            .headers()
            .get(header::ORIGIN)
            .and_then(|value| value.to_str().ok())
    }

    /// Negotiates permessage-deflate (RFC 7692) against the client's offers: the first
    /// acceptable offer wins. Add the returned element to the [`Accept`] and the codec to the
    /// connection; `None` declines compression, which is always a valid answer.
    ///
    /// ```
    /// use wsflow_core::extension::deflate::DeflateConfig;
    /// # fn demo(request: &wsflow_core::handshake::UpgradeRequest) {
    /// let mut accept = wsflow_core::handshake::Accept::new();
    /// if let Some((answer, codec)) = request.negotiate_deflate(&DeflateConfig::default()) {
    ///     accept = accept.extension(answer);
    ///     // Connection::new(..).with_extension(Box::new(codec))
    ///     # let _ = codec;
    /// }
    /// # }
    /// ```
    pub fn negotiate_deflate(
        &self,
        config: &DeflateConfig,
    ) -> Option<(ExtensionOffer, PerMessageDeflate)> {
        config.server_negotiate(&self.extensions)
    }

    /// The `101 Switching Protocols` response accepting this request, to write to the client.
    ///
    /// The choices in `accept` are the application's to make; they are written as given
    /// with one exception: a subprotocol or extension that is not a valid header token, or a
    /// header that would duplicate one written here, is left out rather than written broken.
    ///
    /// This byte form is HTTP/1.1's; an extended CONNECT request (from
    /// [`Self::from_h2_parts`]) is answered with [`Self::accept_response`] by the HTTP/2 layer.
    pub fn accept(&self, accept: &Accept) -> Bytes {
        write_accept(self.accept_key.as_deref(), accept)
    }

    /// Whether this request came as an HTTP/2 extended CONNECT ([`Self::from_h2_parts`]),
    /// to be answered with `200` on its stream rather than `101`.
    pub fn is_extended_connect(&self) -> bool {
        self.accept_key.is_none()
    }

    /// The same acceptance as an [`http::Response`], for an HTTP server that writes the
    /// response itself.
    /// For an extended CONNECT it is the `200` of RFC 8441 §5, without the HTTP/1.1 upgrade
    /// headers.
    pub fn accept_response(&self, accept: &Accept) -> http::Response<()> {
        accept_response(self.accept_key.as_deref(), accept)
    }
}

impl ServerHandshake {
    /// Starts waiting for a request; the client has `limits.timeout` from `now` to send it.
    pub fn new(limits: HandshakeLimits, now: Instant) -> Self {
        ServerHandshake {
            reader: HeadReader::new(limits),
            deadline: deadline_after(now, limits.timeout),
            state: State::Reading,
            #[cfg(test)]
            parses: 0,
        }
    }

    /// When the client must have sent its request; pass to [`Self::handle_timeout`] once
    /// reached.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Fails the handshake with [`HandshakeError::Timeout`] if `now` is at or past the
    /// deadline and the request has not completed.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), HandshakeError> {
        self.state.handle_timeout(now, self.deadline)
    }

    /// Feeds bytes from the client. Returns `Ok(None)` until the request head is complete,
    /// then the validated request once. After an error, every call returns that error again.
    pub fn receive(&mut self, data: &[u8]) -> Result<Option<UpgradeRequest>, HandshakeError> {
        self.state.check()?;
        let result = match self.reader.feed(data) {
            Ok(None) => return Ok(None),
            Ok(Some(leftover)) => {
                #[cfg(test)]
                {
                    self.parses += 1;
                }
                let leftover = Bytes::copy_from_slice(leftover);
                parse_request(&self.reader).map(|mut request| {
                    request.leftover = leftover;
                    request
                })
            }
            Err(error) => Err(error),
        };
        self.state.finish(result).map(Some)
    }

    /// Bytes examined by the head scanner so far.
    #[cfg(test)]
    pub(crate) fn scanned(&self) -> usize {
        self.reader.scanned
    }
}

/// RFC 6455 §4.2.1: the checks a server makes on the client's opening handshake.
fn parse_request(reader: &HeadReader) -> Result<UpgradeRequest, HandshakeError> {
    let head = reader.head();
    let mut slots = vec![httparse::EMPTY_HEADER; reader.header_lines()];
    let mut parsed = httparse::Request::new(&mut slots);
    match parsed.parse(head).map_err(malformed)? {
        httparse::Status::Complete(len) if len == head.len() => {}
        _ => return Err(HandshakeError::Malformed("head ends early".into())),
    }
    let method = parsed.method.unwrap_or_default();
    if method != "GET" {
        return Err(HandshakeError::MethodNotAllowed(method.to_owned()));
    }
    if parsed.version != Some(1) {
        return Err(HandshakeError::UnsupportedHttpVersion);
    }
    let uri = Uri::try_from(parsed.path.unwrap_or_default())
        .map_err(|_| HandshakeError::Malformed("invalid request target".into()))?;
    let mut request = Request::new(());
    *request.method_mut() = Method::GET;
    *request.uri_mut() = uri;
    *request.version_mut() = Version::HTTP_11;
    *request.headers_mut() = header_map(parsed.headers)?;
    validate_request(request)
}

/// The checks on a parsed request head, shared by the byte path and
/// [`UpgradeRequest::from_parts`].
fn validate_request(request: Request<()>) -> Result<UpgradeRequest, HandshakeError> {
    if request.method() != Method::GET {
        return Err(HandshakeError::MethodNotAllowed(
            request.method().to_string(),
        ));
    }
    if request.version() != Version::HTTP_11 {
        return Err(HandshakeError::UnsupportedHttpVersion);
    }
    let headers = request.headers();
    if headers.get_all(header::HOST).into_iter().count() != 1 {
        return Err(HandshakeError::InvalidHost);
    }
    if !headers.contains_key(header::UPGRADE) {
        return Err(HandshakeError::MissingUpgrade);
    }
    if !has_token(headers, &header::UPGRADE, "websocket") {
        return Err(HandshakeError::InvalidUpgrade);
    }
    if !has_token(headers, &header::CONNECTION, "upgrade") {
        return Err(HandshakeError::InvalidConnection);
    }
    if only_value(headers, &header::SEC_WEBSOCKET_VERSION) != Some(b"13") {
        return Err(HandshakeError::UnsupportedVersion);
    }
    let key = only_value(headers, &header::SEC_WEBSOCKET_KEY)
        .filter(|key| is_valid_key(key))
        .ok_or(HandshakeError::InvalidKey)?;
    let accept_key = accept_key(key);
    offers(request, Some(accept_key))
}

/// The offers every WebSocket request carries, whatever the HTTP version: the subprotocol
/// and extension lists, checked the same way for both.
pub(super) fn offers(
    request: Request<()>,
    accept_key: Option<String>,
) -> Result<UpgradeRequest, HandshakeError> {
    let headers = request.headers();
    let mut subprotocols = Vec::new();
    for item in list_items(headers, &header::SEC_WEBSOCKET_PROTOCOL) {
        if !is_token(item) {
            return Err(HandshakeError::InvalidSubprotocols);
        }
        subprotocols.push(String::from_utf8_lossy(item).into_owned());
    }
    let extensions = extensions(headers)?;
    Ok(UpgradeRequest {
        request,
        subprotocols,
        extensions,
        leftover: Bytes::new(),
        accept_key,
    })
}
