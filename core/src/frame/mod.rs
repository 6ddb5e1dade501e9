//! Frame headers (RFC 6455 §5.2): opcodes, incremental decoding and encoding.
//!
//! Payloads never pass through this module: the decoder stops at the end of the header and
//! the connection takes the payload straight from its input buffer.

mod decoder;
mod encoder;

pub(crate) use decoder::{HeaderDecoder, HeaderRules};
pub(crate) use encoder::{MAX_HEADER_LEN, encode_header};

/// A frame opcode that RFC 6455 defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum OpCode {
    /// 0x0: continues a fragmented data message.
    Continuation,
    /// 0x1: first frame of a text message.
    Text,
    /// 0x2: first frame of a binary message.
    Binary,
    /// 0x8: close.
    Close,
    /// 0x9: ping.
    Ping,
    /// 0xA: pong.
    Pong,
}

impl OpCode {
    /// Decodes the low nibble of a frame's first byte; `None` for reserved opcodes.
    pub(crate) fn from_nibble(nibble: u8) -> Option<OpCode> {
        Some(match nibble {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xA => OpCode::Pong,
            _ => return None,
        })
    }

    /// The 4-bit wire value.
    pub(crate) fn as_nibble(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xA,
        }
    }

    /// Close, ping and pong.
    pub(crate) fn is_control(self) -> bool {
        matches!(self, OpCode::Close | OpCode::Ping | OpCode::Pong)
    }
}

/// A decoded and validated frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameHeader {
    /// FIN: the last frame of its message.
    pub(crate) fin: bool,
    /// Reserved bits as they sit in the first byte (`RSV1 | RSV2 | RSV3` mask `0x70`).
    pub(crate) rsv: u8,
    /// The opcode.
    pub(crate) opcode: OpCode,
    /// The masking key, if the frame is masked.
    pub(crate) mask: Option<[u8; 4]>,
    /// Payload length in bytes.
    pub(crate) payload_len: u64,
}

/// Largest payload a control frame may carry (RFC 6455 §5.5).
pub(crate) const MAX_CONTROL_PAYLOAD: usize = 125;
