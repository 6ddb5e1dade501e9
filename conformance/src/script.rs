//! The in-memory form of a conformance script, as parsed from a `.ws` file.
//!
//! The file format is described in the crate's `README.md`; [`crate::parse`] turns text into
//! these types. Everything here is plain data: running a script is [`crate::exec`]'s job.

use std::path::PathBuf;
use std::time::Duration;

use wsflow_core::{Config, MessageKind, Role};

use crate::chunking::Chunking;

/// One parsed script.
#[derive(Debug, Clone)]
pub struct Script {
    /// The file, relative to the scripts folder (used in reports).
    pub path: PathBuf,
    /// The RFC 6455 section the script checks, e.g. `5.2`.
    pub rfc: String,
    /// One line saying what the script checks.
    pub title: String,
    /// The roles the endpoint under test plays: one run per role.
    pub roles: Vec<Role>,
    /// The configuration of the endpoint under test (defaults plus the script's overrides).
    pub config: Config,
    /// The keys the `config:` headers override (a black-box endpoint runs with its own
    /// configuration, so such scripts only run in process).
    pub config_keys: Vec<String>,
    /// What the script needs of the endpoint beyond echoing, as declared by `requires:`
    /// where the black-box runner cannot infer it from the steps (see
    /// [`crate::blackbox::select::DECLARED`]).
    pub requires: Vec<String>,
    /// What the `trailing` chunking appends after the peer's last bytes.
    pub trailing: Trailing,
    /// The chunkings the script runs under; `None` means all of [`Chunking::ALL`].
    pub chunkings: Option<Vec<Chunking>>,
    /// The masking key of the endpoint under test when it is a client (its `FixedMask`).
    pub our_mask: [u8; 4],
    /// The masking key the scripted peer uses when it is a client.
    pub peer_mask: [u8; 4],
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The opening handshake the script starts with, if any.
    pub handshake: Option<HandshakeSetup>,
}

/// One line of a script's body.
#[derive(Debug, Clone)]
pub struct Step {
    /// 1-based line number in the file.
    pub line: usize,
    /// The line as written, for reports.
    pub text: String,
    /// The step applies only when the endpoint under test plays this role (`[client]` or
    /// `[server]` before the step).
    pub only: Option<Role>,
    /// What the step does or checks.
    pub kind: StepKind,
}

/// What a step does or checks.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// The peer writes bytes; `split_at` lists offsets where the `whole` chunking cuts them
    /// (used by scripts that pin their chunking, e.g. streaming receive mode).
    PeerSends {
        /// The bytes, as a frame description or raw.
        bytes: PeerBytes,
        /// Cut points inside this step's bytes for the `whole` chunking.
        split_at: Vec<usize>,
        /// Send only the start of the frame.
        cut: Option<Cut>,
    },
    /// The peer half-closes its write side (we read EOF).
    PeerEof,
    /// The peer stops (`false`) or resumes (`true`) reading what we write.
    PeerReading(bool),
    /// The application issues a command; `expect` is the result it must get.
    App {
        /// The command.
        action: AppAction,
        /// `Ok` or the name of the expected [`wsflow_core::SendError`].
        expect: Result<(), String>,
    },
    /// The application stops (`false`) or resumes (`true`) draining events.
    Draining(bool),
    /// While not draining, the application takes this many events, one at a time (what it
    /// does between them, say a reply to a message, comes in the next steps).
    TakeEvents(usize),
    /// Virtual time moves forward; due deadlines fire on the way.
    Advance(Duration),
    /// The next bytes we wrote must be this frame.
    ExpectSent(ExpectedFrame),
    /// Nothing we wrote is unaccounted for.
    ExpectNoOutput,
    /// The next event must be this one.
    ExpectEvent(ExpectedEvent),
    /// No event is waiting.
    ExpectNoEvent,
    /// We have (`true`) or have not (`false`) shut down our write half.
    ExpectShutdown(bool),
    /// The endpoint does (`true`) or does not (`false`) want to read.
    ExpectWantsRead(bool),
    /// The peer sends HTTP text (and possibly frames in the same read).
    PeerSendsHttp(Vec<HttpPart>),
    /// The next bytes we wrote are this HTTP head (and the body its `Content-Length` gives).
    ExpectSentHttp(ExpectedHttp),
    /// The next bytes we wrote are an HTTP response with this status (head and body).
    ExpectHttpStatus(u16),
    /// The handshake ended this way.
    ExpectHandshake(HandshakeOutcome),
}

