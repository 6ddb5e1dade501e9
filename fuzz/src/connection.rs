//! The connection targets' harness: two connections opened through the public handshake API
//! run the same commands, one fed received bytes whole and one fed them in the fuzzer's
//! pieces (draining events between pieces); both must report the same events and write the
//! same bytes. Every output byte goes through the independent [`WireChecker`], and the
//! contract's invariants are checked after every step.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use wsflow_core::extension::deflate::DeflateConfig;
use wsflow_core::handshake::{Accept, ClientRequest, ServerOptions};
use wsflow_core::mask::MaskSource;
use wsflow_core::{
    CloseCause, CloseCode, Config, Connection, Event, Message, MessageKind, ProtocolError,
    ReceiveMode, Role, State, Utf8Bytes,
};

use crate::format::{
    self, Command, DEFLATE, KEEPALIVE, KEY, NO_AUTO_PONG, STREAMING, Setup, switching_response,
    upgrade_request,
};
use crate::peer::Peer;
use crate::wire::{WireChecker, same_frames};

/// Masking keys from a counter: deterministic (both connections of a pair write the same
/// bytes) and varied (zero bytes included).
#[derive(Debug, Default)]
struct CountingMask(u32);

impl MaskSource for CountingMask {
    fn next_key(&mut self) -> [u8; 4] {
        self.0 = self.0.wrapping_add(1);
        (self.0.wrapping_mul(0x9e37_79b9) & 0xff00_ffff).to_le_bytes()
    }
}

/// The configuration a setup asks for: small limits so that the fuzzer reaches them.
pub fn config(setup: Setup) -> Config {
    let timeout = Duration::from_millis(u64::from(setup.timeout) * 10 + 1);
    let mut config = Config::new()
        .max_message_size(u64::from(setup.max_message) * 64)
        .max_frame_size(u64::from(setup.max_frame) * 64)
        .max_pending_events(1 + usize::from(setup.pending_events % 8))
        .write_buffer_high_water(usize::from(setup.high_water) * 16)
        .write_buffer_limit(usize::from(setup.buffer_limit) * 64)
        .close_timeout(timeout)
        .auto_pong(setup.flags & NO_AUTO_PONG == 0);
    if setup.flags & STREAMING != 0 {
        config = config.receive_mode(ReceiveMode::Streaming);
    }
    if setup.flags & KEEPALIVE != 0 {
        config = config.keepalive(timeout * 2, timeout);
    }
    config
}

/// The permessage-deflate settings a setup asks for (both roles use the same).
fn deflate_config(setup: Setup) -> DeflateConfig {
    let mut deflate = DeflateConfig::default();
    deflate.server_no_context_takeover = setup.flags & 0x10 != 0;
    deflate.client_no_context_takeover = setup.flags & 0x20 != 0;
    deflate.client_max_window_bits = (setup.flags & 0x40 != 0).then_some(9);
    deflate.server_max_window_bits = (setup.flags & 0x80 != 0).then_some(10);
    deflate.threshold = usize::from(setup.pending_events);
    deflate
}

/// An open connection for `role` made through the opening handshake, and the time.
pub fn open(role: Role, setup: Setup, now: Instant) -> Connection {
    let deflate = setup.flags & DEFLATE != 0;
    let config = config(setup);
    let mut conn = match role {
        Role::Server => {
            let mut options = ServerOptions::new();
            if deflate {
                options = options.deflate(deflate_config(setup));
            }
            let mut conn = Connection::server(options, config, now);
            let offer = deflate.then_some(
                "permessage-deflate; client_max_window_bits; server_max_window_bits=12, \
                 permessage-deflate",
            );
            conn.receive(now, &upgrade_request(offer));
            assert!(matches!(conn.poll_event(), Some(Event::Upgrade(_))));
            conn.accept(Accept::new()).expect("a request waits");
            conn
        }
        Role::Client => {
            let mut request = ClientRequest::new("ws://example.com/chat").expect("valid URL");
            if deflate {
                request = request.deflate(deflate_config(setup));
            }
            let mut conn = Connection::client_with_key(request, *KEY, config, now);
            let out = drain_output(&mut conn);
            assert!(out.starts_with(b"GET /chat HTTP/1.1\r\n"));
            let answer = deflate.then(|| client_answer(&deflate_config(setup)));
            conn.receive(now, &switching_response(answer.as_deref()));
            conn
        }
    }
    .with_mask_source(Box::new(CountingMask::default()));
    let Some(Event::Opened(opened)) = conn.poll_event() else {
        panic!("the handshake opens the connection");
    };
    assert_eq!(
        opened.extensions.is_empty(),
        !deflate,
        "deflate negotiated as asked"
    );
    assert_eq!(conn.state(), State::Open);
    let out = drain_output(&mut conn);
    if role == Role::Server {
        assert!(out.starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
    } else {
        assert!(out.is_empty());
    }
    conn
}

/// What a server answers to the client's offer for `deflate`.
fn client_answer(deflate: &DeflateConfig) -> String {
    let mut answer = String::from("permessage-deflate");
    if deflate.server_no_context_takeover {
        answer.push_str("; server_no_context_takeover");
    }
    if let Some(bits) = deflate.server_max_window_bits {
        let _ = write!(answer, "; server_max_window_bits={bits}");
    }
    if deflate.client_no_context_takeover {
        answer.push_str("; client_no_context_takeover");
    }
    if let Some(bits) = deflate.client_max_window_bits {
        let _ = write!(answer, "; client_max_window_bits={bits}");
    }
    answer
}

/// Writes everything out: the bytes written.
pub fn drain_output(conn: &mut Connection) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let chunk = conn.pending_output().to_vec();
        if chunk.is_empty() {
            assert_eq!(
                conn.buffered_amount(),
                0,
                "pending_output empty with bytes buffered"
            );
            return out;
        }
        conn.consume_output(chunk.len());
        out.extend_from_slice(&chunk);
    }
}

