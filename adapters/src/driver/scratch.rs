//! The per-thread read buffer every connection on a thread reads into.

use std::cell::RefCell;

/// Bytes asked for per read: large enough that a 64 KiB message arrives in a few calls.
pub(super) const READ_SIZE: usize = 64 << 10;
/// Used for a read only when the thread's scratch buffer is unavailable (see [`with_scratch`]).
pub(super) const FALLBACK_READ_SIZE: usize = 4 << 10;

thread_local! {
    /// Where every connection on a thread reads into. The core copies what it keeps, so a
    /// read buffer only lives for the length of one `poll_read`: one per thread serves every
    /// connection, and an idle connection holds none (tungstenite keeps 128 KiB each, the
    /// other peers 4-8 KiB).
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `read` over the thread's scratch buffer. A transport that polls another connection
/// from inside its own `poll_read` (or a read during thread teardown) finds the scratch
/// taken, and gets a small buffer of its own instead.
// Inlined into the read path: a call per read showed up under callgrind (42 instructions
// per echoed message) once the driver was split into files.
#[inline]
pub(super) fn with_scratch<O>(mut read: impl FnMut(&mut [u8]) -> O) -> O {
    let shared = SCRATCH.try_with(|cell| {
        let mut buf = cell.try_borrow_mut().ok()?;
        if buf.len() < READ_SIZE {
            buf.resize(READ_SIZE, 0);
        }
        Some(read(&mut buf))
    });
    match shared {
        Ok(Some(out)) => out,
        _ => read(&mut vec![0; FALLBACK_READ_SIZE]),
    }
}
