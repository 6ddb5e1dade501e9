//! The clock and timer a [`WebSocket`](crate::WebSocket) needs from its runtime.

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

/// What the driver needs from an async runtime: a timer and the current time.
///
/// Implemented by marker types (`tokio::TokioRuntime`, `futures_io::AsyncIoRuntime`); every deadline —
/// close timeout, keepalive, opening handshake — comes from the core, so this is all a
/// runtime supplies.
pub trait Runtime {
    /// A future that completes at a deadline (its output is ignored).
    type Timer: Future + Send;

    /// A timer that completes at `deadline`.
    fn sleep_until(deadline: Instant) -> Self::Timer;

    /// Moves a timer to a new deadline. The default replaces it; override it when the
    /// runtime's timer can be reset in place.
    fn reset(mut timer: Pin<&mut Self::Timer>, deadline: Instant) {
        timer.set(Self::sleep_until(deadline));
    }

    /// The current time on the runtime's clock (a runtime with a test clock returns that).
    fn now() -> Instant {
        Instant::now()
    }
}
