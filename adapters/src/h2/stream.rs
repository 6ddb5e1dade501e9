//! One HTTP/2 stream as a [`Transport`]: DATA frames are the byte stream in both directions.

use std::io;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use h2::{Reason, RecvStream, SendStream};

use crate::Transport;

/// An HTTP/2 stream carrying one WebSocket (RFC 8441 §5), as the driver's [`Transport`].
///
/// - **Reading** takes the payload of DATA frames and gives the flow-control window back
///   only as the WebSocket consumes the bytes, so a slow reader stops its own stream (the
///   peer runs out of window) and no other.
/// - **Writing** waits for window on this stream before it hands bytes to the connection,
///   so a peer that does not read pushes back on `send`, as a full TCP buffer would.
/// - **Shutdown** (the core's half-close after the close handshake) sends `END_STREAM`.
/// - **Dropping** the stream before both directions ended (an abort, a protocol failure, a
///   WebSocket dropped mid-conversation) resets it with `RST_STREAM(CANCEL)`, which ends this
///   WebSocket only; the other streams of the connection carry on.
///
/// Bytes move only while the HTTP/2 connection is driven (the server's
/// [`ServerConnection::accept`](super::ServerConnection::accept) loop, or the client's
/// [`ClientConnection`](super::ClientConnection) future).
#[derive(Debug)]
pub struct H2Stream {
    send: SendStream<Bytes>,
    recv: RecvStream,
    /// What the last DATA frame brought and the WebSocket has not read yet.
    pending: Bytes,
    /// `END_STREAM` sent.
    sent_end: bool,
    /// `END_STREAM` received.
    received_end: bool,
}

impl H2Stream {
    /// Wraps the two halves of an HTTP/2 stream whose extended CONNECT was accepted.
    pub fn new(send: SendStream<Bytes>, recv: RecvStream) -> Self {
        H2Stream {
            send,
            recv,
            pending: Bytes::new(),
            sent_end: false,
            received_end: false,
        }
    }

    /// The HTTP/2 stream identifier, for logs.
    pub fn stream_id(&self) -> u32 {
        self.send.stream_id().as_u32()
    }

    /// Resets the stream now with `reason` (RST_STREAM), ending this WebSocket at once.
    pub fn reset(&mut self, reason: Reason) {
        self.send.send_reset(reason);
        self.sent_end = true;
        self.received_end = true;
    }
}

/// An `h2` error as the `io::Error` the driver reports: the peer's reset is a reset
/// connection as far as this WebSocket can tell.
pub(crate) fn io_error(error: h2::Error) -> io::Error {
    if error.is_io() {
        return error
            .into_io()
            .unwrap_or_else(|| io::Error::other("HTTP/2 I/O error"));
    }
    if error.is_reset() || error.is_go_away() {
        return io::Error::new(io::ErrorKind::ConnectionReset, error);
    }
    io::Error::other(error)
}

impl Transport for H2Stream {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        while self.pending.is_empty() {
            if self.received_end {
                return Poll::Ready(Ok(0));
            }
            match ready!(self.recv.poll_data(cx)) {
                Some(Ok(data)) => self.pending = data,
                Some(Err(error)) => return Poll::Ready(Err(io_error(error))),
                None => self.received_end = true,
            }
        }
        let n = buf.len().min(self.pending.len());
        let data = self.pending.split_to(n);
        if let Some(target) = buf.get_mut(..n) {
            target.copy_from_slice(&data);
        }
        // The window opens again only for what the WebSocket actually took.
        self.recv
            .flow_control()
            .release_capacity(n)
            .map_err(io_error)?;
        Poll::Ready(Ok(n))
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.sent_end {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let mut capacity = self.send.capacity();
        if capacity == 0 {
            self.send.reserve_capacity(buf.len());
            capacity = match ready!(self.send.poll_capacity(cx)) {
                Some(Ok(capacity)) => capacity,
                Some(Err(error)) => return Poll::Ready(Err(io_error(error))),
                None => return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
            };
            if capacity == 0 {
                // Nothing assigned after all: wait for the next assignment.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
        let n = capacity.min(buf.len());
        let data = Bytes::copy_from_slice(buf.get(..n).unwrap_or_default());
        self.send.send_data(data, false).map_err(io_error)?;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The connection writes what `send_data` queued; within the window, it is sent.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if !self.sent_end {
            self.sent_end = true;
            // This only fails when the stream is already closed or reset: a peer that read
            // our close frame may drop its end at once (h2 then resets the stream). Our
            // write side is closed either way, which is all a half-close asks.
            let _ = self.send.send_data(Bytes::new(), true);
        }
        Poll::Ready(Ok(()))
    }
}

impl Drop for H2Stream {
    fn drop(&mut self) {
        if !(self.sent_end && self.received_end) {
            self.send.send_reset(Reason::CANCEL);
        }
    }
}
