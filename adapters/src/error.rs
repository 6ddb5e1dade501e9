//! The one error type of the async layer.

use std::fmt;
use std::io;

use crate::connect::ConnectError;
use http::StatusCode;
use wsflow_core::handshake::HandshakeError;
use wsflow_core::{CloseCause, CloseReport, ProtocolError, SendError};

/// Why an operation on a [`WebSocket`](crate::WebSocket) failed.
///
/// A clean end of the connection is not an error: [`recv`](crate::WebSocket::recv) returns
/// `Ok(None)` and the final report is in [`close_report`](crate::WebSocket::close_report).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The transport failed. The connection is aborted: nothing more is read or written, and
    /// the receive side reports [`Error::Abnormal`] next.
    Io(io::Error),
    /// The peer broke the protocol; a close frame with [`ProtocolError::close_code`] was sent
    /// and the connection is over. Also reported when a keepalive ping went unanswered.
    Protocol(ProtocolError),
    /// The connection ended without completing the close handshake: the transport reached
    /// EOF, the close timeout passed, or an earlier I/O error aborted it. The report says which.
    Abnormal(CloseReport),
    /// The connection is closing or closed: no more data can be sent.
    Closed,
    /// The connection refused a command (an oversized control payload, an invalid close code,
    /// a message sent in the middle of a fragmented one, …); nothing was queued.
    Send(SendError),
    /// The opening handshake failed.
    Handshake(HandshakeError),
    /// The server's accept callback rejected the upgrade with this status, which was sent.
    Rejected(StatusCode),
    /// A client's connect failed or ran out of time at one step (DNS, TCP, proxy, TLS, or
    /// the handshake's deadline); the error names the step and the address.
    Connect(ConnectError),
}

impl Error {
    /// The error a receiver sees for a connection that ended with `closed`, or `None` if the
    /// close handshake completed.
    pub(crate) fn from_close(closed: &CloseReport) -> Option<Error> {
        match &closed.cause {
            CloseCause::Clean { .. } => None,
            CloseCause::ProtocolError(error) => Some(Error::Protocol(error.clone())),
            _ => Some(Error::Abnormal(closed.clone())),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(error) => write!(f, "transport error: {error}"),
            Error::Protocol(error) => write!(f, "protocol error: {error}"),
            Error::Abnormal(closed) => write!(
                f,
                "connection ended without a close handshake ({:?}, code {})",
                closed.cause,
                closed.code.as_u16()
            ),
            Error::Closed => f.write_str("the connection is closing or closed"),
            Error::Send(error) => write!(f, "command refused: {error}"),
            Error::Handshake(error) => write!(f, "opening handshake failed: {error}"),
            Error::Rejected(status) => write!(f, "upgrade rejected with {status}"),
            Error::Connect(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(error) => Some(error),
            Error::Protocol(error) => Some(error),
            Error::Send(error) => Some(error),
            Error::Handshake(error) => Some(error),
            // Transparent: the connect error's message is this one's, so its cause is next.
            Error::Connect(error) => std::error::Error::source(error),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(error: io::Error) -> Self {
        Error::Io(error)
    }
}

impl From<ConnectError> for Error {
    fn from(error: ConnectError) -> Self {
        Error::Connect(error)
    }
}

impl From<SendError> for Error {
    fn from(error: SendError) -> Self {
        match error {
            SendError::Closed => Error::Closed,
            other => Error::Send(other),
        }
    }
}

impl From<HandshakeError> for Error {
    fn from(error: HandshakeError) -> Self {
        Error::Handshake(error)
    }
}
