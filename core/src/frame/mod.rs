//! Frame headers (RFC 6455 §5.2): opcodes, incremental decoding and encoding.
//!
//! Payloads never pass through this module: the decoder stops at the end of the header and
//! the connection takes the payload straight from its input buffer.

mod decoder;
mod encoder;

pub use decoder::{HeaderDecoder, HeaderRules};
pub use encoder::{MAX_HEADER_LEN, encode_header};

/// A frame opcode that RFC 6455 defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpCode {
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
    pub fn from_nibble(nibble: u8) -> Option<OpCode> {
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
    pub fn as_nibble(self) -> u8 {
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
    pub fn is_control(self) -> bool {
        matches!(self, OpCode::Close | OpCode::Ping | OpCode::Pong)
    }
}

/// RSV1, the bit permessage-deflate uses, as it sits in a frame's first byte.
pub const RSV1: u8 = 0x40;
/// RSV2 as it sits in a frame's first byte.
pub const RSV2: u8 = 0x20;
/// RSV3 as it sits in a frame's first byte.
pub const RSV3: u8 = 0x10;

/// A decoded and validated frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// FIN: the last frame of its message.
    pub fin: bool,
    /// Reserved bits as they sit in the first byte (`RSV1 | RSV2 | RSV3` mask `0x70`).
    pub rsv: u8,
    /// The opcode.
    pub opcode: OpCode,
    /// The masking key, if the frame is masked.
    pub mask: Option<[u8; 4]>,
    /// Payload length in bytes.
    pub payload_len: u64,
}

/// Largest payload a control frame may carry (RFC 6455 §5.5).
pub const MAX_CONTROL_PAYLOAD: usize = 125;
