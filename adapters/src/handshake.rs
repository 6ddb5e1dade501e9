//! The opening handshake over any [`Transport`], for both roles, and the options of the
//! runtime modules' `connect` and `accept` helpers.

use std::future::{Future, poll_fn};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use wsflow_core::extension::Extension;
use wsflow_core::extension::deflate::DeflateConfig;
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
    /// Offer permessage-deflate (RFC 7692) with these settings; `None` (the default) offers
    /// no compression.
    pub deflate: Option<DeflateConfig>,
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

    /// Turns permessage-deflate on with these settings (off by default).
    pub fn deflate(mut self, deflate: DeflateConfig) -> Self {
        self.deflate = Some(deflate);
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
        if let Some(deflate) = &self.deflate {
            request = request.deflate(deflate.clone());
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
    /// Accept permessage-deflate (RFC 7692) offers with these settings; `None` (the
    /// default) declines compression.
    pub deflate: Option<DeflateConfig>,
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

    /// Turns permessage-deflate on with these settings (off by default).
    pub fn deflate(mut self, deflate: DeflateConfig) -> Self {
        self.deflate = Some(deflate);
        self
    }
}

/// A server's refusal of an upgrade request: the HTTP response to send before closing.
/// Boxed inside, so a `Result<Accept, Reject>` stays small.
///
/// ```
/// use http::{HeaderValue, StatusCode, header};
/// use wsflow::Reject;
///
/// let reject = Reject::new(StatusCode::UNAUTHORIZED)
///     .header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
///     .body("log in first");
/// assert_eq!(reject.status(), StatusCode::UNAUTHORIZED);
/// let plain: Reject = StatusCode::FORBIDDEN.into();
/// assert!(plain.body_bytes().is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct Reject(Box<RejectParts>);

#[derive(Debug, Clone)]
struct RejectParts {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Reject {
    /// A refusal with `status`, no extra header and an empty body.
    pub fn new(status: StatusCode) -> Self {
        Reject(Box::new(RejectParts {
            status,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }))
    }

    /// Adds a response header (`WWW-Authenticate`, `Retry-After`, …).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.0.headers.append(name, value);
        self
    }

    /// Sets the response body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.0.body = body.into();
        self
    }

    /// The response status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The extra response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.0.headers
    }

    /// The response body.
    pub fn body_bytes(&self) -> &Bytes {
        &self.0.body
    }
}

impl From<StatusCode> for Reject {
    fn from(status: StatusCode) -> Self {
        Reject::new(status)
    }
}

/// The `decide` callback that accepts every valid request with no subprotocol and no
/// extension: what the runtime modules' `accept` uses.
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

/// The connection the handshake agreed on, with the negotiated extension, fed the bytes
/// that arrived after the HTTP head.
///
/// This is the one place extensions plug in: the codec the core's handshake negotiated
/// (permessage-deflate, from the `deflate` field of [`ConnectOptions`] or [`AcceptOptions`]).
fn open<R: Runtime>(
    role: Role,
    config: &Config,
    extension: Option<Box<dyn Extension>>,
    leftover: &[u8],
) -> Connection {
    let now = R::now();
    let mut conn = Connection::new(role, config.clone(), now);
    if let Some(extension) = extension {
        conn = conn.with_extension(extension);
    }
    conn.receive(now, leftover);
    conn
}

impl<T: Transport, R: Runtime> WebSocket<T, R> {
    /// Runs the client's opening handshake over `transport` (already connected to the
    /// request's host and port) and returns the open connection. The whole exchange is
    /// bounded by the request's handshake timeout. The request carries the subprotocols,
    /// headers and limits; only `options.config` is taken from `options` here.
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
        let conn = open::<R>(
            Role::Client,
            &options.config,
            response.extension,
            &response.leftover,
        );
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
                write_all::<T, R>(&mut transport, &mut timer, &request.accept(&accept)).await?;
                let conn = open::<R>(Role::Server, &options.config, extension, &request.leftover);
                let driver = Driver::new(transport, conn, accept.subprotocol);
                Ok(WebSocket::from_driver(driver))
            }
            Err(reject) => {
                let response =
                    reject_response(reject.status(), reject.headers(), reject.body_bytes());
                refuse::<T, R>(&mut transport, &mut timer, &response).await;
                Err(Error::Rejected(reject.status()))
            }
        }
    }
}

impl<T: Transport, R: Runtime> WebSocket<T, R> {
    /// Connects to a `ws://` URL: builds the request from `options`, opens the transport
    /// with `dial(host, port)`, and runs [`client`](Self::client). The runtime modules'
    /// `connect_with` is this with their TCP dialer; another runtime passes its own.
    /// `wss://` needs TLS, which is not built in yet: it fails before dialing.
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
            let why = "wss (TLS is not built in yet)".to_owned();
            return Err(HandshakeError::UnsupportedScheme(why).into());
        }
        let transport = dial(request.host().to_owned(), request.port()).await?;
        WebSocket::client(transport, request, options).await
    }
}
