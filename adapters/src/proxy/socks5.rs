//! The SOCKS5 `CONNECT` exchange (RFC 1928) with username/password auth (RFC 1929), sans I/O.

use std::io;
use std::net::IpAddr;

use super::Exchange;

/// Where the exchange is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for the chosen method (2 bytes).
    Method,
    /// Waiting for the auth status (2 bytes).
    Auth,
    /// Waiting for the reply's first 4 bytes.
    Reply,
    /// Waiting for the bound address's length byte (domain names).
    AddrLen,
    /// Skipping the bound address and port.
    Addr,
    /// The tunnel is open.
    Done,
}

/// A SOCKS5 client exchange.
pub(super) struct Socks5 {
    phase: Phase,
    output: Vec<u8>,
    /// Bytes of the current answer read so far.
    answer: Vec<u8>,
    /// Length of the current answer.
    need: usize,
    auth: Option<Vec<u8>>,
    connect: Vec<u8>,
}

fn refused(why: &str) -> io::Error {
    io::Error::other(format!("SOCKS5 proxy: {why}"))
}

fn invalid(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("SOCKS5 proxy: {why}"))
}

impl Socks5 {
    pub(super) fn new(host: &str, port: u16, auth: Option<&(String, String)>) -> io::Result<Self> {
        let too_long = || {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "SOCKS5: a field is over 255 bytes",
            )
        };
        let mut connect = vec![5, 1, 0];
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(ip)) => {
                connect.push(1);
                connect.extend_from_slice(&ip.octets());
            }
            Ok(IpAddr::V6(ip)) => {
                connect.push(4);
                connect.extend_from_slice(&ip.octets());
            }
            Err(_) => {
                connect.push(3);
                connect.push(u8::try_from(host.len()).map_err(|_| too_long())?);
                connect.extend_from_slice(host.as_bytes());
            }
        }
        connect.extend_from_slice(&port.to_be_bytes());
        let auth = match auth {
            Some((user, password)) => {
                let mut message = vec![1, u8::try_from(user.len()).map_err(|_| too_long())?];
                message.extend_from_slice(user.as_bytes());
                message.push(u8::try_from(password.len()).map_err(|_| too_long())?);
                message.extend_from_slice(password.as_bytes());
                Some(message)
            }
            None => None,
        };
        // Offer "no auth", and username/password when there are credentials.
        let output = if auth.is_some() {
            vec![5, 2, 0, 2]
        } else {
            vec![5, 1, 0]
        };
        Ok(Socks5 {
            phase: Phase::Method,
            output,
            answer: Vec::new(),
            need: 2,
            auth,
            connect,
        })
    }

    /// Moves on to `phase`, which reads `need` bytes.
    fn expect(&mut self, phase: Phase, need: usize) {
        self.phase = phase;
        self.need = need;
        self.answer.clear();
    }

    /// Handles a complete answer of the current phase.
    fn step(&mut self) -> io::Result<()> {
        let answer = std::mem::take(&mut self.answer);
        match (self.phase, answer.as_slice()) {
            // No auth needed, or the password was taken: ask for the tunnel.
            (Phase::Method, [5, 0]) | (Phase::Auth, [_, 0]) => {
                self.output = std::mem::take(&mut self.connect);
                self.expect(Phase::Reply, 4);
            }
            (Phase::Method, [5, 2]) => match self.auth.take() {
                Some(auth) => {
                    self.output = auth;
                    self.expect(Phase::Auth, 2);
                }
                None => return Err(invalid("asked for a password that was not offered")),
            },
            (Phase::Method, [5, 0xFF]) => {
                return Err(refused("no acceptable authentication method"));
            }
            (Phase::Auth, [_, _]) => {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "SOCKS5 proxy: user name or password refused",
                ));
            }
            (Phase::Reply, [5, 0, _, kind]) => match kind {
                1 => self.expect(Phase::Addr, 4 + 2),
                4 => self.expect(Phase::Addr, 16 + 2),
                3 => self.expect(Phase::AddrLen, 1),
                _ => return Err(invalid("unknown address type in the reply")),
            },
            (Phase::Reply, [5, code, ..]) => return Err(refused(reply_text(*code))),
            (Phase::AddrLen, [len]) => self.expect(Phase::Addr, usize::from(*len) + 2),
            (Phase::Addr, _) => self.expect(Phase::Done, 0),
            _ => return Err(invalid("malformed answer")),
        }
        Ok(())
    }
}

/// RFC 1928 §6's reply codes.
fn reply_text(code: u8) -> &'static str {
    match code {
        1 => "general failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown error",
    }
}

impl Exchange for Socks5 {
    fn output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.output)
    }

    fn wants(&self) -> usize {
        self.need.saturating_sub(self.answer.len())
    }

    fn feed(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.answer.extend_from_slice(bytes);
        if self.answer.len() > self.need {
            return Err(invalid("answer longer than asked"));
        }
        if self.answer.len() == self.need {
            self.step()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_password_and_domain_name() {
        let auth = ("me".to_owned(), "pw".to_owned());
        let mut socks = Socks5::new("a.test", 443, Some(&auth)).unwrap();
        assert_eq!(socks.output(), [5, 2, 0, 2]);
        socks.feed(&[5, 2]).unwrap();
        assert_eq!(socks.output(), [1, 2, b'm', b'e', 2, b'p', b'w']);
        socks.feed(&[1, 0]).unwrap();
        let connect = socks.output();
        assert_eq!(connect.get(..5).unwrap(), [5, 1, 0, 3, 6]);
        assert_eq!(
            connect.get(connect.len() - 2..).unwrap(),
            443_u16.to_be_bytes()
        );
        socks.feed(&[5, 0, 0, 3]).unwrap();
        assert_eq!(socks.wants(), 1);
        socks.feed(&[2]).unwrap();
        assert_eq!(socks.wants(), 4);
        socks.feed(&[b'x', b'y', 0, 80]).unwrap();
        assert_eq!(socks.wants(), 0);
    }

    #[test]
    fn refusals_are_errors() {
        let mut socks = Socks5::new("127.0.0.1", 80, None).unwrap();
        assert_eq!(socks.output(), [5, 1, 0]);
        socks.feed(&[5, 0]).unwrap();
        assert_eq!(socks.output(), [5, 1, 0, 1, 127, 0, 0, 1, 0, 80]);
        let error = socks.feed(&[5, 5, 0, 1]).unwrap_err();
        assert!(error.to_string().contains("connection refused"));
        let mut socks = Socks5::new("::1", 80, None).unwrap();
        assert!(socks.feed(&[5, 0xFF]).is_err());
        let auth = ("me".to_owned(), "bad".to_owned());
        let mut socks = Socks5::new("a.test", 80, Some(&auth)).unwrap();
        socks.feed(&[5, 2]).unwrap();
        let error = socks.feed(&[1, 1]).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
    }
}
