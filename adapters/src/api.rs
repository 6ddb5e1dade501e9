//! [`WebSocket`]: the async methods, each a thin wrapper over one poll method of the driver.

use std::future::poll_fn;
use std::task::{Context, Poll};

use bytes::Bytes;
use wsflow_core::{
    CloseCode, CloseReport, Connection, Event, Message, MessageKind, PreparedMessage, Role, State,
};

use crate::driver::Driver;
use crate::error::Error;
use crate::runtime::Runtime;
use crate::shared::Handle;
use crate::split::{RecvHalf, SendHalf};
use crate::transport::Transport;

/// An open WebSocket connection over transport `T`, timed by runtime `R`.
///
/// The connection makes progress only inside calls: awaiting [`recv`](Self::recv),
/// [`send`](Self::send), [`flush`](Self::flush) or [`close`](Self::close) (or polling the
/// `Stream`/`Sink` impls) reads, writes, answers pings and runs the close and keepalive
/// timers. Nothing is spawned. A connection nobody polls answers nothing, so keep a `recv`
/// loop running (or split it, see [`split`](Self::split)). Dropping it drops the transport.
///
/// Every method keeps its state in the `WebSocket`, not in the future it returns: dropping
/// a future at any await point loses no data (see each method's *Cancel safety*).
pub struct WebSocket<T, R: Runtime> {
    /// The driver: owned while whole, shared with the other half after a split (see
    /// `split.rs`).
    pub(crate) handle: Handle<T, R>,
}

impl<T, R: Runtime> std::fmt::Debug for WebSocket<T, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket").finish_non_exhaustive()
    }
}

impl<T: Transport, R: Runtime> WebSocket<T, R> {
    /// Wraps a transport on which the opening handshake has already taken place and the
    /// open connection for it: one from
    /// [`Connection::accept_request`](wsflow_core::Connection::accept_request) for a
    /// transport an HTTP server upgraded, or [`Connection::new`] for tests. A connection
    /// still in its handshake goes to [`WebSocket::handshake`] instead.
    ///
    /// A connection fresh from `accept_request` (or an HTTP/2 extended CONNECT) holds
    /// [`Event::Opened`](wsflow_core::Event::Opened) as its first event; it is taken here, as
    /// [`WebSocket::handshake`] takes it, so that [`recv_event`](Self::recv_event) hands out
    /// the same events whichever way the WebSocket was opened ([`opened`](Self::opened) keeps
    /// the details).
    pub fn from_connection(transport: T, mut connection: Connection) -> Self {
        connection.skip_opened_event();
        Self::from_driver(Driver::new(transport, connection))
    }

    pub(crate) fn from_driver(driver: Driver<T, R>) -> Self {
        WebSocket {
            handle: Handle::new(driver),
        }
    }

    #[inline]
    fn poll<O>(
        &mut self,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut Driver<T, R>, &mut Context<'_>) -> O,
    ) -> O {
        self.handle.poll(cx, f)
    }

    /// Runs a command through the driver once the output has room (when `wait`).
    async fn command<F>(&mut self, wait: bool, command: F) -> Result<(), Error>
    where
        F: FnOnce(&mut Connection) -> Result<(), wsflow_core::SendError>,
    {
        let mut command = Some(command);
        poll_fn(|cx| self.poll(cx, |driver, cx| driver.poll_command(cx, wait, &mut command))).await
    }

