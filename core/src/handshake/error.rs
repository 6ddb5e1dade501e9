//! Why a handshake failed, and the HTTP status a server answers a bad request with.

use std::fmt;

use http::StatusCode;

use crate::extension::ExtensionHeaderError;

/// A failed opening handshake.
///
/// Server side, [`Self::http_status`] says how to answer the request and
/// [`error_response`](crate::handshake::error_response) builds that answer. Client side, the
/// variants say what was wrong with the server's response (or with our own request).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum HandshakeError {
    /// The URL given to [`ClientRequest::new`](crate::handshake::ClientRequest::new) does not
    /// parse, has no host, or carries user info or a fragment (RFC 6455 §3 forbids both).
    InvalidUrl(String),
    /// The URL's scheme is neither `ws` nor `wss`.
    UnsupportedScheme(String),
    /// A subprotocol given to the client builder is not an HTTP token, so it cannot be sent.
    InvalidSubprotocolName(String),
    /// An extension offer given to the client builder has a name, parameter name or value
    /// that is not an HTTP token; carries the extension's name.
    InvalidExtensionOffer(String),
    /// An extra header that the handshake sets itself (Upgrade, Connection, `Sec-WebSocket-*`);
    /// use the dedicated builder method instead.
    ReservedHeader(http::HeaderName),
    /// An extra header's value contains CR, LF or NUL (possible only through `http`'s
    /// unchecked constructors); writing it would split the request.
    InvalidHeaderValue(http::HeaderName),
    /// The request line (server) or status line (client) is longer than
    /// [`HandshakeLimits::max_line_len`](crate::handshake::HandshakeLimits::max_line_len). 414.
    StartLineTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// A header line is longer than
    /// [`HandshakeLimits::max_line_len`](crate::handshake::HandshakeLimits::max_line_len). 431.
    HeaderLineTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// More header lines than
    /// [`HandshakeLimits::max_headers`](crate::handshake::HandshakeLimits::max_headers). 431.
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
    /// The head grew past
    /// [`HandshakeLimits::max_header_bytes`](crate::handshake::HandshakeLimits::max_header_bytes)
    /// before it ended. 431.
    HeadTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The deadline passed before the peer completed its part of the handshake. 408.
    Timeout,
    /// The head is not valid HTTP/1.x. 400.
    Malformed(String),
    /// The request method is not GET (RFC 6455 §4.1). 405.
    MethodNotAllowed(String),
    /// The message is HTTP/1.0; WebSocket needs HTTP/1.1 or later. 505.
    UnsupportedHttpVersion,
    /// The request has no `Host` header, or more than one. 400.
    InvalidHost,
    /// There is no `Upgrade` header at all: likely a plain HTTP client. 426, answered with
    /// `Upgrade: websocket` so the client learns what this endpoint speaks.
    MissingUpgrade,
    /// The `Upgrade` header does not contain the `websocket` token. 400.
    InvalidUpgrade,
    /// The `Connection` header does not contain the `upgrade` token. 400.
    InvalidConnection,
    /// `Sec-WebSocket-Version` is missing or not 13. 426, answered with
    /// `Sec-WebSocket-Version: 13` (RFC 6455 §4.4).
    UnsupportedVersion,
    /// `Sec-WebSocket-Key` is missing, repeated, or not base64 for 16 bytes. 400.
    InvalidKey,
    /// A malformed `Sec-WebSocket-Protocol` header: not a list of tokens (server), or not
    /// exactly one token (client). 400.
    InvalidSubprotocols,
    /// A malformed `Sec-WebSocket-Extensions` header. 400.
    InvalidExtensions(ExtensionHeaderError),
    /// The server answered with a status other than 101. The response is kept so the caller
    /// can follow a redirect or read `WWW-Authenticate`; its body holds the bytes that
    /// arrived after the head in the same read — the start of the body at most, since the
    /// handshake does not wait for the rest.
    UnexpectedStatus(Box<http::Response<bytes::Bytes>>),
    /// `Sec-WebSocket-Accept` is missing, repeated, or does not match our key.
    InvalidAccept,
    /// The server chose a subprotocol we did not offer.
    UnexpectedSubprotocol(String),
    /// The server accepted an extension we did not offer; carries its name.
    UnexpectedExtension(String),
    /// The server's permessage-deflate answer does not fit what we offered (RFC 7692 §5:
    /// the client must then fail the connection).
    InvalidDeflateResponse(crate::extension::deflate::DeflateNegotiationError),
    /// An HTTP/2 extended CONNECT (RFC 8441 §4) whose `:protocol` is missing or not
    /// `websocket`. 400.
    InvalidProtocol,
    /// The HTTP/2 server did not advertise `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1` (RFC 8441
    /// §3), so it cannot take a WebSocket on that connection; use HTTP/1.1.
    ExtendedConnectDisabled,
    /// `receive` was called after the handshake had already completed.
    Finished,
    /// The transport ended (EOF) before the peer completed its part of the handshake.
    ConnectionClosed,
}

