//! What the API waits for: each `poll_*` here is the body of one async method.

use std::task::{Context, Poll, ready};

use wsflow_core::{CloseCode, CloseReport, Connection, Event, Message, SendError, State};

use super::{Driver, PASSES_PER_POLL};
use crate::error::Error;
use crate::runtime::Runtime;
use crate::transport::Transport;

impl<T: Transport, R: Runtime> Driver<T, R> {
    // ----- what the API waits for -----

    /// The next event, `Ok(None)` once the connection is over and every event was taken.
    #[inline]
    pub(crate) fn poll_event(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Event>, Error>> {
        let mut passes = 0;
        loop {
            if let Some(event) = self.next_event() {
                if matches!(event, Event::Closed(_)) {
                    self.finish(cx);
                }
                return Poll::Ready(Ok(Some(event)));
            }
            if self.conn.state() == State::Closed {
                self.finish(cx);
                return Poll::Ready(Ok(None));
            }
            ready!(self.step(cx, &mut passes))?;
        }
    }

    /// The next data message (or streamed chunk); control events are consumed here. The end
    /// of the connection is reported once: `Ok(None)` if clean, an error otherwise; after
    /// that, `Ok(None)`.
    pub(crate) fn poll_recv(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Result<Option<Message>, Error>> {
        // `poll_event`'s loop, written out here so that a message goes straight from the
        // core's queue to the caller (this is the per-message path). Control events are
        // skipped; a peer flooding pings still gets us to yield after PASSES_PER_POLL of
        // them, and each event taken gets its own budget of passes, as in `poll_event`.
        let mut skipped = 0;
        let mut passes = 0;
        loop {
            let Some(event) = self.next_event() else {
                if self.conn.state() == State::Closed {
                    self.finish(cx);
                    return Poll::Ready(Ok(None));
                }
                ready!(self.step(cx, &mut passes))?;
                continue;
            };
            match event {
                Event::Message(message) | Event::MessageChunk { chunk: message, .. } => {
                    return Poll::Ready(Ok(Some(message)));
                }
                Event::Closed(closed) => {
                    self.finish(cx);
                    return Poll::Ready(Error::from_close(&closed).map_or(Ok(None), Err));
                }
                Event::Ping(_)
                | Event::Pong(_)
                | Event::CloseReceived(_)
                | Event::Opened(_)
                | Event::Upgrade(_) => {}
            }
            skipped += 1;
            if skipped >= PASSES_PER_POLL {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            passes = 0;
        }
    }

    /// Ready when a data message may be handed to the core: the output is below its
    /// high-water mark (or the connection is no longer open, and the command will say so).
    /// While waiting it keeps reading, so pings are answered and a close is noticed.
    pub(crate) fn poll_send_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut passes = 0;
        loop {
            if !self.conn.is_above_high_water() || self.conn.state() != State::Open {
                return Poll::Ready(Ok(()));
            }
            ready!(self.step(cx, &mut passes))?;
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
        if !self.defers_writes() {
            self.write_out(cx)?;
        }
        Poll::Ready(Ok(()))
    }

    /// Whether a command's frame may wait in the output instead of being written now: while
    /// messages that arrived together are still being taken one by one, the replies to them
    /// are written together, in one call, when the last is taken (or sooner, when the output
    /// reaches its high-water mark). The wait is bounded by the application's own next call:
    /// `recv` writes everything queued before it waits for the network, as do `flush` and
    /// `close`. Every peer we measured writes once per message, which costs them 96 % of the
    /// wire's speed on pipelined small messages.
    pub(super) fn defers_writes(&self) -> bool {
        self.coalesce_writes
            && !self.split
            && self.conn.has_pending_events()
            && !self.conn.is_above_high_water()
    }

    /// Ready once every queued byte is written and flushed (or the connection is over).
    pub(crate) fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let mut passes = 0;
        loop {
            let done = self.conn.buffered_amount() == 0 && !self.need_flush;
            if done || self.conn.state() == State::Closed {
                return Poll::Ready(Ok(()));
            }
            ready!(self.step(cx, &mut passes))?;
        }
    }

    /// Starts the close handshake (unless a close frame is already out) and drives the
    /// connection until it is over; returns the final report.
    ///
    /// Nothing the core accepted is dropped, and nothing here holds events: while the
    /// application is not receiving, the core itself parses on after our close frame (up
    /// to twice [`Config::max_pending_events`](wsflow_core::Config::max_pending_events)),
    /// so the peer's last messages and its close frame are read and stay receivable after
    /// this returns. A peer that sends more than that is not read any further, and the close
    /// timer ends the handshake instead of memory growing.
    pub(crate) fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        code: CloseCode,
        reason: &str,
    ) -> Poll<Result<CloseReport, Error>> {
        if !self.conn.is_closed() {
            match self.conn.close(R::now(), code, reason) {
                // `Closed`: our close frame is already out (an earlier call, or the reply
                // to the peer's); keep waiting for the end.
                Ok(()) | Err(SendError::Closed) => {}
                Err(error) => return Poll::Ready(Err(error.into())),
            }
        }
        let mut passes = 0;
        loop {
            if let Some(report) = self.conn.close_report() {
                let report = report.clone();
                self.finish(cx);
                return Poll::Ready(Ok(report));
            }
            ready!(self.step(cx, &mut passes))?;
        }
    }
}
