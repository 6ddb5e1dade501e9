//! The poll loop, written once for every runtime: it moves bytes between the transport and
//! the core, arms the core's timer, and hands events to whichever method is waiting.
//!
//! Every method here is synchronous and keeps all its state in [`Driver`], never in a
//! future; that is what makes the async methods cancel safe.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use wsflow_core::{Connection, Event};

use self::scratch::with_scratch;

use crate::error::Error;
use crate::observe;
use crate::runtime::Runtime;
use crate::transport::Transport;

/// Output pieces handed to one vectored write.
const MAX_SLICES: usize = 32;
/// Passes over the transport one poll may make before it yields, so that a peer streaming
/// a huge message (or flooding a close) cannot hold an executor thread: tokio's sockets
/// have a budget of their own, async-io's do not.
const PASSES_PER_POLL: u32 = 64;

/// One connection: the core, the transport, and the little the adapter adds.
pub(crate) struct Driver<T, R: Runtime> {
    pub(crate) conn: Connection,
    transport: T,
    /// The armed timer and its deadline; dropped when the core has no deadline.
    timer: Option<(Instant, Pin<Box<R::Timer>>)>,
    /// Bytes were written since the transport was last flushed.
    need_flush: bool,
    /// The write side was shut down, as the core asked (done once).
    shutdown_done: bool,
    /// Writes of commands are held back while received events wait to be taken (see
    /// [`Self::defers_writes`]); off for split halves, whose sender must not wait on a
    /// receiver in another task.
    pub(crate) coalesce_writes: bool,
    /// The connection is split into halves: writes are never held back then, whatever
    /// `coalesce_writes` (the user's choice, kept for after `reunite`) says.
    pub(crate) split: bool,
    /// The connection's `tracing` span (a unit value without the feature).
    span: observe::Span,
    /// Counts passes that changed something (bytes moved, a timer fired); split halves use
    /// it to wake each other after a change the other may be waiting for.
    pub(crate) epoch: u64,
}

impl<T: Transport, R: Runtime> Driver<T, R> {
    /// A driver for `conn`, in any phase of its life (the opening handshake included).
    pub(crate) fn new(transport: T, conn: Connection) -> Self {
        Self::with_peer(transport, conn, None)
    }

    /// [`Self::new`], naming the peer's address in the connection's span.
    pub(crate) fn with_peer(transport: T, conn: Connection, peer: Option<SocketAddr>) -> Self {
        let span = observe::connection_span(conn.role(), peer);
        Driver {
            conn,
            transport,
            timer: None,
            need_flush: false,
            shutdown_done: false,
            coalesce_writes: true,
            split: false,
            span,
            epoch: 0,
        }
    }

    /// The subprotocol the opening handshake settled on.
    pub(crate) fn subprotocol(&self) -> Option<&str> {
        self.conn.opened()?.subprotocol.as_deref()
    }

    // ----- the loop -----

    /// One pass over everything that can move without blocking: write queued output, read
    /// once if asked to (and if the core wants input), fire a due timer, and write what that
    /// produced (pongs, a close reply). Returns whether anything changed; when it returns
    /// `Ok(false)`, every source registered `cx` and the caller may return `Pending`.
    fn drive(&mut self, cx: &mut Context<'_>, read: bool) -> Result<bool, Error> {
        let mut progress = self.write_out(cx)?;
        // Input first: a pong or a close frame that arrived before a deadline must count
        // before the deadline is judged. On a busy thread the timer and the socket are often
        // ready in the same wake-up, and a peer that answered in time is not dead.
        let mut fresh = false;
        if read {
            fresh = self.read_in(cx)?;
        }
        fresh |= self.poll_timer(cx);
        if fresh {
            self.write_out(cx)?;
        }
        progress |= fresh;
        if progress {
            self.epoch = self.epoch.wrapping_add(1);
        }
        Ok(progress)
    }