/// One connection and what has been seen of it.
struct Side {
    conn: Connection,
    closed_seen: bool,
    shutdown_seen: bool,
    /// The message being streamed in: text or not, and its chunks so far.
    streamed: Option<(bool, Vec<u8>)>,
}

impl Side {
    fn new(conn: Connection) -> Self {
        Side {
            conn,
            closed_seen: false,
            shutdown_seen: false,
            streamed: None,
        }
    }

    /// Takes every event, checking the per-event invariants. Streamed chunks are reported
    /// as the whole message at its last chunk: where chunks end depends on how the bytes
    /// arrived, what they add up to must not.
    fn drain_events(&mut self, into: &mut Vec<Event>) {
        let max_message = self.conn.config().max_message_size;
        while let Some(event) = self.conn.poll_event() {
            assert!(!self.closed_seen, "event after Closed: {event:?}");
            match &event {
                Event::Closed(report) => {
                    self.closed_seen = true;
                    assert_eq!(self.conn.state(), State::Closed);
                    assert_eq!(self.conn.close_report(), Some(report));
                    let invalid_data = matches!(
                        report.cause,
                        CloseCause::ProtocolError(
                            ProtocolError::Extension(_) | ProtocolError::InvalidUtf8
                        )
                    );
                    if invalid_data {
                        // zlib words the same corruption differently depending on where
                        // the stream was cut (even "repeated call with bad state"), and the
                        // report quotes it. And a compressed text message that is both
                        // invalid UTF-8 and corrupt further on fails on whichever is found
                        // first: in pieces, the inflated prefix is validated as it comes
                        // (fail fast); whole, zlib reports the corruption before the output
                        // is validated. Both are 1007 (invalid payload data), so compare
                        // the code only.
                        let mut report = report.clone();
                        report.reason = Utf8Bytes::new();
                        report.cause =
                            CloseCause::ProtocolError(ProtocolError::Extension(String::new()));
                        into.push(Event::Closed(report));
                        continue;
                    }
                }
                Event::Message(message) => {
                    assert!(
                        message.len() as u64 <= max_message,
                        "message over the limit"
                    );
                }
                Event::MessageChunk { chunk, fin } => {
                    let text = chunk.as_text().is_some();
                    let (kind, body) = self.streamed.get_or_insert_with(|| (text, Vec::new()));
                    assert_eq!(*kind, text, "chunks of one message change kind");
                    body.extend_from_slice(chunk.as_bytes());
                    assert!(
                        body.len() as u64 <= max_message,
                        "streamed message over the limit"
                    );
                    if !*fin {
                        continue;
                    }
                    let (text, body) = self.streamed.take().expect("just inserted");
                    let message = if text {
                        Message::text(String::from_utf8(body).expect("chunks end on characters"))
                    } else {
                        Message::binary(body)
                    };
                    into.push(Event::Message(message));
                    continue;
                }
                Event::Ping(payload) | Event::Pong(payload) => assert!(payload.len() <= 125),
                Event::Upgrade(_) | Event::Opened(_) => panic!("handshake event when open"),
                Event::CloseReceived(_) => {}
            }
            into.push(event);
        }
        if self.closed_seen {
            assert!(self.conn.poll_event().is_none());
        }
    }

    fn check_shutdown(&mut self) {
        if self.shutdown_seen {
            assert_eq!(
                self.conn.buffered_amount(),
                0,
                "output after wants_shutdown"
            );
            assert!(self.conn.wants_shutdown(), "wants_shutdown turned false");
        }
        self.shutdown_seen |= self.conn.wants_shutdown();
    }
}

