//! A client's whole way to an open WebSocket, written once for every runtime: resolve, TCP,
//! proxy, TLS, handshake and redirects, all under one deadline whose timer comes from the
//! [`Runtime`]. A runtime module supplies only the [`Net`] primitives.

mod error;
mod options;
mod redirect;

use std::future::{Future, poll_fn};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::ops::ControlFlow;
use std::pin::pin;
use std::task::Poll;
use std::time::{Duration, Instant};

use wsflow_core::handshake::{ClientRequest, HandshakeError};

pub use error::{ConnectError, ConnectStep};
pub use options::DEFAULT_CONNECT_TIMEOUT;

use crate::api::WebSocket;
use crate::error::Error;
use crate::options::ConnectOptions;
use crate::proxy;
use crate::runtime::Runtime;
use crate::transport::Transport;

/// What a runtime supplies for a client connect; everything else is generic.
pub(crate) trait Net {
    /// The runtime whose timer bounds the connect.
    type Runtime: Runtime;
    /// The runtime's TCP stream.
    type Tcp: Send;
    /// The transport the WebSocket runs over (plain or TLS).
    type Transport: Transport + Send;

    /// Resolves `host` (a name, not an IP literal).
    fn resolve(host: String, port: u16)
    -> impl Future<Output = io::Result<Vec<SocketAddr>>> + Send;

    /// Opens TCP to `addr` (with `TCP_NODELAY`).
    fn tcp(addr: SocketAddr) -> impl Future<Output = io::Result<Self::Tcp>> + Send;

    /// The TCP stream as a transport, for the proxy exchange before TLS.
    fn raw(tcp: &mut Self::Tcp) -> impl Transport + Send + '_;

    /// The TCP stream as the WebSocket's transport, without TLS.
    fn plain(tcp: Self::Tcp) -> Self::Transport;

    /// The TLS client handshake over `tcp`.
    #[cfg(feature = "rustls")]
    fn tls(
        tcp: Self::Tcp,
        config: std::sync::Arc<rustls::ClientConfig>,
        name: rustls::pki_types::ServerName<'static>,
    ) -> impl Future<Output = io::Result<Self::Transport>> + Send;

    /// The protocol ALPN agreed on `transport` (`h2`, `http/1.1`), if TLS ran and agreed one.
    #[cfg(feature = "http2")]
    fn alpn(transport: &Self::Transport) -> Option<&[u8]>;

    /// `transport` through tokio's I/O traits, which `h2` speaks.
    #[cfg(feature = "http2")]
    fn h2_io(transport: Self::Transport) -> Self::H2Io;

    /// What [`Net::h2_io`] gives.
    #[cfg(feature = "http2")]
    type H2Io: ::tokio::io::AsyncRead + ::tokio::io::AsyncWrite + Unpin + Send + 'static;
}

/// Runs `future` until `deadline` on `R`'s timer: `None` if the deadline passed first.
pub(crate) async fn within<R: Runtime, F: Future>(
    deadline: Instant,
    future: F,
) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut timer = pin!(R::sleep_until(deadline));
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

/// The connect deadline and how it was set, for the error that names it. Shared by the async
/// connect below and the blocking layer's.
#[derive(Clone, Copy)]
pub(crate) struct Deadline {
    pub(crate) at: Instant,
    pub(crate) timeout: Duration,
}

impl Deadline {
    /// The deadline of a connect with `options` starting now on `R`'s clock.
    pub(crate) fn of<R: Runtime>(options: &ConnectOptions) -> Deadline {
        let timeout = options.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
        Deadline::new(timeout, R::now())
    }

    /// `timeout` from `now`; a deadline past the clock's range is no deadline, and a year
    /// stands in for it.
    pub(crate) fn new(timeout: Duration, now: Instant) -> Deadline {
        let at = now
            .checked_add(timeout)
            .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
            .unwrap_or(now);
        Deadline { at, timeout }
    }

    /// The time left before `step` on `addr`, or the error saying it ran out (for the
    /// blocking layer, whose waits are socket timeouts cut to it).
    pub(crate) fn left(self, step: ConnectStep, addr: &str) -> Result<Duration, ConnectError> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ConnectError::timed_out(step, addr, self.timeout));
        }
        Ok(left)
    }

    /// The error of `step` on `addr`: a timeout (every wait of a step is bounded by the time
    /// left) is the deadline's, anything else a failure.
    pub(crate) fn error(self, step: ConnectStep, addr: &str, error: io::Error) -> ConnectError {
        let late = matches!(
            error.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        );
        if late {
            ConnectError::timed_out(step, addr, self.timeout)
        } else {
            ConnectError::failed(step, addr, error)
        }
    }

    /// Runs an I/O step under the deadline, naming `step` and `addr` in its error.
    pub(crate) async fn step<R: Runtime, T>(
        self,
        step: ConnectStep,
        addr: &str,
        future: impl Future<Output = io::Result<T>>,
    ) -> Result<T, Error> {
        match within::<R, _>(self.at, future).await {
            Some(Ok(value)) => Ok(value),
            Some(Err(error)) => Err(ConnectError::failed(step, addr, error).into()),
            None => Err(ConnectError::timed_out(step, addr, self.timeout).into()),
        }
    }
}

