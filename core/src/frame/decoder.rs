//! Incremental frame header decoding.
//!
//! The decoder copies header bytes into a 14-byte array as they arrive, so a header split over
//! any number of `receive` calls is parsed exactly once, when its last byte comes in. Every
//! check that the header alone allows is made right then, before a payload byte is buffered.

use super::{FrameHeader, MAX_CONTROL_PAYLOAD, MAX_HEADER_LEN, OpCode};
use crate::error::ProtocolError;

/// What a header must satisfy on this connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderRules {
    /// RSV bits a negotiated extension allows on data frames; any other set bit is an error.
    pub(crate) allowed_rsv: u8,
    /// Whether frames must be masked (a server's input) or must not be (a client's).
    pub(crate) expect_masked: bool,
    /// Largest payload accepted in one frame.
    pub(crate) max_frame_size: u64,
}

/// Accumulates and decodes one frame header at a time.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeaderDecoder {
    bytes: [u8; MAX_HEADER_LEN],
    len: usize,
}

impl HeaderDecoder {
    /// A decoder waiting for the first byte of a header.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Total header length implied by the first two bytes, once both are here.
    fn needed(&self) -> usize {
        match self.bytes.get(1) {
            Some(&second) if self.len >= 2 => header_len(second),
            _ => 2,
        }
    }

    /// Takes header bytes from `input`. Returns how many bytes were consumed and, once the
    /// header is complete, the validated header (the decoder is then ready for the next one).
    /// On an error the connection fails; the decoder must not be used again.
    #[inline]
    pub(crate) fn decode(
        &mut self,
        input: &[u8],
        rules: HeaderRules,
    ) -> (usize, Option<Result<FrameHeader, ProtocolError>>) {
        // The usual case: a whole header at the front of the input, parsed where it lies.
        // The same checks in the same order as the byte-by-byte path below.
        if self.len == 0 {
            if let [first, second, ..] = *input {
                let len = header_len(second);
                if let Some(header) = input.get(..len) {
                    let parsed =
                        check_first_bytes(first, second, rules).and_then(|()| parse(header, rules));
                    return (len, Some(parsed));
                }
            }
        }
        self.decode_split(input, rules)
    }

    /// [`Self::decode`] for a header that arrives in pieces: its bytes are collected until
    /// the last one comes in.
    fn decode_split(
        &mut self,
        input: &[u8],
        rules: HeaderRules,
    ) -> (usize, Option<Result<FrameHeader, ProtocolError>>) {
        let mut consumed = 0;
        loop {
            let needed = self.needed();
            let take = needed.saturating_sub(self.len).min(input.len() - consumed);
            if let (Some(dst), Some(src)) = (
                self.bytes.get_mut(self.len..self.len + take),
                input.get(consumed..consumed + take),
            ) {
                dst.copy_from_slice(src);
            }
            self.len += take;
            consumed += take;
            if self.len < needed {
                return (consumed, None);
            }
            let [first, second, ..] = self.bytes;
            if self.len == 2 {
                // The first two bytes can already be judged: check them before waiting for
                // the extended length and mask.
                if let Err(e) = check_first_bytes(first, second, rules) {
                    return (consumed, Some(Err(e)));
                }
                if self.needed() > 2 {
                    continue;
                }
            }
            let header = parse(self.bytes.get(..self.len).unwrap_or_default(), rules);
            self.len = 0;
            return (consumed, Some(header));
        }
    }
}

/// Total header length implied by its second byte (length form and mask bit).
#[inline]
fn header_len(second: u8) -> usize {
    let length_bytes = match second & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let mask_bytes = if second & 0x80 == 0 { 0 } else { 4 };
    2 + length_bytes + mask_bytes
}

/// The checks the first two bytes allow: opcode, reserved bits, control frame rules, mask.
#[inline]
fn check_first_bytes(first: u8, second: u8, rules: HeaderRules) -> Result<(), ProtocolError> {
    let opcode =
        OpCode::from_nibble(first & 0x0f).ok_or(ProtocolError::UnknownOpcode(first & 0x0f))?;
    let fin = first & 0x80 != 0;
    let rsv = first & 0x70;
    let allowed = if opcode.is_control() {
        0
    } else {
        rules.allowed_rsv
    };
    if rsv & !allowed != 0 {
        return Err(ProtocolError::ReservedBitsSet(rsv >> 4));
    }
    if opcode.is_control() {
        if !fin {
            return Err(ProtocolError::FragmentedControlFrame);
        }
        let short_len = u64::from(second & 0x7f);
        if short_len > MAX_CONTROL_PAYLOAD as u64 {
            return Err(ProtocolError::ControlFrameTooLarge(short_len));
        }
    }
    let masked = second & 0x80 != 0;
    match (rules.expect_masked, masked) {
        (true, false) => Err(ProtocolError::UnmaskedFrame),
        (false, true) => Err(ProtocolError::MaskedFrame),
        _ => Ok(()),
    }
}

/// The header in `bytes` (exactly [`header_len`] of them; its first two bytes already
/// passed [`check_first_bytes`]): length, mask and the checks that need the length.
#[inline]
fn parse(bytes: &[u8], rules: HeaderRules) -> Result<FrameHeader, ProtocolError> {
    let [first, second, ..] = *bytes else {
        return Err(ProtocolError::InvalidPayloadLength);
    };
    let (payload_len, mask_at) = match (second & 0x7f, bytes.get(2..)) {
        (126, Some(&[l0, l1, ..])) => (u64::from(u16::from_be_bytes([l0, l1])), 4),
        (127, Some(&[l0, l1, l2, l3, l4, l5, l6, l7, ..])) => {
            (u64::from_be_bytes([l0, l1, l2, l3, l4, l5, l6, l7]), 10)
        }
        (126 | 127, _) => return Err(ProtocolError::InvalidPayloadLength),
        (short, _) => (u64::from(short), 2),
    };
    if payload_len >> 63 != 0 {
        return Err(ProtocolError::InvalidPayloadLength);
    }
    // Non-minimal length encodings (e.g. 5 sent in the 16-bit form) are accepted: the
    // length is unambiguous, RFC 6455 binds only senders to the minimal form, and peers
    // such as tungstenite and Python's websockets accept them too.
    if payload_len > rules.max_frame_size {
        return Err(ProtocolError::FrameTooLarge {
            size: payload_len,
            max: rules.max_frame_size,
        });
    }
    let mask = match bytes.get(mask_at..mask_at + 4) {
        Some(&[k0, k1, k2, k3]) if second & 0x80 != 0 => Some([k0, k1, k2, k3]),
        _ => None,
    };
    let opcode =
        OpCode::from_nibble(first & 0x0f).ok_or(ProtocolError::UnknownOpcode(first & 0x0f))?;
    Ok(FrameHeader {
        fin: first & 0x80 != 0,
        rsv: first & 0x70,
        opcode,
        mask,
        payload_len,
    })
}
