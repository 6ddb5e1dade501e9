//! What a server writes back: the 101 acceptance, or an HTTP error that closes the connection.

use std::borrow::Cow;

use bytes::Bytes;
use http::StatusCode;
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::error::HandshakeError;
use super::headers::{
    has_token, is_handshake_header, is_safe_value, is_sendable_offer, is_token, list_items,
    write_header,
};
use crate::extension::{ExtensionOffer, format_extensions};

/// The application's answer to an [`UpgradeRequest`](crate::handshake::UpgradeRequest):
/// which subprotocol and extensions it agreed to, and any extra response headers
/// (`Set-Cookie`, say).
///
/// ```
/// use wsflow_core::extension::ExtensionOffer;
/// use wsflow_core::handshake::Accept;
///
/// let accept = Accept::new()
///     .subprotocol("chat")
///     .extension(ExtensionOffer::new("permessage-deflate"));
/// assert_eq!(accept.subprotocol.as_deref(), Some("chat"));
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Accept {
    /// The chosen subprotocol; it should be one the client offered, or the client will fail
    /// the connection.
    pub subprotocol: Option<String>,
    /// The accepted extensions with their response parameters, in the order they apply.
    pub extensions: Vec<ExtensionOffer>,
    /// Extra response headers. The WebSocket headers (Upgrade, Connection,
    /// `Sec-WebSocket-*`) are written by the handshake and skipped here.
    pub headers: HeaderMap,
}

impl Accept {
    /// Accepts with no subprotocol, no extension and no extra header.
    pub fn new() -> Self {
        Accept::default()
    }

    /// Chooses a subprotocol.
    pub fn subprotocol(mut self, name: impl Into<String>) -> Self {
        self.subprotocol = Some(name.into());
        self
    }

    /// Accepts an extension, after those already added.
    pub fn extension(mut self, extension: ExtensionOffer) -> Self {
        self.extensions.push(extension);
        self
    }

    /// Adds an extra response header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }
}