/// The proxy a connect to `request` goes through: the caller's, or the environment's when
/// asked for, or none.
pub(crate) fn choose_proxy(
    options: &ConnectOptions,
    request: &ClientRequest,
) -> Result<Option<proxy::Proxy>, Error> {
    match &options.proxy {
        Some(proxy) => Ok(Some(proxy.clone())),
        None if options.proxy_from_env => proxy::from_env(request.is_secure(), request.host())
            .map_err(|error| {
                let target = authority(request.host(), request.port());
                Error::from(ConnectError::failed(ConnectStep::Proxy, target, error))
            }),
        None => Ok(None),
    }
}

/// The TLS client config and server name (SNI) of a `wss://` connect: the caller's config or
/// the default one.
#[cfg(feature = "rustls")]
pub(crate) fn tls_setup(
    options: &ConnectOptions,
    request: &ClientRequest,
    target: &str,
) -> Result<
    (
        std::sync::Arc<rustls::ClientConfig>,
        rustls::pki_types::ServerName<'static>,
    ),
    ConnectError,
> {
    let fail = |error| ConnectError::failed(ConnectStep::Tls, target, error);
    let config = match &options.tls {
        Some(config) => config.clone(),
        None => crate::tls::default_client_config().map_err(fail)?,
    };
    let name = crate::tls::server_name(request.host()).map_err(fail)?;
    Ok((config, name))
}

/// Whether an attempt's `result` is a redirect to follow: then the URL to try next (the
/// request's credentials dropped from `options` when it leaves the origin, one redirect
/// used up), else the result to return. Shared by the async and the blocking connect.
pub(crate) fn follow_redirect<T>(
    result: Result<T, Error>,
    request: &ClientRequest,
    options: &mut ConnectOptions,
    redirects_left: &mut u8,
) -> ControlFlow<Result<T, Error>, String> {
    match result {
        Err(Error::Handshake(HandshakeError::UnexpectedStatus(response)))
            if *redirects_left > 0 && redirect::is_redirect(response.status()) =>
        {
            *redirects_left -= 1;
            match redirect::follow(request, &response) {
                Ok(next) => {
                    if next.cross_origin {
                        redirect::drop_credentials(&mut options.headers);
                    }
                    ControlFlow::Continue(next.url)
                }
                Err(error) => ControlFlow::Break(Err(error)),
            }
        }
        other => ControlFlow::Break(other),
    }
}

/// `host:port`, with brackets around an IPv6 literal.
pub(crate) fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Connects to a `ws://` or `wss://` URL with `options`: the runtime modules' `connect_with`.
pub(crate) async fn connect<N: Net>(
    url: &str,
    options: &ConnectOptions,
) -> Result<WebSocket<N::Transport, N::Runtime>, Error> {
    connect_until::<N>(url, options, Deadline::of::<N::Runtime>(options)).await
}

/// [`connect`] under a `deadline` already running (HTTP/2's fallback to HTTP/1.1 spends what
/// its attempt left).
pub(crate) async fn connect_until<N: Net>(
    url: &str,
    options: &ConnectOptions,
    deadline: Deadline,
) -> Result<WebSocket<N::Transport, N::Runtime>, Error> {
    let mut options = options.clone();
    let mut url = url.to_owned();
    let mut redirects_left = options.max_redirects;
    loop {
        let request = options.request(&url)?;
        // Boxed, like the steps inside: each step's future (TLS state, the connection) is
        // kilobytes, and debug builds give every nested future its own copy on the stack,
        // which overflowed a 2 MiB test thread.
        let result = Box::pin(attempt::<N>(&request, &options, deadline)).await;
        match follow_redirect(result, &request, &mut options, &mut redirects_left) {
            ControlFlow::Break(result) => return result,
            ControlFlow::Continue(next) => url = next,
        }
    }
}

/// One connect to `request`'s server, without redirects.
async fn attempt<N: Net>(
    request: &ClientRequest,
    options: &ConnectOptions,
    deadline: Deadline,
) -> Result<WebSocket<N::Transport, N::Runtime>, Error> {
    let transport = Box::pin(open::<N>(request, options, deadline, &[])).await?;
    Box::pin(handshake::<N>(transport, request, options, deadline)).await
}

