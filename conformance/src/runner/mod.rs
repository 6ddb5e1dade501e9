//! The runner abstraction: what the suite needs from an implementation under test.
//!
//! A [`Runner`] opens a [`Session`] per script run: one endpoint (client or server) with the
//! script's configuration, connected to a scripted peer that the executor drives through the
//! session's methods. Runners exist for the bare core ([`core_runner::CoreRunner`], synchronous
//! and on virtual time) and for the `wsflow` driver on each runtime
//! ([`adapter_runner::TokioRunner`], [`adapter_runner::SmolRunner`],
//! [`adapter_runner::AsyncStdRunner`]), for `wsflow::blocking`
//! ([`blocking_runner::BlockingRunner`], on real threads over a virtual clock) and for the
//! driver on an HTTP/2 stream ([`h2_runner::H2TokioRunner`], RFC 8441).
//!
//! # Adding a runner
//!
//! A runner implements [`Runner`] and [`Session`] over an in-memory duplex that implements the
//! runtime's native I/O traits, so that the glue under test is what users get:
//!
//! - the endpoint is built by the adapter's public API with [`Setup::config`] and a
//!   `FixedMask(Setup::our_mask)` mask source, on a paused / virtual clock;
//! - [`Session::peer_send`] writes one piece into the duplex's read side (the adapter must
//!   read it as a separate `poll_read` result where the runtime allows), [`Session::peer_eof`]
//!   closes that side;
//! - [`Session::advance`] moves the runtime's virtual clock (e.g. `tokio::time::advance`);
//! - [`Session::app`] calls the adapter's send / ping / pong / close / abort methods;
//! - [`Session::observe`] reports what reached the duplex's write side since the last call,
//!   whether the adapter shut that side down, the events `recv()` returned, and whether the
//!   adapter is currently willing to read.
//!
//! The suite's own in-memory transport is [`duplex::Duplex`]; [`adapter_runner`] holds the
//! runners for the `wsflow` driver on tokio, smol and async-std.
//!
//! Every method must return only once the endpoint has settled (the runtime is idle: all
//! ready tasks ran, nothing more can happen without new input or time). Register the runner in
//! `tests/scripts.rs`; the scripts do not change.

pub mod adapter_runner;
pub mod blocking_runner;
pub mod core_runner;
pub mod duplex;
pub mod h2_runner;
pub mod lifecycle;

use std::fmt;
use std::time::Duration;

use wsflow_core::{Config, Event, Role, SendError};

use crate::script::{AppAction, HandshakeOutcome, HandshakeSetup};

/// Everything a runner needs to open the endpoint under test.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The role of the endpoint under test.
    pub role: Role,
    /// Its configuration.
    pub config: Config,
    /// The key its `FixedMask` hands out (clients mask every frame with it). After an opening
    /// handshake run by an adapter, the adapter picks its own mask source.
    pub our_mask: [u8; 4],
    /// When set, the endpoint starts before the opening handshake, which it runs with these
    /// settings: a client with [`crate::script::FIXED_KEY`] where the API allows a fixed key,
    /// a server choosing the first offered subprotocol it supports and accepting
    /// permessage-deflate offers when `deflate` is set. A server that refuses a request
    /// writes its HTTP answer and then shuts its write half down.
    pub handshake: Option<HandshakeSetup>,
}

/// An implementation under test: the core, or one adapter on one runtime.
pub trait Runner {
    /// A short name for reports, e.g. `core` or `tokio`.
    fn name(&self) -> &'static str;

    /// Opens a fresh endpoint, right after the opening handshake, at virtual time zero.
    fn open(&self, setup: &Setup) -> Box<dyn Session>;

    /// Whether the implementation offers `capability`; scripts that need one it lacks are
    /// skipped on it (and counted as skipped in the summary).
    fn supports(&self, capability: Capability) -> bool {
        capability != Capability::ExtendedConnect
    }
}

