//! `Sec-WebSocket-Accept` (RFC 6455 §4.2.2, step 5.4).

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use sha1::{Digest, Sha1};

/// The fixed GUID both peers append to the key; it proves the server read the key as a
/// WebSocket server, not an HTTP cache or a cross-protocol confused deputy.
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The `Sec-WebSocket-Accept` value for a `Sec-WebSocket-Key`: base64(SHA-1(key ‖ GUID)).
///
/// `sec_websocket_key` is the header value exactly as sent (the base64 text, not the 16
/// bytes it decodes to), since that is what RFC 6455 hashes.
///
/// ```
/// use wsflow_core::handshake::accept_key;
///
/// assert_eq!(accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// ```
pub fn accept_key(sec_websocket_key: &[u8]) -> String {
    let mut sha1 = Sha1::new();
    sha1.update(sec_websocket_key);
    sha1.update(GUID);
    STANDARD.encode(sha1.finalize())
}

/// Encodes a raw 16-byte nonce as the `Sec-WebSocket-Key` header value.
pub(crate) fn encode_key(key: &[u8; 16]) -> String {
    STANDARD.encode(key)
}

/// Padding is required, but non-zero trailing bits are tolerated: RFC 6455 §4.1's own example
/// key (`AQIDBAUGBwgJCgsMDQ4PEC==`) has them, and clients copied it.
const KEY_DECODER: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Whether a received `Sec-WebSocket-Key` value is base64 for exactly 16 bytes (§4.2.1 item 5).
pub(crate) fn is_valid_key(value: &[u8]) -> bool {
    // 16 bytes encode to 24 characters; checking first keeps hostile input from being decoded.
    value.len() == 24 && KEY_DECODER.decode(value).is_ok_and(|key| key.len() == 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6455_section_1_3_example() {
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn rfc6455_section_4_1_example_key_is_sixteen_bytes() {
        // §4.1 gives the nonce 0x01..0x10 encoded as AQIDBAUGBwgJCgsMDQ4PEC==, which has
        // non-zero trailing bits; the canonical encoding ends in "EA==". Both must pass.
        let nonce: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
        assert_eq!(encode_key(&nonce), "AQIDBAUGBwgJCgsMDQ4PEA==");
        assert!(is_valid_key(b"AQIDBAUGBwgJCgsMDQ4PEA=="));
        assert!(is_valid_key(b"AQIDBAUGBwgJCgsMDQ4PEC=="));
    }

    #[test]
    fn key_validation() {
        assert!(is_valid_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
        for bad in [
            &b""[..],
            b"dGhlIHNhbXBsZSBub25jZQ",     // no padding
            b"dGhlIHNhbXBsZSBub25jZQ=",    // wrong padding
            b"dGhlIHNhbXBsZSBub25jZXg=",   // 17 bytes
            b"dGhlIHNhbXBsZSBub25j",       // 15 bytes
            b"dGhlIHNhbXBsZSBub25jZQ!!",   // not base64
            b"dGhlIHNhbXBsZSBub25jZQ==\0", // trailing garbage
        ] {
            assert!(!is_valid_key(bad), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