/// Runs a connection target's input for `role`.
#[allow(clippy::too_many_lines)] // one loop over the commands, read top to bottom
pub fn run(role: Role, data: &[u8]) {
    let (setup, commands) = format::decode(data);
    let deflate = setup.flags & DEFLATE != 0;
    let mut now = Instant::now();
    let mut whole = Side::new(open(role, setup, now));
    let mut cut = Side::new(open(role, setup, now));
    let mut wire = WireChecker::new(role == Role::Client, deflate);
    let mut peer = Peer::new(role);
    let mut sent = Sent::default();
    // Queued output was dropped (abort, close timeout): the wire may end inside a frame and
    // lack the last messages.
    let mut dropped = false;
    let high_water = whole.conn.config().write_buffer_high_water;
    // Everything each connection wrote, compared frame by frame at the end.
    let (mut written_whole, mut written_cut) = (Vec::new(), Vec::new());

    // WSFLOW_FUZZ_TRACE=1 prints every step, to understand a crash when replaying it.
    let trace = std::env::var_os("WSFLOW_FUZZ_TRACE").is_some();
    for command in commands {
        if trace {
            eprintln!("step {command:?}");
        }
        let (mut events_whole, mut events_cut) = (Vec::new(), Vec::new());
        let buffered_before = whole.conn.buffered_amount();
        let mut from_peer = None;
        let command_kind = if matches!(command, Command::Consume(_)) {
            Kind::Consume
        } else {
            Kind::Other
        };
        match command {
            Command::Receive { data, cuts } => from_peer = Some((data, cuts)),
            Command::Frame {
                flags,
                payload,
                cuts,
            } => from_peer = Some((peer.frame(flags, &payload), cuts)),
            Command::Compressed {
                flags,
                payload,
                cuts,
            } => from_peer = Some((peer.compressed(flags, &payload), cuts)),
            Command::Advance(ms) => {
                now += Duration::from_millis(u64::from(ms));
                whole.conn.handle_timeout(now);
                cut.conn.handle_timeout(now);
            }
            Command::Consume(n) => {
                let n = usize::from(n);
                let written = take(&mut whole.conn, n);
                written_cut.extend(take(&mut cut.conn, n));
                written_whole.extend_from_slice(&written);
                wire.feed(&written);
            }
            Command::Eof => {
                whole.conn.receive_eof(now);
                cut.conn.receive_eof(now);
            }
            Command::Abort => {
                whole.conn.abort();
                cut.conn.abort();
            }
            command => {
                let a = app(&mut whole.conn, now, &command, &mut sent);
                let b = app(&mut cut.conn, now, &command, &mut Sent::default());
                assert_eq!(a, b, "same answer to {command:?}");
            }
        }
        if let Some((data, cuts)) = from_peer {
            whole.conn.receive(now, &data);
            whole.drain_events(&mut events_whole);
            for piece in pieces(&data, &cuts) {
                receive_piece(&mut cut.conn, now, piece);
                let before = events_cut.len();
                cut.drain_events(&mut events_cut);
                if trace {
                    eprintln!(
                        "  piece {} -> {} events, streamed {:?}, state {:?}, stats {:?}",
                        piece.len(),
                        events_cut.len() - before,
                        cut.streamed.as_ref().map(|s| s.1.len()),
                        cut.conn.state(),
                        cut.conn.stats()
                    );
                    eprintln!(
                        "  out {:?}",
                        String::from_utf8_lossy(cut.conn.pending_output())
                    );
                }
            }
            // A peer's input may add at most a pong past the high-water mark (later ones
            // wait) and a close frame.
            let grown = whole.conn.buffered_amount();
            assert!(
                grown <= buffered_before.max(high_water) + 2 * (125 + 14),
                "peer input grew the output from {buffered_before} to {grown}"
            );
        }
        whole.drain_events(&mut events_whole);
        cut.drain_events(&mut events_cut);
        if whole.conn.buffered_amount() < buffered_before && !matches!(command_kind, Kind::Consume)
        {
            assert!(whole.conn.is_closed(), "output dropped while not closed");
            wire.discard_partial();
            dropped = true;
        }
        if trace {
            eprintln!("  whole: {events_whole:?} streamed {:?}", whole.streamed);
            eprintln!("  cut:   {events_cut:?} streamed {:?}", cut.streamed);
            eprintln!(
                "  state {:?} buffered {}",
                whole.conn.state(),
                whole.conn.buffered_amount()
            );
        }
        assert_eq!(events_whole, events_cut, "chunking changed the events");
        // Streaming delivers a message's valid prefix before a violation further on is
        // found, so a failed connection may have delivered more in the cut run.
        if whole.conn.state() == State::Open {
            assert_eq!(
                whole.streamed, cut.streamed,
                "chunking changed the streamed payload"
            );
        }
        // Until a close frame goes out the output must match byte for byte; after a
        // failure, the close reasons may differ (see `same_frames`).
        if whole.conn.state() == State::Open {
            assert_eq!(
                whole.conn.buffered_amount(),
                cut.conn.buffered_amount(),
                "chunking changed the output"
            );
            assert_eq!(whole.conn.stats(), cut.conn.stats());
        }
        assert_eq!(whole.conn.state(), cut.conn.state());
        whole.check_shutdown();
        cut.check_shutdown();
    }

    let written = drain_output(&mut whole.conn);
    written_whole.extend_from_slice(&written);
    written_cut.extend(drain_output(&mut cut.conn));
    same_frames(&written_whole, &written_cut, role == Role::Client);
    wire.feed(&written);
    if dropped {
        assert!(sent.messages.starts_with(&wire.messages));
    } else {
        assert!(!wire.has_partial_frame(), "output ends inside a frame");
        assert_eq!(
            wire.messages, sent.messages,
            "the wire carries what was sent"
        );
    }
}

