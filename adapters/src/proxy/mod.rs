//! Proxies for a client's connect: HTTP `CONNECT` (with basic auth) and SOCKS5 (with
//! username/password auth). The exchanges are sans-I/O state machines ([`http`],
//! [`socks5`]) driven by one generic loop over any [`Transport`], so every runtime shares them.

mod env;
mod http;
mod socks5;

use std::fmt;
use std::future::poll_fn;
use std::io;

pub(crate) use env::from_env;

use crate::transport::Transport;

/// The kind of a [`Proxy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyKind {
    /// An HTTP proxy, asked with `CONNECT host:port`.
    Http,
    /// A SOCKS5 proxy (RFC 1928); the host name is sent to it, so it resolves the name.
    Socks5,
}

/// A proxy to connect through, set with [`ConnectOptions::proxy`](crate::ConnectOptions::proxy).
///
/// ```
/// use wsflow::{Proxy, ProxyKind};
///
/// let proxy = Proxy::parse("socks5://me:secret@127.0.0.1:1080")?;
/// assert_eq!(proxy.kind(), ProxyKind::Socks5);
/// assert_eq!((proxy.host(), proxy.port()), ("127.0.0.1", 1080));
/// let proxy = Proxy::http("proxy.internal", 3128).auth("me", "secret");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Proxy {
    kind: ProxyKind,
    host: String,
    port: u16,
    auth: Option<(String, String)>,
}

impl fmt::Debug for Proxy {
    // The password stays out of logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.auth.as_ref().map(|(user, _)| user))
            .finish()
    }
}

impl Proxy {
    /// An HTTP proxy at `host:port`.
    pub fn http(host: impl Into<String>, port: u16) -> Self {
        Proxy::new(ProxyKind::Http, &host.into(), port)
    }

    /// A SOCKS5 proxy at `host:port`.
    pub fn socks5(host: impl Into<String>, port: u16) -> Self {
        Proxy::new(ProxyKind::Socks5, &host.into(), port)
    }

    fn new(kind: ProxyKind, host: &str, port: u16) -> Self {
        let host = host
            .strip_prefix('[')
            .and_then(|inner| inner.strip_suffix(']'))
            .unwrap_or(host)
            .to_owned();
        Proxy {
            kind,
            host,
            port,
            auth: None,
        }
    }

    /// Authenticates with a user name and password (HTTP basic auth, or SOCKS5's
    /// username/password method).
    pub fn auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Some((user.into(), password.into()));
        self
    }

    /// Parses a proxy URL as the environment variables hold them: `http://[user:pass@]host[:port]`
    /// (port 80 by default; a URL without a scheme is HTTP too) or
    /// `socks5://[user:pass@]host[:port]` / `socks5h://…` (port 1080 by default). User and
    /// password may be percent-encoded. An `https://` proxy (TLS to the proxy) is not supported.
    pub fn parse(url: &str) -> io::Result<Proxy> {
        let invalid = |why: &str| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("proxy URL {url:?}: {why}"),
            )
        };
        let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
        let (kind, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "http" => (ProxyKind::Http, 80),
            "socks5" | "socks5h" => (ProxyKind::Socks5, 1080),
            "https" => return Err(invalid("TLS to the proxy is not supported")),
            _ => return Err(invalid("unsupported scheme")),
        };
        let authority = rest.split('/').next().unwrap_or_default();
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((userinfo, hostport)) => (Some(userinfo), hostport),
            None => (None, authority),
        };
        let (host, port) =
            split_host_port(hostport).ok_or_else(|| invalid("invalid host or port"))?;
        let mut proxy = Proxy::new(kind, host, port.unwrap_or(default_port));
        if let Some(userinfo) = userinfo {
            let (user, password) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            proxy = proxy.auth(percent_decode(user), percent_decode(password));
        }
        Ok(proxy)
    }

    /// The kind of proxy.
    pub fn kind(&self) -> ProxyKind {
        self.kind
    }

    /// The proxy's host (without the brackets of an IPv6 literal).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

/// `host[:port]` or `[v6][:port]`; `None` if the host is empty or the port invalid.
fn split_host_port(hostport: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(port) => Some(port.parse().ok()?),
        None => None,
    };
    Some((host, port))
}

