//! A virtual clock for the runtimes whose timer (`async-io`'s) has no test clock.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use wsflow::Runtime;

/// A [`wsflow::Runtime`] on a virtual clock, per thread: `now` is the virtual time and timers
/// complete when [`VirtualTime`]'s clock reaches them.
#[derive(Debug, Clone, Copy, Default)]
pub struct VirtualTime;

struct Clock {
    base: Instant,
    elapsed: Duration,
    timers: Vec<(Instant, Waker)>,
}

thread_local! {
    static CLOCK: RefCell<Clock> = RefCell::new(Clock {
        base: Instant::now(),
        elapsed: Duration::ZERO,
        timers: Vec::new(),
    });
}

impl VirtualTime {
    pub(crate) fn now() -> Instant {
        CLOCK.with_borrow(|clock| clock.base + clock.elapsed)
    }

    /// Restarts this thread's clock at zero.
    pub(crate) fn reset() {
        CLOCK.with_borrow_mut(|clock| {
            clock.base = Instant::now();
            clock.elapsed = Duration::ZERO;
            clock.timers.clear();
        });
    }

    /// The earliest deadline a pending timer waits for.
    pub(crate) fn next_deadline() -> Option<Instant> {
        CLOCK.with_borrow(|clock| clock.timers.iter().map(|(deadline, _)| *deadline).min())
    }

    /// Moves the clock to `to` (never back) and wakes the timers that are due.
    pub(crate) fn set(to: Instant) {
        let due: Vec<Waker> = CLOCK.with_borrow_mut(|clock| {
            let now = (clock.base + clock.elapsed).max(to);
            clock.elapsed = now - clock.base;
            let (due, waiting) = std::mem::take(&mut clock.timers)
                .into_iter()
                .partition(|(deadline, _)| *deadline <= now);
            clock.timers = waiting;
            due.into_iter().map(|(_, waker)| waker).collect()
        });
        for waker in due {
            waker.wake();
        }
    }
}

/// A timer of [`VirtualTime`].
#[derive(Debug)]
pub struct VirtualSleep {
    deadline: Instant,
}

impl Future for VirtualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if VirtualTime::now() >= self.deadline {
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        CLOCK.with_borrow_mut(|clock| {
            // A timer polled again while pending registers once, not once per poll.
            let known = clock
                .timers
                .iter()
                .any(|(at, waker)| *at == deadline && waker.will_wake(cx.waker()));
            if !known {
                clock.timers.push((deadline, cx.waker().clone()));
            }
        });
        Poll::Pending
    }
}

impl Runtime for VirtualTime {
    type Timer = VirtualSleep;

    fn sleep_until(deadline: Instant) -> VirtualSleep {
        VirtualSleep { deadline }
    }

    fn now() -> Instant {
        VirtualTime::now()
    }
}