    /// Receives the next data message. Pings are answered and pongs consumed on the way.
    ///
    /// Returns `Ok(None)` once the connection is over after a clean close handshake (the
    /// report, with the peer's close code, is then in [`close_report`](Self::close_report)).
    /// An unclean end is reported once as an error — [`Error::Protocol`] if the peer broke
    /// the protocol, [`Error::Abnormal`] for EOF or a timeout, [`Error::Io`] for a transport
    /// failure (followed by `Abnormal`) — and every later call returns `Ok(None)`.
    ///
    /// In [`ReceiveMode::Streaming`](wsflow_core::ReceiveMode::Streaming) each chunk comes
    /// back as a message; use [`recv_event`](Self::recv_event) to see where messages end.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe. Received bytes go straight into the connection and complete messages
    /// wait in its queue, so dropping the future — even mid-frame — loses nothing: the next
    /// call carries on where this one stopped.
    pub async fn recv(&mut self) -> Result<Option<Message>, Error> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Poll version of [`recv`](Self::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, Error>> {
        self.poll(cx, Driver::poll_recv)
    }

    /// Receives the next event of any kind: messages or streamed chunks, pings (already
    /// answered when auto-pong is on), pongs, the peer's close frame, and last
    /// [`Event::Closed`] with the final report. `Ok(None)` after that.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, as [`recv`](Self::recv).
    pub async fn recv_event(&mut self) -> Result<Option<Event>, Error> {
        poll_fn(|cx| self.poll_recv_event(cx)).await
    }

    /// Poll version of [`recv_event`](Self::recv_event).
    pub fn poll_recv_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Event>, Error>> {
        self.poll(cx, Driver::poll_event)
    }

    /// Sends a data message: waits while the write buffer is above
    /// [`Config::write_buffer_high_water`](wsflow_core::Config::write_buffer_high_water),
    /// queues the message as one frame, and writes what the transport takes right away.
    /// It does not wait for the rest to be written: [`flush`](Self::flush) does. Fails with
    /// [`Error::Closed`] once a close frame has been sent or the connection is over.
    ///
    /// One exception to "right away", for speed: while messages that arrived together are
    /// still waiting to be taken with [`recv`](Self::recv), the frames queued meanwhile
    /// (replies, typically) stay queued and leave together in one write, when the last of
    /// those messages is taken or the next `recv` goes to the network, or at `flush`,
    /// `close`, or when the queue reaches the high-water mark. If you stop receiving while
    /// messages wait, call [`flush`](Self::flush); [`set_write_coalescing`](Self::set_write_coalescing)
    /// turns this off. Halves of a [`split`](Self::split) connection always write at once.
    ///
    /// While waiting for room it keeps reading, so pings are answered and a close from the
    /// peer ends the wait.
    ///
    /// # Cancel safety
    ///
    /// All or nothing. The message is handed to the connection in one synchronous step,
    /// after the wait; a future dropped before that step has queued nothing (the message is
    /// dropped with it), and once it is taken the frame is queued whole — the wire never
    /// carries half a frame.
    pub async fn send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        // Polled here rather than through `command`: one future less per message to build
        // and move (measurable on the echo loop's instruction count).
        let mut command = Some(|conn: &mut Connection| conn.send(message.into()));
        poll_fn(|cx| self.poll(cx, |driver, cx| driver.poll_command(cx, true, &mut command))).await
    }

    /// Sends a message encoded once for many connections (broadcast; see
    /// [`PreparedMessage`]): waits for room, queues and writes exactly as [`send`](Self::send)
    /// does. A server shares the prepared frame with every connection it is sent on (no copy
    /// from 4 KiB up); a client masks it into a copy. It is never compressed.
    ///
    /// # Cancel safety
    ///
    /// As [`send`](Self::send): all or nothing. A future dropped before the frame is handed to
    /// the connection has queued nothing; once handed over, it is queued whole.
    pub async fn send_prepared(&mut self, prepared: &PreparedMessage) -> Result<(), Error> {
        self.command(true, |conn| conn.send_prepared(prepared))
            .await
    }

