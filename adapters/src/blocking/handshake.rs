//! The opening handshake over a blocking [`Stream`], for both roles. The core runs it
//! (request, response, checks, permessage-deflate, deadline, the bytes behind the HTTP head);
//! this loop only pumps it like any other phase and asks the server's application for its
//! decision.

use wsflow_core::handshake::{Accept, ClientRequest, UpgradeRequest};
use wsflow_core::{Config, Connection, Event, State};

use super::engine::Engine;
use super::stream::{Clock, Stream, SystemClock};
use super::websocket::WebSocket;
use crate::error::Error;
use crate::handshake::handshake_error;
use crate::options::{AcceptOptions, Reject};

impl<S: Stream> WebSocket<S> {
    /// Runs the opening handshake of `connection` (made with [`Connection::client`] or
    /// [`Connection::server`]) over `stream` and returns the open WebSocket; a server's
    /// upgrade request goes to `decide`. Bounded by the handshake deadline the connection was
    /// made with. See [`WebSocket::client`] and [`WebSocket::server`] for the usual cases.
    pub fn handshake<F>(stream: S, connection: Connection, decide: F) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        Self::handshake_with_clock(stream, connection, decide, SystemClock)
    }

    /// Runs the client's opening handshake for `request` (subprotocols, headers,
    /// permessage-deflate offer and limits are all in it) over `stream`, already connected
    /// to the request's host and port; `config` governs the open connection.
    pub fn client(stream: S, request: ClientRequest, config: Config) -> Result<Self, Error> {
        Self::client_with_clock(stream, request, config, SystemClock)
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
        stream: S,
        request: ClientRequest,
        config: Config,
        clock: C,
    ) -> Result<Self, Error> {
        request.validate()?;
        let connection = Connection::client(request, config, clock.now());
        Self::handshake_with_clock(
            stream,
            connection,
            |_: &UpgradeRequest| Ok(Accept::new()),
            clock,
        )
    }

    /// [`server`](WebSocket::server) on another clock.
    pub fn server_with_clock<F>(
        stream: S,
        options: &AcceptOptions,
        decide: F,
        clock: C,
    ) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        let connection = Connection::server(
            options.server_options(),
            options.config.clone(),
            clock.now(),
        );
        Self::handshake_with_clock(stream, connection, decide, clock)
    }

    /// [`handshake`](WebSocket::handshake) on another clock (`connection` must have been
    /// made with that clock's `now`).
    pub fn handshake_with_clock<F>(
        stream: S,
        connection: Connection,
        decide: F,
        clock: C,
    ) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        let mut ws = WebSocket::open(stream, Engine::new(connection), clock);
        let mut decide = Some(decide);
        loop {
            let open = matches!(ws.engine.conn.state(), State::Open | State::Closing);
            if open && ws.engine.conn.opened().is_none() {
                return Ok(ws); // handed over already open
            }
            match ws.engine.next_event() {
                Some(Event::Opened(_)) => {
                    // A server's 101 goes out before the WebSocket is handed over.
                    ws.write_out()?;
                    return Ok(ws);
                }
                Some(Event::Upgrade(request)) => {
                    let answer = match decide.take() {
                        Some(decide) => decide(&request),
                        None => Err(Reject::new(http::StatusCode::BAD_REQUEST)),
                    };
                    match answer {
                        Ok(accept) => ws.engine.conn.accept(accept)?,
                        Err(reject) => ws.engine.conn.reject(
                            reject.status(),
                            reject.headers(),
                            reject.body_bytes(),
                        )?,
                    }
                }
                Some(Event::Closed(report)) => {
                    // Best effort: a server's HTTP error answer, then the FIN.
                    let _ = ws.write_out();
                    return Err(handshake_error(&report));
                }
                // Nothing else comes before the connection opens.
                Some(_) => {}
                None => {
                    ws.write_out()?;
                    ws.read_once()?;
                }
            }
        }
    }
}
