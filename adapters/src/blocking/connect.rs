//! The blocking client connect: DNS, TCP, the proxy, TLS for `wss://`, the opening handshake
//! and redirects, under one deadline, as the async runtimes' connect (`crate::connect`),
//! whose decisions (proxy choice, TLS config, redirects, the deadline) it shares; only the
//! waiting differs (socket timeouts cut to the time left instead of a runtime's timer).

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::ops::ControlFlow;
use std::time::Instant;

use wsflow_core::handshake::{ClientRequest, HandshakeError};

use super::maybe_tls::MaybeTlsStream;
use super::websocket::WebSocket;
use crate::connect::{
    ConnectError, ConnectStep, DEFAULT_CONNECT_TIMEOUT, Deadline, authority, choose_proxy,
    follow_redirect,
};
use crate::error::Error;
use crate::options::ConnectOptions;
use crate::proxy::Proxy;

/// Connects to `url` with `options`: the body of [`super::connect_with`].
pub(crate) fn connect(
    url: &str,
    options: &ConnectOptions,
) -> Result<WebSocket<MaybeTlsStream>, Error> {
    let timeout = options.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let deadline = Deadline::new(timeout, Instant::now());
    let mut options = options.clone();
    let mut url = url.to_owned();
    let mut redirects_left = options.max_redirects;
    loop {
        let request = options.request(&url)?;
        let result = attempt(&request, &options, deadline);
        match follow_redirect(result, &request, &mut options, &mut redirects_left) {
            ControlFlow::Break(result) => return result,
            ControlFlow::Continue(next) => url = next,
        }
    }
}

/// One connect to `request`'s server, without redirects.
fn attempt(
    request: &ClientRequest,
    options: &ConnectOptions,
    deadline: Deadline,
) -> Result<WebSocket<MaybeTlsStream>, Error> {
    #[cfg(not(feature = "rustls"))]
    if request.is_secure() {
        let why = "wss (enable wsflow's `rustls` feature for TLS)".to_owned();
        return Err(HandshakeError::UnsupportedScheme(why).into());
    }
    let target = authority(request.host(), request.port());
    let proxy = choose_proxy(options, request)?;
    let (host, port) = proxy
        .as_ref()
        .map_or((request.host(), request.port()), |proxy| {
            (proxy.host(), proxy.port())
        });
    let mut tcp = dial(host, port, deadline)?;
    if let Some(proxy) = &proxy {
        let addr = authority(proxy.host(), proxy.port());
        tunnel(&mut tcp, proxy, request, deadline, &addr)?;
    }
    let stream = if request.is_secure() {
        secure(tcp, request, options, deadline, &target)?
    } else {
        MaybeTlsStream::Plain(tcp)
    };
    // The handshake's own timeout, cut to what is left of the connect deadline: a cut one
    // that fires is the connect deadline's.
    let left = deadline.left(ConnectStep::Handshake, &target)?;
    let mut limits = options.limits;
    let cut = left < limits.timeout;
    limits.timeout = limits.timeout.min(left);
    match WebSocket::client(
        stream,
        request.clone().limits(limits),
        options.config.clone(),
    ) {
        Err(Error::Handshake(HandshakeError::Timeout)) if cut => {
            Err(ConnectError::timed_out(ConnectStep::Handshake, target, deadline.timeout).into())
        }
        other => other,
    }
}

/// The proxy step: the tunnel to `request`'s server through `proxy`, the socket's timeouts
/// cut to what is left of the deadline (and cleared afterwards).
fn tunnel(
    tcp: &mut TcpStream,
    proxy: &Proxy,
    request: &ClientRequest,
    deadline: Deadline,
    addr: &str,
) -> Result<(), ConnectError> {
    let left = deadline.left(ConnectStep::Proxy, addr)?;
    let result = tcp
        .set_read_timeout(Some(left))
        .and_then(|()| tcp.set_write_timeout(Some(left)))
        .and_then(|()| crate::proxy::handshake_blocking(tcp, proxy, request.host(), request.port()))
        .and_then(|()| tcp.set_read_timeout(None))
        .and_then(|()| tcp.set_write_timeout(None));
    result.map_err(|error| deadline.error(ConnectStep::Proxy, addr, error))
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
    let (config, name) = crate::connect::tls_setup(options, request, target)?;
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
