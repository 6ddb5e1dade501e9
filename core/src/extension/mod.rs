//! The extension point: RSV bits and payload transforms negotiated in the opening handshake
//! (RFC 6455 §9), and the `Sec-WebSocket-Extensions` header grammar they are negotiated with.
//!
//! The connection knows nothing about any particular extension; it asks the negotiated
//! [`Extension`] which reserved bits are legal and hands it message payloads to transform.

pub mod deflate;
mod header;

use std::fmt;

/// RSV1, the bit permessage-deflate uses, as it sits in a frame's first byte (for
/// [`Extension::reserved_bits`] and the `rsv` an extension reports).
pub const RSV1: u8 = 0x40;
/// RSV2 as it sits in a frame's first byte.
pub const RSV2: u8 = 0x20;
/// RSV3 as it sits in a frame's first byte.
pub const RSV3: u8 = 0x10;

use bytes::BytesMut;

use crate::error::ProtocolError;

pub use header::{ExtensionHeaderError, ExtensionOffer, format_extensions, parse_extensions};

/// Where a frame sits in the message it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramePosition {
    /// The first frame of the message (the one that carries the opcode and the RSV bits).
    pub first: bool,
    /// The last frame of the message.
    pub fin: bool,
}

/// What an extension did with an outgoing payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoded {
    /// The transformed payload was appended to `out`; set these RSV bits on the first frame
    /// (`0x40` = RSV1, `0x20` = RSV2, `0x10` = RSV3).
    Transformed {
        /// RSV bits for the message's first frame.
        rsv: u8,
    },
    /// The extension left this message alone (e.g. below a compression threshold); `out` is
    /// untouched and the payload is sent as is. Decided on a message's first frame and kept
    /// for all its frames.
    Unchanged,
}

/// A per-message extension negotiated for one connection, such as permessage-deflate.
///
/// All methods work on data messages only; control frames never pass through an extension.
pub trait Extension: Send + fmt::Debug {
    /// The extension's registered name, e.g. `permessage-deflate`.
    fn name(&self) -> &'static str;

    /// The RSV bits (`0x40`, `0x20`, `0x10`) this extension may set on the first frame of a
    /// data message. Any other reserved bit is a protocol error.
    fn reserved_bits(&self) -> u8;

    /// Called with the RSV bits of each received data message's first frame. Returns whether
    /// this message's payload must go through [`Self::decode`].
    fn begin_message(&mut self, rsv: u8) -> bool;

    /// Transforms a piece of a received message's payload (already unmasked) and appends the
    /// result to `out`. `fin` is true on the message's last piece. Must fail with
    /// [`ProtocolError::MessageTooLarge`] rather than let `out` grow by more than `limit` bytes.
    fn decode(
        &mut self,
        input: &[u8],
        fin: bool,
        out: &mut BytesMut,
        limit: usize,
    ) -> Result<(), ProtocolError>;

    /// Transforms an outgoing payload (a whole message, or one fragment of it) and appends the
    /// result to `out`, or leaves the message unchanged.
    fn encode(&mut self, input: &[u8], position: FramePosition, out: &mut BytesMut) -> Encoded;
}
