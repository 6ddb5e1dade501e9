//! The one [`Session`] of the adapter runners: the runtimes differ only in how they block on
//! a future and how they let time pass, which [`Executor`] says.

use std::future::{Future, poll_fn};
use std::task::Poll;
use std::time::Duration;

use wsflow::{Runtime, Transport};

use super::endpoint::Endpoint;
use crate::runner::duplex::Duplex;
use crate::runner::{ActionError, Observation, Session};
use crate::script::AppAction;

/// A runtime as the session drives it.
pub(super) trait Executor: 'static {
    /// The runtime's transport glue, over the duplex.
    type Io: Transport + 'static;
    /// The timers the driver runs on.
    type Time: Runtime + 'static;

    /// Runs `future` to completion on the runtime's executor.
    fn block_on<F: Future>(&self, future: F) -> F::Output;

    /// Lets `by` pass on the runtime's clock while `endpoint` is pumped, so that every
    /// deadline fires at its own instant; returns once the endpoint has settled.
    fn advance(&self, endpoint: &mut Endpoint<Self::Io, Self::Time>, by: Duration);
}

/// Runs the application's receive loop until the endpoint pends.
pub(super) fn settle<E: Executor>(executor: &E, endpoint: &mut Endpoint<E::Io, E::Time>) {
    executor.block_on(poll_fn(|cx| {
        endpoint.pump(cx);
        Poll::Ready(())
    }));
}

/// An endpoint on a runtime.
pub(super) struct AdapterSession<E: Executor> {
    executor: E,
    endpoint: Endpoint<E::Io, E::Time>,
    /// The peer's side of the transport.
    duplex: Duplex,
}

impl<E: Executor> AdapterSession<E> {
    pub(super) fn new(executor: E, endpoint: Endpoint<E::Io, E::Time>, duplex: Duplex) -> Self {
        AdapterSession {
            executor,
            endpoint,
            duplex,
        }
    }

    fn settle(&mut self) {
        settle(&self.executor, &mut self.endpoint);
    }
}

impl<E: Executor> Session for AdapterSession<E> {
    fn peer_send(&mut self, piece: &[u8]) {
        self.duplex.peer_send(piece);
        self.settle();
    }

    fn peer_eof(&mut self) {
        self.duplex.peer_eof();
        self.settle();
    }

    fn set_peer_reading(&mut self, reading: bool) {
        self.duplex.set_peer_reading(reading);
        self.settle();
    }

    fn set_draining(&mut self, draining: bool) {
        self.endpoint.draining = draining;
        self.settle();
    }

    fn take_events(&mut self, n: usize) {
        self.endpoint.budget = n;
        self.settle();
    }

    fn advance(&mut self, by: Duration) {
        self.executor.advance(&mut self.endpoint, by);
    }

    fn app(&mut self, action: &AppAction) -> Result<(), ActionError> {
        let endpoint = &mut self.endpoint;
        let result = self
            .executor
            .block_on(poll_fn(|cx| Poll::Ready(endpoint.act(cx, action))));
        self.settle();
        result
    }

    fn observe(&mut self) -> Observation {
        self.settle();
        let mut observation = self.endpoint.observe();
        observation.sent = self.duplex.take_written();
        observation.shutdown = self.duplex.is_shut_down();
        observation
    }
}
