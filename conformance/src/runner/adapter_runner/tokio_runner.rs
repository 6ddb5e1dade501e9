//! The tokio runner: `wsflow::tokio`'s glue on a current-thread runtime with a paused clock.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use wsflow::tokio::{TokioIo, TokioRuntime};

use super::adapter_supports;
use super::endpoint::{Endpoint, endpoint};
use super::session::{AdapterSession, Executor};
use crate::runner::duplex::Duplex;
use crate::runner::{Capability, Runner, Session, Setup};

/// The `wsflow::tokio` glue (`TokioIo`, `TokioRuntime` timers) on a current-thread runtime with a
/// paused clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct TokioRunner;

impl Runner for TokioRunner {
    fn name(&self) -> &'static str {
        "tokio"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread tokio runtime");
        let duplex = Duplex::new();
        let endpoint = {
            let _guard = rt.enter();
            endpoint(setup, TokioIo(duplex.clone()))
        };
        Box::new(AdapterSession::new(TokioExecutor(rt), endpoint, duplex))
    }

    fn supports(&self, capability: Capability) -> bool {
        adapter_supports(capability)
    }
}

/// A current-thread tokio runtime with a paused clock.
struct TokioExecutor(tokio::runtime::Runtime);

impl Executor for TokioExecutor {
    type Io = TokioIo<Duplex>;
    type Time = TokioRuntime;

    fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.0.block_on(future)
    }

    fn advance(&self, endpoint: &mut Endpoint<Self::Io, Self::Time>, by: Duration) {
        self.0.block_on(async {
            // While this future pends the paused runtime is idle, so tokio moves its clock
            // to the next timer — the driver's or this sleep — and deadlines fire in order.
            let mut sleep = pin!(tokio::time::sleep(by));
            poll_fn(|cx| {
                endpoint.pump(cx);
                sleep.as_mut().poll(cx)
            })
            .await;
            poll_fn(|cx| {
                endpoint.pump(cx);
                Poll::Ready(())
            })
            .await;
        });
    }
}
