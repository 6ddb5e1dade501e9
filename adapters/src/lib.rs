//! # wsflow
//!
//! Async WebSocket connections (RFC 6455) for tokio, smol and async-std, over one sans-I/O
//! protocol core, [`wsflow_core`].
//!
//! Everything that is protocol — framing, masking, reassembly, UTF-8, limits, auto-pong, the
//! close handshake, keepalive and close timers — lives in the core. This crate adds one
//! generic driver, [`WebSocket<T, R>`], over two small traits: [`Transport`] (read, write,
//! flush, half-close) and [`Runtime`] (a timer and a clock). The runtime modules are glue:
//!
//! | feature     | module          | transport                         | timer             |
//! |-------------|-----------------|-----------------------------------|-------------------|
//! | `tokio`     | `wsflow::tokio` | `TokioIo<S>` over tokio's traits  | `tokio::time`     |
//! | `smol`      | `wsflow::smol`  | `FuturesIo<S>` over `futures-io`  | `async_io::Timer` |
//! | `async-std` | `wsflow::async_std` (deprecated upstream) | `AsyncStdIo<S>` | `async_io::Timer` |
//!
//! There is no default runtime; without features the generic driver is still here, so
//! another runtime needs only its own `Transport` and `Runtime` impls.
//!
//! HTTP servers: the `hyper` feature upgrades hyper 1 server requests (`wsflow::hyper`), and
//! the `axum` feature adds an axum 0.8 extractor (`wsflow::axum`); both check and negotiate
//! through the core's `http` entry, exactly as on the byte path.
//!
//! **No hidden tasks**: nothing is spawned and no thread is started (the one exception,
//! axum's `WebSocketUpgrade::on_upgrade`, says so and has a spawn-free twin); the connection
//! makes progress only while one of its methods is awaited. Every async method is cancel safe in
//! the way its *Cancel safety* section says.
//!
//! **How the end is reported**: [`WebSocket::recv`] returns `Ok(None)` after a clean close
//! handshake, and [`WebSocket::close_report`] then holds the code and reason; an unclean end
//! is one `Err` ([`Error::Protocol`], [`Error::Abnormal`] or [`Error::Io`]) before
//! `Ok(None)`. [`WebSocket::close`] returns the final report whatever its cause.
//!
//! **Backpressure**: `send` waits while the write buffer is above
//! [`Config::write_buffer_high_water`]; reading stops while
//! [`Config::max_pending_events`] events wait to be received, so a slow reader pushes back
//! on TCP instead of growing memory.
//!
//! **Blocking**: [`blocking`] runs the same core over `std::io` streams, a thread per
//! connection, with no runtime and no feature.
//!
//! **Split**: [`WebSocket::split`] gives owned halves for two tasks; either one, awaited
//! alone, keeps the whole connection going (pings answered, output written, timers run).
//!
//! ```no_run
//! # #[cfg(feature = "tokio")]
//! # async fn demo() -> Result<(), wsflow::Error> {
//! use wsflow::CloseCode;
//!
//! let mut ws = wsflow::tokio::connect("ws://127.0.0.1:9001/chat").await?;
//! ws.send("hello").await?;
//! if let Some(reply) = ws.recv().await? {
//!     println!("got {reply:?}");
//! }
//! let report = ws.close(CloseCode::NORMAL, "bye").await?;
//! assert!(report.was_clean());
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::todo,
        clippy::unimplemented,
        clippy::unreachable
    )
)]

#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
#[macro_use]
mod glue;

#[cfg(any(feature = "smol", feature = "async-std"))]
#[macro_use]
#[path = "stream/futures.rs"]
mod futures_stream;

#[cfg(feature = "tokio")]
#[path = "stream/tokio.rs"]
mod tokio_stream;

mod api;
pub mod blocking;
// Without a runtime nothing drives the connect pipeline; the public types stay.
#[cfg_attr(
    not(any(feature = "tokio", feature = "smol", feature = "async-std")),
    allow(dead_code)
)]
mod connect;
mod driver;
mod error;
mod handshake;
mod observe;
mod options;
#[cfg_attr(
    not(any(feature = "tokio", feature = "smol", feature = "async-std")),
    allow(dead_code)
)]
mod proxy;
mod runtime;
mod shared;
mod split;
mod stream_sink;
mod transport;

#[cfg(any(feature = "smol", feature = "async-std"))]
#[path = "rt/futures_io.rs"]
pub mod futures_io;

#[cfg(feature = "rustls")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub mod tls;

#[cfg(feature = "tokio")]
#[path = "rt/tokio.rs"]
pub mod tokio;

#[cfg(feature = "smol")]
#[path = "rt/smol.rs"]
pub mod smol;

#[cfg(feature = "async-std")]
#[path = "rt/async_std.rs"]
pub mod async_std;

#[doc = include_str!("../MIGRATING.md")]
pub mod migrating {}

#[cfg(feature = "hyper")]
#[cfg_attr(docsrs, doc(cfg(feature = "hyper")))]
pub mod hyper;

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;

#[cfg(feature = "http2")]
#[cfg_attr(docsrs, doc(cfg(feature = "http2")))]
pub mod h2;

pub use api::WebSocket;
pub use connect::{ConnectError, ConnectStep, DEFAULT_CONNECT_TIMEOUT};
pub use error::Error;
pub use options::{AcceptOptions, ConnectOptions, Reject, accept_any};
pub use proxy::{Proxy, ProxyKind};
pub use runtime::Runtime;
pub use split::{RecvHalf, ReuniteError, SendHalf};
pub use transport::Transport;

/// The protocol core this crate drives.
pub use wsflow_core as core;
pub use wsflow_core::extension::deflate::DeflateConfig;
pub use wsflow_core::handshake::{
    Accept, ClientRequest, HandshakeError, HandshakeLimits, ServerOptions, UpgradeRequest,
};
pub use wsflow_core::{
    CloseCause, CloseCode, CloseFrame, CloseReport, Config, Connection, Event, Initiator,
    Keepalive, Message, MessageKind, Opened, PreparedMessage, ProtocolError, ReceiveMode, Role,
    SendError, State, Utf8Bytes,
};