/// Something a script may need that not every implementation's API offers. The protocol is
/// the same everywhere; these are differences of API, found from the script's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// A second `app close` is refused with `closed` (the core does; an adapter's `close` is
    /// resumable and waits for the same handshake instead).
    CloseRefusedWhenClosing,
    /// Writes never block the endpoint's thread (`requires: non-blocking-writes`): the core
    /// and the async drivers; not the blocking layer, whose write waits for the peer.
    NonBlockingWrites,
    /// `close` itself reads on to the end of the handshake while the application takes no
    /// events (`requires: close-keeps-reading`): the core and the async drivers, whose
    /// `close()` drives the whole connection; not the blocking layer's split halves, where
    /// `Writer::close` only starts the handshake and the `Reader` (the application taking
    /// events) finishes it.
    CloseKeepsReading,
    /// The opening handshake is an HTTP/1.1 upgrade (`handshake: on`): every runner but the
    /// HTTP/2 one, whose WebSocket is a stream opened by extended CONNECT.
    Http1Handshake,
    /// The opening handshake is an HTTP/2 extended CONNECT (RFC 8441, `handshake: h2`): the
    /// HTTP/2 runner only.
    ExtendedConnect,
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Capability::CloseRefusedWhenClosing => "close-refused-when-closing",
            Capability::NonBlockingWrites => "non-blocking-writes",
            Capability::CloseKeepsReading => "close-keeps-reading",
            Capability::Http1Handshake => "http1-handshake",
            Capability::ExtendedConnect => "extended-connect",
        })
    }
}

/// Why a command did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionError {
    /// The connection refused it (the script names the error, e.g. `=> error closed`).
    Refused(SendError),
    /// Anything else (an I/O error, a command that could not complete); always a failure.
    Other(String),
}

impl From<SendError> for ActionError {
    fn from(error: SendError) -> Self {
        ActionError::Refused(error)
    }
}

/// One endpoint under test and the transport between it and the scripted peer.
pub trait Session {
    /// The peer's bytes arrive: one piece, to be read as one read result. While the endpoint
    /// does not want to read, the piece waits in the transport.
    fn peer_send(&mut self, piece: &[u8]);

    /// The peer half-closes: after the bytes already sent, the endpoint reads EOF.
    fn peer_eof(&mut self);

    /// The peer stops (`false`) or resumes (`true`) reading what the endpoint writes. While it
    /// does not read, nothing the endpoint writes is delivered (the transport is full).
    fn set_peer_reading(&mut self, reading: bool);

    /// The application stops (`false`) or resumes (`true`) taking events.
    fn set_draining(&mut self, draining: bool);

    /// While not draining, the application takes `n` more events (as many as there are,
    /// up to `n`, waiting for them as a `recv` loop would).
    fn take_events(&mut self, n: usize);

    /// Virtual time moves forward by `by`; every deadline that falls within it fires, in
    /// order, at its own instant.
    fn advance(&mut self, by: Duration);

    /// The application issues a command.
    fn app(&mut self, action: &AppAction) -> Result<(), ActionError>;

    /// What happened since the last call.
    fn observe(&mut self) -> Observation;

    /// Waits for the endpoint to do more, as `wait` allows; returns whether something new may
    /// be observed. An in-process session has settled after every call (nothing more can
    /// happen without new input), so the default returns `false` at once. A session over a
    /// real transport never knows it has settled: the executor calls this before judging an
    /// expectation that is not met yet (`Wait::Expected`) and before judging that nothing
    /// happened (`Wait::Quiet`).
    fn wait(&mut self, wait: Wait) -> bool {
        let _ = wait;
        false
    }
}

/// How long [`Session::wait`] may wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Something is expected (output, an event, the FIN): wait until anything more arrives,
    /// up to the session's own timeout.
    Expected,
    /// Nothing is expected: give the endpoint a short while to do what it must not.
    Quiet,
}

/// What a session reports after settling.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// Bytes the endpoint wrote that the peer received since the last observation.
    pub sent: Vec<u8>,
    /// Events the application took since the last observation.
    pub events: Vec<Event>,
    /// Whether the endpoint has shut down its write half (sent a FIN); stays true.
    pub shutdown: bool,
    /// Whether the endpoint currently wants to read from the transport; `None` when the
    /// implementation does not expose it (`expect wants_read` is then not checked).
    pub wants_read: Option<bool>,
    /// How the opening handshake ended, reported once, by the observation after it ended.
    pub handshake: Option<HandshakeOutcome>,
}
