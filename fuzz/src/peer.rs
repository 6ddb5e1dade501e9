//! The peer of the connection targets: writes frames as the other role would, with its own
//! compressor.

use flate2::{Compress, Compression, FlushCompress};
use wsflow_core::Role;

use crate::format::frame;

/// The peer: writes frames as the other role would, with its own compressor.
pub struct Peer {
    /// The key to mask with, `None` when the peer is a server.
    mask: Option<[u8; 4]>,
    compress: Compress,
    /// A compressed message is in progress.
    in_message: bool,
}

impl Peer {
    /// The peer of a connection with `role`.
    pub fn new(role: Role) -> Self {
        Peer {
            mask: (role == Role::Server).then_some([0x37, 0xfa, 0x21, 0x3d]),
            compress: Compress::new(Compression::new(6), false),
            in_message: false,
        }
    }

    /// A frame (see `Command::Frame` for `flags`).
    pub fn frame(&self, flags: u8, payload: &[u8]) -> Vec<u8> {
        let wrong_mask = flags & 0x80 != 0;
        let mask = if wrong_mask {
            self.mask.xor(Some([1, 2, 3, 4]))
        } else {
            self.mask
        };
        frame(flags & 0x10 != 0, flags & 0x60, flags & 0x0f, payload, mask)
    }

    /// A data frame carrying `payload` compressed (sync flush; the tail removed at FIN).
    pub fn compressed(&mut self, flags: u8, payload: &[u8]) -> Vec<u8> {
        let (fin, continuation, text) = (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0);
        let mut out = Vec::with_capacity(payload.len() + 64);
        let mut consumed = 0;
        loop {
            let before = self.compress.total_in();
            let _ = self
                .compress
                .compress_vec(&payload[consumed..], &mut out, FlushCompress::Sync);
            consumed += (self.compress.total_in() - before) as usize;
            if consumed == payload.len() && out.len() < out.capacity() {
                break;
            }
            out.reserve(out.capacity().max(64));
        }
        if fin {
            if out.ends_with(&[0, 0, 0xff, 0xff]) {
                out.truncate(out.len() - 4);
            }
            self.compress.reset();
        }
        let opcode = match (continuation || self.in_message, text) {
            (true, _) => 0x0,
            (false, true) => 0x1,
            (false, false) => 0x2,
        };
        let rsv = if opcode == 0 { 0 } else { 0x40 };
        self.in_message = !fin;
        frame(fin, rsv, opcode, &out, self.mask)
    }
}