/// Bytes the peer sends.
#[derive(Debug, Clone)]
pub enum PeerBytes {
    /// A frame that the runner encodes and masks for the direction.
    Frame(FrameSpec),
    /// Bytes exactly as written.
    Raw(Vec<u8>),
}

/// Only the start of a described frame is sent; the rest never arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Only the first N bytes of the header.
    Header(usize),
    /// The whole header and the first N bytes of the payload.
    Payload(usize),
}

/// Which masking a described frame uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaskChoice {
    /// Masked exactly when the sender is a client (the peer's key or ours).
    Auto,
    /// Masked with the sender's key whatever the direction.
    On,
    /// Unmasked whatever the direction.
    Off,
    /// Masked with this key.
    Key([u8; 4]),
}

/// How a described frame encodes its payload length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthForm {
    /// The shortest form (RFC 6455 §5.2).
    Minimal,
    /// Always the 16-bit form (126).
    Extended16,
    /// Always the 64-bit form (127).
    Extended64,
}

/// A frame described by its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameSpec {
    /// FIN bit.
    pub fin: bool,
    /// RSV1..RSV3 as a 3-bit number (RSV1 = 4, RSV2 = 2, RSV3 = 1).
    pub rsv: u8,
    /// The 4-bit opcode.
    pub opcode: u8,
    /// Masking.
    pub mask: MaskChoice,
    /// Length encoding.
    pub length: LengthForm,
    /// The unmasked payload.
    pub payload: Vec<u8>,
}

/// A frame we must have sent.
#[derive(Debug, Clone)]
pub enum ExpectedFrame {
    /// Exactly this frame (masked with our key when we are a client).
    Exact(FrameSpec),
    /// Exactly these bytes.
    Raw(Vec<u8>),
    /// A close frame with this code and any UTF-8 reason of at most 123 bytes (a failure's
    /// reason is diagnostic text, not part of the protocol).
    CloseAnyReason(u16),
}

/// An application command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppAction {
    /// `send_text`.
    SendText(String),
    /// `send_binary`.
    SendBinary(Vec<u8>),
    /// `send_fragment`.
    SendFragment {
        /// Text or binary.
        kind: MessageKind,
        /// The fragment's payload (text fragments may split a character).
        payload: Vec<u8>,
        /// Whether this fragment ends the message.
        fin: bool,
    },
    /// `send_ping`.
    Ping(Vec<u8>),
    /// `send_pong`.
    Pong(Vec<u8>),
    /// `close(code, reason)`; 1005 sends an empty close frame.
    Close {
        /// The close code.
        code: u16,
        /// The reason.
        reason: String,
    },
    /// `abort()`.
    Abort,
}

/// An event the application must receive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedEvent {
    /// A whole text message.
    Text(Vec<u8>),
    /// A whole binary message.
    Binary(Vec<u8>),
    /// A streamed piece of a message.
    Chunk {
        /// Text or binary.
        kind: MessageKind,
        /// The piece.
        payload: Vec<u8>,
        /// Whether it is the message's last piece.
        fin: bool,
    },
    /// A ping with this payload.
    Ping(Vec<u8>),
    /// A pong with this payload.
    Pong(Vec<u8>),
    /// The peer's close frame.
    CloseReceived {
        /// Its code (1005 when empty).
        code: u16,
        /// Its reason.
        reason: Vec<u8>,
    },
    /// The end of the connection.
    Closed {
        /// The reported code.
        code: u16,
        /// Why it ended.
        cause: ExpectedCause,
        /// The reported reason, when the script pins it.
        reason: Option<Vec<u8>>,
    },
}

