//! Owned halves of a split [`WebSocket`], for a reader task and a writer task.
//!
//! Each half is a `WebSocket` handle that polls on behalf of its side (see `shared.rs` for
//! how both wait on one transport) and exposes that side's methods. The transport is
//! dropped when both halves are.

use std::fmt;
use std::task::{Context, Poll};

use bytes::Bytes;
use wsflow_core::{CloseCode, CloseReport, Event, Message, MessageKind, PreparedMessage};

use crate::api::WebSocket;
use crate::error::Error;
use crate::runtime::Runtime;
use crate::shared::Handle;
use crate::transport::Transport;

/// The receiving half of a split [`WebSocket`]. Its methods are the `WebSocket` methods of
/// the same name, with the same cancel safety.
///
/// While it is awaited it also writes what the send half queued and answers pings.
pub struct RecvHalf<T, R: Runtime>(pub(crate) WebSocket<T, R>);

/// The sending half of a split [`WebSocket`]. Its methods are the `WebSocket` methods of
/// the same name, with the same cancel safety.
///
/// While it is awaited it also reads: pings are answered and a close from the peer is
/// noticed even when nobody awaits the receive half (received events wait there, bounded by
/// [`Config::max_pending_events`](wsflow_core::Config::max_pending_events)).
pub struct SendHalf<T, R: Runtime>(pub(crate) WebSocket<T, R>);

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
    /// See [`WebSocket::recv`]. Cancel safe.
    pub async fn recv(&mut self) -> Result<Option<Message>, Error> {
        self.0.recv().await
    }

    /// See [`WebSocket::poll_recv`].
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Message>, Error>> {
        self.0.poll_recv(cx)
    }

    /// See [`WebSocket::recv_event`]. Cancel safe.
    pub async fn recv_event(&mut self) -> Result<Option<Event>, Error> {
        self.0.recv_event().await
    }

    /// See [`WebSocket::poll_recv_event`].
    pub fn poll_recv_event(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Event>, Error>> {
        self.0.poll_recv_event(cx)
    }

    /// See [`WebSocket::close_report`].
    pub fn close_report(&self) -> Option<CloseReport> {
        self.0.close_report()
    }
}

impl<T: Transport, R: Runtime> SendHalf<T, R> {
    /// Puts the halves of one connection back together.
    pub fn reunite(self, recv: RecvHalf<T, R>) -> Result<WebSocket<T, R>, ReuniteError<T, R>> {
        match Handle::reunite(self.0.handle, recv.0.handle) {
            Ok(handle) => Ok(WebSocket { handle }),
            Err((send, recv)) => Err(ReuniteError(
                SendHalf(WebSocket { handle: send }),
                RecvHalf(WebSocket { handle: recv }),
            )),
        }
    }

    /// See [`WebSocket::send`]. All or nothing: cancelled before the message is taken,
    /// nothing is queued.
    pub async fn send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.0.send(message).await
    }

    /// See [`WebSocket::send_prepared`]. All or nothing, as `send`.
    pub async fn send_prepared(&mut self, prepared: &PreparedMessage) -> Result<(), Error> {
        self.0.send_prepared(prepared).await
    }

    /// See [`WebSocket::poll_send_ready`].
    pub fn poll_send_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.0.poll_send_ready(cx)
    }

    /// See [`WebSocket::start_send`].
    pub fn start_send(&mut self, message: impl Into<Message>) -> Result<(), Error> {
        self.0.start_send(message)
    }

    /// See [`WebSocket::send_fragment`]. All or nothing per fragment.
    pub async fn send_fragment(
        &mut self,
        kind: MessageKind,
        payload: impl Into<Bytes>,
        fin: bool,
    ) -> Result<(), Error> {
        self.0.send_fragment(kind, payload, fin).await
    }

    /// See [`WebSocket::ping`]. Queued in the first poll, whole or not at all.
    pub async fn ping(&mut self, payload: impl Into<Bytes>) -> Result<(), Error> {
        self.0.ping(payload).await
    }

    /// See [`WebSocket::pong`]. Queued in the first poll, whole or not at all.
    pub async fn pong(&mut self, payload: impl Into<Bytes>) -> Result<(), Error> {
        self.0.pong(payload).await
    }

    /// See [`WebSocket::flush`]. Cancel safe.
    pub async fn flush(&mut self) -> Result<(), Error> {
        self.0.flush().await
    }

    /// See [`WebSocket::poll_flush`].
    pub fn poll_flush(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.0.poll_flush(cx)
    }

    /// See [`WebSocket::close`]; events that arrive meanwhile stay queued for the receive
    /// half. Cancel safe and resumable: call it again to complete the same handshake.
    pub async fn close(&mut self, code: CloseCode, reason: &str) -> Result<CloseReport, Error> {
        self.0.close(code, reason).await
    }

    /// See [`WebSocket::poll_close`].
    pub fn poll_close(
        &mut self,
        cx: &mut Context<'_>,
        code: CloseCode,
        reason: &str,
    ) -> Poll<Result<CloseReport, Error>> {
        self.0.poll_close(cx, code, reason)
    }

    /// See [`WebSocket::buffered_amount`].
    pub fn buffered_amount(&self) -> usize {
        self.0.buffered_amount()
    }
}
