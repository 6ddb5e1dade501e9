//! How the peer's bytes are cut into the pieces a runner delivers.
//!
//! A transport may hand over bytes in any grouping; the protocol's behaviour must not depend
//! on it. Every script therefore runs under each of [`Chunking::ALL`] (unless it pins its own)
//! and must pass under every one.

use std::fmt;

/// One way of cutting the peer's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunking {
    /// Each `peer sends` step in one piece (or at its `split-at` points).
    Whole,
    /// One byte per piece.
    Bytewise,
    /// Pieces of pseudo-random sizes from a fixed seed (reproducible).
    Random(u64),
    /// Like `whole`, with extra bytes after the peer's last step in the same piece; see
    /// [`crate::script::Trailing`].
    Trailing,
}

impl Chunking {
    /// Every chunking, in the order runs are reported.
    pub const ALL: [Chunking; 5] = [
        Chunking::Whole,
        Chunking::Bytewise,
        Chunking::Random(1),
        Chunking::Random(2),
        Chunking::Trailing,
    ];

    /// Parses the name used in a script's `chunkings:` header.
    pub fn from_name(name: &str) -> Option<Chunking> {
        Some(match name {
            "whole" => Chunking::Whole,
            "bytewise" => Chunking::Bytewise,
            "random-1" => Chunking::Random(1),
            "random-2" => Chunking::Random(2),
            "trailing" => Chunking::Trailing,
            _ => return None,
        })
    }

    /// Cuts `bytes` (the bytes of one `peer sends` step) into pieces. `split_at` are the
    /// step's own cut points, honoured by `whole` and `trailing`; `salt` varies the random
    /// cuts from step to step and script to script.
    pub fn pieces(self, bytes: &[u8], split_at: &[usize], salt: u64) -> Vec<Vec<u8>> {
        let mut cuts: Vec<usize> = match self {
            Chunking::Whole | Chunking::Trailing => split_at.to_vec(),
            Chunking::Bytewise => (1..bytes.len()).collect(),
            Chunking::Random(seed) => {
                let mut rng = XorShift::new(seed ^ salt);
                let mut cuts = Vec::new();
                let mut at = 0;
                loop {
                    // Mostly small pieces (header boundaries matter), now and then a large one.
                    let step = if rng.next() % 4 == 0 {
                        1 + rng.next() % 300
                    } else {
                        1 + rng.next() % 7
                    };
                    at += usize::try_from(step).unwrap_or(1);
                    if at >= bytes.len() {
                        break cuts;
                    }
                    cuts.push(at);
                }
            }
        };
        cuts.retain(|&cut| cut > 0 && cut < bytes.len());
        cuts.sort_unstable();
        cuts.dedup();
        let mut pieces = Vec::with_capacity(cuts.len() + 1);
        let mut start = 0;
        for cut in cuts.into_iter().chain(std::iter::once(bytes.len())) {
            pieces.push(bytes[start..cut].to_vec());
            start = cut;
        }
        pieces
    }
}

impl fmt::Display for Chunking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Chunking::Whole => f.write_str("whole"),
            Chunking::Bytewise => f.write_str("bytewise"),
            Chunking::Random(seed) => write!(f, "random-{seed}"),
            Chunking::Trailing => f.write_str("trailing"),
        }
    }
}

/// A tiny deterministic generator (xorshift64); quality is irrelevant, reproducibility is not.
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next value.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A stable 64-bit hash (FNV-1a) used to salt the random chunking per script and step.
pub fn salt(text: &str, line: usize) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64;
    for byte in text.bytes().chain((line as u64).to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_always_reassemble() {
        let bytes: Vec<u8> = (0..=255).collect();
        for chunking in Chunking::ALL {
            for salt in 0..20 {
                let pieces = chunking.pieces(&bytes, &[3, 100], salt);
                assert!(pieces.iter().all(|piece| !piece.is_empty()));
                assert_eq!(pieces.concat(), bytes, "{chunking}");
            }
        }
        assert_eq!(Chunking::Bytewise.pieces(&bytes, &[], 0).len(), 256);
        assert_eq!(Chunking::Whole.pieces(&bytes, &[3, 100], 0).len(), 3);
    }
}
