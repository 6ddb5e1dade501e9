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
//! The opening handshake lives in [`handshake`]; its result builds the [`Connection`].

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
pub mod frame;
pub mod handshake;
pub mod mask;
pub mod message;
mod output;
mod random;
pub mod role;
pub mod utf8;

pub use close::{CloseCode, CloseFrame};
pub use config::{Config, Keepalive, ReceiveMode};
pub use connection::{Connection, State};
pub use error::{ProtocolError, SendError};
pub use event::{CloseCause, CloseReport, Event, Initiator};
pub use message::{Message, MessageKind, Utf8Bytes};
pub use role::Role;
