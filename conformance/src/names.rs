//! The names scripts use for the core's error types.

use wsflow_core::{ProtocolError, SendError};

/// Every name [`protocol_error_name`] can return, for validating scripts.
pub const PROTOCOL_ERROR_NAMES: &[&str] = &[
    "reserved-bits",
    "unknown-opcode",
    "fragmented-control",
    "control-too-large",
    "unmasked-frame",
    "masked-frame",
    "invalid-length",
    "frame-too-large",
    "message-too-large",
    "too-many-fragments",
    "unexpected-continuation",
    "expected-continuation",
    "invalid-utf8",
    "invalid-close-payload",
    "invalid-close-code",
    "invalid-close-reason",
    "data-after-close",
    "extension",
    "keepalive-timeout",
];

/// The script name of a protocol error (`protocol-error NAME` in a `closed` event).
pub fn protocol_error_name(error: &ProtocolError) -> &'static str {
    match error {
        ProtocolError::ReservedBitsSet(_) => "reserved-bits",
        ProtocolError::UnknownOpcode(_) => "unknown-opcode",
        ProtocolError::FragmentedControlFrame => "fragmented-control",
        ProtocolError::ControlFrameTooLarge(_) => "control-too-large",
        ProtocolError::UnmaskedFrame => "unmasked-frame",
        ProtocolError::MaskedFrame => "masked-frame",
        ProtocolError::InvalidPayloadLength => "invalid-length",
        ProtocolError::FrameTooLarge { .. } => "frame-too-large",
        ProtocolError::MessageTooLarge { .. } => "message-too-large",
        ProtocolError::TooManyFragments { .. } => "too-many-fragments",
        ProtocolError::UnexpectedContinuation => "unexpected-continuation",
        ProtocolError::ExpectedContinuation => "expected-continuation",
        ProtocolError::InvalidUtf8 => "invalid-utf8",
        ProtocolError::InvalidClosePayload => "invalid-close-payload",
        ProtocolError::InvalidCloseCode(_) => "invalid-close-code",
        ProtocolError::InvalidCloseReason => "invalid-close-reason",
        ProtocolError::DataAfterClose => "data-after-close",
        ProtocolError::Extension(_) => "extension",
        ProtocolError::KeepaliveTimeout => "keepalive-timeout",
        _ => "unknown-protocol-error",
    }
}

/// Every name [`send_error_name`] can return, for validating scripts.
pub const SEND_ERROR_NAMES: &[&str] = &[
    "closed",
    "control-too-large",
    "invalid-close-code",
    "close-reason-too-long",
    "buffer-full",
    "fragment-in-progress",
    "no-fragment-in-progress",
    "invalid-utf8",
];

/// The script name of a refused command (`=> error NAME` after an `app` step).
pub fn send_error_name(error: &SendError) -> &'static str {
    match error {
        SendError::Closed => "closed",
        SendError::ControlPayloadTooLarge(_) => "control-too-large",
        SendError::InvalidCloseCode(_) => "invalid-close-code",
        SendError::CloseReasonTooLong(_) => "close-reason-too-long",
        SendError::BufferFull { .. } => "buffer-full",
        SendError::FragmentedMessageInProgress => "fragment-in-progress",
        SendError::NoFragmentedMessage => "no-fragment-in-progress",
        SendError::InvalidUtf8 => "invalid-utf8",
        _ => "unknown-send-error",
    }
}
