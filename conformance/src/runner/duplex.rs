//! An in-memory byte stream between the endpoint under test and the scripted peer, with the
//! native I/O traits of tokio and of `futures-io` (smol, async-std), so that an adapter's own
//! glue runs over it as it runs over a socket.
//!
//! Each piece the peer sends is one read result (a smaller read buffer gets it in parts); the
//! peer can stop reading, which makes writes pend as on a full socket; shutting the write side
//! down is recorded, and writing after it fails as on a socket. [`Duplex::like_async_std`]
//! behaves like async-std's sockets: futures-io's `poll_close` only flushes, and only
//! [`ShutdownWrite`] half-closes.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use wsflow::async_std::ShutdownWrite;

#[derive(Debug, Default)]
struct State {
    /// Pieces the peer sent that the endpoint has not read.
    inbound: VecDeque<Vec<u8>>,
    /// The peer half-closed: after `inbound`, reads return EOF.
    eof: bool,
    reader: Option<Waker>,
    /// Bytes the endpoint wrote that the peer has not taken.
    outbound: Vec<u8>,
    /// While false, writes pend (the peer is not reading).
    peer_reading: bool,
    writer: Option<Waker>,
    /// The endpoint shut its write side down.
    shutdown: bool,
    /// futures-io's `poll_close` only flushes, as on async-std's sockets.
    close_only_flushes: bool,
}

/// The endpoint's end of the stream. Cloning gives another handle to the same stream (the
/// peer's side is driven through the methods below).
#[derive(Debug, Clone)]
pub struct Duplex(Arc<Mutex<State>>);

impl Default for Duplex {
    fn default() -> Self {
        Self::new()
    }
}

impl Duplex {
    /// An empty stream whose peer reads.
    pub fn new() -> Self {
        Duplex(Arc::new(Mutex::new(State {
            peer_reading: true,
            ..State::default()
        })))
    }

    /// An empty stream that behaves like async-std's `TcpStream`: futures-io's `poll_close`
    /// only flushes, and only [`ShutdownWrite::shutdown_write`] (`shutdown(Shutdown::Write)`
    /// on the socket) shuts the write side down. Over it, `wsflow::async_std::AsyncStdIo`
    /// sends its FIN only if it really calls `shutdown_write`, as it must on async-std.
    pub fn like_async_std() -> Self {
        let duplex = Self::new();
        duplex.state().close_only_flushes = true;
        duplex
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The peer sends a piece: it will be one read result.
    pub fn peer_send(&self, piece: &[u8]) {
        let mut state = self.state();
        state.inbound.push_back(piece.to_vec());
        if let Some(waker) = state.reader.take() {
            waker.wake();
        }
    }

    /// The peer half-closes its write side.
    pub fn peer_eof(&self) {
        let mut state = self.state();
        state.eof = true;
        if let Some(waker) = state.reader.take() {
            waker.wake();
        }
    }

    /// The peer stops or resumes reading.
    pub fn set_peer_reading(&self, reading: bool) {
        let mut state = self.state();
        state.peer_reading = reading;
        if reading {
            if let Some(waker) = state.writer.take() {
                waker.wake();
            }
        }
    }

    /// Takes what the endpoint wrote since the last call.
    pub fn take_written(&self) -> Vec<u8> {
        std::mem::take(&mut self.state().outbound)
    }

    /// Whether the endpoint shut its write side down.
    pub fn is_shut_down(&self) -> bool {
        self.state().shutdown
    }

    fn read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut state = self.state();
        if let Some(piece) = state.inbound.front_mut() {
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            piece.drain(..n);
            if piece.is_empty() {
                state.inbound.pop_front();
            }
            return Poll::Ready(Ok(n));
        }
        if state.eof {
            return Poll::Ready(Ok(0));
        }
        state.reader = Some(cx.waker().clone());
        Poll::Pending
    }

    fn write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut state = self.state();
        if state.shutdown {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if !state.peer_reading {
            state.writer = Some(cx.waker().clone());
            return Poll::Pending;
        }
        state.outbound.extend_from_slice(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn shut_down(&self) {
        self.state().shutdown = true;
    }
}

impl tokio::io::AsyncRead for Duplex {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = match self.read(cx, buf.initialize_unfilled()) {
            Poll::Ready(Ok(n)) => n,
            Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
            Poll::Pending => return Poll::Pending,
        };
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl tokio::io::AsyncWrite for Duplex {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shut_down();
        Poll::Ready(Ok(()))
    }
}

impl futures_io::AsyncRead for Duplex {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.read(cx, buf)
    }
}

impl futures_io::AsyncWrite for Duplex {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Half-closes, like smol's `TcpStream` (the driver calls it for the TCP FIN), unless the
    /// stream is [`Duplex::like_async_std`], whose `poll_close` only flushes.
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut state = self.state();
        if !state.close_only_flushes {
            state.shutdown = true;
        }
        Poll::Ready(Ok(()))
    }
}

impl ShutdownWrite for Duplex {
    fn shutdown_write(&self) -> io::Result<()> {
        self.shut_down();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::task::Waker;

    use futures_io::AsyncWrite;

    use super::*;

    fn poll_close(duplex: &mut Duplex) {
        let mut cx = Context::from_waker(Waker::noop());
        assert!(matches!(
            Pin::new(duplex).poll_close(&mut cx),
            Poll::Ready(Ok(()))
        ));
    }

    #[test]
    fn poll_close_half_closes_unless_like_async_std() {
        let mut duplex = Duplex::new();
        poll_close(&mut duplex);
        assert!(duplex.is_shut_down());

        let mut duplex = Duplex::like_async_std();
        poll_close(&mut duplex);
        assert!(!duplex.is_shut_down(), "poll_close must only flush");
        duplex.shutdown_write().unwrap();
        assert!(duplex.is_shut_down());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(matches!(
            Pin::new(&mut duplex).poll_write(&mut cx, b"x"),
            Poll::Ready(Err(_))
        ));
    }
}
