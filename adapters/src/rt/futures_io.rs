//! What the smol and async-std modules share: the bridge over the `futures-io` traits and
//! the `async-io` timer (both runtimes run the `async-io` reactor).

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use async_io::Timer;
use futures_io::{AsyncRead, AsyncWrite};

pub use crate::futures_stream::MaybeTls;
use crate::{Runtime, Transport};

/// The `async-io` runtime, used by smol and async-std: `async_io::Timer` and the system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct AsyncIoRuntime;

impl Runtime for AsyncIoRuntime {
    type Timer = Timer;

    fn sleep_until(deadline: Instant) -> Timer {
        Timer::at(deadline)
    }

    fn reset(mut timer: Pin<&mut Timer>, deadline: Instant) {
        timer.set_at(deadline);
    }
}

/// Any `futures-io` byte stream as a [`Transport`]. Its `poll_shutdown` is the stream's
/// `poll_close`, which must half-close: true of smol's (`async-net`) `TcpStream` and
/// `UnixStream`, **not** of async-std's, which only flush (use
/// `async_std::AsyncStdIo` for those).
#[derive(Debug)]
pub struct FuturesIo<S>(pub S);

impl<S: AsyncRead + AsyncWrite + Unpin> Transport for FuturesIo<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }

    forward_writes!();

    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_close(cx)
    }
}
