//! Close codes (RFC 6455 §7.4) and the payload of a close frame (§5.5.1).

use std::fmt;

use bytes::{BufMut, Bytes, BytesMut};

use crate::error::ProtocolError;
use crate::message::Utf8Bytes;

/// A close status code.
///
/// ```
/// use wsflow_core::CloseCode;
///
/// assert!(CloseCode::NORMAL.is_sendable());
/// assert!(!CloseCode::NO_STATUS.is_sendable()); // 1005 is only ever reported, never sent
/// assert!(CloseCode::from(4000).is_sendable());   // private-use range
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CloseCode(u16);

impl CloseCode {
    /// 1000: the purpose of the connection was fulfilled.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: the endpoint is going away (server shutdown, page navigation).
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: the peer broke the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a data type the endpoint cannot accept.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1005: reported when a close frame carried no code; never sent on the wire.
    pub const NO_STATUS: CloseCode = CloseCode(1005);
    /// 1006: reported when the connection ended without a close frame; never sent.
    pub const ABNORMAL: CloseCode = CloseCode(1006);
    /// 1007: a message's payload did not match its type (invalid UTF-8 in text).
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a message violated the endpoint's policy.
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message was too big to process.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client expected an extension the server did not negotiate.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server hit an unexpected condition (also used on keepalive timeout).
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting.
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later.
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);
    /// 1014: a gateway got a bad response upstream.
    pub const BAD_GATEWAY: CloseCode = CloseCode(1014);
    /// 1015: reported when the TLS handshake failed; never sent.
    pub const TLS_HANDSHAKE: CloseCode = CloseCode(1015);

    /// The numeric value.
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// Whether this code may appear in a close frame on the wire: 1000–1003, 1007–1014 and the
    /// registered/private ranges 3000–4999. A received close frame with any other code is a
    /// protocol error (1002).
    pub const fn is_sendable(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        CloseCode(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        code.0
    }
}

impl fmt::Debug for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CloseCode({})", self.0)
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The decoded payload of a close frame: a code and a UTF-8 reason (RFC 6455 §5.5.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseFrame {
    /// The status code; [`CloseCode::NO_STATUS`] when the frame was empty.
    pub code: CloseCode,
    /// The reason text, possibly empty.
    pub reason: Utf8Bytes,
}

/// Largest reason that fits a control frame: 125 bytes of payload minus the 2-byte code.
pub const MAX_CLOSE_REASON_LEN: usize = 123;

impl CloseFrame {
    /// Decodes and validates a received close payload: empty means 1005; one byte, or a code
    /// that may not be sent, is a protocol error (1002); a reason that is not UTF-8 is 1007.
    pub fn parse(payload: &Bytes) -> Result<CloseFrame, ProtocolError> {
        match payload.as_ref() {
            [] => Ok(CloseFrame {
                code: CloseCode::NO_STATUS,
                reason: Utf8Bytes::new(),
            }),
            [_] => Err(ProtocolError::InvalidClosePayload),
            [high, low, reason @ ..] => {
                let code = CloseCode(u16::from_be_bytes([*high, *low]));
                if !code.is_sendable() {
                    return Err(ProtocolError::InvalidCloseCode(code.0));
                }
                if std::str::from_utf8(reason).is_err() {
                    return Err(ProtocolError::InvalidCloseReason);
                }
                Ok(CloseFrame {
                    code,
                    reason: Utf8Bytes::from_validated(payload.slice(2..)),
                })
            }
        }
    }

    /// Encodes the payload of a close frame; [`CloseCode::NO_STATUS`] encodes as an empty
    /// payload. The caller has validated the code and the reason's length.
    pub(crate) fn encode(code: CloseCode, reason: &str) -> Bytes {
        if code == CloseCode::NO_STATUS {
            return Bytes::new();
        }
        let mut payload = BytesMut::with_capacity(2 + reason.len());
        payload.put_u16(code.0);
        payload.put_slice(reason.as_bytes());
        payload.freeze()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sendable_ranges_follow_rfc_6455_section_7_4() {
        for code in [1000, 1001, 1002, 1003, 1007, 1010, 1011, 1014, 3000, 4999] {
            assert!(CloseCode(code).is_sendable(), "{code}");
        }
        for code in [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535] {
            assert!(!CloseCode(code).is_sendable(), "{code}");
        }
    }

    #[test]
    fn parse_rejects_one_byte_bad_codes_and_bad_utf8() {
        assert_eq!(
            CloseFrame::parse(&Bytes::from_static(&[3])),
            Err(ProtocolError::InvalidClosePayload)
        );
        assert_eq!(
            CloseFrame::parse(&Bytes::from_static(&[0x03, 0xed])),
            Err(ProtocolError::InvalidCloseCode(1005))
        );
        assert_eq!(
            CloseFrame::parse(&Bytes::from_static(&[0x03, 0xe8, 0xff])),
            Err(ProtocolError::InvalidCloseReason)
        );
    }

    #[test]
    fn parse_empty_is_no_status_and_reason_is_kept() {
        let empty = CloseFrame::parse(&Bytes::new()).unwrap();
        assert_eq!(empty.code, CloseCode::NO_STATUS);
        let frame = CloseFrame::parse(&Bytes::from_static(b"\x03\xe8bye")).unwrap();
        assert_eq!(frame.code, CloseCode::NORMAL);
        assert_eq!(frame.reason, "bye");
        assert_eq!(
            CloseFrame::encode(CloseCode::NORMAL, "bye"),
            &b"\x03\xe8bye"[..]
        );
        assert!(CloseFrame::encode(CloseCode::NO_STATUS, "").is_empty());
    }
}
