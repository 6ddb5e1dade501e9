//! The client role: send the upgrade request, check the server's 101 response.

use crate::extension::Extension;
use crate::extension::deflate::DeflateConfig;
use std::time::Instant;

use bytes::Bytes;
use http::header;
use http::{Response, StatusCode, Version};

use super::accept_key::{accept_key, encode_key};
use super::error::HandshakeError;
use super::head::{HeadReader, header_map, malformed};
use super::headers::{extensions, has_token, is_token, only_value};
use super::request::ClientRequest;
use super::{State, deadline_after};
use crate::extension::ExtensionOffer;

/// A client's opening handshake: write [`Self::request_bytes`], then feed what the server
/// sends to [`Self::receive`] until it returns the accepted response.
///
/// ```
/// use std::time::Instant;
/// use wsflow_core::handshake::{ClientHandshake, ClientRequest};
///
/// let request = ClientRequest::new("ws://example.com/chat")?.subprotocol("chat");
/// let mut handshake = ClientHandshake::with_key(request, *b"the sample nonce", Instant::now());
/// assert!(handshake.request_bytes().starts_with(b"GET /chat HTTP/1.1\r\n"));
///
/// let response = handshake
///     .receive(
///         b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
///           Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
///           Sec-WebSocket-Protocol: chat\r\n\r\n\x81\x00",
///     )?
///     .expect("the head is complete");
/// assert_eq!(response.subprotocol.as_deref(), Some("chat"));
/// assert_eq!(&response.leftover[..], b"\x81\x00"); // the first frame, for the connection
/// # Ok::<(), wsflow_core::handshake::HandshakeError>(())
/// ```
#[derive(Debug)]
pub struct ClientHandshake {
    request_bytes: Vec<u8>,
    expected_accept: String,
    subprotocols: Vec<String>,
    extensions: Vec<ExtensionOffer>,
    deflate: Option<DeflateConfig>,
    reader: HeadReader,
    deadline: Instant,
    state: State,
}

/// The server's accepted response.
#[derive(Debug)]
pub struct ClientResponse {
    /// The 101 response head.
    pub response: Response<()>,
    /// The subprotocol the server chose, one of those offered.
    pub subprotocol: Option<String>,
    /// The extensions the server accepted, with the parameters it answered; each one was
    /// offered. Their parameters still need checking by the extension that negotiates them.
    pub extensions: Vec<ExtensionOffer>,
    /// The negotiated extension for the connection
    /// ([`Connection::with_extension`](crate::Connection::with_extension)): permessage-deflate
    /// when the request offered it with [`ClientRequest::deflate`] and the server accepted.
    pub extension: Option<Box<dyn Extension>>,
    /// Bytes received after the response head: the start of the WebSocket stream, to be fed
    /// to the connection first.
    pub leftover: Bytes,
}

impl ClientHandshake {
    /// Starts a handshake with a fresh random `Sec-WebSocket-Key` (RFC 6455 §4.1 item 7 asks
    /// for a nonce chosen randomly for each connection).
    ///
    /// If the request holds an invalid builder argument, the handshake writes nothing and
    /// its first `receive` or `handle_timeout` returns the error; check
    /// [`ClientRequest::validate`] before connecting to fail sooner.
    pub fn new(request: ClientRequest, now: Instant) -> Self {
        let mut key = [0u8; 16];
        for (byte, random) in key.iter_mut().zip(crate::random::bytes(16)) {
            *byte = random;
        }
        Self::with_key(request, key, now)
    }

    /// Starts a handshake with a given key, for reproducible tests and conformance scripts.
    /// Never use a fixed key on a real connection.
    pub fn with_key(request: ClientRequest, key: [u8; 16], now: Instant) -> Self {
        let key = encode_key(&key);
        let (request_bytes, state) = match request.validate() {
            Ok(()) => (request.to_bytes(&key), State::Reading),
            Err(error) => (Vec::new(), State::Failed(error)),
        };
        ClientHandshake {
            request_bytes,
            expected_accept: accept_key(key.as_bytes()),
            deadline: deadline_after(now, request.limits.timeout),
            reader: HeadReader::new(request.limits),
            subprotocols: request.subprotocols,
            extensions: request.extensions,
            deflate: request.deflate,
            state,
        }
    }

    /// Why the handshake failed, if it did.
    pub(crate) fn error(&self) -> Option<HandshakeError> {
        match &self.state {
            State::Failed(error) => Some(error.clone()),
            State::Reading | State::Done => None,
        }
    }

    /// The complete HTTP/1.1 request to write to the server. Empty when the request was
    /// invalid (see [`ClientRequest::validate`]).
    pub fn request_bytes(&self) -> &[u8] {
        &self.request_bytes
    }