/// The transport to `request`'s server under `deadline`: TCP, the proxy's tunnel if one
/// applies, and TLS for `wss://` (offering `alpn` when it is not empty, else what the TLS
/// config offers).
pub(crate) async fn open<N: Net>(
    request: &ClientRequest,
    options: &ConnectOptions,
    deadline: Deadline,
    alpn: &[&[u8]],
) -> Result<N::Transport, Error> {
    #[cfg(not(feature = "rustls"))]
    if request.is_secure() {
        let why = "wss (enable wsflow's `rustls` feature for TLS)".to_owned();
        return Err(HandshakeError::UnsupportedScheme(why).into());
    }
    let proxy = choose_proxy(options, request)?;
    let (host, port) = proxy
        .as_ref()
        .map_or((request.host(), request.port()), |proxy| {
            (proxy.host(), proxy.port())
        });
    let mut tcp = Box::pin(dial::<N>(host, port, deadline)).await?;
    if let Some(proxy) = &proxy {
        let exchange = proxy::handshake(N::raw(&mut tcp), proxy, request.host(), request.port());
        let addr = authority(proxy.host(), proxy.port());
        deadline
            .step::<N::Runtime, _>(ConnectStep::Proxy, &addr, exchange)
            .await?;
    }
    if request.is_secure() {
        Box::pin(secure::<N>(tcp, request, options, deadline, alpn)).await
    } else {
        Ok(N::plain(tcp))
    }
}

/// The opening handshake of `request` on `transport`, under `deadline`.
pub(crate) async fn handshake<N: Net>(
    transport: N::Transport,
    request: &ClientRequest,
    options: &ConnectOptions,
    deadline: Deadline,
) -> Result<WebSocket<N::Transport, N::Runtime>, Error> {
    let target = authority(request.host(), request.port());
    let handshake = Box::pin(WebSocket::client(
        transport,
        request.clone(),
        options.config.clone(),
    ));
    match within::<N::Runtime, _>(deadline.at, handshake).await {
        Some(result) => result,
        None => {
            Err(ConnectError::timed_out(ConnectStep::Handshake, target, deadline.timeout).into())
        }
    }
}

/// Resolves `host` (unless it is an IP literal) and opens TCP to the first address that
/// answers; the error names the last address tried.
async fn dial<N: Net>(host: &str, port: u16, deadline: Deadline) -> Result<N::Tcp, Error> {
    let name = authority(host, port);
    let addrs = if let Ok(ip) = host.parse::<IpAddr>() {
        vec![SocketAddr::new(ip, port)]
    } else {
        let lookup = N::resolve(host.to_owned(), port);
        deadline
            .step::<N::Runtime, _>(ConnectStep::Resolve, &name, lookup)
            .await?
    };
    let mut last = ConnectError::failed(
        ConnectStep::Resolve,
        name,
        io::Error::new(io::ErrorKind::NotFound, "the name has no address"),
    );
    for addr in addrs {
        match deadline
            .step::<N::Runtime, _>(ConnectStep::Tcp, &addr.to_string(), N::tcp(addr))
            .await
        {
            Ok(tcp) => return Ok(tcp),
            Err(Error::Connect(error)) if !error.is_timeout() => last = error,
            Err(error) => return Err(error),
        }
    }
    Err(last.into())
}

/// The TLS step of a `wss://` URL: the caller's config or the default one (offering `alpn`
/// instead of its own ALPN list when `alpn` is not empty), SNI from the host.
#[cfg(feature = "rustls")]
async fn secure<N: Net>(
    tcp: N::Tcp,
    request: &ClientRequest,
    options: &ConnectOptions,
    deadline: Deadline,
    alpn: &[&[u8]],
) -> Result<N::Transport, Error> {
    let target = authority(request.host(), request.port());
    let (mut config, name) = tls_setup(options, request, &target)?;
    if !alpn.is_empty() {
        let mut with_alpn = (*config).clone();
        with_alpn.alpn_protocols = alpn.iter().map(|protocol| protocol.to_vec()).collect();
        config = std::sync::Arc::new(with_alpn);
    }
    deadline
        .step::<N::Runtime, _>(ConnectStep::Tls, &target, N::tls(tcp, config, name))
        .await
}

/// Without the `rustls` feature a `wss://` URL is refused before dialing (see [`open`]).
#[cfg(not(feature = "rustls"))]
#[allow(clippy::unused_async)] // the same shape as the TLS version, which awaits
async fn secure<N: Net>(
    tcp: N::Tcp,
    _request: &ClientRequest,
    _options: &ConnectOptions,
    _deadline: Deadline,
    _alpn: &[&[u8]],
) -> Result<N::Transport, Error> {
    Ok(N::plain(tcp))
}