/// RFC 6455 §4.2.2 step 5: the header fields of the server's acceptance, in the order they
/// are written, WebSocket fields first with their usual spelling. The choices in `accept` are
/// the application's; a subprotocol or extension that is not a valid header token, or an
/// extra header that would duplicate one of ours or frame a body, is left out rather than
/// written broken. Both forms of the answer (bytes and [`http::Response`]) come from here.
///
/// Without an `accept_key` (an HTTP/2 extended CONNECT, RFC 8441 §5) there is no upgrade to
/// announce: no `Upgrade`, `Connection` or `Sec-WebSocket-Accept`.
fn accept_fields(
    accept_key: Option<&str>,
    accept: &Accept,
) -> Vec<(Cow<'static, str>, HeaderValue)> {
    let mut fields: Vec<(Cow<'static, str>, HeaderValue)> = Vec::new();
    if let Some(accept_key) = accept_key {
        fields.push(("Upgrade".into(), HeaderValue::from_static("websocket")));
        fields.push(("Connection".into(), HeaderValue::from_static("Upgrade")));
        if let Ok(value) = HeaderValue::from_str(accept_key) {
            fields.push(("Sec-WebSocket-Accept".into(), value));
        }
    }
    if let Some(value) = accept
        .subprotocol
        .as_deref()
        .filter(|n| is_token(n.as_bytes()))
        .and_then(|name| HeaderValue::from_str(name).ok())
    {
        fields.push(("Sec-WebSocket-Protocol".into(), value));
    }
    let extensions: Vec<ExtensionOffer> = accept
        .extensions
        .iter()
        .filter(|offer| is_sendable_offer(offer))
        .cloned()
        .collect();
    if !extensions.is_empty() {
        if let Ok(value) = HeaderValue::from_str(&format_extensions(&extensions)) {
            fields.push(("Sec-WebSocket-Extensions".into(), value));
        }
    }
    for (name, value) in &accept.headers {
        // A 101 has no body, so a length or transfer coding would only confuse the client.
        let framing = name == header::CONTENT_LENGTH || name == header::TRANSFER_ENCODING;
        if !is_handshake_header(name) && !framing && is_safe_value(value.as_bytes()) {
            fields.push((name.as_str().to_owned().into(), value.clone()));
        }
    }
    fields
}

/// The acceptance as bytes, for the byte path (an extended CONNECT, which never takes it,
/// would get the head of a `200`).
pub(crate) fn write_accept(accept_key: Option<&str>, accept: &Accept) -> Bytes {
    let mut out = Vec::with_capacity(256);
    if accept_key.is_some() {
        out.extend_from_slice(b"HTTP/1.1 101 Switching Protocols\r\n");
    } else {
        out.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    }
    for (name, value) in accept_fields(accept_key, accept) {
        write_header(&mut out, name.as_bytes(), value.as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    Bytes::from(out)
}

/// The acceptance as an [`http::Response`], for an HTTP server that writes it itself.
/// An extended CONNECT (no `accept_key`) gets `200 OK` (RFC 8441 §5).
pub(crate) fn accept_response(accept_key: Option<&str>, accept: &Accept) -> http::Response<()> {
    let mut response = http::Response::new(());
    *response.status_mut() = if accept_key.is_some() {
        StatusCode::SWITCHING_PROTOCOLS
    } else {
        StatusCode::OK
    };
    for (name, value) in accept_fields(accept_key, accept) {
        if let Ok(name) = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// An HTTP response refusing the upgrade, after which the server closes the connection.
///
/// Writes `status`, the given headers, `Content-Length` for `body`, and `Connection: close`
/// (appended to any `Connection` tokens in `headers`, so a 426 can still say `Upgrade`).
/// `Content-Length` and `Transfer-Encoding` in `headers` are ignored: the body's framing is
/// decided here.
///
/// ```
/// use http::{HeaderMap, StatusCode};
/// use wsflow_core::handshake::reject_response;
///
/// let response = reject_response(StatusCode::FORBIDDEN, &HeaderMap::new(), b"no");
/// assert_eq!(
///     &response[..],
///     b"HTTP/1.1 403 Forbidden\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno"
/// );
/// ```
pub fn reject_response(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(128 + body.len());
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(status.as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(status.canonical_reason().unwrap_or("").as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in headers {
        let ours = name == header::CONTENT_LENGTH
            || name == header::TRANSFER_ENCODING
            || name == header::CONNECTION;
        if !ours && is_safe_value(value.as_bytes()) {
            write_header(&mut out, name.as_str().as_bytes(), value.as_bytes());
        }
    }
    write_header(
        &mut out,
        b"Content-Length",
        body.len().to_string().as_bytes(),
    );
    let mut connection: Vec<&[u8]> = list_items(headers, &header::CONNECTION)
        .filter(|token| is_token(token))
        .collect();
    if !has_token(headers, &header::CONNECTION, "close") {
        connection.push(b"close");
    }
    write_header(&mut out, b"Connection", &connection.join(&b", "[..]));
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    Bytes::from(out)
}

/// The ready-made response to a request that failed with `error`, or `None` when the error
/// is not about a received request (client-side errors).
///
/// The body is a short fixed sentence that never repeats what the client sent. A 426 for
/// a wrong version carries `Sec-WebSocket-Version: 13` (RFC 6455 §4.4); a 426 for a missing
/// `Upgrade` also says `Upgrade: websocket`; a 405 carries `Allow: GET`.
pub fn error_response(error: &HandshakeError) -> Option<Bytes> {
    let response = error_http_response(error)?;
    Some(reject_response(
        response.status(),
        response.headers(),
        response.body(),
    ))
}

/// The same answer as [`error_response`], as an [`http::Response`] for an HTTP server
/// (hyper, axum, …) that writes responses itself: status, headers and body, without the
/// `Content-Length` and `Connection: close` the server adds or decides on.
///
/// ```
/// use wsflow_core::handshake::{HandshakeError, error_http_response};
///
/// let response = error_http_response(&HandshakeError::UnsupportedVersion).unwrap();
/// assert_eq!(response.status(), 426);
/// assert_eq!(response.headers()["sec-websocket-version"], "13");
/// assert_eq!(&response.body()[..], b"Sec-WebSocket-Version must be 13\n");
/// ```
pub fn error_http_response(error: &HandshakeError) -> Option<http::Response<Bytes>> {
    let status = error.http_status()?;
    let mut headers = HeaderMap::new();
    let version = || HeaderValue::from_static("13");
    match error {
        HandshakeError::UnsupportedVersion => {
            headers.insert(header::SEC_WEBSOCKET_VERSION, version());
        }
        HandshakeError::MissingUpgrade => {
            headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
            headers.insert(header::CONNECTION, HeaderValue::from_static("Upgrade"));
            headers.insert(header::SEC_WEBSOCKET_VERSION, version());
        }
        HandshakeError::MethodNotAllowed(_) => {
            headers.insert(header::ALLOW, HeaderValue::from_static("GET"));
        }
        _ => {}
    }
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    let mut response = http::Response::new(Bytes::from(format!("{}\n", error.public_reason())));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Some(response)
}
