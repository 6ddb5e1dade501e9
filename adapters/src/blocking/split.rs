//! The halves of a split [`WebSocket`]: a [`Reader`] and a [`Writer`] for two threads.
//!
//! The connection and the write handle of the stream sit behind one `Arc<Mutex<..>>`; the
//! reader owns a second handle of the stream (from [`Stream::try_clone`]) and blocks in
//! `read` on it *without* holding the lock, then locks to feed the core. Whoever holds the
//! lock writes the output pending at that moment, so a ping is answered by the reader alone
//! and a writer's message goes out while the reader is blocked.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use wsflow_core::{CloseCode, CloseReport, Event, Message, MessageKind, State};

use super::engine::{Engine, Wait, as_message};
use super::stream::{Clock, Stream};
use super::websocket::WebSocket;
use crate::error::Error;

/// The connection and the stream handle writes go through.
#[derive(Debug)]
struct Inner<S> {
    stream: S,
    engine: Engine,
}

type Shared<S> = Arc<Mutex<Inner<S>>>;

fn lock<S>(shared: &Shared<S>) -> MutexGuard<'_, Inner<S>> {
    // A thread that panicked while holding the lock left the connection in a consistent
    // state between two core calls; carry on with it.
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<S: Stream> Inner<S> {
    fn write_out(&mut self, clock: &impl Clock) -> Result<(), Error> {
        self.engine.write_out(&mut self.stream, || clock.now())
    }
}

/// The receiving half of a split [`WebSocket`]: its methods are the `WebSocket` methods of
/// the same name. It alone reads, so it alone answers pings, runs the keepalive and close
/// timers and sees the end of the connection; keep it receiving.
pub struct Reader<S, C> {
    stream: S,
    shared: Shared<S>,
    clock: C,
    buf: Vec<u8>,
}

/// The sending half of a split [`WebSocket`]. It never reads: the [`Reader`] receives the
/// answers to its pings and the end of the close it starts.
pub struct Writer<S, C> {
    shared: Shared<S>,
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
    let shared = Arc::new(Mutex::new(Inner { stream, engine }));
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
        loop {
            let Some(event) = self.recv_event()? else {
                return Ok(None);
            };
            if let Some(result) = as_message(event) {
                return result;
            }
        }
    }

    /// Receives the next event of any kind; see [`WebSocket::recv_event`].
    pub fn recv_event(&mut self) -> Result<Option<Event>, Error> {
        loop {
            let timeout = {
                let mut inner = lock(&self.shared);
                if let Some(event) = inner.engine.next_event() {
                    if let Err(error) = inner.write_out(&self.clock) {
                        inner.engine.unget(event);
                        return Err(error);
                    }
                    return Ok(Some(event));
                }
                inner.write_out(&self.clock)?;
                if inner.engine.conn.state() == State::Closed {
                    return Ok(None);
                }
                // The writer may start the close while this read waits, arming the close
                // timer after the deadline the read was given: waiting no longer than one
                // close timeout from now wakes the read by then.
                let cap = (inner.engine.conn.state() == State::Open)
                    .then(|| inner.engine.conn.config().close_timeout);
                match inner.engine.wait(self.clock.now(), cap) {
                    Wait::Fired => continue,
                    Wait::Read(timeout) => {
                        if !inner.engine.conn.wants_read() {
                            // Events wait, or the core is finishing: look again.
                            continue;
                        }
                        timeout
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
    fn command(
        &self,
        command: impl FnOnce(&mut Inner<S>, &C) -> Result<(), wsflow_core::SendError>,
    ) -> Result<(), Error> {
        let mut inner = lock(&self.shared);
        command(&mut inner, &self.clock)?;
        inner.write_out(&self.clock)
    }

    /// Sends a data message: queues it and writes everything queued (blocking until the
    /// stream takes it, with the lock held: the reader waits to feed the core meanwhile).
    pub fn send(&self, message: impl Into<Message>) -> Result<(), Error> {
        let message = message.into();
        self.command(|inner, _| inner.engine.conn.send(message))
    }

    /// Sends one fragment of a streamed message; see [`WebSocket::send_fragment`].
    pub fn send_fragment(
        &self,
        kind: MessageKind,
        payload: impl Into<Bytes>,
        fin: bool,
    ) -> Result<(), Error> {
        let payload = payload.into();
        self.command(|inner, _| inner.engine.conn.send_fragment(kind, payload, fin))
    }

    /// Sends a ping; its pong arrives through [`Reader::recv_event`].
    pub fn ping(&self, payload: impl Into<Bytes>) -> Result<(), Error> {
        let payload = payload.into();
        self.command(|inner, _| inner.engine.conn.send_ping(payload))
    }

    /// Sends a pong.
    pub fn pong(&self, payload: impl Into<Bytes>) -> Result<(), Error> {
        let payload = payload.into();
        self.command(|inner, _| inner.engine.conn.send_pong(payload))
    }

    /// Writes everything queued.
    pub fn flush(&self) -> Result<(), Error> {
        lock(&self.shared).write_out(&self.clock)
    }

    /// Starts the close handshake: sends a close frame with `code` and `reason`, and
    /// returns. The [`Reader`] completes the handshake: it returns the messages still
    /// arriving, then the end, and [`Reader::close_report`] holds the report. Fails with
    /// [`Error::Closed`] if a close frame was already sent (by this call or in reply to the
    /// peer's), and with [`Error::Send`] for a code that may not be sent or a reason over
    /// 123 bytes.
    pub fn close(&self, code: CloseCode, reason: &str) -> Result<(), Error> {
        self.command(|inner, clock| inner.engine.conn.close(clock.now(), code, reason))
    }

    /// Where the connection is in its life.
    pub fn state(&self) -> State {
        lock(&self.shared).engine.conn.state()
    }

    /// The subprotocol agreed in the opening handshake.
    pub fn subprotocol(&self) -> Option<String> {
        lock(&self.shared).engine.subprotocol.clone()
    }
}
