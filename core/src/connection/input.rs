//! The input buffer: received bytes waiting to be parsed, and the spare space after them
//! that can be lent to the transport so that a large payload is read straight into the
//! buffer it is handed out from (no copy after the kernel's).

use std::ops::{Deref, DerefMut};
use std::time::Instant;

use bytes::{Buf, BytesMut};

use super::Connection;
use super::receive::RETAINED_INPUT_CAPACITY;

/// Below this much of a frame still to come, [`Connection::lend_receive_buffer`] lends
/// nothing: the adapter's shared read buffer costs a small copy, and a read that may go past
/// the frame's end brings the next frames in the same call.
const LEND_MIN: u64 = 4 << 10;
/// The most a frame header takes (2 + 8 bytes of length + 4 of mask): read ahead with the
/// payload when the next message is expected to be as large as the last ones.
const MAX_HEADER_LEN: u64 = 14;
/// The most lent for one read: a 64 KiB message with its header. Larger loans were slower
/// (1 MiB echoes: 10-20 % fewer per second): each loan is zeroed just before the read, and a
/// loan that fits the CPU's cache is still there when the kernel copies into it, where a
/// 512 KiB one is written to memory twice.
const LEND_MAX: u64 = (64 << 10) + MAX_HEADER_LEN;

impl Connection {
    /// Lends space in the input buffer for the transport to read into, when a large payload
    /// is arriving (or large messages keep coming): bytes read there are parsed where they
    /// lie and handed to the application as a slice of that buffer, so they are not copied
    /// again after the kernel's copy. Report how many bytes were read into the start of it
    /// with [`Self::receive_lent`], before calling anything else on the connection (a call
    /// in between may reuse the space). A loan not used is simply lent again next time.
    ///
    /// `None` when no large payload is due (read into a buffer of your own and call
    /// [`Self::receive`]: small messages cost less that way, and an idle connection holds no
    /// read buffer), before the connection is open, and whenever [`Self::wants_read`] is
    /// false. The space is initialised memory (zeroed once when the buffer grows) and grows
    /// with the bytes that actually arrived, never just with a length a peer announced.
    ///
    /// ```
    /// use std::time::Instant;
    /// use wsflow_core::{Config, Connection, Event, Message, Role};
    ///
    /// let mut server = Connection::new(Role::Server, Config::default(), Instant::now());
    /// // A masked binary frame of 100,000 bytes announces itself (key 0: the payload reads
    /// // as sent); the first bytes of the payload arrive with its header.
    /// let mut frame = vec![0x82, 0xff];
    /// frame.extend_from_slice(&100_000u64.to_be_bytes());
    /// frame.extend_from_slice(&[0; 4]);
    /// frame.extend_from_slice(&[1; 10_000]);
    /// server.receive(Instant::now(), &frame);
    /// // The rest is read straight into the connection's buffer.
    /// let mut rest = 90_000;
    /// while rest > 0 {
    ///     let space = server.lend_receive_buffer().expect("a large payload is due");
    ///     let read = space.len().min(rest).min(30_000); // what a transport's read returned
    ///     space[..read].fill(1);
    ///     server.receive_lent(Instant::now(), read);
    ///     rest -= read;
    /// }
    /// match server.poll_event() {
    ///     Some(Event::Message(Message::Binary(payload))) => assert_eq!(payload, vec![1; 100_000]),
    ///     other => panic!("{other:?}"),
    /// }
    /// ```
    #[inline]
    pub fn lend_receive_buffer(&mut self) -> Option<&mut [u8]> {
        // Small messages, the common case: nothing to lend, known from two loads (this runs
        // before every read).
        if self.frame.is_none() && self.input_block <= RETAINED_INPUT_CAPACITY as u64 {
            return None;
        }
        self.lend_for_large_payload()
    }

    /// [`Self::lend_receive_buffer`] once a large payload may be due.
    #[inline(never)]
    fn lend_for_large_payload(&mut self) -> Option<&mut [u8]> {
        // No phase check: a frame is parsed, and `input_block` set, only once the connection
        // is open, and `wants_read` is false once it is closed.
        if self.discarding || !self.wants_read() {
            return None;
        }
        let want = self.read_ahead()?;
        // `want` is at most LEND_MAX, so the cast cannot truncate.
        Some(self.input.spare_mut(want as usize))
    }