impl HandshakeError {
    /// The status a server answers with when a request failed this way, or `None` for
    /// errors no request can cause (bad client configuration, checks on a server's response).
    /// On the client side the value has no use; the variants that both roles share return it
    /// all the same.
    pub fn http_status(&self) -> Option<StatusCode> {
        Some(match self {
            HandshakeError::StartLineTooLong { .. } => StatusCode::URI_TOO_LONG,
            HandshakeError::HeaderLineTooLong { .. }
            | HandshakeError::TooManyHeaders { .. }
            | HandshakeError::HeadTooLarge { .. } => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            HandshakeError::Timeout => StatusCode::REQUEST_TIMEOUT,
            HandshakeError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            HandshakeError::UnsupportedHttpVersion => StatusCode::HTTP_VERSION_NOT_SUPPORTED,
            HandshakeError::MissingUpgrade | HandshakeError::UnsupportedVersion => {
                StatusCode::UPGRADE_REQUIRED
            }
            HandshakeError::Malformed(_)
            | HandshakeError::InvalidHost
            | HandshakeError::InvalidUpgrade
            | HandshakeError::InvalidConnection
            | HandshakeError::InvalidKey
            | HandshakeError::InvalidSubprotocols
            | HandshakeError::InvalidExtensions(_)
            | HandshakeError::InvalidProtocol => StatusCode::BAD_REQUEST,
            HandshakeError::InvalidUrl(_)
            | HandshakeError::UnsupportedScheme(_)
            | HandshakeError::InvalidSubprotocolName(_)
            | HandshakeError::InvalidExtensionOffer(_)
            | HandshakeError::ReservedHeader(_)
            | HandshakeError::InvalidHeaderValue(_)
            | HandshakeError::UnexpectedStatus(_)
            | HandshakeError::InvalidAccept
            | HandshakeError::UnexpectedSubprotocol(_)
            | HandshakeError::UnexpectedExtension(_)
            | HandshakeError::InvalidDeflateResponse(_)
            | HandshakeError::ExtendedConnectDisabled
            | HandshakeError::Finished
            | HandshakeError::ConnectionClosed => return None,
        })
    }

