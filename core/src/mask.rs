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
    // The key as it stands at `buf[0]`: byte `offset % 4` first. In little-endian order the
    // first byte is the lowest, so advancing the phase by one byte is a rotation by 8 bits.
    let phase = (offset % 4) as u32;
    let key = u32::from_le_bytes(key).rotate_right(8 * phase);
    // Every step below covers a multiple of 4 bytes, so each one starts at phase 0 of `word`.
    let word = u64::from(key) | (u64::from(key) << 32);
    let mut blocks = buf.chunks_exact_mut(BLOCK);
    if blocks.len() > 0 {
        // A fixed-size block zipped with a fixed-size pattern: LLVM turns the inner loop into a
        // few vector XORs with no bounds checks.
        let mut pattern = [0u8; BLOCK];
        for slot in pattern.chunks_exact_mut(8) {
            slot.copy_from_slice(&word.to_le_bytes());
        }
        for block in &mut blocks {
            for (byte, k) in block.iter_mut().zip(&pattern) {
                *byte ^= *k;
            }
        }
    }
    let mut words = blocks.into_remainder().chunks_exact_mut(8);
    for chunk in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_le_bytes(bytes) ^ word).to_le_bytes());
    }
    for (byte, k) in words.into_remainder().iter_mut().zip(word.to_le_bytes()) {
        *byte ^= k;
    }
}

/// Bytes masked per step of the main loop of [`apply_mask`]: a multiple of the key length and
/// of the widest vector register.
const BLOCK: usize = 64;

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
        loop {
            if let Some((rest, &key)) = self.batch.split_last_chunk::<4>() {
                let keep = rest.len();
                self.batch.truncate(keep);
                return key;
            }
            // `random::bytes` returns exactly the length asked for, so the loop ends here.
            self.batch = crate::random::bytes(KEY_BATCH);
        }
    }
}

/// Keys fetched from the OS per refill of [`RandomMask`] (64 keys).
const KEY_BATCH: usize = 256;

/// The same key for every frame; for tests and conformance scripts only.
#[derive(Debug, Clone, Copy)]
pub struct FixedMask(pub [u8; 4]);

impl MaskSource for FixedMask {
    fn next_key(&mut self) -> [u8; 4] {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(buf: &mut [u8], key: [u8; 4], offset: usize) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b ^= key[(offset % 4 + i) % 4];
        }
    }

    fn sample(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + 3) as u8).collect()
    }

    const KEYS: [[u8; 4]; 3] = [
        [0x37, 0xfa, 0x21, 0x3d],
        [1, 2, 3, 4],
        [0xff, 0, 0x80, 0x7f],
    ];

    #[test]
    fn equals_naive_loop() {
        let lens = (0..=70).chain([127, 128, 129, 200, 1000, 4099, 65_536 + 13]);
        for len in lens {
            for key in KEYS {
                for offset in [0, 1, 2, 3, 4, 5, 6, 7, 1001, usize::MAX] {
                    let mut fast = sample(len);
                    let mut slow = fast.clone();
                    apply_mask(&mut fast, key, offset);
                    naive(&mut slow, key, offset);
                    assert_eq!(fast, slow, "len {len} key {key:?} offset {offset}");
                }
            }
        }
    }

    #[test]
    fn piecewise_equals_whole() {
        for len in 0..=70 {
            for key in KEYS {
                for offset in 0..8 {
                    let mut whole = sample(len);
                    apply_mask(&mut whole, key, offset);
                    for split in 0..=len {
                        let mut pieces = sample(len);
                        let (a, b) = pieces.split_at_mut(split);
                        apply_mask(a, key, offset);
                        apply_mask(b, key, offset + split);
                        assert_eq!(pieces, whole, "len {len} split {split} offset {offset}");
                    }
                }
            }
        }
    }

    #[test]
    fn piecewise_in_many_pieces() {
        let key = [9, 8, 7, 6];
        let mut whole = sample(10_000);
        apply_mask(&mut whole, key, 0);
        for piece in [1, 3, 5, 63, 64, 65, 100, 4095] {
            let mut pieces = sample(10_000);
            let mut offset = 0;
            for chunk in pieces.chunks_mut(piece) {
                apply_mask(chunk, key, offset);
                offset += chunk.len();
            }
            assert_eq!(pieces, whole, "piece {piece}");
        }
    }

    #[test]
    fn masking_twice_restores() {
        let original = sample(300);
        let mut buf = original.clone();
        apply_mask(&mut buf, [0xde, 0xad, 0xbe, 0xef], 2);
        assert_ne!(buf, original);
        apply_mask(&mut buf, [0xde, 0xad, 0xbe, 0xef], 2);
        assert_eq!(buf, original);
    }

    /// RFC 6455 §5.7: a single-frame masked text message containing "Hello".
    #[test]
    fn rfc6455_masked_hello() {
        let frame = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let key = [frame[2], frame[3], frame[4], frame[5]];
        assert_eq!(key, [0x37, 0xfa, 0x21, 0x3d]);
        let mut payload = frame[6..].to_vec();
        apply_mask(&mut payload, key, 0);
        assert_eq!(payload, b"Hello");
        // And in pieces, with the running offset.
        let mut payload = frame[6..].to_vec();
        let (a, b) = payload.split_at_mut(2);
        apply_mask(a, key, 0);
        apply_mask(b, key, 2);
        assert_eq!(payload, b"Hello");
    }

    #[test]
    fn fixed_mask_repeats_and_random_mask_refills() {
        let mut fixed = FixedMask([1, 2, 3, 4]);
        assert_eq!(fixed.next_key(), [1, 2, 3, 4]);
        assert_eq!(fixed.next_key(), [1, 2, 3, 4]);
        let mut random = RandomMask::default();
        let keys: Vec<[u8; 4]> = (0..200).map(|_| random.next_key()).collect();
        // 200 keys span several refills; 200 identical 32-bit keys would mean a broken source.
        assert!(keys.iter().any(|k| *k != keys[0]));
    }
}