    /// Counts `len` bytes that the transport read into the space [`Self::lend_receive_buffer`]
    /// lent as received, and processes them as [`Self::receive`] would. `len` beyond the lent
    /// space is cut to it; without a loan nothing is received.
    pub fn receive_lent(&mut self, now: Instant, len: usize) {
        // Only lent space counts; there is none before the connection is open.
        let len = len.min(self.input.spare_len());
        if !self.admit_input(now, len) {
            return;
        }
        self.keepalive.last_seen = Some(now);
        if self.discarding {
            return;
        }
        self.input.commit(len);
        self.process_input(now);
    }

    /// How much to lend for the next read, if anything: the rest of the data frame in
    /// progress, or a whole frame like the last large ones when large messages keep coming.
    /// Never more than has arrived of the frame so far (at least [`LEND_MIN`]), so that a
    /// peer announcing a huge frame and sending nothing makes us zero little memory.
    fn read_ahead(&self) -> Option<u64> {
        let buffered = self.input.len() as u64;
        let want = match self.frame {
            Some(frame) if !frame.header.opcode.is_control() => {
                let rest = frame.remaining.saturating_sub(buffered);
                let arrived = frame.header.payload_len.saturating_sub(frame.remaining)
                    + buffered.min(frame.remaining);
                if rest < LEND_MIN {
                    return None;
                }
                rest.min(arrived.max(LEND_MIN))
            }
            None if self.input_block > RETAINED_INPUT_CAPACITY as u64 => {
                (self.input_block + MAX_HEADER_LEN).saturating_sub(buffered)
            }
            // A control frame (125 bytes at most), or small messages.
            Some(_) | None => return None,
        };
        // Never an empty loan: a read into no space would look like the end of the stream.
        (want > 0).then_some(want.min(LEND_MAX))
    }
}

/// Received bytes (`bytes[..filled]`) followed by spare space (`bytes[filled..]`).
///
/// The spare space is initialised memory (zeroes, or bytes of an earlier read), so lending it
/// as `&mut [u8]` needs no `unsafe`; it is zeroed once when the buffer grows, not before
/// every read, and it is never parsed. It exists only while lent space is being filled: every
/// other way in keeps `filled == bytes.len()`.
#[derive(Debug, Default)]
pub(super) struct InputBuffer {
    bytes: BytesMut,
    filled: usize,
}

impl InputBuffer {
    /// Space for the transport to read up to `want` bytes into (at least one byte when
    /// `want` is not zero), growing the buffer if it has less spare space than that.
    pub(super) fn spare_mut(&mut self, want: usize) -> &mut [u8] {
        let spare = self.bytes.len() - self.filled;
        if spare < want {
            // Zeroes only the new part: space lent before and not yet filled is reused.
            self.bytes.resize(self.filled + want, 0);
        }
        self.bytes.get_mut(self.filled..).unwrap_or_default()
    }

    /// Counts `len` bytes of the spare space as received (clamped to the spare space, so a
    /// wrong count can only lose bytes, never expose stale ones as input it did not have).
    #[inline]
    pub(super) fn commit(&mut self, len: usize) {
        self.filled = (self.filled + len).min(self.bytes.len());
    }

    /// The spare space currently held (lent space not filled yet).
    #[inline]
    pub(super) fn spare_len(&self) -> usize {
        self.bytes.len() - self.filled
    }

