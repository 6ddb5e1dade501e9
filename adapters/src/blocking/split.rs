//! The halves of a split [`WebSocket`]: a [`Reader`] and a [`Writer`] for two threads.
//!
//! The connection sits behind one mutex, with the write handle of the stream beside it;
//! the reader owns a second handle (from [`Stream::try_clone`]). No I/O happens under the
//! lock: the reader blocks in `read` without it, then locks to feed the core; a thread
//! with output to write takes the write handle out (only one writes at a time), copies the
//! front of the output, and writes it without the lock, then locks to account for it. So a
//! write the peer does not take blocks neither the reader nor the other commands: pings
//! are still read (their pongs coalesce in the core above the high-water mark), a close
//! frame is queued, and data commands fail with `buffer-full` above the write buffer limit
//! instead of waiting.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use wsflow_core::{CloseCode, CloseReport, Event, Message, MessageKind, PreparedMessage, State};

use super::engine::{Engine, Wait, next_message};
use super::stream::{Clock, Stream};
use super::websocket::WebSocket;
use crate::error::Error;

/// Most bytes copied out of the connection for one write.
const WRITE_CHUNK: usize = 64 << 10;

/// Who writes, and how long a command waits for output another thread is writing.
///
/// A write the peer does not take blocks, and the reader must never block in one (it would
/// stop receiving, and with it the pongs and the close that could unblock the peer): the
/// reader writes only its replies, the bytes queued when it took the handle. A writer
/// writes everything queued, so a command that finds a writer writing leaves its bytes to
/// it; one that finds the reader writing waits for the handle (the reader's replies are
/// small) and then writes itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// The reader's replies (pongs, the close reply): at most what was queued when it took
    /// the handle, and nothing if another thread is writing.
    Replies,
    /// Not at all: the other thread writes it.
    Queued,
    /// While the output is above the high-water mark: the backpressure of a send.
    Room,
    /// Until every queued byte is written.
    Written,
}

/// The connection, and the stream's write handle while no thread is writing with it.
#[derive(Debug)]
struct Inner<S> {
    engine: Engine,
    /// `None` while a thread writes with it, without the lock.
    stream: Option<S>,
    /// The thread writing with it is the reader, which writes only its replies.
    reader_writing: bool,
}

#[derive(Debug)]
struct Shared<S> {
    inner: Mutex<Inner<S>>,
    /// Signalled after every write: the output shrank and the handle is back.
    written: Condvar,
}

fn lock<S>(shared: &Shared<S>) -> MutexGuard<'_, Inner<S>> {
    // A thread that panicked while holding the lock left the connection in a consistent
    // state between two core calls; carry on with it.
    shared.inner.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Stream> Shared<S> {
    /// Writes queued output, then the FIN if the core asks for it and nothing is left; how
    /// much, and whether to wait for another thread's write, is `until`'s (see [`Until`]).
    fn write_pending(&self, clock: &impl Clock, until: Until) -> Result<(), Error> {
        self.write_pending_locked(lock(self), clock, until)
    }

    fn write_pending_locked<'a>(
        &'a self,
        mut inner: MutexGuard<'a, Inner<S>>,
        clock: &impl Clock,
        until: Until,
    ) -> Result<(), Error> {
        let mut chunk = Vec::new();
        // The reader's budget: the bytes queued when it took the handle. Anything queued
        // after that is a writer's, and the writer writes it.
        let mut budget = None;
        loop {
            let Some(mut stream) = inner.stream.take() else {
                let conn = &inner.engine.conn;
                let wait = match until {
                    Until::Replies => false,
                    // The reader hands the handle back after its replies: then write.
                    _ if inner.reader_writing => true,
                    Until::Queued => false,
                    Until::Room => conn.is_above_high_water(),
                    Until::Written => conn.buffered_amount() > 0,
                };
                if wait && conn.state() != State::Closed {
                    inner = self
                        .written
                        .wait(inner)
                        .unwrap_or_else(PoisonError::into_inner);
                    continue;
                }
                return Ok(());
            };
            let queued = inner.engine.conn.buffered_amount();
            let limit = if until == Until::Replies {
                *budget.get_or_insert(queued)
            } else {
                queued
            };
            if queued == 0 || limit == 0 {
                let shut = if queued == 0 {
                    inner.engine.shutdown_if_due(&mut stream)
                } else {
                    Ok(())
                };
                inner.stream = Some(stream);
                drop(inner);
                self.written.notify_all();
                return shut;
            }
            inner.reader_writing = until == Until::Replies;
            inner.engine.copy_output(&mut chunk, WRITE_CHUNK.min(limit));
            drop(inner);
            let written = stream
                .write(&chunk)
                .and_then(|n| stream.flush().map(|()| n));
            if let (Some(left), Ok(n)) = (budget.as_mut(), written.as_ref()) {
                *left -= (*n).min(*left);
            }
            inner = lock(self);
            inner.stream = Some(stream);
            inner.reader_writing = false;
            self.written.notify_all();
            if !inner.engine.wrote_copy(clock.now(), written)? {
                return Ok(());
            }
        }
    }
}

