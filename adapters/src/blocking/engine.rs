//! The blocking loop's pieces, shared by [`WebSocket`](super::WebSocket) and the split
//! halves: write the core's output, decide how long a read may wait, feed a read's result,
//! and hand events out in order.

use std::io::{self, IoSlice};
use std::time::{Duration, Instant};

use wsflow_core::{CloseReport, Connection, Event, Message, State};

use super::stream::{Stream, time_left};
use crate::error::Error;

/// Bytes asked for per read.
pub(crate) const READ_SIZE: usize = 32 << 10;
/// Output pieces handed to one vectored write.
const MAX_SLICES: usize = 64;

/// What to do before the next read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    /// A deadline had passed and was handled: look at the connection again.
    Fired,
    /// Read, waiting at most this long (`None`: until data comes).
    Read(Option<Duration>),
}

/// The connection and what the blocking layer keeps beside it.
#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) conn: Connection,
    /// An event taken out of the core whose delivery failed (its replies could not be
    /// written): it is handed out again first.
    held: Option<Event>,
    /// The write half was shut down, as the core asked (done once).
    shutdown_done: bool,
}

impl Engine {
    pub(crate) fn new(conn: Connection) -> Self {
        Engine {
            conn,
            held: None,
            shutdown_done: false,
        }
    }

    /// The final report, once the connection is over.
    pub(crate) fn close_report(&self) -> Option<&CloseReport> {
        self.conn.close_report()
    }

    /// The subprotocol agreed in the opening handshake.
    pub(crate) fn subprotocol(&self) -> Option<&str> {
        self.conn.opened()?.subprotocol.as_deref()
    }

    /// The next event, a held one first.
    pub(crate) fn next_event(&mut self) -> Option<Event> {
        self.held.take().or_else(|| self.conn.poll_event())
    }

    /// Puts back an event taken by [`Self::next_event`] that could not be delivered.
    pub(crate) fn unget(&mut self, event: Event) {
        self.held = Some(event);
    }

    /// Writes all queued output in whole vectored writes, then shuts the write half down if
    /// the core asks. A write that times out (the application may set a write timeout on its
    /// socket) lets the core's timers run, so a close timeout still ends a stuck write.
    /// Once the connection is closed, failures are ignored: the peer may be gone. A failure
    /// that closes it (the abort after a transport error) is reported: it is the `Io` error
    /// the application must see once.
    pub(crate) fn write_out<S: Stream>(
        &mut self,
        stream: &mut S,
        now: impl Fn() -> Instant,
    ) -> Result<(), Error> {
        let was_closed = self.conn.state() == State::Closed;
        let result = self.try_write_out(stream, now);
        match result {
            Err(_) if was_closed => Ok(()),
            other => other,
        }
    }

    fn try_write_out<S: Stream>(
        &mut self,
        stream: &mut S,
        now: impl Fn() -> Instant,
    ) -> Result<(), Error> {
        let mut wrote = false;
        while self.conn.buffered_amount() > 0 {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let filled = self.conn.output_vectored(&mut slices);
            match stream.write_vectored(slices.get(..filled).unwrap_or_default()) {
                Ok(0) => return Err(self.fail(io::ErrorKind::WriteZero.into())),
                Ok(n) => {
                    self.conn.consume_output(n);
                    wrote = true;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                // Closed: the timers are done, and a peer that takes nothing never will.
                Err(error) if is_timeout(&error) && self.conn.state() == State::Closed => {
                    return Err(Error::Io(error));
                }
                Err(error) if is_timeout(&error) => self.conn.handle_timeout(now()),
                Err(error) => return Err(self.fail(error)),
            }
        }
        // A TLS stream writes its records in `flush`: a timeout there is a write's.
        while wrote {
            match stream.flush() {
                Ok(()) => wrote = false,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) if is_timeout(&error) && self.conn.state() == State::Closed => {
                    return Err(Error::Io(error));
                }
                Err(error) if is_timeout(&error) => self.conn.handle_timeout(now()),
                Err(error) => return Err(self.fail(error)),
            }
        }
        self.shutdown_if_due(stream)
    }

    /// Copies the front of the queued output, up to `max` bytes, into `into` (cleared
    /// first): what a writer that does not hold the connection writes.
    pub(crate) fn copy_output(&self, into: &mut Vec<u8>, max: usize) {
        into.clear();
        let mut slices = [IoSlice::new(&[]); MAX_SLICES];
        let filled = self.conn.output_vectored(&mut slices);
        for slice in slices.get(..filled).unwrap_or_default() {
            let room = max.saturating_sub(into.len());
            if room == 0 {
                break;
            }
            into.extend_from_slice(slice.get(..room.min(slice.len())).unwrap_or_default());
        }
    }

