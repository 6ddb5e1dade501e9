//! An independent parser of the frames a connection writes, written from RFC 6455 / 7692 and
//! sharing no code with wsflow-core, so that a bug in the core's encoder cannot hide itself.
//! It panics (a fuzz finding) on the first frame a peer would have to reject.

use flate2::{Decompress, FlushDecompress, Status};

/// A data message decoded from the wire: text or not, and its (decompressed) payload.
pub type WireMessage = (bool, Vec<u8>);

/// Checks a stream of frames written by one endpoint.
#[derive(Debug)]
pub struct WireChecker {
    /// Frames written by a client must be masked, a server's must not.
    client: bool,
    /// permessage-deflate was negotiated: RSV1 is allowed on a message's first frame.
    deflate: bool,
    buf: Vec<u8>,
    /// The data message being written: (text, compressed, payload so far).
    message: Option<(bool, bool, Vec<u8>)>,
    /// A close frame was written: nothing may follow it.
    closed: bool,
    inflater: Decompress,
    /// Every data message completed on the wire.
    pub messages: Vec<WireMessage>,
    /// The code of the close frame written, if any (`Some(None)`: an empty close frame).
    pub close_code: Option<Option<u16>>,
}

/// Whether a close code may appear on the wire (RFC 6455 §7.4, IANA registry).
fn sendable(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

impl WireChecker {
    /// A checker for the output of a client (`client`) or server.
    pub fn new(client: bool, deflate: bool) -> Self {
        WireChecker {
            client,
            deflate,
            buf: Vec::new(),
            message: None,
            closed: false,
            inflater: Decompress::new(false),
            messages: Vec::new(),
            close_code: None,
        }
    }

    /// Feeds written bytes; checks every frame completed by them.
    pub fn feed(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        assert!(!self.closed, "bytes written after a close frame");
        self.buf.extend_from_slice(bytes);
        while let Some(used) = self.frame() {
            self.buf.drain(..used);
        }
    }

    /// The connection dropped its queued output: forget a frame cut off by that.
    pub fn discard_partial(&mut self) {
        self.buf.clear();
    }

    /// Whether a frame was cut off by the end of the output.
    pub fn has_partial_frame(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Parses and checks one complete frame at the front of the buffer; its length.
    fn frame(&mut self) -> Option<usize> {
        let b = &self.buf;
        let (&b0, &b1) = (b.first()?, b.get(1)?);
        let (fin, rsv, opcode) = (b0 & 0x80 != 0, b0 & 0x70, b0 & 0x0f);
        let masked = b1 & 0x80 != 0;
        let (len, mut at) = match b1 & 0x7f {
            126 => {
                let len = u64::from(u16::from_be_bytes([*b.get(2)?, *b.get(3)?]));
                assert!(len >= 126, "16-bit length {len} not minimal");
                (len, 4)
            }
            127 => {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(b.get(2..10)?);
                let len = u64::from_be_bytes(raw);
                assert!(len >> 63 == 0, "64-bit length with its top bit set");
                assert!(len > 65535, "64-bit length {len} not minimal");
                (len, 10)
            }
            len => (u64::from(len), 2),
        };
        assert_eq!(
            masked, self.client,
            "client frames masked, server frames not"
        );
        let key = if masked {
            let key = [
                *b.get(at)?,
                *b.get(at + 1)?,
                *b.get(at + 2)?,
                *b.get(at + 3)?,
            ];
            at += 4;
            Some(key)
        } else {
            None
        };
        let len = usize::try_from(len).expect("length fits memory");
        let mut payload = b.get(at..at + len)?.to_vec();
        if let Some(key) = key {
            for (i, byte) in payload.iter_mut().enumerate() {
                *byte ^= key[i % 4];
            }
        }
        let total = at + len;
        self.check(fin, rsv, opcode, &payload);
        Some(total)
    }

    fn check(&mut self, fin: bool, rsv: u8, opcode: u8, payload: &[u8]) {
        match opcode {
            0x8..=0xA => {
                assert!(fin, "fragmented control frame");
                assert_eq!(rsv, 0, "RSV bits on a control frame");
                assert!(payload.len() <= 125, "control frame of {}", payload.len());
                if opcode == 0x8 {
                    self.check_close(payload);
                }
            }
            0x1 | 0x2 => {
                assert!(
                    self.message.is_none(),
                    "new data frame inside a fragmented message"
                );
                let compressed = match rsv {
                    0 => false,
                    0x40 if self.deflate => true,
                    _ => panic!(
                        "RSV bits {rsv:#x} on a data frame (deflate {})",
                        self.deflate
                    ),
                };
                self.message = Some((opcode == 0x1, compressed, Vec::new()));
                self.data(fin, payload);
            }
            0x0 => {
                assert_eq!(rsv, 0, "RSV bits on a continuation frame");
                assert!(self.message.is_some(), "continuation with no message");
                self.data(fin, payload);
            }
            _ => panic!("reserved opcode {opcode:#x} written"),
        }
    }

    fn check_close(&mut self, payload: &[u8]) {
        match payload {
            [] => self.close_code = Some(None),
            [_] => panic!("one-byte close payload"),
            [hi, lo, reason @ ..] => {
                let code = u16::from_be_bytes([*hi, *lo]);
                assert!(sendable(code), "close code {code} written");
                assert!(
                    std::str::from_utf8(reason).is_ok(),
                    "close reason not UTF-8"
                );
                self.close_code = Some(Some(code));
            }
        }
        self.closed = true;
    }

    fn data(&mut self, fin: bool, payload: &[u8]) {
        let Some((text, compressed, mut body)) = self.message.take() else {
            return;
        };
        body.extend_from_slice(payload);
        if !fin {
            self.message = Some((text, compressed, body));
            return;
        }
        if compressed {
            body.extend_from_slice(&[0, 0, 0xff, 0xff]);
            body = self.inflate(&body);
        }
        if text {
            assert!(std::str::from_utf8(&body).is_ok(), "text message not UTF-8");
        }
        self.messages.push((text, body));
    }

    /// Inflates one message with a persistent raw inflater: a compressor that resets between
    /// messages still writes a valid continuation of the stream.
    fn inflate(&mut self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len() * 4 + 64);
        let mut consumed = 0;
        loop {
            let before_in = self.inflater.total_in();
            let before_out = self.inflater.total_out();
            let status = self
                .inflater
                .decompress_vec(&input[consumed..], &mut out, FlushDecompress::Sync)
                .expect("our own compressed output inflates");
            consumed += (self.inflater.total_in() - before_in) as usize;
            let progressed =
                self.inflater.total_out() != before_out || self.inflater.total_in() != before_in;
            assert!(status != Status::StreamEnd, "BFINAL in a message");
            if consumed == input.len() && out.len() < out.capacity() {
                return out;
            }
            assert!(progressed || out.len() == out.capacity(), "inflater stuck");
            out.reserve(out.capacity().max(64));
        }
    }
}

/// The frames in `bytes` (a whole number of them, or a cut-off tail): first byte and
/// unmasked payload.
fn split_frames(mut bytes: &[u8], masked: bool) -> Vec<(u8, Vec<u8>)> {
    let mut frames = Vec::new();
    while let [b0, b1, rest @ ..] = bytes {
        let (len, rest) = match b1 & 0x7f {
            126 if rest.len() >= 2 => (
                usize::from(u16::from_be_bytes([rest[0], rest[1]])),
                &rest[2..],
            ),
            127 if rest.len() >= 8 => {
                let mut raw = [0u8; 8];
                raw.copy_from_slice(&rest[..8]);
                (
                    usize::try_from(u64::from_be_bytes(raw)).unwrap_or(usize::MAX),
                    &rest[8..],
                )
            }
            126 | 127 => break,
            len => (usize::from(len), rest),
        };
        let (key, rest) = match (masked, rest) {
            (true, [a, b, c, d, rest @ ..]) => ([*a, *b, *c, *d], rest),
            (true, _) => break,
            (false, rest) => ([0; 4], rest),
        };
        let Some(payload) = rest.get(..len) else {
            break;
        };
        let payload = payload
            .iter()
            .zip(key.iter().cycle())
            .map(|(b, k)| b ^ k)
            .collect();
        frames.push((*b0, payload));
        bytes = &rest[len..];
    }
    frames
}

/// The two connections wrote the same frames, except that after corrupt compressed data
/// (1007) the close reason, which quotes zlib, may differ: zlib may report the same
/// corruption differently depending on where the stream was cut.
pub fn same_frames(whole: &[u8], cut: &[u8], masked: bool) {
    if whole == cut {
        return;
    }
    let (a, b) = (split_frames(whole, masked), split_frames(cut, masked));
    assert_eq!(a.len(), b.len(), "chunking changed the frames written");
    for ((a0, a), (b0, b)) in a.iter().zip(&b) {
        if a0 == b0 && a0 & 0x0f == 0x8 && a.get(..2) == Some(&[0x03, 0xef][..]) {
            assert_eq!(a.get(..2), b.get(..2), "chunking changed the close code");
        } else {
            assert_eq!((a0, a), (b0, b), "chunking changed a frame written");
        }
    }
}
