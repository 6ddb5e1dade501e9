//! The little HTTP a black-box run speaks itself: the opening handshake before a script
//! starts (as the client in server mode, as the server in client mode).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

use wsflow_core::handshake::accept_key;

/// The RFC 6455 §1.3 nonce, our client's `Sec-WebSocket-Key`.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// An HTTP head read from a stream, and the bytes read past it.
#[derive(Debug)]
pub(super) struct Head {
    /// The start line.
    pub(super) start: String,
    /// The header lines as (lowercase name, value).
    pub(super) headers: Vec<(String, String)>,
    /// Bytes after the head (the first frames).
    pub(super) rest: Vec<u8>,
}

impl Head {
    /// The first value of header `name` (lowercase).
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Reads an HTTP head (up to 64 KiB) within `timeout`.
pub(super) fn read_head(stream: &mut TcpStream, timeout: Duration) -> Result<Head, String> {
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    let mut buf = [0; 4096];
    let end = loop {
        if let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if bytes.len() > 64 * 1024 {
            return Err("an HTTP head over 64 KiB".into());
        }
        match stream.read(&mut buf) {
            Ok(0) => {
                return Err(format!(
                    "the connection ended before an HTTP head: {:?}",
                    String::from_utf8_lossy(&bytes)
                ));
            }
            Ok(n) => bytes.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(error) => return Err(format!("reading an HTTP head: {error}")),
        }
    };
    let text = String::from_utf8_lossy(bytes.get(..end).unwrap_or_default()).into_owned();
    let mut lines = text.split("\r\n");
    let start = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    Ok(Head {
        start,
        headers,
        rest: bytes.get(end + 4..).unwrap_or_default().to_vec(),
    })
}

/// Opens a WebSocket connection to `host` (`HOST:PORT`) at `path` as a client; returns the
/// bytes the server wrote after its 101 response.
pub(super) fn client_handshake(
    stream: &mut TcpStream,
    host: &str,
    path: &str,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("sending the upgrade request: {e}"))?;
    let head = read_head(stream, timeout)?;
    if head.start.split(' ').nth(1) != Some("101") {
        return Err(format!("the server answered `{}`", head.start));
    }
    let expected = accept_key(KEY.as_bytes());
    if head.header("sec-websocket-accept") != Some(expected.as_str()) {
        return Err(format!(
            "Sec-WebSocket-Accept is {:?}, not {expected:?}",
            head.header("sec-websocket-accept")
        ));
    }
    if let Some(extensions) = head.header("sec-websocket-extensions") {
        return Err(format!(
            "the server accepted extensions we did not offer: {extensions}"
        ));
    }
    Ok(head.rest)
}

/// Answers a client's upgrade request with 101 (no subprotocol, no extension).
pub(super) fn accept(stream: &mut TcpStream, request: &Head) -> Result<(), String> {
    let key = request
        .header("sec-websocket-key")
        .ok_or_else(|| format!("no Sec-WebSocket-Key in `{}`", request.start))?;
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key.as_bytes())
    );
    stream
        .write_all(response.as_bytes())
        .map_err(|e| format!("sending the 101 response: {e}"))
}

/// The request target of a request head (`GET /runCase?case=1 HTTP/1.1` → `/runCase?case=1`).
pub(super) fn target(head: &Head) -> &str {
    head.start.split(' ').nth(1).unwrap_or_default()
}
