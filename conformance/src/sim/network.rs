//! The simulated network of one connection: two one-way pipes between the client's and the
//! server's sockets, every decision (how much a read or a write moves, a spurious `Pending`,
//! when a wake-up is delivered, where a fault cuts the connection) taken from the seed.
//!
//! Wake-ups are not delivered when the state changes: they go to a queue that the scheduler
//! (`sim::world`) empties in random order and after random delays, as a loaded machine does.
//! [`SimSocket`] has the I/O traits of tokio, `futures-io` (with async-std's
//! [`ShutdownWrite`]) so that each runtime's own glue runs over it, and a poll API for the
//! core's hand-written driver.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

use wsflow::async_std::ShutdownWrite;

use super::{Rng, Trace};

/// What the simulator does to the connection once `at_byte` bytes have crossed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Nothing: the connection lives until both sides end it.
    None,
    /// Both directions fail: every later read and write returns `ConnectionReset`.
    Reset {
        /// Bytes written (both ways) before it.
        at_byte: u64,
    },
    /// Both directions end: bytes in flight are still read, then EOF; later writes vanish.
    Cut {
        /// Bytes written (both ways) before it.
        at_byte: u64,
    },
}

/// One direction of the connection.
#[derive(Debug, Default)]
struct Pipe {
    bytes: VecDeque<u8>,
    /// The writer shut its write side down (or the network cut it): EOF after `bytes`.
    eof: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

#[derive(Debug)]
struct State {
    /// `pipes[0]` carries the client's bytes to the server, `pipes[1]` the other way.
    pipes: [Pipe; 2],
    /// Bytes a pipe holds before writes to it pend.
    capacity: usize,
    /// Per mille: a read or write that could move pends anyway (and is woken later).
    spurious_pending: u64,
    rng: Rng,
    fault: Fault,
    /// The fault has happened.
    faulted: bool,
    crossed: u64,
    /// Wake-ups not yet delivered (the scheduler delivers them).
    wakes: Vec<Waker>,
    /// The endpoint shut its write side down (index as `pipes`, by writer).
    shut: [bool; 2],
    /// The endpoint dropped its socket (index by side).
    dropped: [bool; 2],
    pub(super) trace: Trace,
}

/// The network of one connection. Cloning gives another handle to it.
#[derive(Debug, Clone)]
pub struct Net(Arc<Mutex<State>>);

/// One endpoint's socket: `side` 0 is the client, 1 the server.
#[derive(Debug, Clone)]
pub struct SimSocket {
    net: Net,
    side: usize,
}

impl Net {
    /// A network whose decisions come from `rng`.
    pub fn new(mut rng: Rng, fault: Fault) -> Self {
        let capacity = [64, 512, 4096, 1 << 16][rng.below(4) as usize];
        let spurious_pending = [0, 50, 200][rng.below(3) as usize];
        Net(Arc::new(Mutex::new(State {
            pipes: [Pipe::default(), Pipe::default()],
            capacity,
            spurious_pending,
            rng,
            fault,
            faulted: false,
            crossed: 0,
            wakes: Vec::new(),
            shut: [false; 2],
            dropped: [false; 2],
            trace: Trace::default(),
        })))
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The socket of `side` (0 client, 1 server).
    pub fn socket(&self, side: usize) -> SimSocket {
        SimSocket {
            net: self.clone(),
            side,
        }
    }

    /// Takes the wake-ups waiting for delivery.
    pub fn take_wakes(&self) -> Vec<Waker> {
        std::mem::take(&mut self.state().wakes)
    }

    /// The application of `side` dropped its socket: the peer reads EOF after what was sent,
    /// and what it writes (or has written and was not read) is discarded.
    pub fn drop_side(&self, side: usize) {
        let mut s = self.state();
        s.dropped[side] = true;
        s.pipes[side].eof = true;
        s.pipes[1 - side].bytes.clear();
        s.trace.add(b'D', &[side as u8]);
        for i in 0..2 {
            let reader = s.pipes[i].reader.take();
            let writer = s.pipes[i].writer.take();
            s.wake(reader);
            s.wake(writer);
        }
    }

    /// Whether the fault has happened.
    pub fn faulted(&self) -> bool {
        self.state().faulted
    }

    /// Records an application-level event in the trace.
    pub fn trace(&self, tag: u8, bytes: &[u8]) {
        self.state().trace.add(tag, bytes);
    }

    /// The trace hash so far.
    pub fn trace_hash(&self) -> u64 {
        self.state().trace.finish()
    }

    /// Bytes in flight, per direction (for a deadlock report).
    pub fn describe(&self) -> String {
        let s = self.state();
        format!(
            "c->s {} bytes eof={} | s->c {} bytes eof={} | faulted={} crossed={}",
            s.pipes[0].bytes.len(),
            s.pipes[0].eof,
            s.pipes[1].bytes.len(),
            s.pipes[1].eof,
            s.faulted,
            s.crossed
        )
    }
}

impl State {
    fn wake(&mut self, waker: Option<Waker>) {
        if let Some(waker) = waker {
            self.wakes.push(waker);
        }
    }

