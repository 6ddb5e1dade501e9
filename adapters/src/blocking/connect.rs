//! The blocking client connect: DNS, TCP, TLS for `wss://` and the opening handshake, under
//! one deadline, as the async runtimes' connect (`crate::connect`) but without proxies or
//! redirects.

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use wsflow_core::handshake::{ClientRequest, HandshakeError};

use super::maybe_tls::MaybeTlsStream;
use super::websocket::WebSocket;
use crate::connect::{ConnectError, ConnectStep, DEFAULT_CONNECT_TIMEOUT, authority};
use crate::error::Error;
use crate::options::ConnectOptions;

/// The connect deadline and how it was set, for the error that names it.
#[derive(Clone, Copy)]
struct Deadline {
    at: Instant,
    timeout: Duration,
}

impl Deadline {
    fn new(timeout: Duration) -> Deadline {
        let now = Instant::now();
        // A deadline past the clock's range is no deadline; a year stands in for it.
        let at = now
            .checked_add(timeout)
            .or_else(|| now.checked_add(Duration::from_secs(365 * 24 * 3600)))
            .unwrap_or(now);
        Deadline { at, timeout }
    }

    /// The time left before `step` on `addr`, or the error saying it ran out.
    fn left(self, step: ConnectStep, addr: &str) -> Result<Duration, ConnectError> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(ConnectError::timed_out(step, addr, self.timeout));
        }
        Ok(left)
    }

    /// The error of `step` on `addr`: a timeout (every wait of a step is bounded by the time
    /// left) is the deadline's, anything else a failure.
    fn error(self, step: ConnectStep, addr: &str, error: io::Error) -> ConnectError {
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
}

/// Connects to `url` with `options`: the body of [`super::connect_with`].
pub(crate) fn connect(
    url: &str,
    options: &ConnectOptions,
) -> Result<WebSocket<MaybeTlsStream>, Error> {
    let deadline = Deadline::new(options.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT));
    let request = options.request(url)?;
    #[cfg(not(feature = "rustls"))]
    if request.is_secure() {
        let why = "wss (enable wsflow's `rustls` feature for TLS)".to_owned();
        return Err(HandshakeError::UnsupportedScheme(why).into());
    }
    let target = authority(request.host(), request.port());
    let tcp = dial(request.host(), request.port(), deadline)?;
    let stream = if request.is_secure() {
        secure(tcp, &request, options, deadline, &target)?
    } else {
        MaybeTlsStream::Plain(tcp)
    };
    // The handshake's own timeout, cut to what is left of the connect deadline: a cut one
    // that fires is the connect deadline's.
    let left = deadline.left(ConnectStep::Handshake, &target)?;
    let mut limits = options.limits;
    let cut = left < limits.timeout;
    limits.timeout = limits.timeout.min(left);
    match WebSocket::client(stream, request.limits(limits), options.config.clone()) {
        Err(Error::Handshake(HandshakeError::Timeout)) if cut => {
            Err(ConnectError::timed_out(ConnectStep::Handshake, target, deadline.timeout).into())
        }
        other => other,
    }
}

/// Resolves `host` (unless it is an IP literal) and opens TCP (with `TCP_NODELAY`) to the
/// first address that answers; the error names the last address tried. The lookup itself
/// is the system's and cannot be bounded; it is checked against the deadline afterwards.
fn dial(host: &str, port: u16, deadline: Deadline) -> Result<TcpStream, ConnectError> {
    let name = authority(host, port);
    let addrs: Vec<SocketAddr> = if let Ok(ip) = host.parse::<IpAddr>() {
        vec![SocketAddr::new(ip, port)]
    } else {
        (host, port)
            .to_socket_addrs()
            .map_err(|error| ConnectError::failed(ConnectStep::Resolve, &name, error))?
            .collect()
    };
    let mut last = ConnectError::failed(
        ConnectStep::Resolve,
        name,
        io::Error::new(io::ErrorKind::NotFound, "the name has no address"),
    );
    for addr in addrs {
        let addr_name = addr.to_string();
        let left = deadline.left(ConnectStep::Tcp, &addr_name)?;
        match TcpStream::connect_timeout(&addr, left) {
            Ok(tcp) => {
                tcp.set_nodelay(true)
                    .map_err(|error| ConnectError::failed(ConnectStep::Tcp, &addr_name, error))?;
                return Ok(tcp);
            }
            Err(error) => {
                let error = deadline.error(ConnectStep::Tcp, &addr_name, error);
                if error.is_timeout() {
                    return Err(error);
                }
                last = error;
            }
        }
    }
    Err(last)
}

/// The TLS step of a `wss://` URL: the caller's config or the default one, SNI from the host.
#[cfg(feature = "rustls")]
fn secure(
    tcp: TcpStream,
    request: &ClientRequest,
    options: &ConnectOptions,
    deadline: Deadline,
    target: &str,
) -> Result<MaybeTlsStream, ConnectError> {
    let fail = |error| ConnectError::failed(ConnectStep::Tls, target, error);
    let config = match &options.tls {
        Some(config) => config.clone(),
        None => crate::tls::default_client_config().map_err(fail)?,
    };
    let name = crate::tls::server_name(request.host()).map_err(fail)?;
    deadline.left(ConnectStep::Tls, target)?;
    super::tls::client(tcp, config, name, deadline.at)
        .map(MaybeTlsStream::Tls)
        .map_err(|error| deadline.error(ConnectStep::Tls, target, error))
}

/// Without the `rustls` feature a `wss://` URL is refused before dialing (see [`connect`]).
#[cfg(not(feature = "rustls"))]
#[allow(clippy::unnecessary_wraps)] // the same shape as the TLS version
fn secure(
    tcp: TcpStream,
    _request: &ClientRequest,
    _options: &ConnectOptions,
    _deadline: Deadline,
    _target: &str,
) -> Result<MaybeTlsStream, ConnectError> {
    Ok(MaybeTlsStream::Plain(tcp))
}
