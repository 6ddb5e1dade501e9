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
use wsflow_core::{CloseCode, Connection, Event};

use super::lifecycle::{connection, decide, handshake_outcome};
use super::{ActionError, Observation, Runner, Session, Setup};
use crate::script::{AppAction, HandshakeOutcome};

/// Runs scripts against [`wsflow_core::Connection`] directly.
#[derive(Debug, Default, Clone, Copy)]
pub struct CoreRunner;

impl Runner for CoreRunner {
    fn name(&self) -> &'static str {
        "core"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        let now = Instant::now();
        Box::new(CoreSession {
            setup: setup.clone(),
            conn: connection(setup, now),
            outcome: None,
            now,
            inbox: VecDeque::new(),
            draining: true,
            budget: 0,
            peer_reading: true,
            sent: Vec::new(),
            events: Vec::new(),
            shutdown: false,
        })
    }
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
    /// The connection, from its opening handshake (if the script has one) to its end.
    conn: Connection,
    outcome: Option<HandshakeOutcome>,
    /// Virtual time.
    now: Instant,
    /// Read results not yet handed to the connection.
    inbox: VecDeque<Incoming>,
    draining: bool,
    /// Events the application still takes while not draining (`app takes N events`).
    budget: usize,
    peer_reading: bool,
    sent: Vec<u8>,
    events: Vec<Event>,
    shutdown: bool,
}

/// Guards against a deadline that does not move (a core bug must fail a script, not hang it).
const MAX_SETTLE_ROUNDS: usize = 1_000_000;

impl CoreSession {
    /// Hands an event to the application: a server's upgrade request is answered as the
    /// script's setup says; the handshake's outcome is recorded; the rest is reported.
    fn take(&mut self, event: Event) {
        if let Event::Upgrade(request) = &event {
            let accept = decide(&self.setup, request);
            // Refused only if no request waits, which cannot be the case here.
            let _ = self.conn.accept(accept);
            return;
        }
        match handshake_outcome(&event) {
            Some(outcome) => self.outcome = Some(outcome),
            None if matches!(event, Event::Opened(_)) => {}
            None => self.events.push(event),
        }
    }

    /// Runs the adapter loop until nothing more can happen without new input or time.
    fn settle(&mut self) {
        for _ in 0..MAX_SETTLE_ROUNDS {
            let conn = &mut self.conn;
            let mut progressed = false;
            // Input before deadlines, as the driver does: what arrived counts first.
            if conn.wants_read() {
                match self.inbox.pop_front() {
                    Some(Incoming::Data(piece)) => {
                        // As the adapters do: into the core's own buffer when it lends
                        // space (a large payload arriving), the rest of the piece later.
                        if let Some(lent) = conn.lend_receive_buffer() {
                            let len = lent.len().min(piece.len());
                            lent[..len].copy_from_slice(&piece[..len]);
                            conn.receive_lent(self.now, len);
                            if len < piece.len() {
                                self.inbox.push_front(Incoming::Data(piece[len..].to_vec()));
                            }
                        } else {
                            conn.receive(self.now, &piece);
                        }
                        progressed = true;
                    }
                    Some(Incoming::Eof) => {
                        conn.receive_eof(self.now);
                        progressed = true;
                    }
                    None => {}
                }
            }
            if let Some(deadline) = conn.poll_timeout() {
                if deadline <= self.now {
                    conn.handle_timeout(self.now);
                    // A deadline that does not move is not progress (and must not spin).
                    progressed |= conn.poll_timeout() != Some(deadline);
                }
            }
            while self.draining || self.budget > 0 {
                let Some(event) = self.conn.poll_event() else {
                    break;
                };
                if !self.draining {
                    self.budget -= 1;
                }
                self.take(event);
                progressed = true;
            }
            let conn = &mut self.conn;
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

    fn take_events(&mut self, n: usize) {
        self.budget = n;
        self.settle();
    }

    fn advance(&mut self, by: Duration) {
        let target = self.now + by;
        for _ in 0..MAX_SETTLE_ROUNDS {
            match self.conn.poll_timeout() {
                Some(deadline) if deadline <= target => {
                    self.now = self.now.max(deadline);
                    self.conn.handle_timeout(self.now);
                    self.settle();
                    let moved = self.conn.poll_timeout() != Some(deadline);
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
        let conn = &mut self.conn;
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
            wants_read: Some(self.conn.wants_read()),
            handshake: self.outcome.take(),
        }
    }
}
