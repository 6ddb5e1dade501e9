//! Test support: walks a raw deflate stream (RFC 1951) and reports the largest back-reference
//! distance it uses, so tests can prove what window a decoder needs. flate2 cannot tell us:
//! it refuses 8-bit inflate windows, and zlib-rs decodes beyond the window it was given.

use std::collections::HashMap;

/// Length codes 257..=285: base length and extra bits (RFC 1951 §3.2.5).
const LENGTH_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LENGTH_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
/// Distance codes 0..=29: base distance and extra bits.
const DIST_BASE: [u32; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order code-length code lengths are sent in (§3.2.7).
const CLEN_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

struct Bits<'a> {
    data: &'a [u8],
    bit: usize,
}

impl Bits<'_> {
    fn remaining(&self) -> usize {
        self.data.len() * 8 - self.bit
    }

    fn take(&mut self, count: u8) -> u32 {
        let mut value = 0;
        for i in 0..count {
            let byte = self.data[self.bit / 8];
            value |= u32::from((byte >> (self.bit % 8)) & 1) << i;
            self.bit += 1;
        }
        value
    }

    fn align(&mut self) {
        self.bit = self.bit.div_ceil(8) * 8;
    }
}

/// A canonical Huffman code, decoded one bit at a time (slow, simple, obviously right).
struct Huffman(HashMap<(u8, u16), u16>);

impl Huffman {
    fn new(lengths: &[u8]) -> Huffman {
        let mut codes = HashMap::new();
        let mut code = 0u16;
        for length in 1..=15u8 {
            for (symbol, _) in lengths.iter().enumerate().filter(|(_, l)| **l == length) {
                codes.insert((length, code), symbol as u16);
                code += 1;
            }
            code <<= 1;
        }
        Huffman(codes)
    }

    fn decode(&self, bits: &mut Bits<'_>) -> u16 {
        let mut code = 0u16;
        for length in 1..=15u8 {
            code = (code << 1) | bits.take(1) as u16;
            if let Some(symbol) = self.0.get(&(length, code)) {
                return *symbol;
            }
        }
        panic!("invalid Huffman code");
    }
}

fn dynamic_tables(bits: &mut Bits<'_>) -> (Huffman, Huffman) {
    let literals = bits.take(5) as usize + 257;
    let distances = bits.take(5) as usize + 1;
    let code_lengths = bits.take(4) as usize + 4;
    let mut clen = [0u8; 19];
    for &index in &CLEN_ORDER[..code_lengths] {
        clen[index] = bits.take(3) as u8;
    }
    let clen = Huffman::new(&clen);
    let mut lengths = Vec::new();
    while lengths.len() < literals + distances {
        match clen.decode(bits) {
            symbol @ 0..=15 => lengths.push(symbol as u8),
            16 => {
                let previous = *lengths.last().expect("repeat with no previous length");
                let count = 3 + bits.take(2);
                lengths.extend((0..count).map(|_| previous));
            }
            17 => lengths.extend((0..3 + bits.take(3)).map(|_| 0)),
            _ => lengths.extend((0..11 + bits.take(7)).map(|_| 0)),
        }
    }
    (
        Huffman::new(&lengths[..literals]),
        Huffman::new(&lengths[literals..]),
    )
}

fn fixed_tables() -> (Huffman, Huffman) {
    let mut lengths = vec![8u8; 144];
    lengths.extend([9u8; 112]);
    lengths.extend([7u8; 24]);
    lengths.extend([8u8; 8]);
    (Huffman::new(&lengths), Huffman::new(&[5u8; 30]))
}

/// The largest distance any match in `stream` refers back, and the number of bytes the stream
/// decodes to (so callers can check the walk was right). Checks along the way that no match
/// reaches before the start of the stream. Panics on malformed input (test use only).
pub(super) fn max_distance(stream: &[u8]) -> (usize, usize) {
    let mut bits = Bits {
        data: stream,
        bit: 0,
    };
    let mut produced = 0usize;
    let mut max = 0usize;
    // A sync-flushed stream need not end with BFINAL; stop when fewer bits than a block
    // header remain (the padding after the last byte-aligned block).
    while bits.remaining() >= 3 {
        let last = bits.take(1) == 1;
        let (literals, distances) = match bits.take(2) {
            0 => {
                bits.align();
                let length = bits.take(16);
                assert_eq!(length ^ 0xffff, bits.take(16), "stored block NLEN");
                bits.bit += length as usize * 8;
                produced += length as usize;
                if last {
                    break;
                }
                continue;
            }
            1 => fixed_tables(),
            2 => dynamic_tables(&mut bits),
            _ => panic!("reserved block type"),
        };
        loop {
            let symbol = literals.decode(&mut bits) as usize;
            match symbol {
                0..=255 => produced += 1,
                256 => break,
                _ => {
                    let index = symbol - 257;
                    let length =
                        LENGTH_BASE[index] as usize + bits.take(LENGTH_EXTRA[index]) as usize;
                    let code = distances.decode(&mut bits) as usize;
                    let distance = DIST_BASE[code] as usize + bits.take(DIST_EXTRA[code]) as usize;
                    assert!(distance <= produced, "distance before the stream start");
                    max = max.max(distance);
                    produced += length;
                }
            }
        }
        if last {
            break;
        }
    }
    (max, produced)
}
