//! The poll loop, written once for every runtime: it moves bytes between the transport and
//! the core, arms the core's timer, and hands events to whichever method is waiting.
//!
//! Every method here is synchronous and keeps all its state in [`Driver`], never in a
//! future; that is what makes the async methods cancel safe.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Instant;

use wsflow_core::{CloseCode, Closed, Connection, Event, Message, SendError, State};

use crate::error::Error;
use crate::runtime::Runtime;
use crate::transport::Transport;

/// The read buffer an idle connection keeps; reads that fill the buffer double it.
const MIN_READ: usize = 2 << 10;
/// The largest read buffer, reached only while data streams in.
const MAX_READ: usize = 64 << 10;
/// Output pieces handed to one vectored write.
const MAX_SLICES: usize = 32;

/// One connection: the core, the transport, and the little the adapter adds.
pub(crate) struct Driver<T, R: Runtime> {
    pub(crate) conn: Connection,
    transport: T,
    /// Scratch space for reads (the core copies what it keeps): `MIN_READ` bytes while idle.
    read_buf: Vec<u8>,
    /// The armed timer and its deadline; dropped when the core has no deadline.
    timer: Option<(Instant, Pin<Box<R::Timer>>)>,
    /// Bytes were written since the transport was last flushed.
    need_flush: bool,
    /// The write side was shut down, as the core asked (done once).
    shutdown_done: bool,
    /// Events taken out of the core by `poll_close` once it had closed, still to be delivered.
    stash: VecDeque<Event>,
    /// The final report, once [`Event::Closed`] has been taken out of the core.
    closed: Option<Closed>,
    /// The subprotocol the opening handshake settled on.
    pub(crate) subprotocol: Option<String>,
}

impl<T: Transport, R: Runtime> Driver<T, R> {
    pub(crate) fn new(transport: T, conn: Connection, subprotocol: Option<String>) -> Self {
        Driver {
            conn,
            transport,
            read_buf: Vec::new(),
            timer: None,
            need_flush: false,
            shutdown_done: false,
            stash: VecDeque::new(),
            closed: None,
            subprotocol,
        }
    }

    pub(crate) fn close_report(&self) -> Option<&Closed> {
        self.closed.as_ref()
    }

    // ----- the loop -----

    /// One pass over everything that can move without blocking: write queued output, fire a
    /// due timer, read once if asked to (and if the core wants input), and write what that
    /// produced (pongs, a close reply). Returns whether anything changed; when it returns
    /// `Ok(false)`, every source registered `cx` and the caller may return `Pending`.
    fn drive(&mut self, cx: &mut Context<'_>, read: bool) -> Result<bool, Error> {
        let mut progress = self.write_out(cx)?;
        let mut fresh = self.poll_timer(cx);
        if read {
            fresh |= self.read_in(cx)?;
        }
        if fresh {
            self.write_out(cx)?;
        }
        progress |= fresh;
        Ok(progress)
    }