    /// Received bytes (the parser's view; no spare space).
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.filled
    }

    /// Whether no received byte waits.
    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.filled == 0
    }

    /// Appends `data` after the received bytes, into the spare space if it fits.
    #[inline]
    pub(super) fn extend_from_slice(&mut self, data: &[u8]) {
        if self.bytes.len() == self.filled {
            // No spare space (nothing lent): the usual copied read.
            self.bytes.extend_from_slice(data);
            self.filled = self.bytes.len();
            return;
        }
        let end = self.filled + data.len();
        if let Some(spare) = self.bytes.get_mut(self.filled..end) {
            spare.copy_from_slice(data);
            self.filled = end;
            return;
        }
        self.drop_spare();
        self.bytes.extend_from_slice(data);
        self.filled = self.bytes.len();
    }

    /// Makes room for `additional` received bytes without another allocation.
    pub(super) fn reserve(&mut self, additional: usize) {
        let needed = (self.filled + additional).saturating_sub(self.bytes.len());
        self.bytes.reserve(needed);
    }

    /// Takes the first `len` received bytes (`len` is clamped to what was received); they
    /// keep sharing the allocation, the spare space stays behind.
    #[inline]
    pub(super) fn split_to(&mut self, len: usize) -> BytesMut {
        let len = len.min(self.filled);
        self.filled -= len;
        self.bytes.split_to(len)
    }

    /// Drops the first `len` received bytes (clamped to what was received).
    #[inline]
    pub(super) fn advance(&mut self, len: usize) {
        let len = len.min(self.filled);
        self.filled -= len;
        self.bytes.advance(len);
    }

    /// Drops every received byte and the spare space; the allocation is kept.
    #[inline]
    pub(super) fn clear(&mut self) {
        self.bytes.clear();
        self.filled = 0;
    }

    /// The memory the buffer holds, received bytes and spare space included.
    #[inline]
    pub(super) fn capacity(&self) -> usize {
        self.bytes.capacity()
    }

    /// Forgets the spare space, so that the buffer grows from the received bytes alone (a
    /// reallocation then copies no stale bytes).
    fn drop_spare(&mut self) {
        self.bytes.truncate(self.filled);
    }
}

/// The received bytes: what the parser reads.
impl Deref for InputBuffer {
    type Target = [u8];

    #[inline]
    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.filled).unwrap_or_default()
    }
}

impl DerefMut for InputBuffer {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        self.bytes.get_mut(..self.filled).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lent_space_holds_what_the_transport_wrote() {
        let mut input = InputBuffer::default();
        input.extend_from_slice(b"head");
        let spare = input.spare_mut(8);
        assert_eq!(spare.len(), 8);
        spare[..3].copy_from_slice(b"abc");
        input.commit(3);
        assert_eq!(&input[..], b"headabc");
        assert_eq!(input.spare_len(), 5);
        // The unfilled rest is lent again without growing.
        let spare = input.spare_mut(4);
        assert_eq!(spare.len(), 5);
        spare.copy_from_slice(b"defgh");
        input.commit(5);
        assert_eq!(&input[..], b"headabcdefgh");
        assert_eq!(input.spare_len(), 0);
    }

    #[test]
    fn spare_space_is_never_parsed() {
        let mut input = InputBuffer::default();
        let spare = input.spare_mut(16);
        spare.copy_from_slice(&[7; 16]);
        input.commit(2);
        assert_eq!(&input[..], &[7, 7]);
        assert_eq!(input.len(), 2);
        // A commit past the lent space is clamped to it.
        input.commit(100);
        assert_eq!(input.len(), 16);
    }

    #[test]
    fn copied_input_fills_the_spare_space_first() {
        let mut input = InputBuffer::default();
        let _ = input.spare_mut(4);
        input.extend_from_slice(b"ab");
        assert_eq!(&input[..], b"ab");
        assert_eq!(input.spare_len(), 2);
        // Too long for the spare space: appended after the received bytes, stale ones gone.
        input.extend_from_slice(b"cdefg");
        assert_eq!(&input[..], b"abcdefg");
        assert_eq!(input.spare_len(), 0);
    }

    #[test]
    fn taking_bytes_leaves_the_spare_space_behind() {
        let mut input = InputBuffer::default();
        input.extend_from_slice(b"0123456789");
        let _ = input.spare_mut(6);
        let front = input.split_to(4);
        assert_eq!(&front[..], b"0123");
        assert_eq!(&input[..], b"456789");
        input.advance(2);
        assert_eq!(&input[..], b"6789");
        assert_eq!(input.spare_len(), 6);
        // Clamped, never a panic.
        let rest = input.split_to(100);
        assert_eq!(&rest[..], b"6789");
        assert!(input.is_empty());
        input.advance(5);
        assert!(input.is_empty());
        input.clear();
        assert_eq!(input.spare_len(), 0);
    }

    #[test]
    fn reserve_counts_the_spare_space() {
        let mut input = InputBuffer::default();
        let _ = input.spare_mut(100);
        let capacity = input.capacity();
        input.reserve(50);
        assert_eq!(
            input.capacity(),
            capacity,
            "the spare space already covers it"
        );
        input.reserve(1000);
        assert!(input.capacity() >= 1000);
    }
}
