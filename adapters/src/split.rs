//! Owned halves of a split [`WebSocket`], for a reader task and a writer task.

use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use wsflow_core::{CloseCode, Closed, Event, Message, MessageKind};

use crate::api::{WebSocket, command};
use crate::driver::Driver;
use crate::error::Error;
use crate::runtime::Runtime;
use crate::shared::{Shared, Slot};
use crate::transport::Transport;

/// The receiving half of a split [`WebSocket`]. Its methods behave, and are cancel safe,
/// like the `WebSocket` methods of the same name.
///
/// While it is awaited it also writes what the send half queued and answers pings.
pub struct RecvHalf<T, R: Runtime> {
    shared: Arc<Shared<T, R>>,
}

/// The sending half of a split [`WebSocket`]. Its methods behave, and are cancel safe, like
/// the `WebSocket` methods of the same name.
///
/// While it is awaited it also reads: pings are answered and a close from the peer is
/// noticed even when nobody awaits the receive half (received events wait there, bounded by
/// [`Config::max_pending_events`](wsflow_core::Config::max_pending_events)).
pub struct SendHalf<T, R: Runtime> {
    shared: Arc<Shared<T, R>>,
}

/// The halves given to [`SendHalf::reunite`] came from different connections.
pub struct ReuniteError<T, R: Runtime>(pub SendHalf<T, R>, pub RecvHalf<T, R>);

impl<T, R: Runtime> fmt::Debug for ReuniteError<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReuniteError")
    }
}

impl<T, R: Runtime> fmt::Display for ReuniteError<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the halves belong to different connections")
    }
}

impl<T, R: Runtime> std::error::Error for ReuniteError<T, R> {}

impl<T, R: Runtime> fmt::Debug for RecvHalf<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecvHalf").finish_non_exhaustive()
    }
}

impl<T, R: Runtime> fmt::Debug for SendHalf<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendHalf").finish_non_exhaustive()
    }
}

impl<T: Transport, R: Runtime> RecvHalf<T, R> {
    pub(crate) fn new(shared: Arc<Shared<T, R>>) -> Self {
        RecvHalf { shared }
    }

    fn poll<O>(
        &self,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut Driver<T, R>, &mut Context<'_>) -> O,
    ) -> O {
        self.shared.poll(Slot::Recv, cx, f)
    }

    /// See [`WebSocket::recv`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future loses no byte and no message.
    pub async fn recv(&mut self) -> Result<Option<Message>, Error> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// See [`WebSocket::poll_recv`].
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, Error>> {
        self.poll(cx, Driver::poll_recv)
    }

    /// See [`WebSocket::recv_event`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future loses no byte and no event.
    pub async fn recv_event(&mut self) -> Result<Option<Event>, Error> {
        poll_fn(|cx| self.poll_recv_event(cx)).await
    }

    /// See [`WebSocket::poll_recv_event`].
    pub fn poll_recv_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Event>, Error>> {
        self.poll(cx, Driver::poll_event)
    }

    /// See [`WebSocket::close_report`].
    pub fn close_report(&self) -> Option<Closed> {
        self.shared.with(|driver| driver.close_report().cloned())
    }
}

impl<T: Transport, R: Runtime> SendHalf<T, R> {
    pub(crate) fn new(shared: Arc<Shared<T, R>>) -> Self {
        SendHalf { shared }
    }

    fn poll<O>(
        &self,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut Driver<T, R>, &mut Context<'_>) -> O,
    ) -> O {
        self.shared.poll(Slot::Send, cx, f)
    }

    /// Puts the halves of one connection back together.
    pub fn reunite(self, recv: RecvHalf<T, R>) -> Result<WebSocket<T, R>, ReuniteError<T, R>> {
        if !Arc::ptr_eq(&self.shared, &recv.shared) {
            return Err(ReuniteError(self, recv));
        }
        drop(recv);
        Ok(WebSocket {
            shared: self.shared,
        })
    }

    /// See [`WebSocket::send`].
    ///
    /// # Cancel safety
    ///
    /// All or nothing: cancelled before the message is taken, nothing is queued.
    pub async fn send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        let message = message.into();
        command(&self.shared, Slot::Send, true, |conn| conn.send(message)).await
    }

    /// See [`WebSocket::poll_send_ready`].
    pub fn poll_send_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.poll(cx, Driver::poll_send_ready)
    }

    /// See [`WebSocket::start_send`].
    pub fn start_send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        let message = message.into();
        self.shared
            .with(|driver| driver.conn.send(message))
            .map_err(Error::from)
    }

    /// See [`WebSocket::send_fragment`].
    ///
    /// # Cancel safety
    ///
    /// All or nothing per fragment.
    pub async fn send_fragment(
        &mut self,
        kind: MessageKind,
        payload: impl Into<Bytes>,
        fin: bool,
    ) -> Result<(), Error> {
        let payload = payload.into();
        let send = |conn: &mut wsflow_core::Connection| conn.send_fragment(kind, payload, fin);
        command(&self.shared, Slot::Send, true, send).await
    }

    /// See [`WebSocket::ping`].
    ///
    /// # Cancel safety
    ///
    /// Queued in the first poll, whole or not at all.
    pub async fn ping(&mut self, payload: impl Into<Bytes>) -> Result<(), Error> {
        let payload = payload.into();
        command(&self.shared, Slot::Send, false, |conn| {
            conn.send_ping(payload)
        })
        .await
    }

    /// See [`WebSocket::flush`].
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn flush(&mut self) -> Result<(), Error> {
        poll_fn(|cx| self.poll_flush(cx)).await
    }

    /// See [`WebSocket::poll_flush`].
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.poll(cx, Driver::poll_flush)
    }

    /// See [`WebSocket::close`]. Events that arrive meanwhile stay queued for the receive
    /// half.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe and resumable: call it again to complete the same handshake.
    pub async fn close(&mut self, code: CloseCode, reason: &str) -> Result<Closed, Error> {
        poll_fn(|cx| self.poll_close(cx, code, reason)).await
    }

    /// See [`WebSocket::poll_close`].
    pub fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        code: CloseCode,
        reason: &str,
    ) -> Poll<Result<Closed, Error>> {
        self.poll(cx, |driver, cx| driver.poll_close(cx, code, reason))
    }

    /// See [`WebSocket::buffered_amount`].
    pub fn buffered_amount(&self) -> usize {
        self.shared.with(|driver| driver.conn.buffered_amount())
    }
}