    /// Accounts for a write of copied output (see [`Self::copy_output`]) made without the
    /// connection; returns whether writing should go on.
    ///
    /// Once the connection is closed, its output is either gone (an abort or the close
    /// timeout dropped it: nothing is left to consume) or the last words of a connection
    /// that ended at once (the close frame of a dead peer's connection, a refused handshake's
    /// HTTP answer): what was written of it is consumed, and a failure only stops writing,
    /// since the peer may be gone.
    pub(crate) fn wrote_copy(
        &mut self,
        now: Instant,
        written: io::Result<usize>,
    ) -> Result<bool, Error> {
        if self.conn.state() == State::Closed {
            return Ok(match written {
                Ok(n) if n > 0 => {
                    self.conn.consume_output(n);
                    true
                }
                _ => false,
            });
        }
        match written {
            Ok(0) => Err(self.fail(io::ErrorKind::WriteZero.into())),
            Ok(n) => {
                self.conn.consume_output(n);
                Ok(true)
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => Ok(true),
            Err(error) if is_timeout(&error) => {
                self.conn.handle_timeout(now);
                Ok(true)
            }
            Err(error) => Err(self.fail(error)),
        }
    }

    /// Shuts the write half down if the core asks and it was not done yet; call with no
    /// output queued. Once the connection is closed, a failure is ignored.
    pub(crate) fn shutdown_if_due<S: Stream>(&mut self, stream: &mut S) -> Result<(), Error> {
        if !self.conn.wants_shutdown() || self.shutdown_done {
            return Ok(());
        }
        self.shutdown_done = true;
        match stream.shutdown_write() {
            Err(error)
                if error.kind() != io::ErrorKind::NotConnected
                    && self.conn.state() != State::Closed =>
            {
                Err(self.fail(error))
            }
            _ => Ok(()),
        }
    }

    /// Handles a passed deadline, or says how long the next read may wait. `cap` bounds
    /// the wait further (see the split reader).
    pub(crate) fn wait(&mut self, now: Instant, cap: Option<Duration>) -> Wait {
        let deadline = self.conn.poll_timeout();
        if deadline.is_some_and(|deadline| deadline <= now) {
            self.conn.handle_timeout(now);
            return Wait::Fired;
        }
        let left = time_left(deadline, now);
        Wait::Read(match (left, cap) {
            (Some(left), Some(cap)) => Some(left.min(cap)),
            (left, cap) => left.or(cap),
        })
    }

    /// Feeds the result of one read to the core: bytes, EOF, or a timeout (the core's
    /// timers then run). Any other failure — a reset while closing too — aborts the
    /// connection and is returned.
    pub(crate) fn feed(
        &mut self,
        now: Instant,
        read: io::Result<usize>,
        buf: &[u8],
    ) -> Result<(), Error> {
        match read {
            Ok(0) => self.conn.receive_eof(now),
            Ok(n) => self.conn.receive(now, buf.get(..n).unwrap_or_default()),
            Err(error) if is_timeout(&error) => self.conn.handle_timeout(now),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            // While closing too, as the async driver does: the error, then `Aborted`.
            Err(error) => return Err(self.fail(error)),
        }
        Ok(())
    }

    /// [`Self::feed`] for a read into the space the core lent
    /// ([`Connection::lend_receive_buffer`](wsflow_core::Connection::lend_receive_buffer)).
    pub(crate) fn feed_lent(&mut self, now: Instant, read: io::Result<usize>) -> Result<(), Error> {
        match read {
            Ok(n) if n > 0 => {
                self.conn.receive_lent(now, n);
                Ok(())
            }
            other => self.feed(now, other, &[]),
        }
    }

    /// The transport failed: abort the connection (its `Closed`, cause `Aborted`, comes
    /// after the events already queued) and hand the error to the caller.
    pub(crate) fn fail(&mut self, error: io::Error) -> Error {
        self.conn.abort();
        Error::Io(error)
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// `recv` for both the whole socket and the split reader: events from `recv_event` until a
/// data message or the end.
pub(crate) fn next_message(
    mut recv_event: impl FnMut() -> Result<Option<Event>, Error>,
) -> Result<Option<Message>, Error> {
    loop {
        let Some(event) = recv_event()? else {
            return Ok(None);
        };
        if let Some(result) = as_message(event) {
            return result;
        }
    }
}

/// What `recv` makes of an event: a data message, the end (`Ok(None)` if clean, the error
/// otherwise), or a control event to skip (`None`).
fn as_message(event: Event) -> Option<Result<Option<Message>, Error>> {
    match event {
        Event::Message(message) | Event::MessageChunk { chunk: message, .. } => {
            Some(Ok(Some(message)))
        }
        Event::Closed(report) => Some(Error::from_close(&report).map_or(Ok(None), Err)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::io;
    use std::time::Instant;

    use wsflow_core::{CloseCause, CloseCode, Config, Connection, Role};

    use super::Engine;
    use crate::error::Error;

    /// The simulation found the blocking layer ending a connection reset while closing as
    /// an EOF (no error, cause `Eof`) where the async driver reports the reset (`Io`, then
    /// `Aborted`): one behaviour on every layer.
    #[test]
    fn a_reset_while_closing_is_reported_as_the_async_driver_does() {
        let now = Instant::now();
        let mut engine = Engine::new(Connection::new(Role::Client, Config::default(), now));
        engine
            .conn
            .close(now, CloseCode::NORMAL, "")
            .expect("close");
        let reset = Err(io::ErrorKind::ConnectionReset.into());
        assert!(matches!(
            engine.feed(now, reset, &[]),
            Err(Error::Io(error)) if error.kind() == io::ErrorKind::ConnectionReset
        ));
        assert_eq!(
            engine.close_report().map(|report| &report.cause),
            Some(&CloseCause::Aborted)
        );
    }
}
