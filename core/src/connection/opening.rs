//! The opening handshake as the first phase of a connection (RFC 6455 §4): the client's
//! request out and the server's response in, or the server's request in, the application's
//! decision, and the response out. The hand-off to frames happens here, once: the
//! negotiated extension is installed and the bytes that came after the HTTP head are parsed
//! as the first frames, in the same call.

use std::time::Instant;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use super::{Connection, Phase};
use crate::close::CloseCode;
use crate::config::Config;
use crate::error::SendError;
use crate::event::{CloseCause, Event, Opened};
use crate::extension::Extension;
use crate::extension::deflate::DeflateConfig;
use crate::handshake::{
    Accept, ClientHandshake, ClientRequest, HandshakeError, ServerHandshake, ServerOptions,
    UpgradeRequest, error_response, reject_response,
};
use crate::message::Utf8Bytes;
use crate::role::Role;

/// Where the opening handshake stands.
#[derive(Debug)]
pub(super) enum Opening {
    /// Client: the request is queued; reading the response.
    Client(ClientHandshake),
    /// Server: reading the request.
    Reading(ServerHandshake, Option<DeflateConfig>),
    /// Server: the request went out as [`Event::Upgrade`]; waiting for `accept` or `reject`.
    Deciding(Box<UpgradeRequest>, Option<DeflateConfig>),
}

impl Opening {
    /// Whether bytes are wanted now: not while the application decides (the client's first
    /// frames, if any, wait in the transport).
    pub(super) fn reads(&self) -> bool {
        !matches!(self, Opening::Deciding(..))
    }

    /// The handshake's deadline while the peer owes us its part.
    pub(super) fn deadline(&self) -> Option<Instant> {
        match self {
            Opening::Client(handshake) => Some(handshake.deadline()),
            Opening::Reading(handshake, _) => Some(handshake.deadline()),
            Opening::Deciding(..) => None,
        }
    }
}

/// Negotiates what a server's `accept` leaves to the core: permessage-deflate, when the
/// server allows it and the client offered it acceptably.
fn negotiate(
    request: &UpgradeRequest,
    mut accept: Accept,
    deflate: Option<&DeflateConfig>,
) -> (Accept, Option<Box<dyn Extension>>) {
    let mut extension: Option<Box<dyn Extension>> = None;
    if let Some((answer, codec)) = deflate.and_then(|deflate| request.negotiate_deflate(deflate)) {
        accept = accept.extension(answer);
        extension = Some(Box::new(codec));
    }
    (accept, extension)
}

/// What the server's [`Event::Opened`] reports for an acceptance.
fn server_opened(accept: &Accept) -> Opened {
    Opened {
        subprotocol: accept.subprotocol.clone(),
        extensions: accept.extensions.clone(),
        response: None,
    }
}

impl Connection {
    /// A client connection in its opening handshake: the HTTP request for `request` is its
    /// first output, and [`Event::Opened`] (with the server's response) its first event once
    /// the server accepts; a refusal or a bad response ends it with
    /// [`CloseCause::Handshake`]. The handshake must complete by `request`'s timeout
    /// ([`Self::poll_timeout`] says when).
    ///
    /// ```
    /// use std::time::Instant;
    /// use wsflow_core::handshake::ClientRequest;
    /// use wsflow_core::{Config, Connection, Event, State};
    ///
    /// let request = ClientRequest::new("ws://example.com/chat")?;
    /// let conn = Connection::client(request, Config::default(), Instant::now());
    /// assert_eq!(conn.state(), State::Handshake);
    /// assert!(conn.pending_output().starts_with(b"GET /chat HTTP/1.1\r\n"));
    /// # Ok::<(), wsflow_core::handshake::HandshakeError>(())
    /// ```
    pub fn client(request: ClientRequest, config: Config, now: Instant) -> Self {
        Self::client_from(ClientHandshake::new(request, now), config, now)
    }

    /// [`Self::client`] with a fixed `Sec-WebSocket-Key`, for reproducible tests and
    /// conformance scripts. Never use a fixed key on a real connection (RFC 6455 §4.1 asks
    /// for a fresh random nonce each time).
    pub fn client_with_key(
        request: ClientRequest,
        key: [u8; 16],
        config: Config,
        now: Instant,
    ) -> Self {
        Self::client_from(ClientHandshake::with_key(request, key, now), config, now)
    }

