//! Frame header encoding.

use bytes::{BufMut, BytesMut};

use super::OpCode;

/// The longest header: 2 bytes, an 8-byte length and a 4-byte mask.
pub(crate) const MAX_HEADER_LEN: usize = 14;

/// Appends a frame header to `out`, with the shortest length encoding (RFC 6455 §5.2 requires
/// the minimal one of senders).
///
/// ```text
/// use bytes::BytesMut;
/// use wsflow_core::frame::{OpCode, encode_header};
///
/// let mut out = BytesMut::new();
/// encode_header(&mut out, true, 0, OpCode::Text, None, 5);
/// assert_eq!(&out[..], &[0x81, 0x05]);
/// ```
// Inlined into `write_frame`: a call per frame sent cost a dozen instructions of its own.
#[inline]
pub(crate) fn encode_header(
    out: &mut BytesMut,
    fin: bool,
    rsv: u8,
    opcode: OpCode,
    mask: Option<[u8; 4]>,
    payload_len: u64,
) {
    let first = (if fin { 0x80 } else { 0 }) | (rsv & 0x70) | opcode.as_nibble();
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    out.reserve(MAX_HEADER_LEN);
    out.put_u8(first);
    if payload_len < 126 {
        out.put_u8(mask_bit | payload_len as u8);
    } else if let Ok(len) = u16::try_from(payload_len) {
        out.put_u8(mask_bit | 0x7e);
        out.put_u16(len);
    } else {
        out.put_u8(mask_bit | 0x7f);
        out.put_u64(payload_len);
    }
    if let Some(key) = mask {
        out.put_slice(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_encodings_are_minimal() {
        let cases: [(u64, &[u8]); 5] = [
            (125, &[0x82, 125]),
            (126, &[0x82, 126, 0, 126]),
            (65535, &[0x82, 126, 0xff, 0xff]),
            (65536, &[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]),
            (0, &[0x82, 0]),
        ];
        for (len, expected) in cases {
            let mut out = BytesMut::new();
            encode_header(&mut out, true, 0, OpCode::Binary, None, len);
            assert_eq!(&out[..], expected, "{len}");
        }
    }

    #[test]
    fn mask_and_rsv_bits_are_written() {
        let mut out = BytesMut::new();
        encode_header(&mut out, false, 0x40, OpCode::Text, Some([1, 2, 3, 4]), 3);
        assert_eq!(&out[..], &[0x41, 0x83, 1, 2, 3, 4]);
    }
}
