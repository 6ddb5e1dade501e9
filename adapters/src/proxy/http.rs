//! The HTTP `CONNECT` exchange (RFC 9110 §9.3.6), sans I/O.

use std::io;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::Exchange;
use crate::connect::authority;

/// The end of the proxy's response head.
const END: &[u8] = b"\r\n\r\n";
/// The most of a response head this reads.
const MAX_HEAD: usize = 8 * 1024;

/// A `CONNECT host:port` request and the reading of its answer.
pub(super) struct Connect {
    request: Vec<u8>,
    head: Vec<u8>,
    done: bool,
}

impl Connect {
    pub(super) fn new(host: &str, port: u16, auth: Option<&(String, String)>) -> Self {
        let target = authority(host, port);
        let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
        if let Some((user, password)) = auth {
            let token = STANDARD.encode(format!("{user}:{password}"));
            request.push_str("Proxy-Authorization: Basic ");
            request.push_str(&token);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        Connect {
            request: request.into_bytes(),
            head: Vec::new(),
            done: false,
        }
    }

    /// Checks the status line of the complete head: any 2xx opens the tunnel.
    fn check(&self) -> io::Result<()> {
        let text = String::from_utf8_lossy(&self.head);
        let line = text.lines().next().unwrap_or_default();
        let mut parts = line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let status = parts.next().and_then(|code| code.parse::<u16>().ok());
        match status {
            Some(200..=299) if version.starts_with("HTTP/1.") => Ok(()),
            Some(407) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "the proxy requires authentication (407)",
            )),
            Some(code) => Err(io::Error::other(format!(
                "the proxy refused CONNECT with status {code}"
            ))),
            None => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the proxy's answer is not HTTP",
            )),
        }
    }
}

impl Exchange for Connect {
    fn output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.request)
    }

    fn wants(&self) -> usize {
        if self.done {
            return 0;
        }
        // Read no further than the shortest way to the end of the head, so no byte of the
        // tunnel is taken: if the head ends with the first k bytes of END, 4 - k are missing.
        let matched = (1..END.len())
            .rev()
            .find(|&k| self.head.ends_with(END.get(..k).unwrap_or_default()))
            .unwrap_or(0);
        END.len() - matched
    }

    fn feed(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.head.extend_from_slice(bytes);
        if self.head.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the proxy's answer head is too long",
            ));
        }
        if self.head.ends_with(END) {
            self.check()?;
            self.done = true;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(connect: &mut Connect, bytes: &[u8]) -> io::Result<()> {
        for byte in bytes {
            assert!(connect.wants() > 0);
            connect.feed(std::slice::from_ref(byte))?;
        }
        Ok(())
    }

    #[test]
    fn request_carries_basic_auth() {
        let auth = ("user".to_owned(), "pass".to_owned());
        let mut connect = Connect::new("::1", 443, Some(&auth));
        let request = String::from_utf8(connect.output()).unwrap();
        assert!(request.starts_with("CONNECT [::1]:443 HTTP/1.1\r\n"));
        assert!(request.contains("Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"));
        assert!(request.ends_with("\r\n\r\n"));
        assert!(connect.output().is_empty());
    }

    #[test]
    fn reads_exactly_the_head() {
        let mut connect = Connect::new("a.test", 80, None);
        assert_eq!(connect.wants(), 4);
        connect
            .feed(b"HTTP/1.1 200 Connection established\r\n\r")
            .unwrap();
        assert_eq!(connect.wants(), 1);
        connect.feed(b"\n").unwrap();
        assert_eq!(connect.wants(), 0);
    }

    #[test]
    fn refusals_are_errors() {
        let mut connect = Connect::new("a.test", 80, None);
        let error = answer(&mut connect, b"HTTP/1.1 407 Auth\r\n\r\n").unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::PermissionDenied);
        let mut connect = Connect::new("a.test", 80, None);
        let error = answer(&mut connect, b"HTTP/1.1 502 Bad\r\nX: y\r\n\r\n").unwrap_err();
        assert!(error.to_string().contains("502"));
        let mut connect = Connect::new("a.test", 80, None);
        assert!(answer(&mut connect, b"SSH-2.0\r\n\r\n").is_err());
    }
}