    /// Writes the core's output, all queued frames per vectored call, flushes once it is all
    /// out, and shuts the write side down when the core asks.
    fn write_out(&mut self, cx: &mut Context<'_>) -> Result<bool, Error> {
        let mut progress = false;
        while self.conn.buffered_amount() > 0 {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let filled = self.conn.output_vectored(&mut slices);
            let slices = slices.get(..filled).unwrap_or_default();
            match self.transport.poll_write_vectored(cx, slices) {
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
            self.timer = None;
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
    fn read_in(&mut self, cx: &mut Context<'_>) -> Result<bool, Error> {
        if !self.conn.wants_read() {
            return Ok(false);
        }
        if self.read_buf.len() < MIN_READ {
            self.read_buf.resize(MIN_READ, 0);
        }
        match self.transport.poll_read(cx, &mut self.read_buf) {
            Poll::Ready(Ok(0)) => self.conn.receive_eof(R::now()),
            Poll::Ready(Ok(n)) => {
                let data = self.read_buf.get(..n).unwrap_or_default();
                self.conn.receive(R::now(), data);
                if n == self.read_buf.len() && n < MAX_READ {
                    self.read_buf.resize(n * 2, 0);
                }
            }
            Poll::Ready(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {}
            Poll::Ready(Err(error)) => return Err(self.fail(error)),
            Poll::Pending => {
                if self.read_buf.len() > MIN_READ {
                    // Idle again: give back what a burst needed.
                    self.read_buf = vec![0; MIN_READ];
                }
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The transport failed: abort the connection (the core reports `Closed` with cause
    /// `Aborted` after any event already queued) and hand the error to the caller.
    fn fail(&mut self, error: io::Error) -> Error {
        self.conn.abort();
        self.timer = None;
        Error::Io(error)
    }

    fn next_event(&mut self) -> Option<Event> {
        let event = self.stash.pop_front().or_else(|| self.conn.poll_event())?;
        if let Event::Closed(closed) = &event {
            self.closed = Some(closed.clone());
        }
        Some(event)
    }

    // ----- what the API waits for -----

    /// The next event, `Ok(None)` once the connection is over and every event was taken.
    pub(crate) fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Event>, Error>> {
        loop {
            if let Some(event) = self.next_event() {
                return Poll::Ready(Ok(Some(event)));
            }
            if self.conn.state() == State::Closed {
                return Poll::Ready(Ok(None));
            }
            if !self.drive(cx, true)? {
                return Poll::Pending;
            }
        }
    }

    /// The next data message (or streamed chunk); control events are consumed here. The end
    /// of the connection is reported once: `Ok(None)` if clean, an error otherwise; after
    /// that, `Ok(None)`.
    pub(crate) fn poll_recv(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Message>, Error>> {
        loop {
            match ready!(self.poll_event(cx))? {
                Some(Event::Message(message) | Event::MessageChunk { chunk: message, .. }) => {
                    return Poll::Ready(Ok(Some(message)));
                }
                Some(Event::Closed(closed)) => {
                    return Poll::Ready(Error::from_close(&closed).map_or(Ok(None), Err));
                }
                Some(Event::Ping(_) | Event::Pong(_) | Event::CloseReceived(_)) => {}
                None => return Poll::Ready(Ok(None)),
            }
        }
    }

    /// Ready when a data message may be handed to the core: the output is below its
    /// high-water mark (or the connection is no longer open, and the command will say so).
    /// While waiting it keeps reading, so pings are answered and a close is noticed.
    pub(crate) fn poll_send_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        loop {
            if !self.conn.is_write_buffer_full() || self.conn.state() != State::Open {
                return Poll::Ready(Ok(()));
            }
            if !self.drive(cx, true)? {
                return Poll::Pending;
            }
        }
    }

    /// Runs a command once the output has room (if `wait` is set), then writes what the
    /// transport takes right now without waiting for the rest. The command runs in the same
    /// synchronous step that finds room, so a cancelled caller has queued nothing.
    pub(crate) fn poll_command<F>(
        &mut self,
        cx: &mut Context<'_>,
        wait: bool,
        command: &mut Option<F>,
    ) -> Poll<Result<(), Error>>
    where
        F: FnOnce(&mut Connection) -> Result<(), SendError>,
    {
        if wait {
            ready!(self.poll_send_ready(cx))?;
        }
        let Some(command) = command.take() else {
            return Poll::Ready(Ok(()));
        };
        command(&mut self.conn)?;
        self.write_out(cx)?;
        Poll::Ready(Ok(()))
    }

    /// Ready once every queued byte is written and flushed (or the connection is over).
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        loop {
            let done = self.conn.buffered_amount() == 0 && !self.need_flush;
            if done || self.conn.state() == State::Closed {
                return Poll::Ready(Ok(()));
            }
            if !self.drive(cx, true)? {
                return Poll::Pending;
            }
        }
    }

    /// Starts the close handshake (unless a close frame is already out) and drives the
    /// connection until it is over; returns the final report.
    ///
    /// Events that arrive meanwhile stay queued for the receiver; if the queue is full and
    /// blocks reading, the oldest are dropped so the handshake can finish.
    pub(crate) fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        code: CloseCode,
        reason: &str,
    ) -> Poll<Result<Closed, Error>> {
        if self.conn.state() != State::Closed {
            match self.conn.close(R::now(), code, reason) {
                // `Closed`: our close frame is already out (an earlier call, or the reply
                // to the peer's); keep waiting for the end.
                Ok(()) | Err(SendError::Closed) => {}
                Err(error) => return Poll::Ready(Err(error.into())),
            }
        }
        loop {
            if self.conn.state() == State::Closed {
                // Nothing follows `Closed`: take the rest of the queue so its report is known.
                while let Some(event) = self.conn.poll_event() {
                    if let Event::Closed(closed) = &event {
                        self.closed = Some(closed.clone());
                    }
                    self.stash.push_back(event);
                }
                return Poll::Ready(self.closed.clone().ok_or(Error::Closed));
            }
            if !self.conn.wants_read() && self.conn.poll_event().is_some() {
                continue;
            }
            if !self.drive(cx, true)? {
                return Poll::Pending;
            }
        }
    }
}