/// Decodes `%XX` escapes; an invalid escape stays as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|pair| std::str::from_utf8(pair).ok())
            .and_then(|pair| u8::from_str_radix(pair, 16).ok());
        if let (b'%', Some(value)) = (byte, hex) {
            out.push(value);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a proxy exchange asks of its driver next.
pub(crate) trait Exchange {
    /// Bytes to write now (empty if none).
    fn output(&mut self) -> Vec<u8>;
    /// At most how many bytes to read next without reading past the proxy's answer; 0 when
    /// the tunnel is open.
    fn wants(&self) -> usize;
    /// Takes bytes read from the proxy.
    fn feed(&mut self, bytes: &[u8]) -> io::Result<()>;
}

/// Opens a tunnel to `host:port` through `proxy` over `io`, already connected to the proxy.
/// Nothing past the proxy's answer is read, so the TLS or WebSocket bytes stay in the stream.
pub(crate) async fn handshake<T: Transport>(
    mut io: T,
    proxy: &Proxy,
    host: &str,
    port: u16,
) -> io::Result<()> {
    run(&mut io, exchange(proxy, host, port)?).await
}

/// The exchange that opens a tunnel to `host:port` through `proxy`.
fn exchange(proxy: &Proxy, host: &str, port: u16) -> io::Result<Box<dyn Exchange + Send>> {
    Ok(match proxy.kind {
        ProxyKind::Http => Box::new(http::Connect::new(host, port, proxy.auth.as_ref())),
        ProxyKind::Socks5 => Box::new(socks5::Socks5::new(host, port, proxy.auth.as_ref())?),
    })
}

/// [`handshake`] for the blocking layer, over a blocking stream whose read and write
/// timeouts bound it.
pub(crate) fn handshake_blocking<S: io::Read + io::Write>(
    io: &mut S,
    proxy: &Proxy,
    host: &str,
    port: u16,
) -> io::Result<()> {
    let mut exchange = exchange(proxy, host, port)?;
    let mut buf = [0_u8; 512];
    loop {
        io.write_all(&exchange.output())?;
        io.flush()?;
        let wants = exchange.wants().min(buf.len());
        let Some(window) = buf.get_mut(..wants).filter(|window| !window.is_empty()) else {
            return Ok(());
        };
        let n = io.read(window)?;
        if n == 0 {
            return Err(closed_during_handshake());
        }
        exchange.feed(window.get(..n).unwrap_or_default())?;
    }
}

fn closed_during_handshake() -> io::Error {
    let why = "the proxy closed the connection during its handshake";
    io::Error::new(io::ErrorKind::UnexpectedEof, why)
}

/// Drives `exchange` over `io` until the tunnel is open.
async fn run<T: Transport>(io: &mut T, mut exchange: Box<dyn Exchange + Send>) -> io::Result<()> {
    let mut buf = [0_u8; 512];
    loop {
        let output = exchange.output();
        let mut written = 0;
        while let Some(rest) = output.get(written..).filter(|rest| !rest.is_empty()) {
            let n = poll_fn(|cx| io.poll_write(cx, rest)).await?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            written += n;
        }
        poll_fn(|cx| io.poll_flush(cx)).await?;
        let wants = exchange.wants().min(buf.len());
        let Some(window) = buf.get_mut(..wants).filter(|window| !window.is_empty()) else {
            return Ok(());
        };
        let n = poll_fn(|cx| io.poll_read(cx, window)).await?;
        if n == 0 {
            return Err(closed_during_handshake());
        }
        exchange.feed(window.get(..n).unwrap_or_default())?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proxy_urls() {
        let proxy = Proxy::parse("http://u%40x:p%3Aw@[::1]:3128/").unwrap();
        assert_eq!(proxy.kind(), ProxyKind::Http);
        assert_eq!((proxy.host(), proxy.port()), ("::1", 3128));
        assert_eq!(proxy.auth, Some(("u@x".to_owned(), "p:w".to_owned())));
        let proxy = Proxy::parse("proxy.test").unwrap();
        assert_eq!((proxy.kind(), proxy.port()), (ProxyKind::Http, 80));
        let proxy = Proxy::parse("SOCKS5h://s.test").unwrap();
        assert_eq!((proxy.kind(), proxy.port()), (ProxyKind::Socks5, 1080));
        assert!(Proxy::parse("https://p.test").is_err());
        assert!(Proxy::parse("http://p.test:99999").is_err());
        let secret = Proxy::http("p.test", 1).auth("me", "hunter2");
        assert!(!format!("{secret:?}").contains("hunter2"));
    }
}
