//! Glue for [tokio](https://tokio.rs): its I/O traits, its timer, TCP `connect`/`accept`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wsflow::Error> {
//! let mut ws = wsflow::tokio::connect("ws://127.0.0.1:9001/").await?;
//! ws.send("hello").await?;
//! while let Some(message) = ws.recv().await? {
//!     println!("{message:?}");
//! }
//! # Ok(()) }
//! ```

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use ::tokio::time::Sleep;

use crate::{Runtime, Transport, WebSocket};

/// The tokio runtime: `tokio::time` timers and clock (so a paused test clock applies).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioRuntime;

impl Runtime for TokioRuntime {
    type Timer = Sleep;

    fn sleep_until(deadline: Instant) -> Sleep {
        ::tokio::time::sleep_until(deadline.into())
    }

    fn reset(timer: Pin<&mut Sleep>, deadline: Instant) {
        timer.reset(deadline.into());
    }

    fn now() -> Instant {
        ::tokio::time::Instant::now().into_std()
    }
}

/// Any tokio byte stream (`TcpStream`, `UnixStream`, `DuplexStream`, a TLS stream) as a
/// [`Transport`]; its `poll_shutdown` is tokio's, which half-closes sockets.
#[derive(Debug)]
pub struct TokioIo<S>(pub S);

impl<S: AsyncRead + AsyncWrite + Unpin> Transport for TokioIo<S> {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(buf);
        Pin::new(&mut self.0)
            .poll_read(cx, &mut buf)
            .map_ok(|()| buf.filled().len())
    }

    forward_writes!();

    fn poll_shutdown(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

pub use crate::tokio_stream::MaybeTlsStream;
#[cfg(feature = "rustls")]
pub use crate::tokio_stream::tls_accept;

/// A WebSocket over a tokio stream, by default a TCP stream with or without TLS (what
/// `connect` and `accept` give).
pub type WebSocketStream<S = MaybeTlsStream> = WebSocket<TokioIo<S>, TokioRuntime>;

tcp_helpers!("tokio", TokioIo, crate::tokio_stream::TokioNet);
