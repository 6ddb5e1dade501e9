//! WebSockets over HTTP/2 (RFC 8441), with the [`h2`](https://docs.rs/h2) crate.
//!
//! Each WebSocket is one HTTP/2 stream, opened by an *extended CONNECT* (`:method CONNECT`,
//! `:protocol websocket`) and answered with `200`; many WebSockets share one TCP (and TLS)
//! connection. Only the opening differs from HTTP/1.1: the core checks the offers and
//! negotiates subprotocols and permessage-deflate with the same code
//! ([`UpgradeRequest::from_h2_parts`](crate::UpgradeRequest::from_h2_parts),
//! [`Connection::client_h2`](crate::Connection::client_h2)), and the frames, limits,
//! keepalive and close handshake are the usual [`WebSocket`](crate::WebSocket)'s, over an
//! [`H2Stream`] transport: HTTP/2 flow control is its backpressure, the close handshake's
//! half-close is `END_STREAM`, and an abort or a dropped WebSocket resets only its own
//! stream (`RST_STREAM(CANCEL)`).
//!
//! **Server**: [`ServerConnection::handshake`] on any stream (after TLS with ALPN `h2`, or
//! cleartext with prior knowledge) advertises `SETTINGS_ENABLE_CONNECT_PROTOCOL = 1`. Your
//! loop calls [`ServerConnection::accept`] and decides each [`IncomingRequest`]:
//! [`IncomingRequest::accept`] for a WebSocket (the `decide` callback accepts or rejects, as
//! everywhere in this crate), or [`IncomingRequest::into_parts`] / [`IncomingRequest::respond`]
//! for anything else. Only advertise the setting where WebSockets over HTTP/2 really work:
//! browsers take it as a promise and do not fall back (this is why Go 1.24 turned it off by
//! default).
//!
//! **Client**: [`handshake`] gives a [`Client`] (clone it, open any number of WebSockets with
//! [`Client::websocket`]) and the [`ClientConnection`] future that carries the I/O.
//! [`Client::supports_websocket`] says whether the server advertised the setting; if not,
//! use an HTTP/1.1 connection (the runtime modules' `connect`).
//!
//! **No hidden tasks**: the connection's I/O happens while you poll
//! [`ServerConnection::accept`] or the [`ClientConnection`]; run that next to the WebSockets
//! (its own task, or `join`/`select`). A WebSocket whose connection is not driven waits.
//!
//! **Runtimes**: `h2` speaks tokio's I/O traits. On smol and async-std, wrap the stream with
//! [`compat`] (tokio-util's adapter from `futures-io`); the WebSockets then take the
//! runtime's timers through their `R` parameter (`AsyncIoRuntime`), tokio's through
//! `TokioRuntime`.
//!
//! ```no_run
//! # #[cfg(feature = "tokio")]
//! # async fn demo(tcp: tokio::net::TcpStream) -> Result<(), wsflow::Error> {
//! use wsflow::h2::ServerConnection;
//! use wsflow::tokio::TokioRuntime;
//! use wsflow::{AcceptOptions, accept_any};
//!
//! let mut connection = ServerConnection::handshake(tcp).await?;
//! let mut sessions = Vec::new();
//! while let Some(request) = connection.accept().await {
//!     let request = request?;
//!     if !request.is_websocket() {
//!         request.respond(http::StatusCode::NOT_FOUND);
//!         continue;
//!     }
//!     if let Ok(mut ws) = request.accept::<TokioRuntime, _>(&AcceptOptions::new(), accept_any) {
//!         // Run `ws` in a task of its own (tokio::spawn) while this loop drives the I/O.
//!         sessions.push(tokio::spawn(async move {
//!             while let Ok(Some(message)) = ws.recv().await {
//!                 if ws.send(message).await.is_err() {
//!                     break;
//!                 }
//!             }
//!         }));
//!     }
//! }
//! # Ok(()) }
//! ```

mod client;
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
mod connect;
mod server;
mod stream;

#[cfg(feature = "async-std")]
pub use connect::async_std;
#[cfg(feature = "smol")]
pub use connect::smol;
#[cfg(feature = "tokio")]
pub use connect::tokio;
#[cfg(any(feature = "tokio", feature = "smol", feature = "async-std"))]
pub use connect::{ClientDriver, Connected};

pub use client::{Client, ClientConnection, handshake, handshake_with};
pub use server::{H2WebSocket, IncomingRequest, ServerConnection};
pub use stream::H2Stream;

/// The window each WebSocket's stream starts with (RFC 9113's default).
const STREAM_WINDOW: u32 = 65_535;
/// How many WebSockets a server lets one connection have open at once.
const MAX_STREAMS: u32 = 128;

/// The server settings [`ServerConnection::handshake`] uses: at most 128 concurrent
/// streams of 64 KiB window each, and a connection window of 128 × 64 KiB, so that the
/// WebSockets whose readers are slow cannot use up the window of the others. Start from it
/// for [`ServerConnection::handshake_with`].
pub fn server_builder() -> h2::server::Builder {
    let mut builder = h2::server::Builder::new();
    builder
        .initial_window_size(STREAM_WINDOW)
        .max_concurrent_streams(MAX_STREAMS)
        .initial_connection_window_size(STREAM_WINDOW * MAX_STREAMS);
    builder
}

/// The client settings [`handshake`] uses: a connection window of 128 streams' worth, as
/// the server's.
pub fn client_builder() -> h2::client::Builder {
    let mut builder = h2::client::Builder::new();
    builder
        .initial_window_size(STREAM_WINDOW)
        .initial_connection_window_size(STREAM_WINDOW * MAX_STREAMS);
    builder
}

/// The `h2` crate this module uses, for its builders and types.
pub use h2 as h2_crate;

/// A `futures-io` stream (smol's, async-std's, futures-rustls') seen through tokio's I/O
/// traits, which `h2` needs: tokio-util's `Compat`.
#[cfg(any(feature = "smol", feature = "async-std"))]
pub fn compat<S>(io: S) -> tokio_util::compat::Compat<S>
where
    S: futures_io::AsyncRead + futures_io::AsyncWrite,
{
    use tokio_util::compat::FuturesAsyncReadCompatExt;
    io.compat()
}
