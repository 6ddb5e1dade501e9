//! Incremental UTF-8 validation that fails on the first byte that makes the input invalid.

/// The input cannot be UTF-8, whatever bytes follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InvalidUtf8;

/// Validates a byte stream fed in pieces of any size. An invalid sequence is reported by the
/// `feed` call that delivers the byte making it invalid, even when that byte is in the middle of
/// a character, so a connection can fail fast inside a frame that has not fully arrived.
///
/// ```text
/// use wsflow_core::utf8::Utf8Validator;
///
/// let mut v = Utf8Validator::new();
/// v.feed("é".as_bytes().get(..1).unwrap()).unwrap(); // half a character: fine so far
/// assert!(!v.is_complete());
/// assert!(v.feed(b"\xff").is_err()); // cannot continue `é`
/// ```
#[derive(Debug, Clone, Default)]
pub(crate) struct Utf8Validator {
    /// Where the validator stands inside the character that straddles a `feed` boundary.
    state: Partial,
    /// An invalid byte has been seen; every later `feed` fails until [`Utf8Validator::reset`].
    failed: bool,
}

/// The part of a character seen so far. `need == 0` means "between characters".
#[derive(Debug, Clone, Copy)]
struct Partial {
    /// Bytes of the current character already accepted (0–3).
    seen: u8,
    /// Continuation bytes still expected (0–3).
    need: u8,
    /// Inclusive range allowed for the next continuation byte. It is narrower than
    /// `0x80..=0xBF` only right after `E0` (no overlong), `ED` (no surrogate), `F0` (no
    /// overlong) and `F4` (nothing above U+10FFFF) — the table of RFC 3629 §4.
    lo: u8,
    hi: u8,
}

impl Default for Partial {
    fn default() -> Self {
        Self::BOUNDARY
    }
}

impl Partial {
    const BOUNDARY: Self = Self::lead(0, 0x80, 0xbf);

    /// The state right after a leading byte that needs `need` continuation bytes.
    const fn lead(need: u8, lo: u8, hi: u8) -> Self {
        Self {
            seen: if need == 0 { 0 } else { 1 },
            need,
            lo,
            hi,
        }
    }

    /// The state after one more byte, or `None` if no UTF-8 text continues this way.
    fn step(self, byte: u8) -> Option<Self> {
        if self.need > 0 {
            if byte < self.lo || byte > self.hi {
                return None;
            }
            return Some(if self.need == 1 {
                Self::BOUNDARY
            } else {
                Self {
                    seen: self.seen + 1,
                    need: self.need - 1,
                    lo: 0x80,
                    hi: 0xbf,
                }
            });
        }
        Some(match byte {
            0x00..=0x7f => Self::BOUNDARY,
            0xc2..=0xdf => Self::lead(1, 0x80, 0xbf),
            0xe0 => Self::lead(2, 0xa0, 0xbf),
            0xe1..=0xec | 0xee..=0xef => Self::lead(2, 0x80, 0xbf),
            0xed => Self::lead(2, 0x80, 0x9f),
            0xf0 => Self::lead(3, 0x90, 0xbf),
            0xf1..=0xf3 => Self::lead(3, 0x80, 0xbf),
            0xf4 => Self::lead(3, 0x80, 0x8f),
            // 0x80..=0xC1 (continuation bytes, overlong 2-byte leads) and 0xF5..=0xFF.
            _ => return None,
        })
    }

    /// Runs `bytes` through [`Partial::step`].
    fn walk(self, bytes: &[u8]) -> Option<Self> {
        bytes.iter().try_fold(self, |state, &byte| state.step(byte))
    }
}

impl Utf8Validator {
    /// A validator at the start of a text.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Validates the next bytes of the text.
    ///
    /// Fails if these bytes, appended to everything fed since the last [`reset`](Self::reset),
    /// cannot be the start of a UTF-8 text: the call that delivers the first offending byte is
    /// the one that fails, even when that byte is in the middle of a character (`F4 90`,
    /// `ED A0` and `E0 80` fail at their second byte, `C0`, `C1` and `F5`–`FF` at once). Once it
    /// has failed, the validator keeps failing until it is reset.
    pub(crate) fn feed(&mut self, input: &[u8]) -> Result<(), InvalidUtf8> {
        if self.failed {
            return Err(InvalidUtf8);
        }
        let result = self.feed_inner(input);
        if result.is_err() {
            self.failed = true;
            self.state = Partial::BOUNDARY;
        }
        result
    }