/// The receiving half of a split [`WebSocket`]: its methods are the `WebSocket` methods of
/// the same name. It alone reads, so it alone answers pings, runs the keepalive and close
/// timers and sees the end of the connection; keep it receiving.
pub struct Reader<S, C> {
    stream: S,
    shared: Arc<Shared<S>>,
    clock: C,
    buf: Vec<u8>,
}

/// The sending half of a split [`WebSocket`]. It never reads: the [`Reader`] receives the
/// answers to its pings and the end of the close it starts.
pub struct Writer<S, C> {
    shared: Arc<Shared<S>>,
    clock: C,
}

impl<S, C> std::fmt::Debug for Reader<S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Reader").finish_non_exhaustive()
    }
}

impl<S, C> std::fmt::Debug for Writer<S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::Writer").finish_non_exhaustive()
    }
}

pub(crate) fn split<S: Stream, C: Clock + Clone>(
    ws: WebSocket<S, C>,
    read_half: S,
) -> (Reader<S, C>, Writer<S, C>) {
    let (stream, engine, clock, buf) = ws.into_parts();
    let shared = Arc::new(Shared {
        inner: Mutex::new(Inner {
            engine,
            stream: Some(stream),
            reader_writing: false,
        }),
        written: Condvar::new(),
    });
    let writer = Writer {
        shared: Arc::clone(&shared),
        clock: clock.clone(),
    };
    let reader = Reader {
        stream: read_half,
        shared,
        clock,
        buf,
    };
    (reader, writer)
}

impl<S: Stream, C: Clock> Reader<S, C> {
    /// Receives the next data message; see [`WebSocket::recv`].
    pub fn recv(&mut self) -> Result<Option<Message>, Error> {
        next_message(|| self.recv_event())
    }

    /// Receives the next event of any kind; see [`WebSocket::recv_event`].
    pub fn recv_event(&mut self) -> Result<Option<Event>, Error> {
        loop {
            let closed = {
                let mut inner = lock(&self.shared);
                if let Some(event) = inner.engine.next_event() {
                    // Replies queued while parsing go out at the next call (or with the
                    // writer's next command): a write the peer does not take must not
                    // hold back what was received.
                    let end = matches!(event, Event::Closed(_));
                    drop(inner);
                    if end {
                        // Best effort: the closed connection's last bytes and FIN.
                        let _ = self.shared.write_pending(&self.clock, Until::Replies);
                    }
                    return Ok(Some(event));
                }
                inner.engine.conn.state() == State::Closed
            };
            self.shared.write_pending(&self.clock, Until::Replies)?;
            if closed {
                return Ok(None);
            }
            let timeout = {
                let mut inner = lock(&self.shared);
                // The writer may start the close while this read waits, arming the close
                // timer after the deadline the read was given: waiting no longer than one
                // close timeout from now wakes the read by then.
                let cap = (inner.engine.conn.state() == State::Open)
                    .then(|| inner.engine.conn.config().close_timeout);
                match inner.engine.wait(self.clock.now(), cap) {
                    Wait::Fired => continue,
                    Wait::Read(timeout) if inner.engine.conn.wants_read() => timeout,
                    Wait::Read(_) => {
                        // Not expected here (the reader takes every event it lets the core
                        // queue), but never spin: wait for the next deadline instead.
                        let deadline = inner.engine.conn.poll_timeout();
                        drop(inner);
                        if let Some(deadline) = deadline {
                            self.clock.sleep_until(deadline);
                        }
                        continue;
                    }
                }
            };
            // Blocks without the lock: the writer keeps sending meanwhile.
            let read = self
                .stream
                .set_read_timeout(timeout)
                .and_then(|()| self.stream.read(&mut self.buf));
            let mut inner = lock(&self.shared);
            inner.engine.feed(self.clock.now(), read, &self.buf)?;
        }
    }

    /// The final report, once the end was received; see [`WebSocket::close_report`].
    pub fn close_report(&self) -> Option<CloseReport> {
        lock(&self.shared).engine.close_report().cloned()
    }
}

impl<S: Stream, C: Clock> Writer<S, C> {
    /// Runs `command` on the connection and writes what it queued, in one hold of the lock,
    /// so the reader cannot take the handle in between and end up writing it.
    fn command(
        &self,
        until: Until,
        command: impl FnOnce(&mut Engine, &C) -> Result<(), wsflow_core::SendError>,
    ) -> Result<(), Error> {
        let mut inner = lock(&self.shared);
        command(&mut inner.engine, &self.clock)?;
        self.shared.write_pending_locked(inner, &self.clock, until)
    }

    /// Sends a data message: queues it and writes everything queued, blocking until the
    /// stream takes it. If another thread is writing already, that one writes it: `send`
    /// then waits only while the output is above the high-water mark.
    pub fn send(&self, message: impl Into<Message>) -> Result<(), Error> {
        let message = message.into();
        self.command(Until::Room, |engine, _| engine.conn.send(message))
    }

