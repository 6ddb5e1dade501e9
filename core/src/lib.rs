//! # wsflow-core
//!
//! A sans-I/O WebSocket protocol engine (RFC 6455, RFC 7692): synchronous code with no sockets,
//! no clock and no async runtime. Bytes go in, events and bytes to send come out, and the time
//! is passed in by the caller, so every behaviour — timers included — is deterministic.
//!
//! A [`Connection`] has four families of methods:
//!
//! - **getters**: [`Connection::role`], [`Connection::state`], [`Connection::wants_read`],
//!   [`Connection::buffered_amount`];
//! - **inputs** (network and clock): [`Connection::receive`], [`Connection::receive_eof`],
//!   [`Connection::handle_timeout`] — they never fail; a violation by the peer fails the
//!   connection with the right close code;
//! - **commands** (application): [`Connection::send`], [`Connection::send_prepared`]
//!   (broadcast: a [`PreparedMessage`] encoded once), [`Connection::send_ping`],
//!   [`Connection::close`], … — misuse returns a [`SendError`] and changes nothing;
//! - **outputs**: [`Connection::poll_event`], [`Connection::pending_output`] /
//!   [`Connection::consume_output`], [`Connection::wants_shutdown`],
//!   [`Connection::poll_timeout`].
//!
//! **One lifecycle.** A connection starts in its opening handshake —
//! [`Connection::client`] (its HTTP request is the first output) or [`Connection::server`]
//! (the request arrives as [`Event::Upgrade`], answered by [`Connection::accept`] or
//! [`Connection::reject`]) — and reports [`Event::Opened`] when frames start to flow, then
//! messages, then exactly one [`Event::Closed`]. A request that an HTTP server already parsed
//! enters through [`handshake::UpgradeRequest::from_parts`] and
//! [`Connection::accept_request`], with the same checks. The handshake's deadline, the
//! close timeout and keepalive are all deadlines of [`Connection::poll_timeout`].
//!
//! ```
//! use std::time::Instant;
//! use wsflow_core::handshake::{Accept, ServerOptions};
//! use wsflow_core::{Config, Connection, Event, Message};
//!
//! let now = Instant::now();
//! let mut server = Connection::server(ServerOptions::new(), Config::default(), now);
//! server.receive(now, b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\
//!     Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!     Sec-WebSocket-Version: 13\r\n\r\n");
//! let Some(Event::Upgrade(request)) = server.poll_event() else { panic!() };
//! assert_eq!(request.request.uri(), "/chat"); // check Origin, pick a subprotocol ...
//! server.accept(Accept::new()).unwrap(); // ... or server.reject(status, headers, body)
//! assert!(matches!(server.poll_event(), Some(Event::Opened(_))));
//! // A masked text frame "Hello" (RFC 6455 §5.7):
//! server.receive(now, &[0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
//! if let Some(Event::Message(message)) = server.poll_event() {
//!     server.send(message).unwrap(); // echo "Hello"
//! }
//! assert!(server.pending_output().starts_with(b"HTTP/1.1 101 Switching Protocols\r\n"));
//! ```
//!
//! **Polling order**, after every input or command: take events with
//! [`Connection::poll_event`] until it returns `None` (taking the last one is also what lets
//! parsing resume after backpressure, and what releases a close or a failure held behind
//! undelivered messages — so the application's replies to them go out first); write
//! [`Connection::pending_output`]; shut the write half down when
//! [`Connection::wants_shutdown`]; read only while [`Connection::wants_read`]; sleep until
//! [`Connection::poll_timeout`].
//!
//! The modules `mask` and `extension` are low-level: masking-key sources for tests and the
//! extension trait that permessage-deflate implements.

#![forbid(unsafe_code)]
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

pub mod close;
pub mod config;
pub mod connection;
pub mod error;
pub mod event;
pub mod extension;
mod frame;
pub mod handshake;
pub mod mask;
pub mod message;
mod output;
pub mod prepared;
mod random;
pub mod role;
mod utf8;

pub use close::{CloseCode, CloseFrame};
pub use config::{Config, Keepalive, ReceiveMode};
pub use connection::{Connection, State, Stats};
pub use error::{ProtocolError, SendError};
pub use event::{CloseCause, CloseReport, Event, Initiator, Opened};
pub use message::{Message, MessageKind, Utf8Bytes};
pub use prepared::PreparedMessage;
pub use role::Role;