    fn feed_inner(&mut self, input: &[u8]) -> Result<(), InvalidUtf8> {
        // First finish the character left open by the previous call, byte by byte.
        let mut rest = input;
        while self.state.need > 0 {
            let Some((&byte, tail)) = rest.split_first() else {
                return Ok(());
            };
            self.state = self.state.step(byte).ok_or(InvalidUtf8)?;
            rest = tail;
        }
        // The bulk, from a character boundary, goes to std's (fast, ASCII-skipping) validator.
        match std::str::from_utf8(rest) {
            Ok(_) => Ok(()),
            Err(e) if e.error_len().is_some() => Err(InvalidUtf8),
            Err(e) => {
                // The input ends inside a character. Check its 1–3 bytes ourselves and keep the
                // state, rather than rely on how std classifies a truncated sequence.
                let tail = rest
                    .split_at_checked(e.valid_up_to())
                    .map_or(rest, |(_, t)| t);
                self.state = Partial::BOUNDARY.walk(tail).ok_or(InvalidUtf8)?;
                Ok(())
            }
        }
    }

    /// Whether the bytes fed so far end on a character boundary (required at the end of a
    /// message). False after a failed [`feed`](Self::feed).
    pub(crate) fn is_complete(&self) -> bool {
        !self.failed && self.state.need == 0
    }

    /// How many of the bytes fed so far belong to a character that is not complete yet (0–3);
    /// 0 after a failed [`feed`](Self::feed).
    pub(crate) fn incomplete_len(&self) -> usize {
        usize::from(self.state.seen)
    }

