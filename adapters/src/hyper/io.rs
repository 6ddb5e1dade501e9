//! hyper's upgraded connection as a [`Transport`].

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper::rt::{Read, ReadBuf, Write};

use crate::Transport;

/// The connection a hyper server handed over after a `101 Switching Protocols`, as a
/// [`Transport`]. Bytes the client sent after its request head (its first frames, possibly
/// in the same packet) were buffered by hyper and are read from here first.
///
/// Implemented over hyper's own I/O traits, so no `hyper-util` adapter sits in between.
#[derive(Debug)]
pub struct UpgradedIo(pub hyper::upgrade::Upgraded);

impl Transport for UpgradedIo {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(buf);
        Pin::new(&mut self.0)
            .poll_read(cx, buf.unfilled())
            .map_ok(|()| buf.filled().len())
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        &mut self,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    /// hyper's shutdown of the upgraded stream: for TCP, a half-close (FIN).
    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
