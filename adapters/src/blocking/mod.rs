//! WebSocket over blocking `std` I/O: a thread per connection, no runtime, no feature
//! (but `rustls` for `wss://`).
//!
//! The same core as the async driver, in a plain loop: read bytes into the connection,
//! take events, write its output in whole vectored writes, half-close when it says so. Every
//! wait honours the core's deadlines: before each blocking read the stream's read timeout is
//! set to the time left until [`Connection::poll_timeout`](wsflow_core::Connection::poll_timeout),
//! and a read that times out runs the timers, so keepalive pings go out and the close
//! timeout fires while [`WebSocket::recv`] is blocked. The stream is any [`Stream`]
//! ([`MaybeTlsStream`], `TcpStream`, `UnixStream`, yours); the time comes from a [`Clock`] ([`SystemClock`], or a
//! test's virtual clock).
//!
//! ```no_run
//! use wsflow::CloseCode;
//!
//! let mut ws = wsflow::blocking::connect("ws://127.0.0.1:9001/chat")?;
//! ws.send("hello")?;
//! if let Some(reply) = ws.recv()? {
//!     println!("got {reply:?}");
//! }
//! let report = ws.close(CloseCode::NORMAL, "bye")?;
//! assert!(report.was_clean());
//! # Ok::<(), wsflow::Error>(())
//! ```
//!
//! A server accepts with [`accept`] (or [`accept_with`] to choose a subprotocol, check the
//! `Origin` or refuse with a [`Reject`]):
//!
//! ```no_run
//! use std::net::TcpListener;
//!
//! let listener = TcpListener::bind("127.0.0.1:9001")?;
//! for stream in listener.incoming() {
//!     std::thread::spawn(move || -> Result<(), wsflow::Error> {
//!         let mut ws = wsflow::blocking::accept(stream?)?;
//!         while let Some(message) = ws.recv()? {
//!             ws.send(message)?;
//!         }
//!         Ok(())
//!     });
//! }
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # TLS (`wss://`)
//!
//! With the `rustls` feature (and a crypto provider: `ring`, `aws-lc-rs`, or one installed
//! process-wide), [`connect`] speaks `wss://` too and returns the same
//! `WebSocket<`[`MaybeTlsStream`]`>` for both schemes; the config is
//! [`ConnectOptions::tls_config`](crate::ConnectOptions::tls_config)'s or the default one of
//! [`crate::tls`]. A server runs [`tls_accept`] on the accepted socket, then the same
//! [`accept`] as for plain TCP:
//!
//! ```no_run
//! # #[cfg(feature = "rustls")]
//! # fn serve() -> Result<(), Box<dyn std::error::Error>> {
//! let config = wsflow::tls::server_config_from_pem("cert.pem", "key.pem")?;
//! let listener = std::net::TcpListener::bind("127.0.0.1:9443")?;
//! let (tcp, _) = listener.accept()?;
//! let mut ws = wsflow::blocking::accept(wsflow::blocking::tls_accept(tcp, config)?)?;
//! while let Some(message) = ws.recv()? {
//!     ws.send(message)?;
//! }
//! # Ok(()) }
//! ```
//!
//! A clean close ends with TLS `close_notify` both ways; a peer that drops the connection
//! without it is an [`Error::Io`] of kind `UnexpectedEof`. A TLS session cannot be split:
//! [`WebSocket::split`] over TLS fails with [`std::io::ErrorKind::Unsupported`] (see
//! [`TlsStream`]).
//!
//! # Backpressure
//!
//! [`WebSocket::send`] writes everything queued before it returns: a peer that does not read
//! blocks the sender in `write`, as a socket does. [`WebSocket::write`] only queues, until the
//! write buffer passes [`Config::write_buffer_high_water`](wsflow_core::Config::write_buffer_high_water).
//! Reading stops while [`Config::max_pending_events`](wsflow_core::Config::max_pending_events)
//! events wait to be received. A blocked write does not read meanwhile; bound it with a
//! write timeout on the socket if the peer may stop reading (a timed-out write runs the
//! timers, so the close timeout still ends the connection).
//!
//! # Split
//!
//! [`WebSocket::split`] gives a [`Reader`] and a [`Writer`] for two threads (or more: the
//! writer's methods take `&self`), over two handles of the stream ([`Stream::try_clone`])
//! and the connection behind one mutex (so not over TLS, whose session cannot be cloned).
//! No I/O happens under that mutex:
//!
//! - the reader blocks in `read` on its own handle without the lock, then locks to feed the
//!   core and take an event. It alone reads, so it alone answers pings, runs the timers and
//!   sees the end; replies it queued (pongs, the close reply) are written by its next call
//!   or by the writer's next command, whichever comes first;
//! - one thread at a time writes: it takes the write handle, copies the front of the
//!   output, and writes it without the lock, until the output is empty. A thread that finds
//!   another writing leaves its frame to it: [`Writer::send`] then waits only while the
//!   output is above the high-water mark, and [`Writer::flush`] until it is empty;
//! - so a write the peer does not take blocks the thread making it, and nothing else: the
//!   reader keeps receiving (pongs coalesce in the core), other commands queue or fail with
//!   `buffer-full`. A reader that is itself blocked writing (its pong, say) does not read
//!   until that write ends. Bytes handed to a blocking write cannot be taken back: if the
//!   close timeout ends the connection meanwhile, they still reach a peer that reads later.
//! - [`Writer::close`] only starts the close handshake; the reader finishes it. While the
//!   connection is open, the reader wakes at least once per
//!   [`Config::close_timeout`](wsflow_core::Config::close_timeout), so that a close the
//!   writer starts during a read is timed from when it was sent.

