//! The connection state machine: one WebSocket connection, from its opening handshake to its
//! end.
//!
//! The work is split by phase and direction: `opening` runs the opening handshake and hands
//! over to frames, `receive` parses frames into events, `send` turns commands into frames,
//! `closing` runs the close handshake, failures, EOF and timers.

mod closing;
mod input;
mod opening;
mod receive;
mod send;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::io::IoSlice;
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use self::input::InputBuffer;
use crate::close::CloseFrame;
use crate::config::Config;
use crate::error::ProtocolError;
use crate::event::{CloseReport, Event, Initiator, Opened};
use crate::extension::Extension;
use crate::frame::{FrameHeader, HeaderDecoder, HeaderRules};
use crate::mask::{MaskSource, RandomMask};
use crate::message::MessageKind;
use crate::output::OutputQueue;
use crate::role::Role;
use crate::utf8::Utf8Validator;

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// The opening handshake is running (connections made with [`Connection::client`] or
    /// [`Connection::server`]).
    Handshake,
    /// Data flows both ways.
    Open,
    /// A close frame was sent or received (or the connection failed); waiting for the close
    /// handshake or the TCP connection to finish.
    Closing,
    /// Over: [`Event::Closed`] has been queued and the transport may be dropped.
    Closed,
}

/// The lifecycle, one phase at a time; every transition is in `opening.rs` (handshake →
/// open, or → closed when it fails) and `closing.rs` (open → closing → closed).
#[derive(Debug)]
enum Phase {
    /// The opening handshake; frames are not parsed yet.
    Handshake(Box<opening::Opening>),
    /// Data flows both ways. A close frame from the peer may be waiting behind undelivered
    /// events (`pending_close`): until the application has taken them, we are still open.
    Open,
    /// A close frame was sent or received, or the connection failed.
    Closing,
    /// Over: [`Event::Closed`] is queued and `report` holds what it says.
    Closed,
}

/// A frame whose header has been decoded and whose payload is still arriving.
#[derive(Debug, Clone, Copy)]
struct IncomingFrame {
    header: FrameHeader,
    /// Payload bytes not yet taken out of the input buffer.
    remaining: u64,
    /// Payload bytes at the front of the input buffer already unmasked and validated; only
    /// used while a single-frame message waits in the input buffer to be taken whole.
    checked: usize,
    /// Position in the payload of the first byte still in the input buffer, for the mask.
    offset: u64,
}

/// A data message being received.
#[derive(Debug)]
struct IncomingMessage {
    kind: MessageKind,
    /// The payload passes through the negotiated extension.
    transformed: bool,
    fragments: usize,
    /// Payload bytes (after the extension) received so far.
    size: u64,
    /// Reassembled payload (whole-message mode) or the bytes held back from the last chunk
    /// (streaming mode: an incomplete UTF-8 character).
    buffer: BytesMut,
    utf8: Utf8Validator,
}

/// A fragmented message being sent.
#[derive(Debug)]
struct OutgoingMessage {
    kind: MessageKind,
    transformed: bool,
    utf8: Utf8Validator,
}

/// Keepalive bookkeeping.
#[derive(Debug, Default)]
struct KeepaliveState {
    /// When the peer last sent us anything.
    last_seen: Option<Instant>,
    /// Our outstanding ping: its payload and the deadline for the pong.
    awaiting: Option<(Bytes, Instant)>,
    /// When the outstanding keepalive ping was queued, for the round-trip time.
    ping_queued_at: Option<Instant>,
    pings_sent: u32,
}

/// What a connection has carried so far, for monitoring: read it at any time with
/// [`Connection::stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Data messages received whole (a streamed message counts once, at its last chunk),
    /// whether or not the application has taken them yet.
    pub messages_received: u64,
    /// Data messages queued by the application (a fragmented one counts once, at its end).
    pub messages_sent: u64,
    /// Bytes fed to [`Connection::receive`] (the opening handshake included).
    pub bytes_received: u64,
    /// Bytes written out ([`Connection::consume_output`]), the opening handshake included.
    pub bytes_sent: u64,
    /// Bytes queued and not yet written.
    pub buffered_amount: usize,
    /// How long the peer took to answer the last keepalive ping (queued → pong received);
    /// `None` before the first answer or without keepalive.
    pub last_round_trip: Option<std::time::Duration>,
}

