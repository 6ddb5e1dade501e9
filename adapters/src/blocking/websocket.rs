//! [`WebSocket`]: an open connection over a blocking [`Stream`], one thread at a time.

use bytes::Bytes;
use wsflow_core::{
    CloseCode, CloseReport, Connection, Event, Message, MessageKind, PreparedMessage, Role, State,
};

use super::engine::{Engine, READ_SIZE, Wait, next_message};
use super::split::{Reader, Writer};
use super::stream::{Clock, Stream, SystemClock};
use crate::error::Error;

/// The halves [`WebSocket::split`] returns.
pub type Halves<S, C> = (Reader<S, C>, Writer<S, C>);

/// An open WebSocket connection over a blocking stream `S`, timed by clock `C`.
///
/// The connection makes progress only inside calls: [`recv`](Self::recv) reads, answers
/// pings and runs the keepalive and close timers while it waits; [`send`](Self::send)
/// writes. Every wait is bounded by the core's next deadline: before each read the stream's
/// read timeout is set to the time left, and a read that times out runs the timers, so a
/// keepalive or close timeout fires even while `recv` is blocked. Writes block until the
/// stream takes the bytes — that is the backpressure; set a write timeout on the socket to
/// bound them (a write that times out runs the timers too, so the close timeout ends it).
///
/// The end is reported as by the async [`WebSocket::recv`](crate::WebSocket::recv):
/// `Ok(None)` after a clean close, one `Err` for an unclean end, then `Ok(None)`.
pub struct WebSocket<S, C = SystemClock> {
    pub(crate) stream: S,
    pub(crate) engine: Engine,
    pub(crate) clock: C,
    buf: Vec<u8>,
}

impl<S, C> std::fmt::Debug for WebSocket<S, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("blocking::WebSocket")
            .field("state", &self.engine.conn.state())
            .finish_non_exhaustive()
    }
}

impl<S: Stream> WebSocket<S> {
    /// Wraps a stream on which the opening handshake has already taken place and the
    /// connection for it. Bytes the handshake read past its end must already have been fed
    /// to `connection`. A leading `Event::Opened` (a connection from `accept_request`) is
    /// taken, as [`WebSocket::handshake`] takes it, so the same events follow either way.
    pub fn from_connection(stream: S, connection: Connection) -> Self {
        Self::from_connection_with_clock(stream, connection, SystemClock)
    }
}

impl<S: Stream, C: Clock> WebSocket<S, C> {
    /// [`from_connection`](WebSocket::from_connection) on another clock (a test's virtual
    /// time); `connection` must have been created with that clock's `now`.
    pub fn from_connection_with_clock(stream: S, mut connection: Connection, clock: C) -> Self {
        connection.skip_opened_event();
        Self::open(stream, Engine::new(connection), clock)
    }

    pub(crate) fn open(stream: S, engine: Engine, clock: C) -> Self {
        WebSocket {
            stream,
            engine,
            clock,
            buf: vec![0; READ_SIZE],
        }
    }

    /// Receives the next data message. Pings are answered and pongs consumed on the way.
    ///
    /// Returns `Ok(None)` once the connection is over after a clean close handshake (the
    /// report is then in [`close_report`](Self::close_report)). An unclean end is reported
    /// once as an error — [`Error::Protocol`], [`Error::Abnormal`] for EOF or a timeout,
    /// [`Error::Io`] for a transport failure (followed by `Abnormal`) — and every later call
    /// returns `Ok(None)`.
    pub fn recv(&mut self) -> Result<Option<Message>, Error> {
        next_message(|| self.recv_event())
    }

    /// Receives the next event of any kind: messages, pings (already answered when
    /// auto-pong is on), pongs, the peer's close frame, and last [`Event::Closed`] with the
    /// final report; `Ok(None)` after that.
    pub fn recv_event(&mut self) -> Result<Option<Event>, Error> {
        loop {
            if let Some(event) = self.engine.next_event() {
                // Replies the core queued while parsing (pongs, the close reply) go out now,
                // not at the application's next call.
                if let Err(error) = self.write_out() {
                    self.engine.unget(event);
                    return Err(error);
                }
                return Ok(Some(event));
            }
            if self.engine.conn.state() == State::Closed {
                self.write_out()?;
                return Ok(None);
            }
            self.write_out()?;
            self.read_once()?;
        }
    }