    fn client_from(handshake: ClientHandshake, config: Config, now: Instant) -> Self {
        let request = Bytes::copy_from_slice(handshake.request_bytes());
        let phase = Phase::Handshake(Box::new(Opening::Client(handshake)));
        let mut conn = Self::with_phase(Role::Client, phase, config, now);
        if request.is_empty() {
            // An invalid request was built: the handshake reports why at once.
            let error = match &conn.phase {
                Phase::Handshake(opening) => match &**opening {
                    Opening::Client(handshake) => handshake.error(),
                    _ => None,
                },
                _ => None,
            };
            conn.fail_opening(error.unwrap_or(HandshakeError::Finished));
        } else {
            conn.output.push_payload(request);
        }
        conn
    }

    /// A server connection in its opening handshake: feed it the client's bytes until it
    /// reports [`Event::Upgrade`], then answer with [`Self::accept`] or [`Self::reject`]. A
    /// malformed request, or none by the deadline, is answered with the matching HTTP error
    /// (400, 408, 426, 431, …) and ends the connection with [`CloseCause::Handshake`].
    pub fn server(options: ServerOptions, config: Config, now: Instant) -> Self {
        let handshake = ServerHandshake::new(options.limits, now);
        let phase = Phase::Handshake(Box::new(Opening::Reading(handshake, options.deflate)));
        Self::with_phase(Role::Server, phase, config, now)
    }

    /// Accepts the upgrade request reported by [`Event::Upgrade`]: queues the `101` response
    /// (with permessage-deflate negotiated here when [`ServerOptions::deflate`] allows it),
    /// reports [`Event::Opened`], and parses the frames that arrived behind the request.
    /// Fails, changing nothing, when no request waits for an answer.
    pub fn accept(&mut self, accept: Accept) -> Result<(), SendError> {
        let Phase::Handshake(opening) = &mut self.phase else {
            return Err(SendError::NoUpgradeRequest);
        };
        let Opening::Deciding(request, deflate) = &**opening else {
            return Err(SendError::NoUpgradeRequest);
        };
        let (accept, extension) = negotiate(request, accept, deflate.as_ref());
        let response = request.accept(&accept);
        let leftover = request.leftover.clone();
        self.output.push_payload(response);
        self.open(server_opened(&accept), extension, &leftover);
        Ok(())
    }

    /// Refuses the upgrade request reported by [`Event::Upgrade`]: queues an HTTP response
    /// with `status`, `headers` and `body` (`Content-Length` and `Connection: close` are
    /// added), then the connection ends with [`CloseCause::Rejected`] and asks for the write
    /// half to be shut down. Fails, changing nothing, when no request waits for an answer.
    pub fn reject(
        &mut self,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), SendError> {
        let Phase::Handshake(opening) = &self.phase else {
            return Err(SendError::NoUpgradeRequest);
        };
        if !matches!(&**opening, Opening::Deciding(..)) {
            return Err(SendError::NoUpgradeRequest);
        }
        self.output
            .push_payload(reject_response(status, headers, body));
        self.finish(
            CloseCode::ABNORMAL,
            Utf8Bytes::new(),
            CloseCause::Rejected(status),
        );
        Ok(())
    }

    /// Accepts a request that an HTTP server (hyper, axum, …) parsed and checked with
    /// [`UpgradeRequest::from_parts`]: the response to send and the open connection, with
    /// the same negotiation as [`Self::accept`]. The connection's first event is
    /// [`Event::Opened`]; feed it the bytes of the upgraded transport from then on.
    pub fn accept_request(
        request: &UpgradeRequest,
        accept: Accept,
        options: &ServerOptions,
        config: Config,
        now: Instant,
    ) -> (http::Response<()>, Connection) {
        let (accept, extension) = negotiate(request, accept, options.deflate.as_ref());
        let response = request.accept_response(&accept);
        let mut conn = Self::with_phase(Role::Server, Phase::Open, config, now);
        conn.open(server_opened(&accept), extension, &request.leftover);
        (response, conn)
    }

