//! What a [`Connection`](crate::Connection) reports to the application.

use bytes::Bytes;
use http::{Response, StatusCode};

use crate::close::{CloseCode, CloseFrame};
use crate::error::ProtocolError;
use crate::extension::ExtensionOffer;
use crate::handshake::{HandshakeError, UpgradeRequest};
use crate::message::{Message, Utf8Bytes};

/// Something that happened on the connection, drained with
/// [`Connection::poll_event`](crate::Connection::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Server, opening handshake: a valid upgrade request arrived. Answer it with
    /// [`Connection::accept`](crate::Connection::accept) or
    /// [`Connection::reject`](crate::Connection::reject); nothing else moves until then.
    Upgrade(Box<UpgradeRequest>),
    /// The opening handshake completed: frames flow from now on. Always the first event of
    /// an open connection; carries what was negotiated.
    Opened(Box<Opened>),
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
    /// The opening handshake failed (a malformed or refused request or response, its
    /// deadline, or the transport ending first). A server has queued the HTTP error answer.
    Handshake(HandshakeError),
    /// The server application refused the upgrade request with this HTTP status
    /// ([`Connection::reject`](crate::Connection::reject)).
    Rejected(StatusCode),
}

/// What the opening handshake settled on ([`Event::Opened`]).
#[derive(Debug, Clone)]
pub struct Opened {
    /// The subprotocol in force, if any.
    pub subprotocol: Option<String>,
    /// The extensions in force with their parameters, as the server's response listed them.
    pub extensions: Vec<ExtensionOffer>,
    /// The server's `101 Switching Protocols` response (the `200` of an HTTP/2 extended
    /// CONNECT), headers included (a client's
    /// `Set-Cookie`, say); `None` on the server side, which wrote it.
    pub response: Option<Response<()>>,
}

impl PartialEq for Opened {
    fn eq(&self, other: &Self) -> bool {
        let heads_equal = match (&self.response, &other.response) {
            (Some(a), Some(b)) => {
                a.status() == b.status() && a.version() == b.version() && a.headers() == b.headers()
            }
            (None, None) => true,
            _ => false,
        };
        heads_equal && self.subprotocol == other.subprotocol && self.extensions == other.extensions
    }
}

impl Eq for Opened {}

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
