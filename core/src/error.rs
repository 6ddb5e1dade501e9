//! Typed errors: the peer's fault ([`ProtocolError`]) and the caller's ([`SendError`]).
//!
//! Handshake failures have their own type, [`HandshakeError`](crate::handshake::HandshakeError).

use std::fmt;

use crate::close::CloseCode;

/// A violation by the peer. The connection sends a close frame with [`Self::close_code`] and
/// reports the error in [`CloseCause::ProtocolError`](crate::CloseCause::ProtocolError).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// A reserved bit (RSV1–3) was set that no negotiated extension defines.
    ReservedBitsSet(u8),
    /// An opcode RFC 6455 does not define (0x3–0x7, 0xB–0xF).
    UnknownOpcode(u8),
    /// A control frame without FIN.
    FragmentedControlFrame,
    /// A control frame with more than 125 bytes of payload.
    ControlFrameTooLarge(u64),
    /// A server received an unmasked frame (RFC 6455 §5.1).
    UnmaskedFrame,
    /// A client received a masked frame (RFC 6455 §5.1).
    MaskedFrame,
    /// A 64-bit payload length with its most significant bit set.
    InvalidPayloadLength,
    /// A frame larger than [`Config::max_frame_size`](crate::Config::max_frame_size).
    FrameTooLarge {
        /// Declared payload length.
        size: u64,
        /// The configured limit.
        max: u64,
    },
    /// A message larger than [`Config::max_message_size`](crate::Config::max_message_size),
    /// measured after decompression.
    MessageTooLarge {
        /// The configured limit.
        max: u64,
    },
    /// More frames in one message than
    /// [`Config::max_fragments_per_message`](crate::Config::max_fragments_per_message).
    TooManyFragments {
        /// The configured limit.
        max: usize,
    },
    /// A continuation frame with no message in progress.
    UnexpectedContinuation,
    /// A new text or binary frame while a fragmented message was still open.
    ExpectedContinuation,
    /// A text message, or a close reason, that is not valid UTF-8.
    InvalidUtf8,
    /// A close frame with a one-byte payload.
    InvalidClosePayload,
    /// A close frame with a code that may not be sent.
    InvalidCloseCode(u16),
    /// A close reason that is not valid UTF-8.
    InvalidCloseReason,
    /// A data frame after the peer's close frame.
    DataAfterClose,
    /// An extension rejected the payload (for permessage-deflate: corrupt compressed data).
    Extension(String),
    /// No pong answered our keepalive ping in time.
    KeepaliveTimeout,
}

impl ProtocolError {
    /// The close code this error is reported with (RFC 6455 §7.4.1).
    pub fn close_code(&self) -> CloseCode {
        match self {
            // Corrupt compressed data is a payload inconsistent with its message, as node's ws
            // reports it too; RFC 7692 only says to fail the connection.
            ProtocolError::InvalidUtf8
            | ProtocolError::InvalidCloseReason
            | ProtocolError::Extension(_) => CloseCode::INVALID_PAYLOAD,
            ProtocolError::FrameTooLarge { .. } | ProtocolError::MessageTooLarge { .. } => {
                CloseCode::MESSAGE_TOO_BIG
            }
            ProtocolError::TooManyFragments { .. } => CloseCode::POLICY_VIOLATION,
            ProtocolError::KeepaliveTimeout => CloseCode::INTERNAL_ERROR,
            _ => CloseCode::PROTOCOL_ERROR,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::ReservedBitsSet(bits) => {
                write!(f, "reserved bits {bits:#05b} set without an extension")
            }
            ProtocolError::UnknownOpcode(op) => write!(f, "unknown opcode {op:#x}"),
            ProtocolError::FragmentedControlFrame => f.write_str("fragmented control frame"),
            ProtocolError::ControlFrameTooLarge(len) => {
                write!(f, "control frame of {len} bytes (max 125)")
            }
            ProtocolError::UnmaskedFrame => f.write_str("unmasked frame from a client"),
            ProtocolError::MaskedFrame => f.write_str("masked frame from a server"),
            ProtocolError::InvalidPayloadLength => {
                f.write_str("payload length has its top bit set")
            }
            ProtocolError::FrameTooLarge { size, max } => {
                write!(f, "frame of {size} bytes exceeds the limit of {max}")
            }
            ProtocolError::MessageTooLarge { max } => {
                write!(f, "message exceeds the limit of {max} bytes")
            }
            ProtocolError::TooManyFragments { max } => {
                write!(f, "message has more than {max} fragments")
            }
            ProtocolError::UnexpectedContinuation => {
                f.write_str("continuation frame with no message in progress")
            }
            ProtocolError::ExpectedContinuation => {
                f.write_str("new data frame inside a fragmented message")
            }
            ProtocolError::InvalidUtf8 => f.write_str("invalid UTF-8 in a text message"),
            ProtocolError::InvalidClosePayload => {
                f.write_str("close frame with a one-byte payload")
            }
            ProtocolError::InvalidCloseCode(code) => write!(f, "invalid close code {code}"),
            ProtocolError::InvalidCloseReason => f.write_str("close reason is not valid UTF-8"),
            ProtocolError::DataAfterClose => f.write_str("data frame after the close frame"),
            ProtocolError::Extension(why) => write!(f, "extension error: {why}"),
            ProtocolError::KeepaliveTimeout => {
                f.write_str("keepalive ping was not answered in time")
            }
        }
    }
}

impl std::error::Error for ProtocolError {}

/// A command the connection refused; nothing was queued and the state did not change.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// The opening handshake has not completed: nothing may be sent yet.
    NotOpen,
    /// `accept` or `reject` was called on a connection that has no upgrade request waiting
    /// for an answer (a client, a server still reading the request, or one already answered).
    NoUpgradeRequest,
    /// A close frame was already sent (or the connection failed or ended): no data may follow.
    Closed,
    /// Ping, pong and close payloads are limited to 125 bytes.
    ControlPayloadTooLarge(usize),
    /// The code may not be sent in a close frame (see [`CloseCode::is_sendable`]).
    InvalidCloseCode(u16),
    /// Close reasons are limited to 123 bytes.
    CloseReasonTooLong(usize),
    /// Buffered output is above [`Config::write_buffer_limit`](crate::Config::write_buffer_limit);
    /// write some out first.
    BufferFull {
        /// Bytes waiting to be written.
        buffered: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A fragmented message is being sent; finish it before sending another data message.
    FragmentedMessageInProgress,
    /// A continuation part was sent with no fragmented message started.
    NoFragmentedMessage,
    /// A text fragment would make the message invalid UTF-8.
    InvalidUtf8,
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::NotOpen => f.write_str("the opening handshake has not completed"),
            SendError::NoUpgradeRequest => f.write_str("no upgrade request waits for an answer"),
            SendError::Closed => f.write_str("the connection is closing or closed"),
            SendError::ControlPayloadTooLarge(len) => {
                write!(f, "control payload of {len} bytes (max 125)")
            }
            SendError::InvalidCloseCode(code) => write!(f, "close code {code} may not be sent"),
            SendError::CloseReasonTooLong(len) => {
                write!(f, "close reason of {len} bytes (max 123)")
            }
            SendError::BufferFull { buffered, limit } => {
                write!(f, "{buffered} bytes buffered, over the limit of {limit}")
            }
            SendError::FragmentedMessageInProgress => {
                f.write_str("a fragmented message is still being sent")
            }
            SendError::NoFragmentedMessage => f.write_str("no fragmented message was started"),
            SendError::InvalidUtf8 => f.write_str("text fragment is not valid UTF-8"),
        }
    }
}

impl std::error::Error for SendError {}