    /// When the server must have answered; pass to [`Self::handle_timeout`] once reached.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Fails the handshake with [`HandshakeError::Timeout`] if `now` is at or past the
    /// deadline and the response has not completed.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), HandshakeError> {
        self.state.handle_timeout(now, self.deadline)
    }

    /// Feeds bytes from the server. Returns `Ok(None)` until the response head is complete,
    /// then the validated response once; bytes after the head are in
    /// [`ClientResponse::leftover`]. After an error, every call returns that error again.
    pub fn receive(&mut self, data: &[u8]) -> Result<Option<ClientResponse>, HandshakeError> {
        self.state.check()?;
        let result = match self.reader.feed(data) {
            Ok(None) => return Ok(None),
            Ok(Some(leftover)) => self.validate(Bytes::copy_from_slice(leftover)),
            Err(error) => Err(error),
        };
        self.state.finish(result).map(Some)
    }

    /// RFC 6455 §4.1: the checks a client makes on the server's opening handshake.
    fn validate(&self, leftover: Bytes) -> Result<ClientResponse, HandshakeError> {
        let head = self.reader.head();
        let mut slots = vec![httparse::EMPTY_HEADER; self.reader.header_lines()];
        let mut parsed = httparse::Response::new(&mut slots);
        match parsed.parse(head).map_err(malformed)? {
            httparse::Status::Complete(len) if len == head.len() => {}
            _ => return Err(HandshakeError::Malformed("head ends early".into())),
        }
        let code = parsed.code.unwrap_or(0);
        let status = StatusCode::from_u16(code)
            .map_err(|_| HandshakeError::Malformed("invalid status code".into()))?;
        let mut response = Response::new(());
        *response.status_mut() = status;
        *response.version_mut() = if parsed.version == Some(1) {
            Version::HTTP_11
        } else {
            Version::HTTP_10
        };
        *response.headers_mut() = header_map(parsed.headers)?;

        if status != StatusCode::SWITCHING_PROTOCOLS {
            let (parts, ()) = response.into_parts();
            let response = Response::from_parts(parts, leftover);
            return Err(HandshakeError::UnexpectedStatus(Box::new(response)));
        }
        if parsed.version != Some(1) {
            return Err(HandshakeError::UnsupportedHttpVersion);
        }
        let headers = response.headers();
        if !headers.contains_key(header::UPGRADE) {
            return Err(HandshakeError::MissingUpgrade);
        }
        if !has_token(headers, &header::UPGRADE, "websocket") {
            return Err(HandshakeError::InvalidUpgrade);
        }
        if !has_token(headers, &header::CONNECTION, "upgrade") {
            return Err(HandshakeError::InvalidConnection);
        }
        if only_value(headers, &header::SEC_WEBSOCKET_ACCEPT)
            != Some(self.expected_accept.as_bytes())
        {
            return Err(HandshakeError::InvalidAccept);
        }
        let (subprotocol, accepted, extension) = agreement(
            &self.subprotocols,
            &self.extensions,
            self.deflate.as_ref(),
            headers,
        )?;
        Ok(ClientResponse {
            response,
            subprotocol,
            extensions: accepted,
            extension,
            leftover,
        })
    }
}

/// What a server's acceptance agreed to, checked against what the client offered (the same
/// for an HTTP/1.1 `101` and an HTTP/2 `200`): at most one subprotocol, one we offered;
/// only extensions we offered; a permessage-deflate answer that fits our offer.
pub(super) fn agreement(
    subprotocols: &[String],
    offers: &[ExtensionOffer],
    deflate: Option<&DeflateConfig>,
    headers: &http::HeaderMap,
) -> Result<Agreement, HandshakeError> {
    let subprotocol = chosen_subprotocol(subprotocols, headers)?;
    let accepted = extensions(headers)?;
    if let Some(unexpected) = accepted
        .iter()
        .find(|accepted| !offers.iter().any(|offer| offer.name == accepted.name))
    {
        return Err(HandshakeError::UnexpectedExtension(unexpected.name.clone()));
    }
    let extension = match deflate {
        Some(config) => config
            .client_accept(&accepted)
            .map_err(HandshakeError::InvalidDeflateResponse)?
            .map(|codec| Box::new(codec) as Box<dyn Extension>),
        None => None,
    };
    Ok((subprotocol, accepted, extension))
}

/// The agreed subprotocol, the accepted extensions and the negotiated codec.
pub(super) type Agreement = (
    Option<String>,
    Vec<ExtensionOffer>,
    Option<Box<dyn Extension>>,
);

/// RFC 6455 §4.1 item 6 of the response checks: at most one subprotocol, and one we offered.
fn chosen_subprotocol(
    offered: &[String],
    headers: &http::HeaderMap,
) -> Result<Option<String>, HandshakeError> {
    let mut values = headers.get_all(header::SEC_WEBSOCKET_PROTOCOL).into_iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Ok(None),
        (Some(value), None) => value.as_bytes().trim_ascii(),
        (Some(_), Some(_)) => return Err(HandshakeError::InvalidSubprotocols),
    };
    if !is_token(value) {
        return Err(HandshakeError::InvalidSubprotocols);
    }
    let chosen = String::from_utf8_lossy(value).into_owned();
    if offered.contains(&chosen) {
        Ok(Some(chosen))
    } else {
        Err(HandshakeError::UnexpectedSubprotocol(chosen))
    }
}