    /// Counts crossed bytes and triggers the fault at its byte.
    fn crossed(&mut self, n: usize) {
        self.crossed += n as u64;
        let at = match self.fault {
            Fault::None => return,
            Fault::Reset { at_byte } | Fault::Cut { at_byte } => at_byte,
        };
        if !self.faulted && self.crossed >= at {
            self.faulted = true;
            self.trace.add(b'F', &self.crossed.to_le_bytes());
            for i in 0..2 {
                self.pipes[i].eof = true;
                let reader = self.pipes[i].reader.take();
                let writer = self.pipes[i].writer.take();
                self.wake(reader);
                self.wake(writer);
            }
        }
    }

    fn reset(&self) -> bool {
        self.faulted && matches!(self.fault, Fault::Reset { .. })
    }

    fn spurious(&mut self) -> bool {
        self.spurious_pending > 0 && self.rng.below(1000) < self.spurious_pending
    }
}

fn reset_error() -> io::Error {
    io::ErrorKind::ConnectionReset.into()
}

impl SimSocket {
    /// Reads some bytes (a random amount of what is there), EOF, or pends.
    pub fn read(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut s = self.net.state();
        if s.reset() {
            return Poll::Ready(Err(reset_error()));
        }
        let inbound = 1 - self.side;
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let available = s.pipes[inbound].bytes.len();
        if available == 0 && s.pipes[inbound].eof {
            s.trace.add(b'E', &[self.side as u8]);
            return Poll::Ready(Ok(0));
        }
        if available == 0 || s.spurious() {
            s.pipes[inbound].reader = Some(cx.waker().clone());
            if available > 0 {
                // A wake-up that will come, late.
                let waker = s.pipes[inbound].reader.take();
                s.wake(waker);
            }
            return Poll::Pending;
        }
        let max = available.min(buf.len());
        let n = 1 + s.rng.below(max as u64) as usize;
        for (slot, byte) in buf.iter_mut().zip(s.pipes[inbound].bytes.drain(..n)) {
            *slot = byte;
        }
        // The bytes were hashed when written: the read's size is what is new.
        s.trace
            .add(b'R' + self.side as u8, &(n as u64).to_le_bytes());
        let writer = s.pipes[inbound].writer.take();
        s.wake(writer);
        Poll::Ready(Ok(n))
    }

    /// Writes a random amount of `buf` that fits, or pends while the pipe is full.
    pub fn write(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let mut s = self.net.state();
        if s.reset() {
            return Poll::Ready(Err(reset_error()));
        }
        let outbound = self.side;
        if s.shut[outbound] {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if s.dropped[1 - outbound] {
            // The peer is gone: as after a cut, what is written goes nowhere (and the writer
            // reads the EOF the drop sent).
            return Poll::Ready(Ok(buf.len()));
        }
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if s.faulted {
            // The network cut the connection: what is written goes nowhere.
            return Poll::Ready(Ok(buf.len()));
        }
        let room = s.capacity.saturating_sub(s.pipes[outbound].bytes.len());
        if room == 0 || s.spurious() {
            s.pipes[outbound].writer = Some(cx.waker().clone());
            if room > 0 {
                let waker = s.pipes[outbound].writer.take();
                s.wake(waker);
            }
            return Poll::Pending;
        }
        let max = room.min(buf.len());
        let n = 1 + s.rng.below(max as u64) as usize;
        s.pipes[outbound].bytes.extend(&buf[..n]);
        s.trace.add(b'W' + self.side as u8, &buf[..n]);
        let reader = s.pipes[outbound].reader.take();
        s.wake(reader);
        s.crossed(n);
        Poll::Ready(Ok(n))
    }

    /// Shuts this side's write half down: the peer reads EOF after what was written.
    pub fn shutdown(&self) -> io::Result<()> {
        let mut s = self.net.state();
        if s.reset() {
            return Err(reset_error());
        }
        let outbound = self.side;
        s.shut[outbound] = true;
        s.pipes[outbound].eof = true;
        s.trace.add(b'S', &[self.side as u8]);
        let reader = s.pipes[outbound].reader.take();
        s.wake(reader);
        Ok(())
    }
}

impl tokio::io::AsyncRead for SimSocket {
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

impl tokio::io::AsyncWrite for SimSocket {
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
        Poll::Ready(self.shutdown())
    }
}

impl futures_io::AsyncRead for SimSocket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.read(cx, buf)
    }
}

impl futures_io::AsyncWrite for SimSocket {
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

    /// Half-closes, like smol's sockets. (async-std's glue uses [`ShutdownWrite`].)
    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.shutdown())
    }
}

impl ShutdownWrite for SimSocket {
    fn shutdown_write(&self) -> io::Result<()> {
        self.shutdown()
    }
}
