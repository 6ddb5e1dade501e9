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

/// The names `expect handshake error` accepts.
pub const HANDSHAKE_ERROR_NAMES: &[&str] = &[
    "start-line-too-long",
    "header-line-too-long",
    "too-many-headers",
    "head-too-large",
    "timeout",
    "malformed",
    "method-not-allowed",
    "unsupported-http-version",
    "invalid-host",
    "missing-upgrade",
    "invalid-upgrade",
    "invalid-connection",
    "unsupported-version",
    "invalid-key",
    "invalid-subprotocols",
    "invalid-extensions",
    "unexpected-status",
    "invalid-accept",
    "unexpected-subprotocol",
    "unexpected-extension",
    "invalid-deflate-response",
    "eof",
    "invalid-protocol",
    "extended-connect-disabled",
    "rejected",
    "other",
];

/// The script name of a handshake error.
pub fn handshake_error_name(error: &wsflow_core::handshake::HandshakeError) -> &'static str {
    use wsflow_core::handshake::HandshakeError as E;
    match error {
        E::StartLineTooLong { .. } => "start-line-too-long",
        E::HeaderLineTooLong { .. } => "header-line-too-long",
        E::TooManyHeaders { .. } => "too-many-headers",
        E::HeadTooLarge { .. } => "head-too-large",
        E::Timeout => "timeout",
        E::Malformed(_) => "malformed",
        E::MethodNotAllowed(_) => "method-not-allowed",
        E::UnsupportedHttpVersion => "unsupported-http-version",
        E::InvalidHost => "invalid-host",
        E::MissingUpgrade => "missing-upgrade",
        E::InvalidUpgrade => "invalid-upgrade",
        E::InvalidConnection => "invalid-connection",
        E::UnsupportedVersion => "unsupported-version",
        E::InvalidKey => "invalid-key",
        E::InvalidSubprotocols => "invalid-subprotocols",
        E::InvalidExtensions(_) => "invalid-extensions",
        E::UnexpectedStatus(_) => "unexpected-status",
        E::InvalidAccept => "invalid-accept",
        E::UnexpectedSubprotocol(_) => "unexpected-subprotocol",
        E::UnexpectedExtension(_) => "unexpected-extension",
        E::InvalidDeflateResponse(_) => "invalid-deflate-response",
        E::ConnectionClosed => "eof",
        E::InvalidProtocol => "invalid-protocol",
        E::ExtendedConnectDisabled => "extended-connect-disabled",
        _ => "other",
    }
}
