//! How a [`WebSocket`](crate::WebSocket) reaches its driver: owned while it is whole,
//! shared by the two halves after `split`; and the waker that lets both halves wait on the
//! same transport.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Wake, Waker};

use crate::driver::Driver;
use crate::runtime::Runtime;

/// The driver as one `WebSocket` handle holds it.
pub(crate) enum Handle<T, R: Runtime> {
    /// Not split: this handle is the only one. The poll methods take `&mut self` and reach
    /// the driver through [`Mutex::get_mut`], without locking (an uncontended lock and
    /// unlock per poll cost ~120 instructions per echoed message under callgrind). The mutex
    /// is there for the `&self` getters, and so that a `WebSocket` is `Sync` whatever the
    /// transport, as a split one is.
    Whole(Box<Mutex<Driver<T, R>>>),
    /// One half of a split connection; the other half holds the same [`Shared`].
    Half(Arc<Shared<T, R>>, Side),
}

/// Which half of a split connection a handle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The receive half.
    Recv,
    /// The send half.
    Send,
}

impl<T, R: Runtime> Handle<T, R> {
    /// The handle of a connection that is not split.
    pub(crate) fn new(driver: Driver<T, R>) -> Self {
        Handle::Whole(Box::new(Mutex::new(driver)))
    }

    /// Runs `f` on the driver, polling with `cx` (a half polls with the waker that wakes
    /// both halves, see [`Shared::poll`]).
    #[inline]
    pub(crate) fn poll<O>(
        &mut self,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut Driver<T, R>, &mut Context<'_>) -> O,
    ) -> O {
        match self {
            Handle::Whole(driver) => {
                f(driver.get_mut().unwrap_or_else(PoisonError::into_inner), cx)
            }
            Handle::Half(shared, side) => shared.poll(*side, cx, f),
        }
    }

    /// Runs `f` on the driver outside any poll (getters).
    pub(crate) fn with<O>(&self, f: impl FnOnce(&mut Driver<T, R>) -> O) -> O {
        match self {
            Handle::Whole(driver) => f(&mut lock(driver)),
            Handle::Half(shared, _) => f(&mut lock(&shared.driver)),
        }
    }

    /// The handles of the send and the receive half: the driver moves into a [`Shared`]
    /// and its writes stop waiting for the receiver (see `Driver::split`).
    pub(crate) fn split(self) -> (Self, Self) {
        let shared = match self {
            Handle::Whole(driver) => {
                let mut driver = driver.into_inner().unwrap_or_else(PoisonError::into_inner);
                driver.split = true;
                Shared::new(driver)
            }
            // Only a whole `WebSocket` offers `split`, but a half split again is just the
            // two halves of the same connection.
            Handle::Half(shared, _) => shared,
        };
        (
            Handle::Half(Arc::clone(&shared), Side::Send),
            Handle::Half(shared, Side::Recv),
        )
    }

    /// The handle of the whole connection again, from its two halves; the halves back if
    /// they belong to different connections.
    pub(crate) fn reunite(send: Self, recv: Self) -> Result<Self, (Self, Self)> {
        match (send, recv) {
            (Handle::Half(shared, side), Handle::Half(other, _))
                if Arc::ptr_eq(&shared, &other) =>
            {
                drop(other);
                match Arc::try_unwrap(shared) {
                    Ok(shared) => {
                        let mut driver =
                            (shared.driver.into_inner()).unwrap_or_else(PoisonError::into_inner);
                        driver.split = false;
                        Ok(Handle::new(driver))
                    }
                    // Only the two halves hold the connection, so once the receive half's
                    // reference is dropped the send half's is the last; were it not, the
                    // halves go back.
                    Err(shared) => Err((
                        Handle::Half(Arc::clone(&shared), side),
                        Handle::Half(shared, Side::Recv),
                    )),
                }
            }
            (send, recv) => Err((send, recv)),
        }
    }
}

/// The driver of a split connection, and the wakers of its halves.
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
///
/// A half can also take the other's news itself: the send half reads the message the
/// receive half waits for, or the receive half writes out the bytes the send half waits to
/// see gone. So each half remembers the driver's `epoch` as of its last poll, and a poll that
/// moved the epoch past what the other half saw wakes it once. A poll that changes nothing
/// wakes nobody, so the halves cannot wake each other in a loop.
#[derive(Default)]
struct Wakers {
    recv: Mutex<Registered>,
    send: Mutex<Registered>,
}

/// A half's task waker and the driver epoch it last saw.
#[derive(Default)]
struct Registered {
    waker: Option<Waker>,
    seen: u64,
}

impl Wake for Wakers {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        for slot in [&self.recv, &self.send] {
            if let Some(waker) = lock(slot).waker.as_ref() {
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
    fn new(driver: Driver<T, R>) -> Arc<Self> {
        let wakers = Arc::new(Wakers::default());
        Arc::new(Shared {
            driver: Mutex::new(driver),
            combined: Waker::from(Arc::clone(&wakers)),
            wakers,
        })
    }

    /// Runs `f` on the driver, polling on behalf of the `side` half.
    fn poll<O>(
        &self,
        side: Side,
        cx: &mut Context<'_>,
        f: impl FnOnce(&mut Driver<T, R>, &mut Context<'_>) -> O,
    ) -> O {
        let (mine, other) = match side {
            Side::Recv => (&self.wakers.recv, &self.wakers.send),
            Side::Send => (&self.wakers.send, &self.wakers.recv),
        };
        {
            let mut mine = lock(mine);
            if !mine.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                mine.waker = Some(cx.waker().clone());
            }
        }
        let mut combined = Context::from_waker(&self.combined);
        let (output, epoch) = {
            let mut driver = lock(&self.driver);
            let output = f(&mut driver, &mut combined);
            (output, driver.epoch)
        };
        lock(mine).seen = epoch;
        let wake = {
            let mut other = lock(other);
            if other.seen == epoch {
                None
            } else {
                other.seen = epoch;
                other.waker.clone()
            }
        };
        if let Some(waker) = wake {
            waker.wake();
        }
        output
    }
}
