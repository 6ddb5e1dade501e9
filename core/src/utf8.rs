//! Incremental UTF-8 validation that fails on the first byte that makes the input invalid.

/// The input cannot be UTF-8, whatever bytes follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUtf8;

/// Validates a byte stream fed in pieces of any size. An invalid sequence is reported by the
/// `feed` call that delivers the byte making it invalid, even when that byte is in the middle of
/// a character, so a connection can fail fast inside a frame that has not fully arrived.
///
/// ```
/// use wsflow_core::utf8::Utf8Validator;
///
/// let mut v = Utf8Validator::new();
/// v.feed("é".as_bytes().get(..1).unwrap()).unwrap(); // half a character: fine so far
/// assert!(!v.is_complete());
/// assert!(v.feed(b"\xff").is_err()); // cannot continue `é`
/// ```
#[derive(Debug, Clone, Default)]
pub struct Utf8Validator {
    /// The first bytes of a character that straddles a `feed` boundary.
    partial: [u8; 4],
    partial_len: usize,
}

/// Length of the character introduced by a leading byte, or `None` for a byte that cannot lead.
fn sequence_len(lead: u8) -> Option<usize> {
    match lead {
        0x00..=0x7f => Some(1),
        0xc2..=0xdf => Some(2),
        0xe0..=0xef => Some(3),
        0xf0..=0xf4 => Some(4),
        _ => None,
    }
}

/// Checks bytes, allowing an incomplete but so-far-valid character at the end. Returns how many
/// trailing bytes belong to that incomplete character.
fn check(bytes: &[u8]) -> Result<usize, InvalidUtf8> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Ok(0),
        // `error_len() == None` means the input ended inside a character whose bytes so far are
        // a valid prefix (std checks each continuation byte's range as it goes).
        Err(e) if e.error_len().is_none() => Ok(bytes.len() - e.valid_up_to()),
        Err(_) => Err(InvalidUtf8),
    }
}

impl Utf8Validator {
    /// A validator at the start of a text.
    pub fn new() -> Self {
        Self::default()
    }

    /// Validates the next bytes of the text.
    pub fn feed(&mut self, mut input: &[u8]) -> Result<(), InvalidUtf8> {
        if self.partial_len > 0 {
            let needed = self
                .partial
                .first()
                .copied()
                .and_then(sequence_len)
                .ok_or(InvalidUtf8)?;
            let take = (needed - self.partial_len).min(input.len());
            let (head, rest) = input.split_at(take);
            let mut joined = [0u8; 4];
            let joined_len = self.partial_len + take;
            joined[..self.partial_len].copy_from_slice(&self.partial[..self.partial_len]);
            joined[self.partial_len..joined_len].copy_from_slice(head);
            let incomplete = check(&joined[..joined_len])?;
            if incomplete > 0 {
                // Still inside the same character: `rest` is necessarily empty.
                self.partial = joined;
                self.partial_len = joined_len;
                return Ok(());
            }
            self.partial_len = 0;
            input = rest;
        }
        let incomplete = check(input)?;
        let tail = &input[input.len() - incomplete..];
        self.partial[..incomplete].copy_from_slice(tail);
        self.partial_len = incomplete;
        Ok(())
    }

    /// Whether the bytes fed so far end on a character boundary (required at the end of a
    /// message).
    pub fn is_complete(&self) -> bool {
        self.partial_len == 0
    }

    /// How many of the bytes fed so far belong to a character that is not complete yet (0–3).
    pub fn incomplete_len(&self) -> usize {
        self.partial_len
    }

    /// Starts a new text.
    pub fn reset(&mut self) {
        self.partial_len = 0;
    }
}