/// The cause in an expected `closed` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedCause {
    /// Clean, we closed first.
    CleanLocal,
    /// Clean, the peer closed first.
    CleanRemote,
    /// The transport ended first.
    Eof,
    /// The close timeout expired.
    Timeout,
    /// The application aborted.
    Aborted,
    /// The peer broke the protocol; the name from [`crate::names::protocol_error_name`].
    ProtocolError(String),
}

/// What the `trailing` chunking appends to the peer's last bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trailing {
    /// Nothing: the chunking is skipped.
    None,
    /// The first byte of another frame header (`0x82`): it must change nothing.
    Partial,
    /// A complete text frame: the script guarantees parsing has stopped, so it must be ignored.
    Frame,
}

/// Protocol-relevant configuration overrides accepted by the `config:` header, for the
/// README and error messages.
pub const CONFIG_KEYS: &[&str] = &[
    "max_frame_size",
    "max_message_size",
    "max_fragments_per_message",
    "auto_pong",
    "max_pending_events",
    "write_buffer_high_water",
    "write_buffer_limit",
    "close_timeout",
    "keepalive",
    "receive_mode",
];

/// The key the scripted peer masks with unless `peer-mask:` says otherwise: the one of the
/// examples in RFC 6455 §5.7.
pub const DEFAULT_PEER_MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// The key the endpoint under test masks with (its `FixedMask`) unless `our-mask:` says
/// otherwise; deliberately different from the peer's.
pub const DEFAULT_OUR_MASK: [u8; 4] = [0x0b, 0xad, 0xf0, 0x0d];

/// The opening handshake a script starts with (`handshake:` header): the endpoint under test
/// is created before it, and the steps play the HTTP exchange first.
#[derive(Debug, Clone, Default)]
pub struct HandshakeSetup {
    /// The URL the client connects to (`url:`); default `ws://server.example.com/chat`.
    pub url: String,
    /// Client: the subprotocols offered, in order. Server: those it supports; it picks the
    /// first of the client's offers that it supports (`subprotocols:`).
    pub subprotocols: Vec<String>,
    /// permessage-deflate settings (`deflate:`): the client offers, the server accepts.
    pub deflate: Option<wsflow_core::extension::deflate::DeflateConfig>,
    /// The opening is an HTTP/2 extended CONNECT (RFC 8441; `handshake: h2`) instead of an
    /// HTTP/1.1 upgrade (`handshake: on`): only the HTTP/2 runner plays it.
    pub http2: bool,
    /// Client over HTTP/2: the peer's server does not send `SETTINGS_ENABLE_CONNECT_PROTOCOL`
    /// (`connect-protocol: withheld`; default `advertised`).
    pub connect_protocol_withheld: bool,
    /// Server over HTTP/2: the application refuses the request with this status (`reject:`)
    /// instead of accepting it.
    pub reject: Option<u16>,
}

/// The URL a handshake script's client connects to unless `url:` says otherwise.
pub const DEFAULT_URL: &str = "ws://server.example.com/chat";

/// The 16 bytes the core runner's client uses as its `Sec-WebSocket-Key`: the nonce of RFC
/// 6455 §1.3 (`dGhlIHNhbXBsZSBub25jZQ==`).
pub const FIXED_KEY: [u8; 16] = *b"the sample nonce";

/// One part of an HTTP step's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpPart {
    /// Text, already with its `\r\n` line ends; `{accept}` is replaced by the accept value of
    /// the key the endpoint sent.
    Text(String),
    /// A frame in the same read, after the head (`+ FRAME`).
    Frame(FrameSpec),
}

/// An HTTP head the endpoint must have sent (`expect sent http`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedHttp {
    /// The request or status line, compared exactly.
    pub start: String,
    /// The header lines as (lowercase name, value); compared as a multiset. A value `*`
    /// matches anything; `{key}` matches anything and records the value as our key.
    pub headers: Vec<(String, String)>,
    /// Whether headers beyond these are allowed (black-box runs: RFC 6455 §4.2.2 lets a
    /// server add its own, e.g. `Date` or `Server`).
    pub extra_headers: bool,
}

/// The outcome of the opening handshake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeOutcome {
    /// Open, with this subprotocol.
    Open(Option<String>),
    /// Failed with this error (name from [`crate::names::handshake_error_name`]).
    Failed(String),
}