    /// Sends a prepared message (broadcast), as [`send`](Self::send); see
    /// [`WebSocket::send_prepared`].
    pub fn send_prepared(&self, prepared: &PreparedMessage) -> Result<(), Error> {
        self.command(Until::Room, |engine, _| engine.conn.send_prepared(prepared))
    }

    /// Sends one fragment of a streamed message; see [`WebSocket::send_fragment`].
    pub fn send_fragment(
        &self,
        kind: MessageKind,
        payload: impl Into<Bytes>,
        fin: bool,
    ) -> Result<(), Error> {
        let payload = payload.into();
        self.command(Until::Room, |engine, _| {
            engine.conn.send_fragment(kind, payload, fin)
        })
    }

    /// Sends a ping; its pong arrives through [`Reader::recv_event`].
    pub fn ping(&self, payload: impl Into<Bytes>) -> Result<(), Error> {
        let payload = payload.into();
        self.command(Until::Queued, |engine, _| engine.conn.send_ping(payload))
    }

    /// Sends a pong.
    pub fn pong(&self, payload: impl Into<Bytes>) -> Result<(), Error> {
        let payload = payload.into();
        self.command(Until::Queued, |engine, _| engine.conn.send_pong(payload))
    }

    /// Writes everything queued, or waits until the thread writing it has.
    pub fn flush(&self) -> Result<(), Error> {
        self.shared.write_pending(&self.clock, Until::Written)
    }

    /// Starts the close handshake: sends a close frame with `code` and `reason`, and
    /// returns. The [`Reader`] completes the handshake: it returns the messages still
    /// arriving, then the end, and [`Reader::close_report`] holds the report. Fails with
    /// [`Error::Closed`] if a close frame was already sent (by this call or in reply to the
    /// peer's), and with [`Error::Send`] for a code that may not be sent or a reason over
    /// 123 bytes.
    pub fn close(&self, code: CloseCode, reason: &str) -> Result<(), Error> {
        self.command(Until::Queued, |engine, clock| {
            engine.conn.close(clock.now(), code, reason)
        })
    }

    /// Ends the connection at once, without a close handshake: queued output is dropped,
    /// both halves of the stream are shut down (so the [`Reader`], even if blocked in a
    /// read, returns), and the reader reports [`Error::Abnormal`] with cause `Aborted`.
    pub fn abort(&self) {
        let mut inner = lock(&self.shared);
        inner.engine.conn.abort();
        if let Some(stream) = inner.stream.as_mut() {
            // Best effort: the peer may be gone already.
            let _ = stream.shutdown_both();
        }
        drop(inner);
        self.shared.written.notify_all();
    }

    /// Where the connection is in its life.
    pub fn state(&self) -> State {
        lock(&self.shared).engine.conn.state()
    }

    /// The subprotocol agreed in the opening handshake.
    pub fn subprotocol(&self) -> Option<String> {
        lock(&self.shared).engine.subprotocol().map(str::to_owned)
    }
}

#[cfg(test)]
mod tests {
    use std::thread;
    use std::time::{Duration, Instant};

    use wsflow_core::{CloseCause, CloseCode, Config, Event, Message};

    use crate::blocking::websocket::tests::pair;
    use crate::error::Error;

    #[test]
    fn a_close_started_by_the_writer_times_out_while_the_reader_blocks() {
        // No keepalive: the reader's read has no deadline of its own.
        let mut config = Config::default();
        config.close_timeout = Duration::from_millis(200);
        let (ws, _deaf_peer) = pair(config);
        let (mut reader, writer) = ws.split().expect("split");
        let started = Instant::now();
        let receiving = thread::spawn(move || (reader.recv(), reader.close_report()));
        thread::sleep(Duration::from_millis(50));
        writer.close(CloseCode::NORMAL, "").expect("close");
        let (received, report) = receiving.join().expect("reader");
        assert!(matches!(received, Err(Error::Abnormal(_))), "{received:?}");
        assert_eq!(report.expect("report").cause, CloseCause::Timeout);
        let waited = started.elapsed();
        assert!(waited < Duration::from_millis(600), "{waited:?}");
    }

    #[test]
    fn a_write_the_peer_does_not_take_does_not_stop_the_reader() {
        let (ws, mut peer) = pair(Config::default());
        let (mut reader, writer) = ws.split().expect("split");
        // Far more than a socket pair buffers: the writer blocks until the peer reads.
        let big = Message::from(vec![7u8; 8 << 20]);
        let sent = big.clone();
        let sending = thread::spawn(move || writer.send(sent).map(|()| writer));
        thread::sleep(Duration::from_millis(100));
        assert!(!sending.is_finished(), "the write should block");
        peer.conn.send("while you write").expect("queue");
        peer.conn.send_ping("ping").expect("ping");
        peer.flush();
        assert_eq!(
            reader.recv().expect("recv"),
            Some(Message::from("while you write"))
        );
        // Now read: the big message, then the pong the reader queued meanwhile.
        assert_eq!(peer.next_event(), Event::Message(big));
        let writer = sending.join().expect("sender").expect("sent");
        writer.flush().expect("flush");
        assert!(matches!(peer.next_event(), Event::Pong(_)));
    }
}
