//! The runner for the bare core: synchronous, on virtual time.
//!
//! The session plays the part an adapter plays in production — it reads only while the
//! connection wants to read, writes while the peer reads, takes events while the application
//! drains them, shuts the write half down when asked, and calls `handle_timeout` when a
//! deadline passes — with the simplest possible loop, so that the core's behaviour is what the
//! scripts see.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;
use wsflow_core::extension::Extension;
use wsflow_core::handshake::{
    Accept, ClientHandshake, ClientRequest, HandshakeError, HandshakeLimits, ServerHandshake,
    error_response,
};
use wsflow_core::mask::FixedMask;
use wsflow_core::{CloseCode, Connection, Role, SendError};

use super::{ActionError, Observation, Runner, Session, Setup};
use crate::names::handshake_error_name;
use crate::script::{AppAction, FIXED_KEY, HandshakeOutcome, HandshakeSetup};

/// Runs scripts against [`wsflow_core::Connection`] directly.
#[derive(Debug, Default, Clone, Copy)]
pub struct CoreRunner;

impl Runner for CoreRunner {
    fn name(&self) -> &'static str {
        "core"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        let now = Instant::now();
        let mut sent = Vec::new();
        let (conn, handshake) = match &setup.handshake {
            None => (Some(new_connection(setup, now, None)), None),
            Some(hs) if setup.role == Role::Client => {
                let handshake = ClientHandshake::with_key(client_request(hs), FIXED_KEY, now);
                sent.extend_from_slice(handshake.request_bytes());
                (None, Some(Handshake::Client(handshake)))
            }
            Some(hs) => (
                None,
                Some(Handshake::Server(
                    ServerHandshake::new(HandshakeLimits::default(), now),
                    hs.clone(),
                )),
            ),
        };
        Box::new(CoreSession {
            setup: setup.clone(),
            conn,
            handshake,
            outcome: None,
            now,
            inbox: VecDeque::new(),
            draining: true,
            peer_reading: true,
            sent,
            events: Vec::new(),
            shutdown: false,
        })
    }
}

fn new_connection(
    setup: &Setup,
    now: Instant,
    extension: Option<Box<dyn Extension>>,
) -> Connection {
    let mut conn = Connection::new(setup.role, setup.config.clone(), now)
        .with_mask_source(Box::new(FixedMask(setup.our_mask)));
    if let Some(extension) = extension {
        conn = conn.with_extension(extension);
    }
    conn
}

/// The client's request for a handshake script.
pub fn client_request(hs: &HandshakeSetup) -> ClientRequest {
    let mut request = ClientRequest::new(&hs.url).expect("a valid URL in the script");
    for name in &hs.subprotocols {
        request = request.subprotocol(name.clone());
    }
    if let Some(deflate) = &hs.deflate {
        request = request.deflate(deflate.clone());
    }
    request
}

/// The server's choice for a handshake script: the first offered subprotocol it supports.
pub fn choose_subprotocol(supported: &[String], offered: &[String]) -> Option<String> {
    offered
        .iter()
        .find(|name| supported.contains(name))
        .cloned()
}

/// The opening handshake in progress.
#[derive(Debug)]
enum Handshake {
    Client(ClientHandshake),
    Server(ServerHandshake, HandshakeSetup),
}

/// Something waiting in the transport for the connection to read.
#[derive(Debug)]
enum Incoming {
    Data(Vec<u8>),
    Eof,
}

/// A connection and its simulated transport.
#[derive(Debug)]
struct CoreSession {
    setup: Setup,
    /// The connection, once the handshake (if any) succeeded.
    conn: Option<Connection>,
    handshake: Option<Handshake>,
    outcome: Option<HandshakeOutcome>,
    /// Virtual time.
    now: Instant,
    /// Read results not yet handed to the connection.
    inbox: VecDeque<Incoming>,
    draining: bool,
    peer_reading: bool,
    sent: Vec<u8>,
    events: Vec<wsflow_core::Event>,
    shutdown: bool,
}

/// Guards against a deadline that does not move (a core bug must fail a script, not hang it).
const MAX_SETTLE_ROUNDS: usize = 1_000_000;

impl CoreSession {
    /// Runs the adapter loop until nothing more can happen without new input or time.
    /// Feeds the handshake; returns whether anything happened.
    fn settle_handshake(&mut self) -> bool {
        let Some(handshake) = &mut self.handshake else {
            return false;
        };
        let Some(incoming) = self.inbox.pop_front() else {
            return false;
        };
        let piece = match incoming {
            Incoming::Data(piece) => piece,
            Incoming::Eof => {
                self.handshake = None;
                self.outcome = Some(HandshakeOutcome::Failed("eof".into()));
                return true;
            }
        };
        let result = match handshake {
            Handshake::Client(client) => client
                .receive(&piece)
                .map(|response| response.map(|r| (r.extension, r.leftover, r.subprotocol, None))),
            Handshake::Server(server, hs) => server.receive(&piece).map(|request| {
                request.map(|request| {
                    let mut accept = Accept::new();
                    let subprotocol = choose_subprotocol(&hs.subprotocols, &request.subprotocols);
                    if let Some(name) = &subprotocol {
                        accept = accept.subprotocol(name.clone());
                    }
                    let mut extension: Option<Box<dyn Extension>> = None;
                    if let Some((answer, codec)) = hs
                        .deflate
                        .as_ref()
                        .and_then(|deflate| request.negotiate_deflate(deflate))
                    {
                        accept = accept.extension(answer);
                        extension = Some(Box::new(codec));
                    }
                    let response = request.accept(&accept);
                    (extension, request.leftover, subprotocol, Some(response))
                })
            }),
        };
        match result {
            Ok(None) => {}
            Ok(Some((extension, leftover, subprotocol, response))) => {
                if let Some(response) = response {
                    self.sent.extend_from_slice(&response);
                }
                let mut conn = new_connection(&self.setup, self.now, extension);
                conn.receive(self.now, &leftover);
                self.conn = Some(conn);
                self.handshake = None;
                self.outcome = Some(HandshakeOutcome::Open(subprotocol));
            }
            Err(error) => {
                let server = matches!(handshake, Handshake::Server(..));
                self.fail_handshake(server, &error);
            }
        }
        true
    }

