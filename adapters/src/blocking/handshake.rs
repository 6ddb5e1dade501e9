//! The opening handshake over a blocking [`Stream`], for both roles.
//!
//! Kept in this one file on purpose: once the core runs the opening handshake itself
//! (`Connection::client` / `Connection::server`), this becomes a thin call into it.

use std::io;
use std::time::Instant;

use wsflow_core::extension::Extension;
use wsflow_core::handshake::{
    Accept, ClientHandshake, ClientRequest, HandshakeError, ServerHandshake, UpgradeRequest,
    error_response, reject_response,
};
use wsflow_core::{Config, Connection, Role};

use super::engine::Engine;
use super::stream::{Clock, Stream, SystemClock};
use super::websocket::WebSocket;
use crate::error::Error;
use crate::handshake::{AcceptOptions, ConnectOptions, Reject};

/// Read size while the HTTP head arrives: small, so little is read past it.
const HANDSHAKE_READ: usize = 1024;

/// Reads once before `deadline`; a timeout past it is [`HandshakeError::Timeout`], EOF an
/// I/O error (the head is not complete).
fn read_some<S: Stream>(
    stream: &mut S,
    clock: &impl Clock,
    deadline: Instant,
    buf: &mut [u8],
) -> Result<usize, Error> {
    loop {
        let now = clock.now();
        if now >= deadline {
            return Err(HandshakeError::Timeout.into());
        }
        stream.set_read_timeout(Some(deadline - now))?;
        match stream.read(buf) {
            Ok(0) => return Err(Error::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => return Ok(n),
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(error) => return Err(error.into()),
        }
    }
}

/// Sends an HTTP refusal and shuts the write half down; failures are ignored since the
/// handshake has failed already.
fn refuse<S: Stream>(stream: &mut S, response: &[u8]) {
    if stream
        .write_all(response)
        .and_then(|()| stream.flush())
        .is_ok()
    {
        let _ = stream.shutdown_write();
    }
}

/// The connection the handshake agreed on, fed the bytes that arrived after the HTTP head.
fn open(
    role: Role,
    config: &Config,
    extension: Option<Box<dyn Extension>>,
    leftover: &[u8],
    now: Instant,
) -> Connection {
    let mut conn = Connection::new(role, config.clone(), now);
    if let Some(extension) = extension {
        conn = conn.with_extension(extension);
    }
    conn.receive(now, leftover);
    conn
}

impl<S: Stream> WebSocket<S> {
    /// Runs the client's opening handshake over `stream` (already connected to the
    /// request's host and port) and returns the open connection. Reading the response is
    /// bounded by the request's handshake timeout. The request carries the subprotocols,
    /// headers and limits; only `options.config` is taken from `options`.
    pub fn client(
        stream: S,
        request: ClientRequest,
        options: &ConnectOptions,
    ) -> Result<Self, Error> {
        Self::client_with_clock(stream, request, options, SystemClock)
    }

    /// Runs the server's opening handshake over an accepted `stream`. `decide` sees the
    /// valid upgrade request and returns the [`Accept`] to answer with, or a [`Reject`],
    /// which is sent before failing with [`Error::Rejected`]. An invalid request (or none
    /// before the handshake timeout) is answered with the matching HTTP error and fails with
    /// [`Error::Handshake`]. permessage-deflate is accepted when `options.deflate` is set.
    pub fn server<F>(stream: S, options: &AcceptOptions, decide: F) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        Self::server_with_clock(stream, options, decide, SystemClock)
    }
}

impl<S: Stream, C: Clock> WebSocket<S, C> {
    /// [`client`](WebSocket::client) on another clock.
    pub fn client_with_clock(
        mut stream: S,
        request: ClientRequest,
        options: &ConnectOptions,
        clock: C,
    ) -> Result<Self, Error> {
        request.validate()?;
        let mut handshake = ClientHandshake::new(request, clock.now());
        stream.write_all(handshake.request_bytes())?;
        stream.flush()?;
        let mut buf = vec![0; HANDSHAKE_READ];
        let response = loop {
            let n = read_some(&mut stream, &clock, handshake.deadline(), &mut buf)?;
            if let Some(response) = handshake.receive(buf.get(..n).unwrap_or_default())? {
                break response;
            }
        };
        let conn = open(
            Role::Client,
            &options.config,
            response.extension,
            &response.leftover,
            clock.now(),
        );
        let engine = Engine::new(conn, response.subprotocol);
        Ok(WebSocket::open(stream, engine, clock))
    }

    /// [`server`](WebSocket::server) on another clock.
    pub fn server_with_clock<F>(
        mut stream: S,
        options: &AcceptOptions,
        decide: F,
        clock: C,
    ) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        let mut handshake = ServerHandshake::new(options.limits, clock.now());
        let mut buf = vec![0; HANDSHAKE_READ];
        let request = loop {
            let received = match read_some(&mut stream, &clock, handshake.deadline(), &mut buf) {
                Ok(n) => handshake.receive(buf.get(..n).unwrap_or_default()),
                Err(Error::Handshake(error)) => Err(error),
                Err(other) => return Err(other),
            };
            match received {
                Ok(Some(request)) => break request,
                Ok(None) => {}
                Err(error) => {
                    if let Some(response) = error_response(&error) {
                        refuse(&mut stream, &response);
                    }
                    return Err(error.into());
                }
            }
        };
        match decide(&request) {
            Ok(mut accept) => {
                let mut extension: Option<Box<dyn Extension>> = None;
                if let Some((answer, codec)) = options
                    .deflate
                    .as_ref()
                    .and_then(|deflate| request.negotiate_deflate(deflate))
                {
                    accept = accept.extension(answer);
                    extension = Some(Box::new(codec));
                }
                stream.write_all(&request.accept(&accept))?;
                stream.flush()?;
                let conn = open(
                    Role::Server,
                    &options.config,
                    extension,
                    &request.leftover,
                    clock.now(),
                );
                let engine = Engine::new(conn, accept.subprotocol);
                Ok(WebSocket::open(stream, engine, clock))
            }
            Err(reject) => {
                let response =
                    reject_response(reject.status(), reject.headers(), reject.body_bytes());
                refuse(&mut stream, &response);
                Err(Error::Rejected(reject.status()))
            }
        }
    }
}
