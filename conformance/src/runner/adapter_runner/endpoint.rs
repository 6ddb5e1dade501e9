//! The endpoint under test and its emulated application, independent of the runtime: the
//! opening handshake, the receive loop that keeps `recv_event` polled, and commands polled
//! once.

use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll};

use bytes::Bytes;
use wsflow::{Error, Runtime, Transport, WebSocket};
use wsflow_core::{CloseCode, Event, Message, SendError};

use crate::names::handshake_error_name;
use crate::runner::lifecycle::{connection, decide};
use crate::runner::{ActionError, Observation, Setup};
use crate::script::{AppAction, HandshakeOutcome};

/// The opening handshake in progress: `WebSocket::client` or `WebSocket::server`.
pub(crate) type Opening<T, R> = Pin<Box<dyn Future<Output = Result<WebSocket<T, R>, Error>>>>;

/// Most events one settling pass takes (a guard against a driver that never pends).
pub(crate) const MAX_POLLS: usize = 1_000_000;

/// The endpoint and its emulated application, independent of the runtime.
pub(crate) struct Endpoint<T: Transport, R: Runtime> {
    ws: Option<WebSocket<T, R>>,
    opening: Option<Opening<T, R>>,
    outcome: Option<HandshakeOutcome>,
    /// The application drains events (`app stops draining` clears it).
    pub(crate) draining: bool,
    /// Events the application still takes while not draining (`app takes N events`).
    pub(crate) budget: usize,
    /// A `close` the application awaits (`app close` that did not complete in its first
    /// poll): polled on every pass until it does, as a task awaiting `close()` would.
    closing: Option<(CloseCode, String)>,
    /// `recv_event` returned `None`: the connection is over and every event was taken.
    finished: bool,
    events: Vec<Event>,
}

impl<T: Transport, R: Runtime> Endpoint<T, R> {
    /// An endpoint over an open connection (`ws`) or one that first runs its opening
    /// handshake (`opening`).
    pub(crate) fn new(ws: Option<WebSocket<T, R>>, opening: Option<Opening<T, R>>) -> Self {
        Endpoint {
            ws,
            opening,
            outcome: None,
            draining: true,
            budget: 0,
            closing: None,
            finished: false,
            events: Vec::new(),
        }
    }

    /// The application's receive loop: polls the handshake, then `recv_event` until it pends.
    pub(crate) fn pump(&mut self, cx: &mut Context<'_>) {
        if let Some(opening) = &mut self.opening {
            let Poll::Ready(result) = opening.as_mut().poll(cx) else {
                return;
            };
            self.opening = None;
            self.outcome = Some(match result {
                Ok(ws) => {
                    let subprotocol = ws.subprotocol();
                    self.ws = Some(ws);
                    HandshakeOutcome::Open(subprotocol)
                }
                Err(Error::Handshake(error)) => {
                    HandshakeOutcome::Failed(handshake_error_name(&error).into())
                }
                // The application's `decide` refused (`reject:` scripts).
                Err(Error::Rejected(_)) => HandshakeOutcome::Failed("rejected".into()),
                Err(_) => HandshakeOutcome::Failed("other".into()),
            });
        }
        let Some(ws) = &mut self.ws else {
            return;
        };
        if let Some((code, reason)) = &self.closing {
            if ws.poll_close(cx, *code, reason).is_ready() {
                self.closing = None;
            }
        }
        for _ in 0..MAX_POLLS {
            if (!self.draining && self.budget == 0) || self.finished {
                return;
            }
            match ws.poll_recv_event(cx) {
                Poll::Ready(Ok(Some(event))) => {
                    if !self.draining {
                        self.budget -= 1;
                    }
                    self.events.push(event);
                }
                Poll::Ready(Ok(None)) => self.finished = true,
                // A transport error aborts the connection; its `Closed` comes next.
                Poll::Ready(Err(_)) => {}
                Poll::Pending => return,
            }
        }
    }

    /// Issues a command with one poll.
    pub(crate) fn act(
        &mut self,
        cx: &mut Context<'_>,
        action: &AppAction,
    ) -> Result<(), ActionError> {
        let Some(ws) = &mut self.ws else {
            // The handshake failed: there is no connection to command.
            return Err(ActionError::Refused(SendError::Closed));
        };
        let result = match action {
            AppAction::SendText(text) => poll_once(cx, ws.send(Message::from(text.clone()))),
            AppAction::SendBinary(data) => {
                poll_once(cx, ws.send(Message::Binary(Bytes::from(data.clone()))))
            }
            AppAction::SendFragment { kind, payload, fin } => {
                poll_once(cx, ws.send_fragment(*kind, payload.clone(), *fin))
            }
            AppAction::Ping(payload) => poll_once(cx, ws.ping(payload.clone())),
            AppAction::Pong(payload) => poll_once(cx, ws.pong(payload.clone())),
            AppAction::Close { code, reason } => {
                let code = CloseCode::from(*code);
                match ws.poll_close(cx, code, reason) {
                    Poll::Ready(Ok(_)) => Some(Ok(())),
                    Poll::Pending => {
                        self.closing = Some((code, reason.clone()));
                        Some(Ok(()))
                    }
                    Poll::Ready(Err(error)) => Some(Err(error)),
                }
            }
            AppAction::Abort => {
                ws.abort();
                Some(Ok(()))
            }
        };
        match result {
            Some(Ok(())) => Ok(()),
            Some(Err(Error::Closed)) => Err(ActionError::Refused(SendError::Closed)),
            Some(Err(Error::Send(error))) => Err(ActionError::Refused(error)),
            Some(Err(other)) => Err(ActionError::Other(other.to_string())),
            None => Err(ActionError::Other(
                "the command did not complete in one poll (waiting for buffer room)".into(),
            )),
        }
    }

    /// The events and the handshake's outcome since the last call; what reached the peer
    /// (`sent`, `shutdown`) is the transport's to fill in.
    pub(crate) fn observe(&mut self) -> Observation {
        Observation {
            sent: Vec::new(),
            events: std::mem::take(&mut self.events),
            shutdown: false,
            wants_read: None,
            handshake: self.outcome.take(),
        }
    }
}

/// The endpoint for `setup`: the connection comes from the same place as the core runner's
/// (in its handshake phase when the script has one, with the fixed key and mask), and the
/// adapter's own `WebSocket::handshake` runs that phase.
pub(super) fn endpoint<T, R>(setup: &Setup, transport: T) -> Endpoint<T, R>
where
    T: Transport + 'static,
    R: Runtime + 'static,
{
    let conn = connection(setup, R::now());
    if setup.handshake.is_none() {
        return Endpoint::new(Some(WebSocket::from_connection(transport, conn)), None);
    }
    let setup = setup.clone();
    let opening: Opening<T, R> = Box::pin(async move {
        WebSocket::handshake(transport, conn, |request| Ok(decide(&setup, request))).await
    });
    Endpoint::new(None, Some(opening))
}

/// Polls a command future once; `None` if it pends (it is then dropped, which the driver
/// guarantees queues nothing).
fn poll_once<F: Future<Output = Result<(), Error>>>(
    cx: &mut Context<'_>,
    future: F,
) -> Option<Result<(), Error>> {
    match pin!(future).poll(cx) {
        Poll::Ready(result) => Some(result),
        Poll::Pending => None,
    }
}