    /// [`Self::drive`] for the loops below: `Ready(Ok(()))` to look again, `Pending` when
    /// nothing moved (every source registered `cx`) or the pass budget is spent (then `cx`
    /// is woken at once, so the caller is polled again after other tasks had their turn).
    // Inlined into each wait loop (`poll_recv` makes two passes per echoed message, one that
    // reads it and one that finds nothing more): ~20 instructions per message under callgrind.
    #[allow(clippy::inline_always)] // measured: `#[inline]` alone leaves it a call
    #[inline(always)]
    fn step(&mut self, cx: &mut Context<'_>, passes: &mut u32) -> Poll<Result<(), Error>> {
        match self.drive(cx, true) {
            Err(error) => Poll::Ready(Err(error)),
            Ok(false) => Poll::Pending,
            Ok(true) => {
                *passes += 1;
                if *passes >= PASSES_PER_POLL {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                Poll::Ready(Ok(()))
            }
        }
    }

    /// Writes the core's output, all queued frames per vectored call, flushes once it is all
    /// out, and shuts the write side down when the core asks.
    // The check is inlined into every pass, which mostly finds nothing to do (a call to
    // the whole method cost ~70 instructions per pass under callgrind).
    #[allow(clippy::inline_always)] // measured: with `#[inline]` alone it stayed a call
    #[inline(always)]
    pub(super) fn write_out(&mut self, cx: &mut Context<'_>) -> Result<bool, Error> {
        let shutdown_due = !self.shutdown_done && self.conn.wants_shutdown();
        if self.conn.buffered_amount() == 0 && !self.need_flush && !shutdown_due {
            return Ok(false);
        }
        self.write_queued(cx)
    }

    /// [`Self::write_out`] once there is something to do.
    #[inline(never)]
    fn write_queued(&mut self, cx: &mut Context<'_>) -> Result<bool, Error> {
        let mut progress = false;
        loop {
            let buffered = self.conn.buffered_amount();
            if buffered == 0 {
                break;
            }
            let front = self.conn.pending_output();
            let written = if front.len() == buffered {
                // All of it in one piece (small frames are copied together): no need to
                // gather the pieces.
                self.transport
                    .poll_write_vectored(cx, &[IoSlice::new(front)])
            } else {
                let mut slices = [IoSlice::new(&[]); MAX_SLICES];
                let filled = self.conn.output_vectored(&mut slices);
                let slices = slices.get(..filled).unwrap_or_default();
                self.transport.poll_write_vectored(cx, slices)
            };
            match written {
                Poll::Ready(Ok(0)) => return Err(self.fail(io::ErrorKind::WriteZero.into())),
                Poll::Ready(Ok(n)) => {
                    self.conn.consume_output(n);
                    self.need_flush = true;
                    progress = true;
                }
                Poll::Ready(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(error)) => return Err(self.fail(error)),
                Poll::Pending => return Ok(progress),
            }
        }
        if self.need_flush {
            match self.transport.poll_flush(cx) {
                Poll::Ready(Ok(())) => self.need_flush = false,
                Poll::Ready(Err(error)) => return Err(self.fail(error)),
                Poll::Pending => return Ok(progress),
            }
        }
        if self.conn.wants_shutdown() && !self.shutdown_done {
            match self.transport.poll_shutdown(cx) {
                Poll::Ready(Ok(())) => {
                    self.shutdown_done = true;
                    progress = true;
                }
                // The peer is already gone: the FIN has nobody to reach.
                Poll::Ready(Err(error)) if error.kind() == io::ErrorKind::NotConnected => {
                    self.shutdown_done = true;
                    progress = true;
                }
                Poll::Ready(Err(error)) => return Err(self.fail(error)),
                Poll::Pending => {}
            }
        }
        Ok(progress)
    }

    /// Arms the timer at the core's next deadline and calls `handle_timeout` when it fires.
    /// A timer armed earlier than the deadline is kept (firing early costs one no-op call),
    /// so a keepalive deadline pushed back by every message does not re-arm per message.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(deadline) = self.conn.poll_timeout() else {
            if self.timer.is_some() {
                self.timer = None;
            }
            return false;
        };
        let timer = match &mut self.timer {
            Some((armed, timer)) => {
                if *armed > deadline {
                    R::reset(timer.as_mut(), deadline);
                    *armed = deadline;
                }
                timer
            }
            slot @ None => {
                let timer = Box::pin(R::sleep_until(deadline));
                &mut slot.insert((deadline, timer)).1
            }
        };
        if timer.as_mut().poll(cx).is_pending() {
            return false;
        }
        self.timer = None;
        self.conn.handle_timeout(R::now());
        true
    }

    /// Reads once, if the core wants input, and feeds what came (or the EOF) to the core.
    /// A large payload is read straight into the core's buffer (see
    /// [`Connection::lend_receive_buffer`]); everything else through the thread's scratch
    /// buffer, so that an idle connection holds no read buffer of its own.
    fn read_in(&mut self, cx: &mut Context<'_>) -> Result<bool, Error> {
        if !self.conn.wants_read() {
            return Ok(false);
        }
        let (transport, conn) = (&mut self.transport, &mut self.conn);
        let read = if let Some(lent) = conn.lend_receive_buffer() {
            let read = transport.poll_read(cx, lent);
            if let Poll::Ready(Ok(n)) = read {
                conn.receive_lent(R::now(), n);
            }
            read
        } else {
            with_scratch(|buf| {
                let read = transport.poll_read(cx, buf);
                if let Poll::Ready(Ok(n)) = read {
                    if n > 0 {
                        conn.receive(R::now(), buf.get(..n).unwrap_or_default());
                    }
                }
                read
            })
        };
        match read {
            Poll::Ready(Ok(0)) => self.conn.receive_eof(R::now()),
            Poll::Ready(Ok(_)) => {}
            Poll::Ready(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
            Poll::Ready(Err(error)) => return Err(self.fail(error)),
            Poll::Pending => return Ok(false),
        }
        Ok(true)
    }

    /// The transport failed: abort the connection (the core reports `Closed` with cause
    /// `Aborted` after any event already queued) and hand the error to the caller.
    fn fail(&mut self, error: io::Error) -> Error {
        observe::transport_error(&self.span, &error);
        self.conn.abort();
        self.timer = None;
        Error::Io(error)
    }

    /// Once the connection is over, shuts our write side down as the core asks (it does so
    /// for either role once closed, so a peer waiting for our EOF is not kept waiting until
    /// the application drops the socket). Best effort, attempted until it is done.
    pub(super) fn finish(&mut self, cx: &mut Context<'_>) {
        if self.shutdown_done || !self.conn.wants_shutdown() {
            return;
        }
        if self.transport.poll_shutdown(cx).is_ready() {
            self.shutdown_done = true;
        }
    }

    /// The core's next event.
    #[inline]
    fn next_event(&mut self) -> Option<Event> {
        let event = self.conn.poll_event()?;
        observe::event(&self.span, &event);
        Some(event)
    }
}

mod scratch;
mod waits;

#[cfg(test)]
mod tests;
