//! The opening handshake (RFC 6455 §4), both roles, sans I/O.
//!
//! **Client**: build a [`ClientRequest`] from a `ws://`/`wss://` URL, open the connection to
//! its [`host`](ClientRequest::host) and [`port`](ClientRequest::port), start a
//! [`ClientHandshake`], write its [`request_bytes`](ClientHandshake::request_bytes), and feed
//! what the server sends to [`ClientHandshake::receive`] until it returns a
//! [`ClientResponse`].
//!
//! **Server**: feed received bytes to [`ServerHandshake::receive`] until it returns an
//! [`UpgradeRequest`]; check its [`origin`](UpgradeRequest::origin), pick a subprotocol and
//! extensions, and write [`UpgradeRequest::accept`] — or write [`reject_response`] and close.
//! When `receive` fails, write [`error_response`] and close.
//!
//! In both roles, bytes that arrive after the HTTP head are returned as `leftover`: they are
//! the first WebSocket frames and belong to the connection. Neither role reads a clock: the
//! caller asks for the `deadline()` and calls `handle_timeout(now)` when it passes.
//!
//! Parsing is incremental and linear: each received byte is scanned once, and `httparse`
//! runs once, when the head is complete (see [`HandshakeLimits`] for the bounds). Line
//! endings may be `\r\n` or a bare `\n`, as RFC 9112 §2.2 allows recipients to accept;
//! what we send always uses `\r\n`.

mod accept_key;
mod client;
mod error;
mod extended_connect;
mod head;
mod headers;
mod limits;
mod options;
mod request;
mod response;
mod server;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

pub use accept_key::accept_key;
pub use client::{ClientHandshake, ClientResponse};
pub use error::HandshakeError;
pub use limits::HandshakeLimits;
pub use options::ServerOptions;
pub use request::ClientRequest;
pub use response::{Accept, error_http_response, error_response, reject_response};
pub use server::{ServerHandshake, UpgradeRequest};

/// Where a handshake stands; after completion or failure, `receive` must not parse again.
#[derive(Debug)]
enum State {
    Reading,
    Done,
    Failed(HandshakeError),
}

impl State {
    fn check(&self) -> Result<(), HandshakeError> {
        match self {
            State::Reading => Ok(()),
            State::Done => Err(HandshakeError::Finished),
            State::Failed(error) => Err(error.clone()),
        }
    }

    fn finish<T>(&mut self, result: Result<T, HandshakeError>) -> Result<T, HandshakeError> {
        *self = match &result {
            Ok(_) => State::Done,
            Err(error) => State::Failed(error.clone()),
        };
        result
    }

    fn handle_timeout(&mut self, now: Instant, deadline: Instant) -> Result<(), HandshakeError> {
        match self {
            State::Reading if now >= deadline => self.finish(Err(HandshakeError::Timeout)),
            State::Reading | State::Done => Ok(()),
            State::Failed(error) => Err(error.clone()),
        }
    }
}

/// `now + timeout`, saturating: a huge timeout (`Duration::MAX` for "never") must not
/// overflow `Instant`, which would panic.
fn deadline_after(now: Instant, timeout: Duration) -> Instant {
    let mut timeout = timeout;
    loop {
        if let Some(deadline) = now.checked_add(timeout) {
            return deadline;
        }
        timeout /= 2;
    }
}