    /// Ready when [`start_send`](Self::start_send) may queue a message without exceeding the
    /// write buffer's high-water mark. Drives the connection while waiting.
    pub fn poll_send_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.poll(cx, Driver::poll_send_ready)
    }

    /// Queues a message without waiting and without writing; a later `flush`, `send` or
    /// `recv` writes it. Use after [`poll_send_ready`](Self::poll_send_ready) to respect
    /// backpressure; the connection itself refuses messages only above
    /// [`Config::write_buffer_limit`](wsflow_core::Config::write_buffer_limit).
    pub fn start_send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        let message = message.into();
        self.handle
            .with(|driver| driver.conn.send(message))
            .map_err(Error::from)
    }

    /// Sends one fragment of a message streamed out in pieces (see
    /// [`Connection::send_fragment`]): the first call starts a message of `kind`, the call
    /// with `fin` ends it. Waits for room like [`send`](Self::send).
    ///
    /// # Cancel safety
    ///
    /// All or nothing per fragment, as [`send`](Self::send).
    pub async fn send_fragment(
        &mut self,
        kind: MessageKind,
        payload: impl Into<Bytes>,
        fin: bool,
    ) -> Result<(), Error> {
        let payload = payload.into();
        let send = |conn: &mut Connection| conn.send_fragment(kind, payload, fin);
        self.command(true, send).await
    }

    /// Sends a ping (payload ≤ 125 bytes) without waiting for buffer room; the pong arrives
    /// as [`Event::Pong`] through [`recv_event`](Self::recv_event).
    ///
    /// # Cancel safety
    ///
    /// Queued in the first poll, whole or not at all.
    pub async fn ping(&mut self, payload: impl Into<Bytes>) -> Result<(), Error> {
        let payload = payload.into();
        self.command(false, |conn| conn.send_ping(payload)).await
    }

    /// Sends a pong: unsolicited, or the answer to a ping when auto-pong is off.
    ///
    /// # Cancel safety
    ///
    /// Queued in the first poll, whole or not at all.
    pub async fn pong(&mut self, payload: impl Into<Bytes>) -> Result<(), Error> {
        let payload = payload.into();
        self.command(false, |conn| conn.send_pong(payload)).await
    }

    /// Waits until every queued byte is written and the transport flushed. Keeps reading
    /// meanwhile.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: what was written stays written, the rest stays queued.
    pub async fn flush(&mut self) -> Result<(), Error> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// Poll version of [`flush`](Self::flush).
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.poll(cx, Driver::poll_flush)
    }

    /// Closes the connection: sends a close frame with `code` and `reason` (unless one is
    /// already out), waits for the peer's, and waits for the TCP teardown — a server shuts
    /// its write side down, a client waits for the server's FIN — all bounded by
    /// [`Config::close_timeout`](wsflow_core::Config::close_timeout). Returns the final
    /// report: its `cause` says whether the handshake was clean, timed out, or failed.
    ///
    /// Nothing already received is lost: messages (and other events) that arrived before or
    /// during the close and were not yet taken stay queued, and later calls to
    /// [`recv`](Self::recv) or [`recv_event`](Self::recv_event) return them, in order, before
    /// the end (`Ok(None)`, or [`Event::Closed`]). So that the handshake can finish while
    /// they wait, `close` keeps reading past them, holding up to twice
    /// [`Config::max_pending_events`](wsflow_core::Config::max_pending_events) events beyond
    /// the connection's own queue; if the peer sends even more before its close frame while
    /// nobody receives, `close` stops reading (memory stays bounded) and the handshake ends
    /// by [`Config::close_timeout`](wsflow_core::Config::close_timeout) — receive
    /// concurrently (see [`split`](Self::split)) to avoid that.
    ///
    /// Fails with [`Error::Send`] for a code that may not be sent or a reason over 123
    /// bytes, and with [`Error::Io`] if the transport fails.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe and resumable: the close frame is queued in the first poll; calling
    /// `close` again after dropping the future does not send a second one and completes the
    /// same handshake (the new `code` and `reason` are then ignored).
    pub async fn close(&mut self, code: CloseCode, reason: &str) -> Result<CloseReport, Error> {
        poll_fn(|cx| self.poll_close(cx, code, reason)).await
    }

    /// Poll version of [`close`](Self::close).
    pub fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        code: CloseCode,
        reason: &str,
    ) -> Poll<Result<CloseReport, Error>> {
        self.poll(cx, |driver, cx| driver.poll_close(cx, code, reason))
    }

    /// Splits the connection into a sending and a receiving half that can live in different
    /// tasks. Both drive the same connection: while either half is awaited, pings are
    /// answered, queued output is written and timers run. [`SendHalf::reunite`] puts them
    /// back together.
    pub fn split(self) -> (SendHalf<T, R>, RecvHalf<T, R>) {
        let (send, recv) = self.handle.split();
        (
            SendHalf(WebSocket { handle: send }),
            RecvHalf(WebSocket { handle: recv }),
        )
    }

    /// Whether [`send`](Self::send) and the other commands may hold their frames back while
    /// received messages wait to be taken, to write the replies to a burst in one call
    /// (on by default). Off, every command writes what the transport takes at once.
    pub fn set_write_coalescing(&mut self, on: bool) {
        self.handle.with(|driver| driver.coalesce_writes = on);
    }

    /// Client or server.
    pub fn role(&self) -> Role {
        self.handle.with(|driver| driver.conn.role())
    }

    /// Where the connection is in its life.
    pub fn state(&self) -> State {
        self.handle.with(|driver| driver.conn.state())
    }

    /// Bytes queued for writing.
    pub fn buffered_amount(&self) -> usize {
        self.handle.with(|driver| driver.conn.buffered_amount())
    }

    /// Ends the connection at once, without a close handshake: queued output is dropped,
    /// the write half is shut down at the next poll, and the receive side reports
    /// [`Error::Abnormal`] with [`CloseCause::Aborted`](wsflow_core::CloseCause::Aborted)
    /// (then `Ok(None)`); later commands fail with [`Error::Closed`]. Use it for a peer you
    /// no longer trust; dropping the `WebSocket` also ends the connection, but reports
    /// nothing.
    pub fn abort(&mut self) {
        self.handle.with(|driver| driver.conn.abort());
    }

    /// The final report, once the end of the connection has been received through `recv`,
    /// `recv_event` or `close`.
    pub fn close_report(&self) -> Option<CloseReport> {
        self.handle
            .with(|driver| driver.conn.close_report().cloned())
    }

    /// Messages and bytes in and out so far, the bytes waiting to be written, and the last
    /// keepalive round-trip time.
    pub fn stats(&self) -> wsflow_core::Stats {
        self.handle.with(|driver| driver.conn.stats())
    }

    /// The subprotocol agreed in the opening handshake.
    pub fn subprotocol(&self) -> Option<String> {
        self.handle
            .with(|driver| driver.subprotocol().map(str::to_owned))
    }

    /// What the opening handshake settled on: subprotocol, extensions and, for a client, the
    /// server's `101` response with its headers. `None` for a connection that was handed
    /// made open with [`Connection::new`].
    pub fn opened(&self) -> Option<wsflow_core::Opened> {
        self.handle.with(|driver| driver.conn.opened().cloned())
    }
}