    /// Queues a data message as one frame without waiting for it to be written, unless the
    /// write buffer is above
    /// [`Config::write_buffer_high_water`](wsflow_core::Config::write_buffer_high_water):
    /// then everything queued is written first (blocking: the backpressure). A later `send`,
    /// `flush`, `recv` or `close` writes it. Fails with [`Error::Closed`] once a close frame
    /// has been sent or the connection is over.
    pub fn write(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.engine.conn.send(message)?;
        if self.engine.conn.is_above_high_water() {
            self.write_out()?;
        }
        Ok(())
    }

    /// Sends a data message: queues it and writes everything queued (blocking until the
    /// stream takes it).
    pub fn send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.engine.conn.send(message)?;
        self.write_out()
    }

    /// Sends a message encoded once for many connections (broadcast; see
    /// [`PreparedMessage`]), as [`send`](Self::send): queues it and writes everything queued.
    pub fn send_prepared(&mut self, prepared: &PreparedMessage) -> Result<(), Error> {
        self.engine.conn.send_prepared(prepared)?;
        self.write_out()
    }

    /// Sends one fragment of a message streamed out in pieces (see
    /// [`Connection::send_fragment`]): the first call starts a message of `kind`, the call
    /// with `fin` ends it.
    pub fn send_fragment(
        &mut self,
        kind: MessageKind,
        payload: impl Into<Bytes>,
        fin: bool,
    ) -> Result<(), Error> {
        self.engine.conn.send_fragment(kind, payload, fin)?;
        self.write_out()
    }

    /// Sends a ping (payload ≤ 125 bytes); the pong arrives as [`Event::Pong`] through
    /// [`recv_event`](Self::recv_event).
    pub fn ping(&mut self, payload: impl Into<Bytes>) -> Result<(), Error> {
        self.engine.conn.send_ping(payload)?;
        self.write_out()
    }

    /// Sends a pong: unsolicited, or the answer to a ping when auto-pong is off.
    pub fn pong(&mut self, payload: impl Into<Bytes>) -> Result<(), Error> {
        self.engine.conn.send_pong(payload)?;
        self.write_out()
    }

    /// Writes everything queued (and the FIN, if the core asks for it).
    pub fn flush(&mut self) -> Result<(), Error> {
        self.write_out()
    }

    /// Closes the connection: sends a close frame with `code` and `reason` (unless one is
    /// already out), waits for the peer's, and for the TCP teardown — a server shuts its
    /// write half down, a client waits for the server's FIN — all bounded by
    /// [`Config::close_timeout`](wsflow_core::Config::close_timeout). Returns the final
    /// report, whose `cause` says whether the handshake was clean.
    ///
    /// Nothing already received is lost: messages that arrived before or during the close
    /// stay queued, and later calls to [`recv`](Self::recv) return them, in order, before
    /// the end. To let the handshake finish meanwhile, `close` reads past them, holding up to
    /// twice [`Config::max_pending_events`](wsflow_core::Config::max_pending_events) events;
    /// beyond that it stops reading and the close timeout ends the handshake.
    ///
    /// Fails with [`Error::Send`] for a code that may not be sent or a reason over 123
    /// bytes, and with [`Error::Io`] if the stream fails. Calling it again completes the
    /// same handshake.
    pub fn close(&mut self, code: CloseCode, reason: &str) -> Result<CloseReport, Error> {
        if self.engine.conn.state() != State::Closed {
            match self.engine.conn.close(self.clock.now(), code, reason) {
                // Our close frame is already out (an earlier call, or the reply to the
                // peer's): keep waiting for the end.
                Ok(()) | Err(wsflow_core::SendError::Closed) => {}
                Err(error) => return Err(error.into()),
            }
        }
        // The core parses on after our close frame while nobody receives (up to twice
        // `max_pending_events`), so the peer's last messages stay receivable afterwards.
        loop {
            if let Some(report) = self.engine.close_report() {
                let report = report.clone();
                self.write_out()?;
                return Ok(report);
            }
            self.write_out()?;
            self.read_once()?;
        }
    }

    /// Ends the connection at once, without a close handshake: queued output is dropped, the
    /// stream is shut down both ways, and the next `recv` reports [`Error::Abnormal`] with
    /// cause `Aborted` (then `Ok(None)`); later commands fail with [`Error::Closed`].
    pub fn abort(&mut self) {
        self.engine.conn.abort();
        // Best effort: the peer may be gone already.
        let _ = self.stream.shutdown_both();
    }

    /// The final report, once the end of the connection was received through `recv`,
    /// `recv_event` or `close`.
    pub fn close_report(&self) -> Option<CloseReport> {
        self.engine.close_report().cloned()
    }

    /// The subprotocol agreed in the opening handshake.
    pub fn subprotocol(&self) -> Option<&str> {
        self.engine.subprotocol()
    }

    /// What the opening handshake settled on (subprotocol, extensions, a client's `101`
    /// response); `None` for a connection handed over already open.
    pub fn opened(&self) -> Option<&wsflow_core::Opened> {
        self.engine.conn.opened()
    }

    /// Messages and bytes in and out so far, and the last keepalive round-trip time.
    pub fn stats(&self) -> wsflow_core::Stats {
        self.engine.conn.stats()
    }

    /// Client or server.
    pub fn role(&self) -> Role {
        self.engine.conn.role()
    }

    /// Where the connection is in its life.
    pub fn state(&self) -> State {
        self.engine.conn.state()
    }

    /// Bytes queued for writing.
    pub fn buffered_amount(&self) -> usize {
        self.engine.conn.buffered_amount()
    }

    /// The stream.
    pub fn get_ref(&self) -> &S {
        &self.stream
    }

    /// The stream. Reading or writing it directly corrupts the connection; use it for
    /// socket options.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.stream
    }

    /// Splits the connection into a [`Reader`] and a [`Writer`] for two threads, over two
    /// handles of the stream (see [`Stream::try_clone`]); fails if the stream cannot be
    /// cloned (a TLS stream cannot: [`io::ErrorKind::Unsupported`](std::io::ErrorKind::Unsupported)). See the [`split` module docs](super#split) for what can block what.
    pub fn split(self) -> Result<Halves<S, C>, Error>
    where
        C: Clone,
    {
        let read_half = self.stream.try_clone()?;
        Ok(super::split::split(self, read_half))
    }

    pub(crate) fn into_parts(self) -> (S, Engine, C, Vec<u8>) {
        (self.stream, self.engine, self.clock, self.buf)
    }

    pub(super) fn write_out(&mut self) -> Result<(), Error> {
        let clock = &self.clock;
        self.engine.write_out(&mut self.stream, || clock.now())
    }

    /// Waits for input or the next deadline, whichever comes first, and feeds the core.
    pub(super) fn read_once(&mut self) -> Result<(), Error> {
        let now = self.clock.now();
        let timeout = match self.engine.wait(now, None) {
            Wait::Fired => return Ok(()),
            Wait::Read(timeout) => timeout,
        };
        if !self.engine.conn.wants_read() {
            // Undelivered events reached the core's limit (twice it while our close is
            // out): nothing may be read, so wait for the next deadline (the close timer).
            if let Some(deadline) = self.engine.conn.poll_timeout() {
                self.clock.sleep_until(deadline);
                self.engine.conn.handle_timeout(self.clock.now());
            }
            return Ok(());
        }
        if let Err(error) = self.stream.set_read_timeout(timeout) {
            return Err(self.engine.fail(error));
        }
        // A large payload is read straight into the core's buffer, as in the async driver.
        if let Some(space) = self.engine.conn.lend_receive_buffer() {
            let read = self.stream.read(space);
            return self.engine.feed_lent(self.clock.now(), read);
        }
        let read = self.stream.read(&mut self.buf);
        self.engine.feed(self.clock.now(), read, &self.buf)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::{self, Read, Write};
    use std::os::unix::net::UnixStream;
    use std::time::{Duration, Instant};

    use wsflow_core::{CloseCause, Config, Connection, Event, Message, Role};

    use super::WebSocket;
    use crate::blocking::Stream;
    use crate::error::Error;

    /// The scripted other end: a core connection writing to and reading from a socket.
    pub(crate) struct Peer {
        pub(crate) stream: UnixStream,
        pub(crate) conn: Connection,
    }

    impl Peer {
        pub(crate) fn flush(&mut self) {
            while !self.conn.pending_output().is_empty() {
                let n = self
                    .stream
                    .write(self.conn.pending_output())
                    .expect("write");
                self.conn.consume_output(n);
            }
        }

        /// Reads until the next event.
        pub(crate) fn next_event(&mut self) -> Event {
            let mut buf = [0; 4096];
            loop {
                if let Some(event) = self.conn.poll_event() {
                    return event;
                }
                let n = self.stream.read(&mut buf).expect("read");
                if n == 0 {
                    self.conn.receive_eof(Instant::now());
                } else {
                    self.conn.receive(Instant::now(), &buf[..n]);
                }
                self.flush();
            }
        }
    }

    /// A client over one end of a socket pair, the server peer on the other.
    pub(crate) fn pair(config: Config) -> (WebSocket<UnixStream>, Peer) {
        let (ours, theirs) = UnixStream::pair().expect("pair");
        let now = Instant::now();
        let ws = WebSocket::from_connection(ours, Connection::new(Role::Client, config, now));
        let peer = Peer {
            stream: theirs,
            conn: Connection::new(Role::Server, Config::default(), now),
        };
        (ws, peer)
    }

    #[test]
    fn recv_answers_a_ping_before_it_returns() {
        let (mut ws, mut peer) = pair(Config::default());
        peer.conn.send_ping("are you there").expect("ping");
        peer.conn.send("hello").expect("send");
        peer.flush();
        assert_eq!(ws.recv().expect("recv"), Some(Message::from("hello")));
        assert_eq!(ws.buffered_amount(), 0, "the pong went out first");
        assert!(
            matches!(peer.next_event(), Event::Pong(payload) if &payload[..] == b"are you there")
        );
    }

    #[test]
    fn write_queues_until_the_high_water_mark() {
        let mut config = Config::default();
        config.write_buffer_high_water = 100;
        let (mut ws, mut peer) = pair(config);
        ws.write(vec![1u8; 50]).expect("queued");
        assert_eq!(ws.buffered_amount(), 56, "below the mark: not written");
        ws.write(vec![2u8; 50]).expect("written");
        assert_eq!(ws.buffered_amount(), 0, "above the mark: all written");
        assert_eq!(
            peer.next_event(),
            Event::Message(Message::from(vec![1u8; 50]))
        );
        ws.write("last").expect("queued");
        ws.flush().expect("flush");
        assert_eq!(
            peer.next_event(),
            Event::Message(Message::from(vec![2u8; 50]))
        );
        assert_eq!(peer.next_event(), Event::Message(Message::from("last")));
    }

    /// A stream whose reads fail.
    struct Broken;

    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::ErrorKind::ConnectionReset.into())
        }
    }

    impl Write for Broken {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Stream for Broken {
        fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }

        fn shutdown_write(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_transport_failure_is_reported_once_then_the_end() {
        let conn = Connection::new(Role::Server, Config::default(), Instant::now());
        let mut ws = WebSocket::from_connection(Broken, conn);
        assert!(
            matches!(ws.recv(), Err(Error::Io(error)) if error.kind() == io::ErrorKind::ConnectionReset)
        );
        match ws.recv() {
            Err(Error::Abnormal(report)) => assert_eq!(report.cause, CloseCause::Aborted),
            other => panic!("expected the abnormal end, got {other:?}"),
        }
        assert_eq!(ws.recv().expect("over"), None);
        assert!(matches!(ws.send("late"), Err(Error::Closed)));
    }

    /// A stream whose writes fail, as a reset socket's do.
    struct ResetOnWrite;

    impl Read for ResetOnWrite {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::ErrorKind::WouldBlock.into())
        }
    }

    impl Write for ResetOnWrite {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::ConnectionReset.into())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Stream for ResetOnWrite {
        fn set_read_timeout(&mut self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }

        fn shutdown_write(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// Found by the simulation (`wsflow-sim --start 1 --seeds 1 --runtime blocking`): the
    /// abort after a failed write closed the connection, and the "closed: ignore write
    /// failures" rule then swallowed the error itself, so `send` returned `Ok` and the reset
    /// was never reported as `Error::Io`.
    #[test]
    fn a_write_failure_is_reported_by_the_send_that_hit_it() {
        let conn = Connection::new(Role::Client, Config::default(), Instant::now());
        let mut ws = WebSocket::from_connection(ResetOnWrite, conn);
        assert!(
            matches!(ws.send("lost"), Err(Error::Io(error)) if error.kind() == io::ErrorKind::ConnectionReset)
        );
        match ws.recv() {
            Err(Error::Abnormal(report)) => assert_eq!(report.cause, CloseCause::Aborted),
            other => panic!("expected the abnormal end, got {other:?}"),
        }
        assert_eq!(ws.recv().expect("over"), None);
    }

    #[test]
    fn the_close_timeout_fires_while_close_waits_for_a_deaf_peer() {
        let mut config = Config::default();
        config.close_timeout = Duration::from_millis(100);
        let (mut ws, _peer) = pair(config);
        let started = Instant::now();
        let report = ws.close(wsflow_core::CloseCode::NORMAL, "").expect("close");
        assert_eq!(report.cause, CloseCause::Timeout);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
