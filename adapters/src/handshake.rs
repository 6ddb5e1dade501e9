//! The opening handshake over any [`Transport`], for both roles, and the options of the
//! runtime modules' `connect` and `accept` helpers.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use wsflow_core::handshake::{
    Accept, ClientHandshake, ClientRequest, HandshakeError, HandshakeLimits, ServerHandshake,
    UpgradeRequest, error_response, reject_response,
};
use wsflow_core::{Config, Connection, Role};

use crate::api::WebSocket;
use crate::driver::Driver;
use crate::error::Error;
use crate::runtime::Runtime;
use crate::transport::Transport;

/// Read size while the HTTP head arrives.
const HANDSHAKE_READ: usize = 1024;

/// Options of a client connection: the handshake's extras and the connection's [`Config`].
///
/// ```
/// use wsflow::ConnectOptions;
///
/// let options = ConnectOptions::new().subprotocol("chat.v1");
/// assert_eq!(options.subprotocols, ["chat.v1"]);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ConnectOptions {
    /// Limits, timers and switches of the connection.
    pub config: Config,
    /// Subprotocols to offer, most wanted first.
    pub subprotocols: Vec<String>,
    /// Extra request headers (`Authorization`, `Origin`, …).
    pub headers: HeaderMap,
    /// Limits on the server's response, and the handshake timeout.
    pub limits: HandshakeLimits,
}

impl ConnectOptions {
    /// The defaults: no subprotocol, no extra header, default limits and config.
    pub fn new() -> Self {
        ConnectOptions::default()
    }

    /// Replaces the connection's config.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Offers a subprotocol, after those already added.
    pub fn subprotocol(mut self, name: impl Into<String>) -> Self {
        self.subprotocols.push(name.into());
        self
    }

    /// Adds a request header.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// Replaces the handshake limits and timeout.
    pub fn limits(mut self, limits: HandshakeLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The handshake request for `url` with these options, checked.
    pub fn request(&self, url: &str) -> Result<ClientRequest, Error> {
        let mut request = ClientRequest::new(url)?.limits(self.limits);
        for name in &self.subprotocols {
            request = request.subprotocol(name.clone());
        }
        for (name, value) in &self.headers {
            request = request.header(name.clone(), value.clone());
        }
        request.validate()?;
        Ok(request)
    }
}

/// Options of a server connection.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct AcceptOptions {
    /// Limits, timers and switches of the connection.
    pub config: Config,
    /// Limits on the client's request, and the handshake timeout.
    pub limits: HandshakeLimits,
}

impl AcceptOptions {
    /// The defaults.
    pub fn new() -> Self {
        AcceptOptions::default()
    }

    /// Replaces the connection's config.
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Replaces the handshake limits and timeout.
    pub fn limits(mut self, limits: HandshakeLimits) -> Self {
        self.limits = limits;
        self
    }
}

/// A server's refusal of an upgrade request: the HTTP response to send before closing.
///
/// ```
/// use http::StatusCode;
/// use wsflow::Reject;
///
/// let reject = Reject::from(StatusCode::FORBIDDEN);
/// assert!(reject.body.is_empty());
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Reject {
    /// The response status.
    pub status: StatusCode,
    /// Extra response headers (`WWW-Authenticate`, …).
    pub headers: HeaderMap,
    /// The response body.
    pub body: Bytes,
}