    /// A client connection over an HTTP/2 stream (RFC 8441), opened by the server's answer to
    /// [`ClientRequest::to_h2_request`]: a 2xx, with the subprotocol and extensions checked
    /// as for a `101`. The connection is open, its first event is [`Event::Opened`] (holding
    /// `response`), and the stream's DATA bytes are its input from then on. A refusal fails
    /// with [`HandshakeError::UnexpectedStatus`].
    ///
    /// ```
    /// use std::time::Instant;
    /// use wsflow_core::handshake::ClientRequest;
    /// use wsflow_core::{Config, Connection, State};
    ///
    /// let request = ClientRequest::new("wss://example.com/chat")?;
    /// let _connect = request.to_h2_request()?; // sent by the HTTP/2 layer with :protocol
    /// let response = http::Response::builder().status(200).body(()).unwrap();
    /// let conn = Connection::client_h2(&request, response, Config::default(), Instant::now())?;
    /// assert_eq!(conn.state(), State::Open);
    /// # Ok::<(), wsflow_core::handshake::HandshakeError>(())
    /// ```
    pub fn client_h2(
        request: &ClientRequest,
        response: http::Response<()>,
        config: Config,
        now: Instant,
    ) -> Result<Connection, HandshakeError> {
        let accepted = request.check_h2_response(response)?;
        let opened = Opened {
            subprotocol: accepted.subprotocol,
            extensions: accepted.extensions,
            response: Some(accepted.response),
        };
        let mut conn = Self::with_phase(Role::Client, Phase::Open, config, now);
        conn.open(opened, accepted.extension, &[]);
        Ok(conn)
    }

    /// Handshake → open: installs the extension, reports [`Event::Opened`], and parses what
    /// arrived after the HTTP head as the first frames.
    fn open(&mut self, opened: Opened, extension: Option<Box<dyn Extension>>, leftover: &[u8]) {
        self.phase = Phase::Open;
        self.extension = extension;
        self.keepalive.last_seen = Some(self.latest_now);
        let opened = Box::new(opened);
        self.opened = Some(opened.clone());
        self.events.push_back(Event::Opened(opened));
        self.input.extend_from_slice(leftover);
        self.process_input(self.latest_now);
    }

    /// Handshake → closed, with the error; a server first queues the HTTP answer the error
    /// calls for.
    fn fail_opening(&mut self, error: HandshakeError) {
        if self.role == Role::Server {
            if let Some(response) = error_response(&error) {
                self.output.push_payload(response);
            }
        }
        self.finish(
            CloseCode::ABNORMAL,
            Utf8Bytes::new(),
            CloseCause::Handshake(error),
        );
    }

    /// Bytes received during the opening handshake.
    pub(super) fn receive_opening(&mut self, now: Instant, data: &[u8]) {
        let Phase::Handshake(opening) = &mut self.phase else {
            return;
        };
        match &mut **opening {
            Opening::Client(handshake) => match handshake.receive(data) {
                Ok(None) => {}
                Ok(Some(response)) => {
                    let opened = Opened {
                        subprotocol: response.subprotocol,
                        extensions: response.extensions,
                        response: Some(response.response),
                    };
                    self.latest_now = now;
                    self.open(opened, response.extension, &response.leftover);
                }
                Err(error) => self.fail_opening(error),
            },
            Opening::Reading(handshake, deflate) => match handshake.receive(data) {
                Ok(None) => {}
                Ok(Some(mut request)) => {
                    // The bytes after the head stay here until the request is accepted.
                    self.input.extend_from_slice(&request.leftover);
                    request.leftover = Bytes::new();
                    let event = Event::Upgrade(Box::new(request.clone()));
                    **opening = Opening::Deciding(Box::new(request), deflate.take());
                    self.events.push_back(event);
                }
                Err(error) => self.fail_opening(error),
            },
            // The client sent more while the application decides: kept for after `accept`.
            Opening::Deciding(..) => self.input.extend_from_slice(data),
        }
    }

    /// The transport ended during the opening handshake. A request that is complete is
    /// still answered (the EOF is acted on after `accept`, like any other).
    pub(super) fn opening_eof(&mut self) {
        let deciding = matches!(
            &self.phase,
            Phase::Handshake(opening) if matches!(**opening, Opening::Deciding(..))
        );
        if !deciding {
            self.fail_opening(HandshakeError::ConnectionClosed);
        }
    }

    /// The deadline check of the opening handshake.
    pub(super) fn opening_timeout(&mut self, now: Instant) {
        let Phase::Handshake(opening) = &mut self.phase else {
            return;
        };
        let result = match &mut **opening {
            Opening::Client(handshake) => handshake.handle_timeout(now),
            Opening::Reading(handshake, _) => handshake.handle_timeout(now),
            Opening::Deciding(..) => Ok(()),
        };
        if let Err(error) = result {
            self.fail_opening(error);
        }
    }
}