    /// Starts a new text.
    #[cfg(test)]
    pub(crate) fn reset(&mut self) {
        *self = Self::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Index of the byte at which `bytes` stops being a prefix of some UTF-8 text, by std's
    /// reading: the smallest `n` whose `bytes[..n]` has a definite error, minus one.
    fn reference(bytes: &[u8]) -> Option<usize> {
        (1..=bytes.len())
            .find(|&n| std::str::from_utf8(&bytes[..n]).is_err_and(|e| e.error_len().is_some()))
            .map(|n| n - 1)
    }

    /// Bytes left in an unfinished character at the end of a valid prefix.
    fn reference_incomplete(bytes: &[u8]) -> usize {
        match std::str::from_utf8(bytes) {
            Ok(_) => 0,
            Err(e) => bytes.len() - e.valid_up_to(),
        }
    }

    /// Index of the byte whose `feed` fails, feeding one byte per call.
    fn fails_at_byte_by_byte(bytes: &[u8]) -> (Option<usize>, Utf8Validator) {
        let mut v = Utf8Validator::new();
        for (i, b) in bytes.iter().enumerate() {
            if v.feed(std::slice::from_ref(b)).is_err() {
                return (Some(i), v);
            }
        }
        (None, v)
    }

    /// Checks every way of feeding `bytes` that the tests care about against [`reference`].
    fn check(bytes: &[u8]) {
        let expected = reference(bytes);

        let (got, v) = fails_at_byte_by_byte(bytes);
        assert_eq!(got, expected, "byte by byte: {bytes:02x?}");
        if expected.is_none() {
            assert_eq!(
                v.is_complete(),
                std::str::from_utf8(bytes).is_ok(),
                "{bytes:02x?}"
            );
            assert_eq!(
                v.incomplete_len(),
                reference_incomplete(bytes),
                "{bytes:02x?}"
            );
        } else {
            assert!(!v.is_complete());
        }

        let mut whole = Utf8Validator::new();
        assert_eq!(
            whole.feed(bytes).is_err(),
            expected.is_some(),
            "{bytes:02x?}"
        );
        assert_eq!(whole.is_complete(), v.is_complete(), "{bytes:02x?}");
        assert_eq!(whole.incomplete_len(), v.incomplete_len(), "{bytes:02x?}");

        for split in 0..=bytes.len() {
            let (a, b) = bytes.split_at(split);
            let mut v = Utf8Validator::new();
            let first = v.feed(a);
            let second = v.feed(b);
            match expected {
                // The failing call is the one holding the first offending byte.
                Some(at) if at < split => assert!(first.is_err(), "{a:02x?} | {b:02x?}"),
                Some(_) => {
                    assert!(first.is_ok() && second.is_err(), "{a:02x?} | {b:02x?}");
                }
                None => assert!(first.is_ok() && second.is_ok(), "{a:02x?} | {b:02x?}"),
            }
            assert!(second.is_err() || first.is_ok());
            assert_eq!(v.is_complete(), whole.is_complete(), "{a:02x?} | {b:02x?}");
            assert_eq!(
                v.incomplete_len(),
                whole.incomplete_len(),
                "{a:02x?} | {b:02x?}"
            );
        }
    }

    /// Bytes that cover every boundary of the continuation ranges and every kind of lead.
    const REPRESENTATIVE: [u8; 20] = [
        0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed,
        0xef, 0xf0, 0xf4, 0xf5, 0xff,
    ];

    #[test]
    fn every_one_and_two_byte_sequence() {
        for a in 0..=255u8 {
            check(&[a]);
            for b in 0..=255u8 {
                check(&[a, b]);
            }
        }
    }

    #[test]
    fn every_two_byte_prefix_then_representative_bytes() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for c in REPRESENTATIVE {
                    check(&[a, b, c]);
                }
            }
        }
    }

    #[test]
    fn four_byte_sequences() {
        for a in 0..=255u8 {
            // The second byte decides the most for four-byte leads; sample it elsewhere.
            let seconds: Vec<u8> = if (0xf0..=0xf4).contains(&a) {
                (0..=255).collect()
            } else {
                REPRESENTATIVE.to_vec()
            };
            for &b in &seconds {
                for c in REPRESENTATIVE {
                    for d in REPRESENTATIVE {
                        check(&[a, b, c, d]);
                    }
                }
            }
        }
    }

    #[test]
    fn sequences_after_text_and_after_partial_characters() {
        // The same classes behind ASCII (std's bulk path) and behind a complete multi-byte
        // character, so the partial-character path is reached from both sides.
        for a in 0..=255u8 {
            for b in REPRESENTATIVE {
                for c in REPRESENTATIVE {
                    check(&[b'x', a, b, c]);
                    check(&[0xc3, 0xa9, a, b, c]);
                    check(&[0xf0, 0x9f, 0x98, 0x80, a, b]);
                }
            }
        }
    }

    #[test]
    fn every_scalar_value_is_valid_in_any_split() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            let (failed, v) = fails_at_byte_by_byte(bytes);
            assert_eq!(failed, None, "{c:?}");
            assert!(v.is_complete());
        }
    }

    #[test]
    fn fails_on_the_call_with_the_first_bad_byte() {
        // (first call, second call): the first is accepted, the second rejected.
        let pairs: [(&[u8], &[u8]); 8] = [
            (b"\xf4", b"\x90"),             // above U+10FFFF
            (b"\xed", b"\xa0"),             // surrogate
            (b"\xe0", b"\x80"),             // overlong
            (b"\xf0", b"\x8f"),             // overlong
            (b"\xf0\x90", b"\x41"),         // truncated by ASCII
            (b"\xe2\x82", b"\xc0"),         // truncated by a lead byte
            (b"abc\xce", b"\xba\xff"),      // after a completed character
            (b"\xf0\x9f\x98", b"\x80\x80"), // one continuation too many
        ];
        for (first, second) in pairs {
            let mut v = Utf8Validator::new();
            assert_eq!(v.feed(first), Ok(()), "{first:02x?}");
            assert!(!v.is_complete() || first.is_ascii());
            assert_eq!(
                v.feed(second),
                Err(InvalidUtf8),
                "{first:02x?} {second:02x?}"
            );
        }
        for lead in [0xc0, 0xc1, 0xf5, 0xf8, 0xfe, 0xff, 0x80, 0xbf] {
            assert_eq!(
                Utf8Validator::new().feed(&[lead]),
                Err(InvalidUtf8),
                "{lead:02x}"
            );
        }
    }

    #[test]
    fn autobahn_6_vectors() {
        // 6.2: "κόσμε".
        check("κόσμε".as_bytes());
        assert!(Utf8Validator::new().feed("κόσμε".as_bytes()).is_ok());
        // 6.4.x: "κόσμε" then a surrogate, then "edited": fails at the `A0`.
        let bytes =
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64";
        assert_eq!(reference(bytes), Some(12));
        assert_eq!(fails_at_byte_by_byte(bytes).0, Some(12));
        check(bytes);
        // Boundaries: U+10FFFF is valid, U+110000 is not.
        check(b"\xf4\x8f\xbf\xbf");
        assert_eq!(fails_at_byte_by_byte(b"\xf4\x8f\xbf\xbf").0, None);
        assert_eq!(fails_at_byte_by_byte(b"\xf4\x90\x80\x80").0, Some(1));
        // Overlong encodings of '/' and of the largest overlong values.
        for (bytes, at) in [
            (&b"\xc0\xaf"[..], 0),
            (b"\xe0\x80\xaf", 1),
            (b"\xf0\x80\x80\xaf", 1),
            (b"\xf8\x80\x80\x80\xaf", 0),
            (b"\xc1\xbf", 0),
            (b"\xe0\x9f\xbf", 1),
            (b"\xf0\x8f\xbf\xbf", 1),
        ] {
            assert_eq!(fails_at_byte_by_byte(bytes).0, Some(at), "{bytes:02x?}");
            check(bytes);
        }
        // Every surrogate, U+D800..=U+DFFF, fails at its second byte.
        for cp in 0xd800u32..=0xdfff {
            let bytes = [
                0xe0 | (cp >> 12) as u8,
                0x80 | ((cp >> 6) & 0x3f) as u8,
                0x80 | (cp & 0x3f) as u8,
            ];
            assert_eq!(fails_at_byte_by_byte(&bytes).0, Some(1), "U+{cp:04X}");
        }
        // Noncharacters are valid UTF-8.
        check("\u{fffe}\u{ffff}\u{10fffe}".as_bytes());
        assert!(
            Utf8Validator::new()
                .feed("\u{fffe}\u{ffff}".as_bytes())
                .is_ok()
        );
    }

    #[test]
    fn long_text_in_chunks_of_every_size() {
        let text = "ascii then κόσμε, 漢字, 😀 and more ascii ".repeat(40);
        let bytes = text.as_bytes();
        for size in 1..=33 {
            let mut v = Utf8Validator::new();
            for chunk in bytes.chunks(size) {
                v.feed(chunk).unwrap();
            }
            assert!(v.is_complete(), "chunk size {size}");
        }
        // One bad byte planted anywhere: the chunk that holds it is the one that fails.
        for at in (0..bytes.len()).step_by(7) {
            let mut bad = bytes.to_vec();
            bad[at] = 0xff;
            for size in [1, 5, 64, 1000] {
                let mut v = Utf8Validator::new();
                let failed = bad.chunks(size).position(|chunk| v.feed(chunk).is_err());
                assert_eq!(failed, Some(at / size), "at {at} size {size}");
            }
        }
    }

    #[test]
    fn incomplete_end_failure_sticks_and_reset() {
        let mut v = Utf8Validator::new();
        v.feed(b"ab\xe2\x82").unwrap();
        assert!(!v.is_complete());
        assert_eq!(v.incomplete_len(), 2);
        v.feed(b"\xac").unwrap(); // '€'
        assert!(v.is_complete());
        assert_eq!(v.incomplete_len(), 0);

        assert!(v.feed(b"\xc0").is_err());
        assert!(!v.is_complete());
        assert!(v.feed(b"a").is_err(), "a failed validator keeps failing");
        v.reset();
        assert!(v.is_complete());
        v.feed(b"\xf0\x9f").unwrap();
        v.reset();
        assert_eq!(v.incomplete_len(), 0);
        v.feed(b"a").unwrap();
        assert!(v.is_complete());
    }
}
