//! The suite's own frame encoder and decoder, written from RFC 6455 §5.2 independently of the
//! core so that a bug there cannot hide itself.

use std::fmt::Write as _;

use crate::script::{FrameSpec, LengthForm};

/// XORs `payload` with `key` starting at payload offset 0 (RFC 6455 §5.3).
pub fn mask(payload: &mut [u8], key: [u8; 4]) {
    for (i, byte) in payload.iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

/// Encodes `spec`; `key` is the masking key to use, or `None` for an unmasked frame.
pub fn encode(spec: &FrameSpec, key: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(14 + spec.payload.len());
    out.push((u8::from(spec.fin) << 7) | ((spec.rsv & 7) << 4) | (spec.opcode & 0x0f));
    let mask_bit = if key.is_some() { 0x80 } else { 0 };
    let len = spec.payload.len() as u64;
    match spec.length {
        LengthForm::Minimal if len < 126 => out.push(mask_bit | len as u8),
        LengthForm::Minimal | LengthForm::Extended16 if len <= 0xffff => {
            out.push(mask_bit | 0x7e);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(mask_bit | 0x7f);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
    let mut payload = spec.payload.clone();
    if let Some(key) = key {
        out.extend_from_slice(&key);
        mask(&mut payload, key);
    }
    out.extend_from_slice(&payload);
    out
}

/// A frame decoded from bytes we sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// FIN bit.
    pub fin: bool,
    /// RSV bits as a 3-bit number.
    pub rsv: u8,
    /// Opcode.
    pub opcode: u8,
    /// Masking key, if the mask bit was set.
    pub key: Option<[u8; 4]>,
    /// The payload, unmasked.
    pub payload: Vec<u8>,
    /// Bytes the frame occupies on the wire.
    pub wire_len: usize,
}

/// Decodes the frame at the start of `bytes`; `None` if it is not complete.
pub fn decode(bytes: &[u8]) -> Option<Decoded> {
    let (&first, rest) = bytes.split_first()?;
    let (&second, mut rest) = rest.split_first()?;
    let mut header = 2;
    let len = match second & 0x7f {
        126 => {
            let (len, tail) = rest.split_first_chunk::<2>()?;
            rest = tail;
            header += 2;
            u64::from(u16::from_be_bytes(*len))
        }
        127 => {
            let (len, tail) = rest.split_first_chunk::<8>()?;
            rest = tail;
            header += 8;
            u64::from_be_bytes(*len)
        }
        short => u64::from(short),
    };
    let key = if second & 0x80 == 0 {
        None
    } else {
        let (key, tail) = rest.split_first_chunk::<4>()?;
        rest = tail;
        header += 4;
        Some(*key)
    };
    let len = usize::try_from(len).ok()?;
    let mut payload = rest.get(..len)?.to_vec();
    if let Some(key) = key {
        mask(&mut payload, key);
    }
    Some(Decoded {
        fin: first & 0x80 != 0,
        rsv: (first >> 4) & 7,
        opcode: first & 0x0f,
        key,
        payload,
        wire_len: header + len,
    })
}

/// A readable name for an opcode.
pub fn opcode_name(opcode: u8) -> String {
    match opcode {
        0x0 => "cont".into(),
        0x1 => "text".into(),
        0x2 => "binary".into(),
        0x8 => "close".into(),
        0x9 => "ping".into(),
        0xA => "pong".into(),
        other => format!("opcode={other}"),
    }
}

/// Bytes as a script would write them: a quoted string when printable, `hex ...` otherwise,
/// shortened when long.
pub fn show_bytes(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "empty".into();
    }
    if bytes.len() > 64 && bytes.iter().all(|&b| b == bytes[0]) {
        return format!("repeat {} 0x{:02x}", bytes.len(), bytes[0]);
    }
    let shown = &bytes[..bytes.len().min(64)];
    let more = if bytes.len() > 64 {
        format!(" ... ({} bytes)", bytes.len())
    } else {
        String::new()
    };
    match std::str::from_utf8(shown) {
        Ok(text) if text.chars().all(|c| !c.is_control()) => format!("{text:?}{more}"),
        _ => format!("hex {}{more}", hex(shown)),
    }
}

/// Space-separated lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Describes a byte stream frame by frame, for failure reports.
pub fn describe(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "nothing".into();
    }
    let mut parts = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some(frame) = decode(rest) else {
            parts.push(format!(
                "incomplete frame: hex {}",
                hex(&rest[..rest.len().min(32)])
            ));
            break;
        };
        let mut text = opcode_name(frame.opcode);
        if !frame.fin {
            text.push_str(" nofin");
        }
        for (bit, name) in [(4, " rsv1"), (2, " rsv2"), (1, " rsv3")] {
            if frame.rsv & bit != 0 {
                text.push_str(name);
            }
        }
        if let Some(key) = frame.key {
            let _ = write!(text, " mask={}", hex(&key).replace(' ', ""));
        }
        if frame.opcode == 0x8 && frame.payload.len() >= 2 {
            let code = u16::from_be_bytes([frame.payload[0], frame.payload[1]]);
            let _ = write!(text, " {code} {}", show_bytes(&frame.payload[2..]));
        } else {
            let _ = write!(text, " {}", show_bytes(&frame.payload));
        }
        parts.push(text);
        rest = &rest[frame.wire_len.min(rest.len())..];
    }
    parts.join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::MaskChoice;

    #[test]
    fn rfc_6455_section_5_7_masked_hello() {
        let spec = FrameSpec {
            fin: true,
            rsv: 0,
            opcode: 1,
            mask: MaskChoice::Auto,
            length: LengthForm::Minimal,
            payload: b"Hello".to_vec(),
        };
        let bytes = encode(&spec, Some([0x37, 0xfa, 0x21, 0x3d]));
        assert_eq!(
            bytes,
            [
                0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
            ]
        );
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.payload, b"Hello");
        assert_eq!(decoded.wire_len, bytes.len());
        assert_eq!(describe(&bytes), "text mask=37fa213d \"Hello\"");
    }

    #[test]
    fn forced_length_forms() {
        let mut spec = FrameSpec {
            fin: true,
            rsv: 0,
            opcode: 2,
            mask: MaskChoice::Off,
            length: LengthForm::Extended16,
            payload: vec![1; 5],
        };
        assert_eq!(encode(&spec, None)[..4], [0x82, 126, 0, 5]);
        spec.length = LengthForm::Extended64;
        assert_eq!(
            encode(&spec, None)[..10],
            [0x82, 127, 0, 0, 0, 0, 0, 0, 0, 5]
        );
    }
}
