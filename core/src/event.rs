//! What a [`Connection`](crate::Connection) reports to the application.

use bytes::Bytes;

use crate::close::{CloseCode, CloseFrame};
use crate::error::ProtocolError;
use crate::message::{Message, Utf8Bytes};

/// Something that happened on the connection, drained with
/// [`Connection::poll_event`](crate::Connection::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A whole data message ([`ReceiveMode::WholeMessages`](crate::ReceiveMode)).
    Message(Message),
    /// A piece of a data message ([`ReceiveMode::Streaming`](crate::ReceiveMode)); text chunks
    /// end on character boundaries. `fin` marks the message's last chunk.
    MessageChunk {
        /// The payload piece, text or binary as the message.
        chunk: Message,
        /// Whether this is the message's last chunk.
        fin: bool,
    },
    /// The peer pinged us; with auto-pong on, the pong is already queued.
    Ping(Bytes),
    /// The peer sent a pong.
    Pong(Bytes),
    /// The peer sent a close frame. If we had not sent ours, the reply is already queued; no
    /// more data messages will arrive.
    CloseReceived(CloseFrame),
    /// The connection is over: the transport may be dropped. Always the last event.
    Closed(CloseReport),
}

/// Who started the close handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Initiator {
    /// We sent the first close frame.
    Local,
    /// The peer sent the first close frame.
    Remote,
}

/// Why the connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloseCause {
    /// Both close frames were exchanged and the TCP connection ended in order.
    Clean {
        /// Who sent the first close frame.
        initiator: Initiator,
    },
    /// The peer broke the protocol; we sent a close frame with the error's code.
    ProtocolError(ProtocolError),
    /// The transport ended before the close handshake completed.
    Eof,
    /// The peer did not complete the close handshake within
    /// [`Config::close_timeout`](crate::Config::close_timeout). (Once both close frames are
    /// out, a peer slow to end the TCP connection still gives [`CloseCause::Clean`].)
    Timeout,
    /// The application called [`Connection::abort`](crate::Connection::abort).
    Aborted,
}

/// The final report of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReport {
    /// The close code: the peer's after a clean handshake (1005 if it sent none), the one we
    /// sent after a protocol error, 1006 when no close frame completed the handshake.
    pub code: CloseCode,
    /// The close reason that goes with `code`.
    pub reason: Utf8Bytes,
    /// Why the connection ended.
    pub cause: CloseCause,
}

impl CloseReport {
    /// Whether the close handshake completed.
    pub fn was_clean(&self) -> bool {
        matches!(self.cause, CloseCause::Clean { .. })
    }
}