impl From<StatusCode> for Reject {
    fn from(status: StatusCode) -> Self {
        Reject {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }
}

/// The `decide` callback that accepts every valid request with no subprotocol and no
/// extension: what the runtime modules' `accept` uses.
#[allow(clippy::result_large_err)] // the refusal is built once, on a cold path
pub fn accept_any(_request: &UpgradeRequest) -> Result<Accept, Reject> {
    Ok(Accept::new())
}

/// Polls `io` until it is ready, failing with a handshake timeout when `timer` fires first.
async fn before<R: Runtime, O>(
    timer: &mut Pin<Box<R::Timer>>,
    mut io: impl FnMut(&mut Context<'_>) -> Poll<io::Result<O>>,
) -> Result<O, Error> {
    poll_fn(|cx| {
        if let Poll::Ready(result) = io(cx) {
            return Poll::Ready(result.map_err(Error::Io));
        }
        match timer.as_mut().poll(cx) {
            Poll::Ready(_) => Poll::Ready(Err(HandshakeError::Timeout.into())),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// Writes all of `bytes` and flushes, before `timer` fires.
async fn write_all<T: Transport, R: Runtime>(
    transport: &mut T,
    timer: &mut Pin<Box<R::Timer>>,
    mut bytes: &[u8],
) -> Result<(), Error> {
    while !bytes.is_empty() {
        let n = before::<R, _>(timer, |cx| transport.poll_write(cx, bytes)).await?;
        if n == 0 {
            return Err(Error::Io(io::ErrorKind::WriteZero.into()));
        }
        bytes = bytes.get(n..).unwrap_or_default();
    }
    before::<R, _>(timer, |cx| transport.poll_flush(cx)).await
}

/// Reads once before `timer` fires; EOF is an error, since the head is not complete.
async fn read_some<T: Transport, R: Runtime>(
    transport: &mut T,
    timer: &mut Pin<Box<R::Timer>>,
    buf: &mut [u8],
) -> Result<usize, Error> {
    match before::<R, _>(timer, |cx| transport.poll_read(cx, buf)).await? {
        0 => Err(Error::Io(io::ErrorKind::UnexpectedEof.into())),
        n => Ok(n),
    }
}

/// Sends an HTTP refusal, then shuts the write side down, until `timer` fires; failures
/// are ignored since the handshake has failed already.
async fn refuse<T: Transport, R: Runtime>(
    transport: &mut T,
    timer: &mut Pin<Box<R::Timer>>,
    response: &[u8],
) {
    if write_all::<T, R>(transport, timer, response).await.is_ok() {
        let _ = before::<R, _>(timer, |cx| transport.poll_shutdown(cx)).await;
    }
}

impl<T: Transport, R: Runtime> WebSocket<T, R> {
    /// Runs the client's opening handshake over `transport` (already connected to the
    /// request's host and port) and returns the open connection. The whole exchange is
    /// bounded by the request's handshake timeout.
    pub async fn client(
        mut transport: T,
        request: ClientRequest,
        options: &ConnectOptions,
    ) -> Result<Self, Error> {
        request.validate()?;
        let mut handshake = ClientHandshake::new(request, R::now());
        let mut timer = Box::pin(R::sleep_until(handshake.deadline()));
        write_all::<T, R>(&mut transport, &mut timer, handshake.request_bytes()).await?;
        let mut buf = vec![0; HANDSHAKE_READ];
        let response = loop {
            let n = read_some::<T, R>(&mut transport, &mut timer, &mut buf).await?;
            if let Some(response) = handshake.receive(buf.get(..n).unwrap_or_default())? {
                break response;
            }
        };
        let now = R::now();
        let mut conn = Connection::new(Role::Client, options.config.clone(), now);
        conn.receive(now, &response.leftover);
        let driver = Driver::new(transport, conn, response.subprotocol);
        Ok(WebSocket::from_driver(driver))
    }

    /// Runs the server's opening handshake over an accepted `transport`. `decide` sees the
    /// valid upgrade request (path, headers, `Origin`, offered subprotocols) and returns the
    /// [`Accept`] to answer with, or a [`Reject`], which is sent before failing with
    /// [`Error::Rejected`]. An invalid request is answered with the matching HTTP error
    /// (400, 426, 431, …) and fails with [`Error::Handshake`]. The whole exchange is bounded
    /// by the handshake timeout in `options`.
    pub async fn server<F>(
        mut transport: T,
        options: &AcceptOptions,
        decide: F,
    ) -> Result<Self, Error>
    where
        F: FnOnce(&UpgradeRequest) -> Result<Accept, Reject>,
    {
        let mut handshake = ServerHandshake::new(options.limits, R::now());
        let mut timer = Box::pin(R::sleep_until(handshake.deadline()));
        let mut buf = vec![0; HANDSHAKE_READ];
        let request = loop {
            let received = match read_some::<T, R>(&mut transport, &mut timer, &mut buf).await {
                Ok(n) => handshake.receive(buf.get(..n).unwrap_or_default()),
                Err(Error::Handshake(error)) => Err(error),
                Err(other) => return Err(other),
            };
            match received {
                Ok(Some(request)) => break request,
                Ok(None) => {}
                Err(error) => {
                    if let Some(response) = error_response(&error) {
                        // The deadline may have passed; give the refusal a moment of its own.
                        let mut timer = Box::pin(R::sleep_until(R::now() + options.limits.timeout));
                        refuse::<T, R>(&mut transport, &mut timer, &response).await;
                    }
                    return Err(error.into());
                }
            }
        };
        match decide(&request) {
            Ok(accept) => {
                write_all::<T, R>(&mut transport, &mut timer, &request.accept(&accept)).await?;
                let now = R::now();
                let mut conn = Connection::new(Role::Server, options.config.clone(), now);
                conn.receive(now, &request.leftover);
                let driver = Driver::new(transport, conn, accept.subprotocol);
                Ok(WebSocket::from_driver(driver))
            }
            Err(reject) => {
                let response = reject_response(reject.status, &reject.headers, &reject.body);
                refuse::<T, R>(&mut transport, &mut timer, &response).await;
                Err(Error::Rejected(reject.status))
            }
        }
    }
}

/// What the runtime modules' `connect_with` shares: build the request, dial its host and
/// port with `dial`, run the handshake. `wss://` needs TLS, which these helpers do not do yet.
pub(crate) async fn connect_via<T, R, F, Fut>(
    url: &str,
    options: &ConnectOptions,
    dial: F,
) -> Result<WebSocket<T, R>, Error>
where
    T: Transport,
    R: Runtime,
    F: FnOnce(String, u16) -> Fut,
    Fut: Future<Output = io::Result<T>>,
{
    let request = options.request(url)?;
    if request.is_secure() {
        return Err(
            HandshakeError::UnsupportedScheme("wss (TLS is not built in yet)".into()).into(),
        );
    }
    let transport = dial(request.host().to_owned(), request.port()).await?;
    WebSocket::client(transport, request, options).await
}