/// One WebSocket connection, from its opening handshake ([`Connection::client`],
/// [`Connection::server`]) or from an already-open start ([`Connection::new`]) to its end: a
/// synchronous state machine with no I/O. Feed it bytes and time, give it commands, drain its events and output.
///
/// ```
/// use std::time::Instant;
/// use wsflow_core::{Config, Connection, Event, Message, Role};
///
/// let now = Instant::now();
/// let mut server = Connection::new(Role::Server, Config::default(), now);
/// // A masked text frame "Hello" from RFC 6455 §5.7.
/// server.receive(now, &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
/// assert_eq!(server.poll_event(), Some(Event::Message(Message::from("Hello"))));
/// server.send(Message::from("Hello")).unwrap();
/// assert_eq!(server.pending_output(), &[0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
/// ```
#[derive(Debug)]
pub struct Connection {
    role: Role,
    phase: Phase,
    config: Config,
    extension: Option<Box<dyn Extension>>,
    masks: Box<dyn MaskSource>,

    input: InputBuffer,
    /// The largest payload the input buffer was grown for in one step. Each large message
    /// leaves the input as a zero-copy slice of that block; once the application drops it,
    /// the next large message reuses the block (no allocation). The first small message
    /// after them releases it.
    input_block: u64,
    decoder: HeaderDecoder,
    frame: Option<IncomingFrame>,
    message: Option<IncomingMessage>,
    events: VecDeque<Event>,
    /// Input is no longer parsed: a close frame arrived, or the connection failed.
    discarding: bool,
    /// The transport reported EOF; acted on once buffered input has been processed.
    eof: bool,
    /// A violation found while earlier events were still undelivered. The connection fails
    /// once those are drained, so that the application's answers to them (an echo, say) go
    /// out before the close frame: nothing already accepted is lost.
    pending_failure: Option<ProtocolError>,
    /// The peer's close frame, found while earlier events were still undelivered. It is
    /// acted on (answered, reported) once those are drained, so that the application can
    /// still answer the messages that came before it (RFC 6455 §5.5.1 lets an endpoint
    /// finish what it is sending), or at the close timeout, whichever comes first.
    pending_close: Option<CloseFrame>,

    output: OutputQueue,
    /// A pong held back while the output is above its high-water mark; a newer ping
    /// replaces it.
    pending_pong: Option<Bytes>,
    outgoing: Option<OutgoingMessage>,

    /// The close frame we sent, if any.
    close_sent: Option<CloseFrame>,
    close_received: Option<CloseFrame>,
    initiator: Option<Initiator>,
    failure: Option<ProtocolError>,
    /// Our write half should be shut down once the output is drained.
    shutdown_due: bool,
    close_deadline: Option<Instant>,
    /// The final report, once [`Phase::Closed`].
    report: Option<CloseReport>,
    /// What the opening handshake settled on, once it completed here.
    opened: Option<Box<Opened>>,
    /// Counters for [`Connection::stats`].
    stats: Stats,
    keepalive: KeepaliveState,
    /// The latest time passed in, used when draining events resumes parsing.
    latest_now: Instant,
}

impl Connection {
    /// A connection already in the [`State::Open`] state, for the given role, created at
    /// `now`: for a transport whose opening handshake happened elsewhere, and for tests.
    /// Connections that start with their handshake come from [`Connection::client`],
    /// [`Connection::server`] and [`Connection::accept_request`].
    pub fn new(role: Role, config: Config, now: Instant) -> Self {
        Self::with_phase(role, Phase::Open, config, now)
    }

