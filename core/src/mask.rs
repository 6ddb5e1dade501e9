//! Payload masking (RFC 6455 §5.3) and the source of masking keys.

/// XORs `buf` with `key`, as if `buf` started `offset` bytes into the payload. A payload that
/// arrives in pieces is unmasked in place by passing the running offset.
///
/// ```
/// use wsflow_core::mask::apply_mask;
///
/// let key = [1, 2, 3, 4];
/// let mut whole = *b"hello world";
/// apply_mask(&mut whole, key, 0);
/// let mut pieces = *b"hello world";
/// let (a, b) = pieces.split_at_mut(3);
/// apply_mask(a, key, 0);
/// apply_mask(b, key, 3);
/// assert_eq!(whole, pieces);
/// ```
pub fn apply_mask(buf: &mut [u8], key: [u8; 4], offset: usize) {
    let mut key = key;
    key.rotate_left(offset % 4);
    let word = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut chunks = buf.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ word).to_ne_bytes());
    }
    for (byte, k) in chunks.into_remainder().iter_mut().zip(key.iter().cycle()) {
        *byte ^= k;
    }
}

/// Where a client's masking keys come from.
///
/// RFC 6455 §5.3 asks for keys an intermediary cannot predict; [`RandomMask`] (the default)
/// draws them from the operating system. Tests inject [`FixedMask`] so that the bytes a client
/// sends can be compared exactly.
pub trait MaskSource: Send + std::fmt::Debug {
    /// The key for the next frame.
    fn next_key(&mut self) -> [u8; 4];
}

/// Keys from the operating system's random source, fetched in batches.
#[derive(Debug, Default)]
pub struct RandomMask {
    batch: Vec<u8>,
}

impl MaskSource for RandomMask {
    fn next_key(&mut self) -> [u8; 4] {
        if self.batch.len() < 4 {
            self.batch = crate::random::bytes(256);
        }
        let at = self.batch.len() - 4;
        let mut key = [0u8; 4];
        key.copy_from_slice(&self.batch[at..]);
        self.batch.truncate(at);
        key
    }
}

/// The same key for every frame; for tests and conformance scripts only.
#[derive(Debug, Clone, Copy)]
pub struct FixedMask(pub [u8; 4]);

impl MaskSource for FixedMask {
    fn next_key(&mut self) -> [u8; 4] {
        self.0
    }
}
