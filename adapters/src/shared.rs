//! The connection shared by a [`WebSocket`](crate::WebSocket) and, after `split`, its two
//! halves; and the waker that lets both halves wait on the same transport.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Wake, Waker};

use crate::driver::Driver;
use crate::runtime::Runtime;

/// Which handle is polling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// The whole `WebSocket`: one task at a time, its own waker goes straight to the transport.
    Whole,
    /// The receive half.
    Recv,
    /// The send half.
    Send,
}

pub(crate) struct Shared<T, R: Runtime> {
    driver: Mutex<Driver<T, R>>,
    wakers: Arc<Wakers>,
    /// Wakes both halves; it is what the transport and the timer see after a split.
    combined: Waker,
}

/// The wakers of the two halves' tasks.
///
/// A transport remembers one waker per direction (tokio's sockets keep only the last), so
/// if the halves registered their own, a half waiting on a read could be starved by the
/// other. Both register this one instead, and it wakes both: each re-polls and finds out
/// whether the news was for it.
#[derive(Default)]
struct Wakers {
    recv: Mutex<Option<Waker>>,
    send: Mutex<Option<Waker>>,
}

impl Wake for Wakers {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        for slot in [&self.recv, &self.send] {
            if let Some(waker) = lock(slot).as_ref() {
                waker.wake_by_ref();
            }
        }
    }
}

/// Locks, ignoring poisoning: the driver never panics while holding a lock, and its state
/// stays consistent between calls.
fn lock<X>(mutex: &Mutex<X>) -> MutexGuard<'_, X> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<T, R: Runtime> Shared<T, R> {
    pub(crate) fn new(driver: Driver<T, R>) -> Arc<Self> {
        let wakers = Arc::new(Wakers::default());
        Arc::new(Shared {
            driver: Mutex::new(driver),
            combined: Waker::from(Arc::clone(&wakers)),
            wakers,
        })
    }

    /// Runs `f` on the driver, polling on behalf of `slot`.
    pub(crate) fn poll<O>(
        &self,
        slot: Slot,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut Driver<T, R>, &mut Context<'_>) -> O,
    ) -> O {
        let register = match slot {
            Slot::Whole => return f(&mut lock(&self.driver), cx),
            Slot::Recv => &self.wakers.recv,
            Slot::Send => &self.wakers.send,
        };
        {
            let mut registered = lock(register);
            if !registered.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *registered = Some(cx.waker().clone());
            }
        }
        let mut combined = Context::from_waker(&self.combined);
        f(&mut lock(&self.driver), &mut combined)
    }

    /// Runs `f` on the driver outside any poll (getters).
    pub(crate) fn with<O>(&self, f: impl FnOnce(&mut Driver<T, R>) -> O) -> O {
        f(&mut lock(&self.driver))
    }
}