    /// The opening handshake failed (on input or at its deadline): a server answers with
    /// the matching HTTP error, if any, and closes; either role records the outcome.
    fn fail_handshake(&mut self, server: bool, error: &HandshakeError) {
        if server {
            if let Some(response) = error_response(error) {
                self.sent.extend_from_slice(&response);
            }
            self.shutdown = true;
        }
        self.handshake = None;
        self.outcome = Some(HandshakeOutcome::Failed(handshake_error_name(error).into()));
    }

    fn settle(&mut self) {
        if self.handshake.is_some() {
            while self.settle_handshake() {}
        }
        let Some(conn) = &mut self.conn else {
            return;
        };
        for _ in 0..MAX_SETTLE_ROUNDS {
            let mut progressed = false;
            if let Some(deadline) = conn.poll_timeout() {
                if deadline <= self.now {
                    conn.handle_timeout(self.now);
                    // A deadline that does not move is not progress (and must not spin).
                    progressed |= conn.poll_timeout() != Some(deadline);
                }
            }
            if conn.wants_read() {
                match self.inbox.pop_front() {
                    Some(Incoming::Data(piece)) => {
                        conn.receive(self.now, &piece);
                        progressed = true;
                    }
                    Some(Incoming::Eof) => {
                        conn.receive_eof(self.now);
                        progressed = true;
                    }
                    None => {}
                }
            }
            if self.draining {
                while let Some(event) = conn.poll_event() {
                    self.events.push(event);
                    progressed = true;
                }
            }
            if self.peer_reading && !self.shutdown {
                loop {
                    let out = conn.pending_output();
                    if out.is_empty() {
                        break;
                    }
                    let n = out.len();
                    self.sent.extend_from_slice(out);
                    conn.consume_output(n);
                    progressed = true;
                }
            }
            if !self.shutdown && conn.wants_shutdown() {
                self.shutdown = true;
                progressed = true;
            }
            if !progressed {
                return;
            }
        }
    }
}

impl Session for CoreSession {
    fn peer_send(&mut self, piece: &[u8]) {
        self.inbox.push_back(Incoming::Data(piece.to_vec()));
        self.settle();
    }

    fn peer_eof(&mut self) {
        self.inbox.push_back(Incoming::Eof);
        self.settle();
    }

    fn set_peer_reading(&mut self, reading: bool) {
        self.peer_reading = reading;
        self.settle();
    }

    fn set_draining(&mut self, draining: bool) {
        self.draining = draining;
        self.settle();
    }

    fn advance(&mut self, by: Duration) {
        let target = self.now + by;
        if let Some(handshake) = &mut self.handshake {
            let (deadline, result) = match handshake {
                Handshake::Client(client) => (client.deadline(), client.handle_timeout(target)),
                Handshake::Server(server, _) => (server.deadline(), server.handle_timeout(target)),
            };
            if let Err(error) = result {
                let server = matches!(handshake, Handshake::Server(..));
                self.now = self.now.max(deadline);
                self.fail_handshake(server, &error);
            }
        }
        for _ in 0..MAX_SETTLE_ROUNDS {
            match self.conn.as_ref().and_then(Connection::poll_timeout) {
                Some(deadline) if deadline <= target => {
                    self.now = self.now.max(deadline);
                    if let Some(conn) = &mut self.conn {
                        conn.handle_timeout(self.now);
                    }
                    self.settle();
                    let moved = self
                        .conn
                        .as_ref()
                        .is_some_and(|conn| conn.poll_timeout() != Some(deadline));
                    if !moved {
                        // The deadline did not move: stop rather than spin.
                        break;
                    }
                }
                _ => break,
            }
        }
        self.now = target;
        self.settle();
    }

    fn app(&mut self, action: &AppAction) -> Result<(), ActionError> {
        let Some(conn) = &mut self.conn else {
            return Err(ActionError::Refused(SendError::Closed));
        };
        let result = match action {
            AppAction::SendText(text) => conn.send_text(text.clone()),
            AppAction::SendBinary(data) => conn.send_binary(Bytes::from(data.clone())),
            AppAction::SendFragment { kind, payload, fin } => {
                conn.send_fragment(*kind, Bytes::from(payload.clone()), *fin)
            }
            AppAction::Ping(payload) => conn.send_ping(Bytes::from(payload.clone())),
            AppAction::Pong(payload) => conn.send_pong(Bytes::from(payload.clone())),
            AppAction::Close { code, reason } => {
                conn.close(self.now, CloseCode::from(*code), reason)
            }
            AppAction::Abort => {
                conn.abort();
                Ok(())
            }
        };
        self.settle();
        result.map_err(ActionError::Refused)
    }

    fn observe(&mut self) -> Observation {
        self.settle();
        Observation {
            sent: std::mem::take(&mut self.sent),
            events: std::mem::take(&mut self.events),
            shutdown: self.shutdown,
            wants_read: self.conn.as_ref().map(Connection::wants_read),
            handshake: self.outcome.take(),
        }
    }
}
