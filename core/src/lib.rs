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
//! - **commands** (application): [`Connection::send`], [`Connection::send_ping`],
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
mod random;
pub mod role;
mod utf8;

pub use close::{CloseCode, CloseFrame};
pub use config::{Config, Keepalive, ReceiveMode};
pub use connection::{Connection, State};
pub use error::{ProtocolError, SendError};
pub use event::{CloseCause, CloseReport, Event, Initiator, Opened};
pub use message::{Message, MessageKind, Utf8Bytes};
pub use role::Role;
