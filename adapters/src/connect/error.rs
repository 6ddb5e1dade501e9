//! What a failed connect says: the step that failed or ran out of time, and the address.

use std::fmt;
use std::io;
use std::time::Duration;

/// A step of a client's connect, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectStep {
    /// Resolving the host name (of the server, or of the proxy).
    Resolve,
    /// Opening the TCP connection.
    Tcp,
    /// The proxy's `CONNECT` or SOCKS5 exchange.
    Proxy,
    /// The TLS handshake of a `wss://` URL.
    Tls,
    /// The WebSocket opening handshake.
    Handshake,
}

impl fmt::Display for ConnectStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ConnectStep::Resolve => "DNS lookup",
            ConnectStep::Tcp => "TCP connect",
            ConnectStep::Proxy => "proxy handshake",
            ConnectStep::Tls => "TLS handshake",
            ConnectStep::Handshake => "WebSocket handshake",
        })
    }
}

/// A client's connect failed before the WebSocket handshake could answer: a step failed with
/// an I/O error, or the connect deadline passed during it.
///
/// The message is one line naming the step and the address; the underlying I/O error is the
/// [`source`](std::error::Error::source), not repeated in the message.
#[derive(Debug)]
pub struct ConnectError {
    step: ConnectStep,
    addr: String,
    timeout: Option<Duration>,
    source: Option<io::Error>,
}

impl ConnectError {
    /// `step` failed for `addr` with `source`.
    pub(crate) fn failed(step: ConnectStep, addr: impl Into<String>, source: io::Error) -> Self {
        ConnectError {
            step,
            addr: addr.into(),
            timeout: None,
            source: Some(source),
        }
    }

    /// The deadline of `timeout` passed during `step`.
    pub(crate) fn timed_out(step: ConnectStep, addr: impl Into<String>, timeout: Duration) -> Self {
        ConnectError {
            step,
            addr: addr.into(),
            timeout: Some(timeout),
            source: None,
        }
    }

    /// The step that failed.
    pub fn step(&self) -> ConnectStep {
        self.step
    }

    /// The address the step was working on (`host:port`, or the socket address for TCP).
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Whether the connect deadline passed (rather than the step failing).
    pub fn is_timeout(&self) -> bool {
        self.timeout.is_some()
    }

    /// The I/O error of the failed step (`None` for a timeout).
    pub fn io_error(&self) -> Option<&io::Error> {
        self.source.as_ref()
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.timeout {
            Some(timeout) => write!(
                f,
                "{} with {} timed out (connect deadline {timeout:?})",
                self.step, self.addr
            ),
            None => write!(f, "{} with {} failed", self.step, self.addr),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|error| error as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn messages_name_step_and_address_once() {
        let error = ConnectError::failed(
            ConnectStep::Tcp,
            "127.0.0.1:9",
            io::Error::from(io::ErrorKind::ConnectionRefused),
        );
        assert_eq!(error.to_string(), "TCP connect with 127.0.0.1:9 failed");
        assert!(error.source().is_some());
        let error = ConnectError::timed_out(ConnectStep::Tls, "a.test:443", Duration::from_secs(1));
        assert_eq!(
            error.to_string(),
            "TLS handshake with a.test:443 timed out (connect deadline 1s)"
        );
        assert!(error.is_timeout() && error.source().is_none());
    }
}
