//! The opening handshake over any [`Transport`], for both roles. The core runs it (request,
//! response, checks, permessage-deflate, deadline, the bytes behind the HTTP head); the
//! driver pumps it like any other phase, so this file only asks the server's application
//! for its decision and turns a failed handshake into an [`Error`].

use std::future::{Future, poll_fn};
use std::io;
use std::task::{Context, Poll, ready};

use wsflow_core::handshake::{Accept, ClientRequest, HandshakeError, UpgradeRequest};
use wsflow_core::{CloseCause, CloseReport, Config, Connection, Event, State};

use crate::api::WebSocket;
use crate::connect::{ConnectError, ConnectStep};
use crate::driver::Driver;
use crate::error::Error;
use crate::options::{AcceptOptions, ConnectOptions, Reject};
use crate::runtime::Runtime;
use crate::transport::Transport;

/// Where the opening handshake stopped for the application.
enum Opening {
    /// The handshake completed: frames flow.
    Open,
    /// Server: the request waits for the application's decision.
    Upgrade(Box<UpgradeRequest>),
}

/// The error for a connection that ended during its opening handshake.
pub(crate) fn handshake_error(report: &CloseReport) -> Error {
    match &report.cause {
        CloseCause::Handshake(error) => Error::Handshake(error.clone()),
        CloseCause::Rejected(status) => Error::Rejected(*status),
        _ => Error::from_close(report).unwrap_or(Error::Closed),
    }
}

impl<T: Transport, R: Runtime> Driver<T, R> {
    /// Pumps the connection through its opening handshake until it opens or a server's
    /// upgrade request waits for an answer. A failed handshake's last output (a server's
    /// HTTP error answer) is written and the write half shut down, best effort, before the
    /// error is returned.
    fn poll_opening(&mut self, cx: &mut Context<'_>) -> Poll<Result<Opening, Error>> {
        loop {
            let open = matches!(self.conn.state(), State::Open | State::Closing);
            if open && self.conn.opened().is_none() {
                // Handed over already open (`Connection::new`): nothing to wait for.
                return Poll::Ready(Ok(Opening::Open));
            }
            match ready!(self.poll_event(cx))? {
                Some(Event::Opened(_)) => return Poll::Ready(Ok(Opening::Open)),
                Some(Event::Upgrade(request)) => return Poll::Ready(Ok(Opening::Upgrade(request))),
                Some(Event::Closed(report)) => {
                    // Best effort: the answer is small and the transport takes it now, or
                    // the peer is not reading and gets nothing more from us.
                    let _ = self.write_out(cx);
                    self.finish(cx);
                    return Poll::Ready(Err(handshake_error(&report)));
                }
                // Nothing else comes before the connection opens.
                Some(_) => {}
                None => return Poll::Ready(Err(Error::Closed)),
            }
        }
    }
}

