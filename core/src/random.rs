//! Unpredictable bytes for masking keys and `Sec-WebSocket-Key` (RFC 6455 §5.3, §10.3).

/// `len` random bytes from the operating system.
///
/// Should the OS source fail (it does not on supported platforms), the bytes come from a
/// generator seeded by std's per-process random hasher keys rather than panicking.
pub(crate) fn bytes(len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    if getrandom::fill(&mut out).is_err() {
        fallback(&mut out);
    }
    out
}

fn fallback(out: &mut [u8]) {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    for (counter, chunk) in out.chunks_mut(8).enumerate() {
        let mut hasher = state.build_hasher();
        hasher.write_usize(counter);
        let word = hasher.finish().to_le_bytes();
        for (byte, random) in chunk.iter_mut().zip(word) {
            *byte = random;
        }
    }
}