    fn with_phase(role: Role, phase: Phase, config: Config, now: Instant) -> Self {
        Connection {
            role,
            phase,
            config,
            extension: None,
            masks: Box::new(RandomMask::default()),
            input: InputBuffer::default(),
            input_block: 0,
            decoder: HeaderDecoder::new(),
            frame: None,
            message: None,
            events: VecDeque::new(),
            discarding: false,
            eof: false,
            pending_failure: None,
            pending_close: None,
            output: OutputQueue::default(),
            pending_pong: None,
            outgoing: None,
            close_sent: None,
            close_received: None,
            initiator: None,
            failure: None,
            shutdown_due: false,
            close_deadline: None,
            report: None,
            opened: None,
            stats: Stats::default(),
            keepalive: KeepaliveState {
                last_seen: Some(now),
                ..KeepaliveState::default()
            },
            latest_now: now,
        }
    }

    /// Uses the extension negotiated in the handshake (e.g. permessage-deflate).
    pub fn with_extension(mut self, extension: Box<dyn Extension>) -> Self {
        self.extension = Some(extension);
        self
    }

    /// Replaces the source of masking keys (clients only; tests use
    /// [`FixedMask`](crate::mask::FixedMask)).
    pub fn with_mask_source(mut self, masks: Box<dyn MaskSource>) -> Self {
        self.masks = masks;
        self
    }

    // ----- getters -----
    //
    // The getters and the output and event methods an adapter calls on every pass are
    // `#[inline]`: without it they are calls across crates, which callgrind counted as a
    // good part of the adapter's per-message cost.

    /// Client or server.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The configuration in force.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where the connection is in its life.
    #[inline]
    pub fn state(&self) -> State {
        match self.phase {
            Phase::Handshake(_) => State::Handshake,
            Phase::Open => State::Open,
            Phase::Closing => State::Closing,
            Phase::Closed => State::Closed,
        }
    }

    /// Whether the connection is over ([`State::Closed`]).
    #[inline]
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// The final report, once the connection is [`State::Closed`]: the same report that
    /// [`Event::Closed`] carries, available whether or not that event was taken yet.
    pub fn close_report(&self) -> Option<&CloseReport> {
        self.report.as_ref()
    }

    /// What the opening handshake settled on (subprotocol, extensions, a client's `101`
    /// response), once it completed; the same as [`Event::Opened`] carries. `None` for a
    /// connection made open with [`Connection::new`].
    pub fn opened(&self) -> Option<&Opened> {
        self.opened.as_deref()
    }

    /// Whether the adapter should read from the transport now. False once the connection is
    /// closed, while a server waits for the application's answer to the upgrade request, and
    /// while undelivered events have reached [`Config::max_pending_events`] (twice that
    /// after our close frame, so a peer's last messages and its close still fit while the
    /// application is not reading): backpressure then reaches TCP instead of memory.
    #[inline]
    pub fn wants_read(&self) -> bool {
        match &self.phase {
            Phase::Handshake(opening) => !self.eof && opening.reads(),
            Phase::Closed => false,
            Phase::Open | Phase::Closing => !self.eof && self.events.len() < self.event_limit(),
        }
    }

    /// How many undelivered events parsing may run ahead of the application. After our close
    /// frame the application has said it is done sending, and `close()` waits for the peer's
    /// answer while nobody receives: parsing goes on a while further so that the messages
    /// the peer sent before its close frame do not stop the handshake from completing. Past
    /// that, the close timeout ends it.
    #[inline]
    pub(super) fn event_limit(&self) -> usize {
        if self.close_sent.is_some() {
            self.config.max_pending_events.saturating_mul(2)
        } else {
            self.config.max_pending_events
        }
    }