// The TLS items the docs link to exist only with the `rustls` feature (docs.rs builds with
// all features).
#![cfg_attr(not(feature = "rustls"), allow(rustdoc::broken_intra_doc_links))]

mod connect;
mod engine;
mod handshake;
mod maybe_tls;
#[cfg(test)]
mod read_tests;
mod split;
mod stream;
#[cfg(feature = "rustls")]
mod tls;
mod websocket;

use wsflow_core::handshake::{Accept, UpgradeRequest};

pub use maybe_tls::MaybeTlsStream;
pub use split::{Reader, Writer};
pub use stream::{Clock, Stream, SystemClock};
#[cfg(feature = "rustls")]
#[cfg_attr(docsrs, doc(cfg(feature = "rustls")))]
pub use tls::{TlsStream, tls_accept};
pub use websocket::{Halves, WebSocket};

use crate::error::Error;
use crate::options::{AcceptOptions, ConnectOptions, Reject, accept_any};

/// Connects to a `ws://` or `wss://` URL with the default options; see [`connect_with`].
pub fn connect(url: &str) -> Result<WebSocket<MaybeTlsStream>, Error> {
    connect_with(url, &ConnectOptions::default())
}

/// Connects to a `ws://` or `wss://` URL: builds the request from `options`, resolves the
/// host, opens TCP (with `TCP_NODELAY`: frames are written whole, so Nagle only adds
/// latency), runs TLS for `wss://` (SNI from the host, `options.tls` or
/// [`tls::default_client_config`](crate::tls::default_client_config); needs the `rustls`
/// feature) and the client handshake, all under `options.connect_timeout` (10 s by
/// default). A failed or late step is an [`Error::Connect`] naming it and the address.
/// Goes through `options.proxy` (HTTP CONNECT or SOCKS5, or the environment's with
/// `proxy_from_env`) and follows up to `options.max_redirects` redirects, as the async
/// runtimes' connect does.
pub fn connect_with(
    url: &str,
    options: &ConnectOptions,
) -> Result<WebSocket<MaybeTlsStream>, Error> {
    connect::connect(url, options)
}

/// Runs the server handshake on an accepted TCP connection, or a TLS one from
/// [`tls_accept`], with the default options, accepting every valid request with no
/// subprotocol and no extension.
pub fn accept(stream: impl Into<MaybeTlsStream>) -> Result<WebSocket<MaybeTlsStream>, Error> {
    accept_with(stream, &AcceptOptions::default(), accept_any)
}

/// Runs the server handshake on an accepted TCP connection, or a TLS one from
/// [`tls_accept`] (with `TCP_NODELAY`); `decide` answers the request, as in
/// [`WebSocket::server`] (which takes any other [`Stream`]).
pub fn accept_with<F>(
    stream: impl Into<MaybeTlsStream>,
    options: &AcceptOptions,
    decide: F,
) -> Result<WebSocket<MaybeTlsStream>, Error>
where
    F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
{
    let stream = stream.into();
    stream.set_nodelay(true)?;
    WebSocket::server(stream, options, decide)
}