    /// A fixed sentence for the body of an error response. It never quotes the request,
    /// so nothing the peer sent is reflected back.
    pub(crate) fn public_reason(&self) -> &'static str {
        match self {
            HandshakeError::StartLineTooLong { .. } => "request line too long",
            HandshakeError::HeaderLineTooLong { .. } => "header line too long",
            HandshakeError::TooManyHeaders { .. } => "too many headers",
            HandshakeError::HeadTooLarge { .. } => "request head too large",
            HandshakeError::Timeout => "handshake timed out",
            HandshakeError::Malformed(_) => "malformed HTTP request",
            HandshakeError::MethodNotAllowed(_) => "WebSocket handshake requires GET",
            HandshakeError::UnsupportedHttpVersion => "WebSocket handshake requires HTTP/1.1",
            HandshakeError::InvalidHost => "exactly one Host header is required",
            HandshakeError::MissingUpgrade => "this endpoint only speaks WebSocket",
            HandshakeError::InvalidUpgrade => "Upgrade header must contain websocket",
            HandshakeError::InvalidConnection => "Connection header must contain upgrade",
            HandshakeError::UnsupportedVersion => "Sec-WebSocket-Version must be 13",
            HandshakeError::InvalidKey => "invalid Sec-WebSocket-Key",
            HandshakeError::InvalidSubprotocols => "invalid Sec-WebSocket-Protocol",
            HandshakeError::InvalidExtensions(_) => "invalid Sec-WebSocket-Extensions",
            HandshakeError::InvalidProtocol => ":protocol must be websocket",
            _ => "handshake failed",
        }
    }
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::InvalidUrl(why) => write!(f, "invalid WebSocket URL: {why}"),
            HandshakeError::UnsupportedScheme(scheme) => {
                write!(f, "unsupported URL scheme {scheme:?} (expected ws or wss)")
            }
            HandshakeError::InvalidSubprotocolName(name) => {
                write!(f, "subprotocol {name:?} is not an HTTP token")
            }
            HandshakeError::InvalidExtensionOffer(name) => {
                write!(f, "extension offer {name:?} contains a non-token")
            }
            HandshakeError::ReservedHeader(name) => {
                write!(f, "header {name} is set by the handshake itself")
            }
            HandshakeError::InvalidHeaderValue(name) => {
                write!(f, "value of header {name} contains CR, LF or NUL")
            }
            HandshakeError::StartLineTooLong { limit } => {
                write!(f, "start line longer than {limit} bytes")
            }
            HandshakeError::HeaderLineTooLong { limit } => {
                write!(f, "header line longer than {limit} bytes")
            }
            HandshakeError::TooManyHeaders { limit } => write!(f, "more than {limit} headers"),
            HandshakeError::HeadTooLarge { limit } => {
                write!(f, "HTTP head larger than {limit} bytes")
            }
            HandshakeError::Malformed(why) => write!(f, "malformed HTTP head: {why}"),
            HandshakeError::MethodNotAllowed(method) => {
                write!(f, "method {method:?} is not GET")
            }
            HandshakeError::InvalidExtensions(error) => error.fmt(f),
            HandshakeError::UnexpectedStatus(response) => {
                write!(
                    f,
                    "server answered {} instead of accepting",
                    response.status()
                )
            }
            HandshakeError::InvalidAccept => f.write_str("Sec-WebSocket-Accept does not match"),
            HandshakeError::UnexpectedSubprotocol(name) => {
                write!(
                    f,
                    "server chose subprotocol {name:?}, which was not offered"
                )
            }
            HandshakeError::UnexpectedExtension(name) => {
                write!(
                    f,
                    "server accepted extension {name:?}, which was not offered"
                )
            }
            HandshakeError::InvalidDeflateResponse(error) => {
                write!(f, "invalid permessage-deflate response: {error}")
            }
            HandshakeError::ExtendedConnectDisabled => f.write_str(
                "the HTTP/2 server does not accept WebSockets (no SETTINGS_ENABLE_CONNECT_PROTOCOL)",
            ),
            HandshakeError::Finished => f.write_str("the handshake has already completed"),
            HandshakeError::ConnectionClosed => {
                f.write_str("the connection closed before the handshake completed")
            }
            other => f.write_str(other.public_reason()),
        }
    }
}

/// Two errors are equal when they are the same variant with the same data; for
/// [`HandshakeError::UnexpectedStatus`], the same status, headers and body.
impl PartialEq for HandshakeError {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (HandshakeError::UnexpectedStatus(a), HandshakeError::UnexpectedStatus(b)) => {
                a.status() == b.status() && a.headers() == b.headers() && a.body() == b.body()
            }
            (HandshakeError::InvalidExtensions(a), HandshakeError::InvalidExtensions(b)) => a == b,
            (
                HandshakeError::InvalidDeflateResponse(a),
                HandshakeError::InvalidDeflateResponse(b),
            ) => a == b,
            // Every other variant's data is all in its message.
            (a, b) => {
                std::mem::discriminant(a) == std::mem::discriminant(b)
                    && a.to_string() == b.to_string()
            }
        }
    }
}

impl Eq for HandshakeError {}

impl std::error::Error for HandshakeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HandshakeError::InvalidExtensions(error) => Some(error),
            _ => None,
        }
    }
}