    /// Whether parsed events wait to be taken with [`Self::poll_event`]. An adapter can use
    /// it to hold back the writes of replies while the application works through messages
    /// that arrived together, and write them all at once when this turns false.
    #[inline]
    pub fn has_pending_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// Takes the [`Event::Opened`] waiting at the head of the events, if that is what waits
    /// there, and says whether it did. For an I/O layer that hands out a connection opened
    /// outside its own handshake ([`accept_request`](Self::accept_request) for an HTTP
    /// server's upgrade, an HTTP/2 extended CONNECT): its application then sees the same
    /// events as after the layer's own handshake, which takes this event. The details stay
    /// in [`opened`](Self::opened).
    pub fn skip_opened_event(&mut self) -> bool {
        let opened = matches!(self.events.front(), Some(Event::Opened(_)));
        if opened {
            self.events.pop_front();
        }
        opened
    }

    /// Bytes queued for writing.
    #[inline]
    pub fn buffered_amount(&self) -> usize {
        self.output.len()
    }

    /// Messages and bytes in and out so far, the bytes waiting to be written, and the last
    /// keepalive round-trip time.
    pub fn stats(&self) -> Stats {
        Stats {
            buffered_amount: self.output.len(),
            ..self.stats
        }
    }

    /// Whether senders should wait: the output is above
    /// [`Config::write_buffer_high_water`].
    #[inline]
    pub fn is_above_high_water(&self) -> bool {
        self.output.len() > self.config.write_buffer_high_water
    }

    // ----- outputs -----

    /// The next event, if any.
    ///
    /// Parsing that paused for backpressure, a held-back failure and a pending EOF resume
    /// only when this is called with no event left: the application has then acted on
    /// every earlier event (answered a message, say) before the connection moves on.
    #[inline]
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        if self.events.is_empty() && self.parsing_may_resume() {
            self.process_input(self.latest_now);
        }
        self.events.pop_front()
    }

    /// The first contiguous piece of the bytes waiting to be written (empty when none).
    #[inline]
    #[must_use]
    pub fn pending_output(&self) -> &[u8] {
        self.output.front()
    }

    /// Fills `dst` with the pieces of the bytes waiting to be written, in order, for a
    /// vectored write; returns how many slices were filled. Large payloads are referenced,
    /// not copied.
    pub fn output_vectored<'a>(&'a self, dst: &mut [IoSlice<'a>]) -> usize {
        self.output.chunks_vectored(dst)
    }

    /// Marks `n` bytes of output as written.
    #[inline]
    pub fn consume_output(&mut self, n: usize) {
        let n = n.min(self.output.len());
        self.output.consume(n);
        self.stats.bytes_sent += n as u64;
        if !self.is_above_high_water() {
            if let Some(payload) = self.pending_pong.take() {
                self.queue_pong(payload);
            }
        }
    }

    /// Whether the adapter should now shut down the write half of the transport (send a
    /// TCP FIN), once every queued byte is written: when a server has completed or failed
    /// the close handshake (RFC 6455 §7.1.1: the server closes TCP first), and for either
    /// role once the connection is [`State::Closed`], so that a peer still waiting for our
    /// EOF is not kept waiting until the transport is dropped. The adapter does it once; it
    /// stays true.
    #[inline]
    #[must_use]
    pub fn wants_shutdown(&self) -> bool {
        (self.shutdown_due || self.is_closed()) && self.output.is_empty()
    }

    /// The next instant at which [`Self::handle_timeout`] must be called, if any: the
    /// opening handshake's deadline, the close timeout, or the next keepalive step.
    #[inline]
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.phase {
            Phase::Closed => return None,
            Phase::Handshake(opening) => return opening.deadline(),
            Phase::Open | Phase::Closing => {}
        }
        let keepalive = self.keepalive_deadline();
        match (self.close_deadline, keepalive) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn header_rules(&self) -> HeaderRules {
        HeaderRules {
            allowed_rsv: self
                .extension
                .as_ref()
                .map_or(0, |extension| extension.reserved_bits()),
            expect_masked: self.role.expects_masked_input(),
            max_frame_size: self.config.max_frame_size,
        }
    }
}
