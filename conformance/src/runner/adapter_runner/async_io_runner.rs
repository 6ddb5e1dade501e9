//! The smol and async-std runners: each runtime's transport glue and executor, on
//! [`VirtualTime`] since `async-io`'s timer has no test clock.

use std::future::Future;
use std::time::Duration;

use wsflow::Transport;
use wsflow::async_std::AsyncStdIo;
use wsflow::futures_io::FuturesIo;

use super::adapter_supports;
use super::endpoint::{Endpoint, MAX_POLLS, endpoint};
use super::session::{AdapterSession, Executor, settle};
use super::virtual_time::VirtualTime;
use crate::runner::duplex::Duplex;
use crate::runner::{Capability, Runner, Session, Setup};

/// The `wsflow` futures-io glue (`FuturesIo`, as `wsflow::smol` uses it) driven by smol's
/// executor, on [`VirtualTime`].
#[derive(Debug, Default, Clone, Copy)]
pub struct SmolRunner;

/// The `wsflow::async_std` glue (`AsyncStdIo`, which half-closes with `shutdown_write`) driven
/// by async-std's executor, on [`VirtualTime`], over a duplex that behaves like async-std's
/// sockets ([`Duplex::like_async_std`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct AsyncStdRunner;

impl Runner for SmolRunner {
    fn name(&self) -> &'static str {
        "smol"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        open(setup, SmolExecutor, Duplex::new(), FuturesIo)
    }

    fn supports(&self, capability: Capability) -> bool {
        adapter_supports(capability)
    }
}

impl Runner for AsyncStdRunner {
    fn name(&self) -> &'static str {
        "async-std"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        open(
            setup,
            AsyncStdExecutor,
            Duplex::like_async_std(),
            AsyncStdIo,
        )
    }

    fn supports(&self, capability: Capability) -> bool {
        adapter_supports(capability)
    }
}

/// A session on a restarted [`VirtualTime`] over `duplex`, with the transport `io` makes of it.
fn open<E, T>(
    setup: &Setup,
    executor: E,
    duplex: Duplex,
    io: impl FnOnce(Duplex) -> T,
) -> Box<dyn Session>
where
    E: Executor<Io = T, Time = VirtualTime>,
    T: Transport + 'static,
{
    VirtualTime::reset();
    let endpoint = endpoint(setup, io(duplex.clone()));
    Box::new(AdapterSession::new(executor, endpoint, duplex))
}

/// Moves [`VirtualTime`] by `by`, stopping at every timer's deadline on the way.
fn advance<E: Executor<Time = VirtualTime>>(
    executor: &E,
    endpoint: &mut Endpoint<E::Io, VirtualTime>,
    by: Duration,
) {
    let target = VirtualTime::now() + by;
    for _ in 0..MAX_POLLS {
        settle(executor, endpoint);
        match VirtualTime::next_deadline() {
            Some(deadline) if deadline <= target => VirtualTime::set(deadline),
            _ => break,
        }
    }
    VirtualTime::set(target);
    settle(executor, endpoint);
}

/// smol's executor.
struct SmolExecutor;

impl Executor for SmolExecutor {
    type Io = FuturesIo<Duplex>;
    type Time = VirtualTime;

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        smol::block_on(future)
    }

    fn advance(&self, endpoint: &mut Endpoint<Self::Io, Self::Time>, by: Duration) {
        advance(self, endpoint, by);
    }
}

/// async-std's executor.
struct AsyncStdExecutor;

impl Executor for AsyncStdExecutor {
    type Io = AsyncStdIo<Duplex>;
    type Time = VirtualTime;

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        async_std::task::block_on(future)
    }

    fn advance(&self, endpoint: &mut Endpoint<Self::Io, Self::Time>, by: Duration) {
        advance(self, endpoint, by);
    }
}
