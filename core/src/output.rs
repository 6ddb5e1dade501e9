//! The queue of bytes waiting to be written to the transport.
//!
//! Headers and small payloads are copied into one contiguous tail buffer, so that many small
//! frames leave in a single write; large payloads are queued as their own [`Bytes`] so that an
//! adapter can write them with a vectored write and no copy.

use std::collections::VecDeque;
use std::io::IoSlice;

use bytes::{Buf, Bytes, BytesMut};

/// Payloads at least this large are queued by reference instead of copied.
const ZERO_COPY_THRESHOLD: usize = 4096;
/// An empty tail buffer with more capacity than this is released, so that an idle connection
/// does not keep the memory of its largest burst.
const RETAINED_CAPACITY: usize = 16 << 10;

#[derive(Debug, Default)]
pub(crate) struct OutputQueue {
    /// Frozen pieces, written before `tail`.
    chunks: VecDeque<Bytes>,
    /// Bytes being appended to; written after every chunk.
    tail: BytesMut,
    len: usize,
}

impl OutputQueue {
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends what `write` appends to the tail buffer (a frame header, a payload masked in
    /// place), counting it.
    #[inline]
    pub(crate) fn append_with(&mut self, write: impl FnOnce(&mut BytesMut)) {
        let before = self.tail.len();
        write(&mut self.tail);
        self.len += self.tail.len().saturating_sub(before);
    }

    /// Appends a payload: copied when small, queued by reference when large.
    // Inlined into `write_frame`, once per frame sent: the length is counted as it grows
    // rather than summed over the pieces (together ~30 instructions per echoed message).
    #[inline]
    pub(crate) fn push_payload(&mut self, payload: Bytes) {
        self.len += payload.len();
        if payload.len() < ZERO_COPY_THRESHOLD {
            self.tail.extend_from_slice(&payload);
        } else {
            if !self.tail.is_empty() {
                self.chunks.push_back(self.tail.split().freeze());
            }
            self.chunks.push_back(payload);
        }
    }

    /// Appends a whole pre-encoded frame shared with other connections: copied when small (as
    /// a payload is), queued by reference when large, so a broadcast to N connections costs
    /// N reference counts, not N copies.
    pub(crate) fn push_frame(&mut self, frame: Bytes) {
        self.push_payload(frame);
    }

    #[inline]
    pub(crate) fn front(&self) -> &[u8] {
        self.chunks
            .front()
            .map_or(&self.tail[..], |chunk| &chunk[..])
    }

    pub(crate) fn chunks_vectored<'a>(&'a self, dst: &mut [IoSlice<'a>]) -> usize {
        let pieces = self
            .chunks
            .iter()
            .map(|chunk| &chunk[..])
            .chain(std::iter::once(&self.tail[..]))
            .filter(|piece| !piece.is_empty());
        let mut filled = 0;
        for (slot, piece) in dst.iter_mut().zip(pieces) {
            *slot = IoSlice::new(piece);
            filled += 1;
        }
        filled
    }

    pub(crate) fn consume(&mut self, mut n: usize) {
        if n >= self.len {
            // Everything was written (the usual case): nothing to advance piece by piece.
            self.clear();
            return;
        }
        self.len -= n;
        while n > 0 {
            if let Some(front) = self.chunks.front_mut() {
                let step = n.min(front.len());
                front.advance(step);
                n -= step;
                if front.is_empty() {
                    self.chunks.pop_front();
                }
            } else {
                self.tail.advance(n);
                n = 0;
            }
        }
    }

    pub(crate) fn clear(&mut self) {
        if !self.chunks.is_empty() {
            self.chunks.clear();
        }
        self.len = 0;
        if self.tail.capacity() > RETAINED_CAPACITY {
            self.tail = BytesMut::new();
        } else {
            self.tail.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_frames_are_shared_and_small_ones_copied() {
        let large = Bytes::from(vec![1u8; ZERO_COPY_THRESHOLD]);
        let mut first = OutputQueue::default();
        let mut second = OutputQueue::default();
        first.push_frame(large.clone());
        second.push_frame(large.clone());
        assert_eq!(first.front().as_ptr(), large.as_ptr());
        assert_eq!(second.front().as_ptr(), large.as_ptr());
        let small = Bytes::from(vec![2u8; 64]);
        first.push_frame(small.clone());
        let mut slices = [IoSlice::new(&[]); 4];
        assert_eq!(first.chunks_vectored(&mut slices), 2);
        assert_ne!(slices[1].as_ptr(), small.as_ptr(), "small frame copied");
        assert_eq!(first.len(), ZERO_COPY_THRESHOLD + 64);
    }

    #[test]
    fn small_payloads_coalesce_and_large_ones_are_not_copied() {
        let mut queue = OutputQueue::default();
        queue.append_with(|tail| tail.extend_from_slice(b"h1"));
        queue.push_payload(Bytes::from_static(b"small"));
        let large = Bytes::from(vec![7u8; ZERO_COPY_THRESHOLD]);
        queue.append_with(|tail| tail.extend_from_slice(b"h2"));
        queue.push_payload(large.clone());
        assert_eq!(queue.len(), 2 + 5 + 2 + ZERO_COPY_THRESHOLD);
        let mut slices = [IoSlice::new(&[]); 4];
        let n = queue.chunks_vectored(&mut slices);
        assert_eq!(n, 2);
        assert_eq!(&*slices[0], b"h1smallh2");
        assert_eq!(
            slices[1].as_ptr(),
            large.as_ptr(),
            "large payload must not be copied"
        );
        queue.consume(4);
        assert_eq!(queue.front(), b"allh2");
        queue.consume(5 + ZERO_COPY_THRESHOLD);
        assert!(queue.is_empty());
        assert_eq!(queue.front(), b"");
    }
}
