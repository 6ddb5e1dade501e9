//! The one frame-header parser of the hand-written clients (the echo load generator, the
//! fan-out subscribers, the idle connections): they parse the server's frames themselves so
//! that the library under test is not also the one measuring it.

/// A frame header decoded from the start of a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHead {
    /// The FIN bit.
    pub fin: bool,
    /// The opcode (low four bits of the first byte).
    pub opcode: u8,
    /// Whether a masking key follows the length.
    pub masked: bool,
    /// Header bytes, the masking key included.
    pub len: usize,
    /// Payload bytes that follow the header.
    pub payload_len: u64,
}

/// The header at the start of `bytes`, once it is whole (`None` until then).
#[must_use]
pub fn frame_head(bytes: &[u8]) -> Option<FrameHead> {
    let [first, second, ..] = *bytes else {
        return None;
    };
    let masked = second & 0x80 != 0;
    let ext = match second & 0x7f {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let len = 2 + ext + if masked { 4 } else { 0 };
    if bytes.len() < len {
        return None;
    }
    let payload_len = match ext {
        0 => u64::from(second & 0x7f),
        _ => bytes
            .get(2..2 + ext)?
            .iter()
            .fold(0, |acc, &b| (acc << 8) | u64::from(b)),
    };
    Some(FrameHead {
        fin: first & 0x80 != 0,
        opcode: first & 0x0f,
        masked,
        len,
        payload_len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_once_whole() {
        let head = |fin, opcode, masked, len, payload_len| FrameHead {
            fin,
            opcode,
            masked,
            len,
            payload_len,
        };
        assert_eq!(frame_head(&[0x82, 5]), Some(head(true, 2, false, 2, 5)));
        assert_eq!(
            frame_head(&[0x02, 126, 1, 0]),
            Some(head(false, 2, false, 4, 256))
        );
        assert_eq!(frame_head(&[0x82, 126, 1]), None);
        let long = [0x89, 127, 0, 0, 0, 1, 0, 0, 0, 0];
        assert_eq!(frame_head(&long), Some(head(true, 9, false, 10, 1 << 32)));
        assert_eq!(frame_head(&long[..9]), None);
        // A masking key is part of the header.
        assert_eq!(frame_head(&[0x81, 0x83, 1, 2, 3]), None);
        assert_eq!(
            frame_head(&[0x81, 0x83, 1, 2, 3, 4]),
            Some(head(true, 1, true, 6, 3))
        );
        assert_eq!(frame_head(&[0x81]), None);
    }
}