impl<T: Transport, R: Runtime> WebSocket<T, R> {
    /// Runs the opening handshake of `connection` (made with [`Connection::client`] or
    /// [`Connection::server`], at any stage of its handshake) over `transport`, and returns
    /// the open WebSocket. A server's upgrade request goes to `decide`, whose [`Accept`] or
    /// [`Reject`] the core answers with. The whole exchange is bounded by the handshake
    /// deadline the connection was made with.
    ///
    /// This is the most general entry: tests pass a connection with a fixed key and mask;
    /// [`Self::client`] and [`Self::server`] build the connection from options.
    ///
    /// # Cancel safety
    ///
    /// Not resumable: dropping the future drops the transport and the half-done handshake.
    pub async fn handshake<F>(
        transport: T,
        connection: Connection,
        decide: F,
    ) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        Self::handshake_with_peer(transport, connection, decide, None).await
    }

    /// [`Self::handshake`], naming the peer's address in the connection's `tracing` span.
    pub(crate) async fn handshake_with_peer<F>(
        transport: T,
        connection: Connection,
        decide: F,
        peer: Option<std::net::SocketAddr>,
    ) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        // On the heap: the connection and a TLS transport are kilobytes, and a future that
        // holds them inline across its awaits, nested in the caller's connect and join
        // futures, overflows a thread's stack in debug builds.
        let mut driver = Box::new(Driver::with_peer(transport, connection, peer));
        let mut decide = Some(decide);
        loop {
            match poll_fn(|cx| driver.poll_opening(cx)).await? {
                Opening::Open => {
                    // A server's 101 is written before the WebSocket is handed out: the
                    // client waits for it, and nobody may poll this connection for a while.
                    poll_fn(|cx| driver.poll_flush(cx)).await?;
                    return Ok(WebSocket::from_driver(*driver));
                }
                Opening::Upgrade(request) => {
                    // A second upgrade request cannot happen; treat it as a refusal.
                    let answer = decide
                        .take()
                        .map_or(Err(Reject::new(http::StatusCode::BAD_REQUEST)), |decide| {
                            decide(&request)
                        });
                    match answer {
                        Ok(accept) => driver.conn.accept(accept)?,
                        Err(reject) => driver.conn.reject(
                            reject.status(),
                            reject.headers(),
                            reject.body_bytes(),
                        )?,
                    }
                }
            }
        }
    }

    /// Runs the client's opening handshake for `request` (subprotocols, headers,
    /// permessage-deflate offer and limits are all in it) over `transport`, already
    /// connected to the request's host and port; `config` governs the open connection.
    ///
    /// # Cancel safety
    ///
    /// Not resumable: dropping the future drops the transport.
    pub async fn client(
        transport: T,
        request: ClientRequest,
        config: Config,
    ) -> Result<Self, Error> {
        request.validate()?;
        let connection = Connection::client(request, config, R::now());
        Self::handshake(transport, connection, |_: &UpgradeRequest| {
            Err(Reject::new(http::StatusCode::BAD_REQUEST))
        })
        .await
    }

    /// Runs the server's opening handshake over an accepted `transport`. `decide` sees the
    /// valid upgrade request (path, headers, `Origin`, offered subprotocols) and returns the
    /// [`Accept`] to answer with, or a [`Reject`], which is sent before failing with
    /// [`Error::Rejected`]. An invalid request is answered with the matching HTTP error
    /// (400, 426, 431, …) and fails with [`Error::Handshake`]. permessage-deflate is
    /// negotiated as `options.deflate` allows; the exchange is bounded by
    /// `options.limits.timeout`.
    ///
    /// # Cancel safety
    ///
    /// Not resumable: dropping the future drops the transport.
    pub async fn server<F>(transport: T, options: &AcceptOptions, decide: F) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        let connection =
            Connection::server(options.server_options(), options.config.clone(), R::now());
        Self::handshake(transport, connection, decide).await
    }

    /// Connects to a `ws://` URL: builds the request from `options`, opens the transport
    /// with `dial(host, port)`, and runs [`client`](Self::client) with `options.config`, the
    /// dial and the handshake both under `options.connect_timeout`. This is for a runtime
    /// without a module here, which passes its own dialer; the runtime modules'
    /// `connect_with` run the full pipeline (DNS, proxy, TLS, redirects). `wss://` fails
    /// before dialing: TLS belongs in the dialer's transport and the runtime modules.
    pub async fn connect<F, Fut>(
        url: &str,
        options: &ConnectOptions,
        dial: F,
    ) -> Result<Self, Error>
    where
        F: FnOnce(String, u16) -> Fut,
        Fut: Future<Output = io::Result<T>>,
    {
        let request = options.request(url)?;
        if request.is_secure() {
            let why = "wss (use a runtime module's connect for TLS)".to_owned();
            return Err(HandshakeError::UnsupportedScheme(why).into());
        }
        let addr = crate::connect::authority(request.host(), request.port());
        let timeout = options
            .connect_timeout
            .unwrap_or(crate::connect::DEFAULT_CONNECT_TIMEOUT);
        let deadline = R::now().checked_add(timeout).unwrap_or_else(R::now);
        let dialing = dial(request.host().to_owned(), request.port());
        let transport = match crate::connect::within::<R, _>(deadline, dialing).await {
            Some(Ok(transport)) => transport,
            Some(Err(error)) => {
                return Err(ConnectError::failed(ConnectStep::Tcp, addr, error).into());
            }
            None => return Err(ConnectError::timed_out(ConnectStep::Tcp, addr, timeout).into()),
        };
        let handshake = WebSocket::client(transport, request, options.config.clone());
        match crate::connect::within::<R, _>(deadline, handshake).await {
            Some(result) => result,
            None => Err(ConnectError::timed_out(ConnectStep::Handshake, addr, timeout).into()),
        }
    }
}