/// Whether a step wrote output out (then the buffered amount may shrink).
enum Kind {
    Consume,
    Other,
}

/// `n` bytes (at most all that is buffered) written out of `conn`.
fn take(conn: &mut Connection, n: usize) -> Vec<u8> {
    let n = n.min(conn.buffered_amount());
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let chunk = conn.pending_output();
        let k = chunk.len().min(n - out.len());
        assert!(k > 0, "pending_output empty with bytes buffered");
        out.extend_from_slice(&chunk[..k]);
        conn.consume_output(k);
    }
    out
}

/// `data` cut after each of `cuts` bytes in turn (cyclically; 0 counts as 1).
pub fn pieces<'a>(data: &'a [u8], cuts: &[u8]) -> Vec<&'a [u8]> {
    if cuts.is_empty() {
        return vec![data];
    }
    let mut out = Vec::new();
    let mut rest = data;
    for &cut in cuts.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at(usize::from(cut.max(1)).min(rest.len()));
        out.push(piece);
        rest = tail;
    }
    out
}

/// Data messages the application queued, as the wire must carry them.
#[derive(Debug, Default)]
struct Sent {
    messages: Vec<(bool, Vec<u8>)>,
    fragmented: Option<(bool, Vec<u8>)>,
}

/// Runs an application command; the result as text, to compare the two connections.
fn app(conn: &mut Connection, now: Instant, command: &Command, sent: &mut Sent) -> String {
    let result = match command {
        Command::SendText(bytes) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let result = conn.send_text(text.clone());
            if result.is_ok() {
                sent.messages.push((true, text.into_bytes()));
            }
            result
        }
        Command::SendBinary(bytes) => {
            let result = conn.send_binary(bytes.clone());
            if result.is_ok() {
                sent.messages.push((false, bytes.clone()));
            }
            result
        }
        Command::SendFragment { flags, payload } => {
            let (fin, text) = (flags & 1 != 0, flags & 2 != 0);
            let kind = if text {
                MessageKind::Text
            } else {
                MessageKind::Binary
            };
            let result = conn.send_fragment(kind, payload.clone(), fin);
            if result.is_ok() {
                let message = sent.fragmented.get_or_insert_with(|| (text, Vec::new()));
                message.1.extend_from_slice(payload);
                if fin {
                    let done = sent.fragmented.take().expect("just inserted");
                    sent.messages.push(done);
                }
            }
            result
        }
        Command::Ping(payload) => conn.send_ping(payload.clone()),
        Command::Pong(payload) => conn.send_pong(payload.clone()),
        Command::Close { code, reason } => {
            let reason = String::from_utf8_lossy(reason);
            conn.close(now, CloseCode::from(*code), &reason)
        }
        _ => unreachable!("peer and clock commands are handled by run"),
    };
    format!("{result:?}")
}

/// Feeds `piece` as the adapters do: into the space the connection lends while a large
/// payload arrives (`lend_receive_buffer`), through `receive` otherwise.
fn receive_piece(conn: &mut Connection, now: Instant, mut piece: &[u8]) {
    while !piece.is_empty() {
        let Some(space) = conn.lend_receive_buffer() else {
            conn.receive(now, piece);
            return;
        };
        let len = space.len().min(piece.len());
        if let (Some(into), Some(from)) = (space.get_mut(..len), piece.get(..len)) {
            into.copy_from_slice(from);
        }
        conn.receive_lent(now, len);
        piece = piece.get(len..).unwrap_or_default();
    }
}
