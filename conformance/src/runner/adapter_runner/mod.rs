//! Runners for the `wsflow` async driver on tokio, smol and async-std, over the in-memory
//! [`Duplex`](super::duplex::Duplex).
//!
//! The endpoint is a `wsflow::WebSocket` built with `from_connection` over the runtime's own
//! transport glue: `TokioIo` for tokio, `FuturesIo` for smol and `AsyncStdIo` for async-std.
//! The application is emulated as a task that keeps `recv_event` polled while it drains
//! events, and calls `send`, `send_fragment`, `ping`, `pong` and `close` for `app` steps (each
//! polled once: the driver queues a command in its first poll; a pending `close` keeps going in
//! the background, as the API allows). Nothing is spawned; between steps nothing runs.
//!
//! Time is virtual. On tokio it is tokio's own paused clock, so the runtime's timer glue is
//! the one under test; `advance` lets tokio jump from timer to timer, so every deadline fires
//! at its own instant. `async-io`'s timer (smol, async-std) has no test clock, so those runners
//! use [`VirtualTime`], a [`wsflow::Runtime`] on a virtual clock: their I/O glue and executor
//! are under test, their 10-line timer glue is not. async-std's transport `AsyncStdIo` exists
//! because async-std's `poll_close` does not half-close; it runs here over
//! [`Duplex::like_async_std`](super::duplex::Duplex::like_async_std), whose `poll_close` only
//! flushes as async-std's sockets do, so only its `ShutdownWrite` path can send the FIN. The
//! loopback test runs it over a real socket.
//!
//! API differences, not protocol ones: the driver does not expose `wants_read` (not checked),
//! reports nothing after an abort (it drops the transport), and completes a second `close`
//! instead of refusing it; scripts needing those are skipped (see
//! [`Capability`]).
//!
//! - `endpoint`: the endpoint and its emulated application;
//! - `session`: the one [`Session`](super::Session), generic over the runtime's executor;
//! - `tokio_runner`, `async_io_runner`: the runners and their executors;
//! - `virtual_time`: the virtual clock of smol and async-std.

mod async_io_runner;
pub(crate) mod endpoint;
mod session;
mod tokio_runner;
mod virtual_time;

use super::Capability;

pub use async_io_runner::{AsyncStdRunner, SmolRunner};
pub use tokio_runner::TokioRunner;
pub use virtual_time::{VirtualSleep, VirtualTime};

/// What the driver does differently from the core, whatever the runtime.
fn adapter_supports(capability: Capability) -> bool {
    match capability {
        Capability::CloseRefusedWhenClosing | Capability::ExtendedConnect => false,
        Capability::NonBlockingWrites
        | Capability::CloseKeepsReading
        | Capability::Http1Handshake => true,
    }
}
