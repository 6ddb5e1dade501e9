//! The byte stream a [`WebSocket`](crate::WebSocket) runs over.

use std::io::{self, IoSlice};
use std::task::{Context, Poll};

/// A bidirectional byte stream, as the driver needs it: the four operations of a TCP socket.
///
/// The runtime modules implement it over their own I/O traits (see `tokio::TokioIo` and
/// `futures_io::FuturesIo`); users of another runtime implement it in a few lines.
/// Methods take `&mut self`: a transport that is not `Unpin` can be boxed and pinned.
pub trait Transport: Unpin {
    /// Reads into `buf`; `Ok(0)` means EOF (the peer shut its write side down).
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;

    /// Writes some of `buf`, returning how much was taken.
    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;

    /// Writes some of `bufs`, in order. The default writes the first non-empty slice; override
    /// it when the stream has a real vectored write, so that many queued frames leave in one
    /// system call.
    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let first = bufs
            .iter()
            .find(|buf| !buf.is_empty())
            .map_or(&[][..], |buf| &**buf);
        self.poll_write(cx, first)
    }

    /// Pushes out anything the stream buffers itself (a no-op for TCP).
    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;

    /// Half-closes the stream: flushes, then shuts the **write side** down so the peer reads
    /// EOF (a TCP FIN), while this side can still read. Closing the whole socket here would
    /// break the WebSocket close handshake, which reads after the FIN.
    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
}
