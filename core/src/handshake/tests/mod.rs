//! Tests across the handshake module: each role against RFC 6455's examples and against
//! every way a peer can get it wrong, and the two roles against each other.

mod client;
mod round_trip;
mod server;
mod server_stream;

use std::time::Instant;

use super::*;

/// RFC 6455 §1.3's example client handshake.
const RFC_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\n\
Sec-WebSocket-Version: 13\r\n\
\r\n";

/// RFC 6455 §1.3's example server handshake, answering [`RFC_REQUEST`].
const RFC_RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
Sec-WebSocket-Protocol: chat\r\n\
\r\n";

/// The nonce whose base64 is RFC 6455's example key, `dGhlIHNhbXBsZSBub25jZQ==`.
const RFC_NONCE: [u8; 16] = *b"the sample nonce";

/// Feeds `input` to a fresh server in pieces of the given sizes (cycled), and returns the
/// first non-`None` outcome together with everything after it, or `None` if input ran out.
fn server_feed(
    limits: HandshakeLimits,
    input: &[u8],
    sizes: &[usize],
) -> Option<Result<UpgradeRequest, HandshakeError>> {
    let mut server = ServerHandshake::new(limits, Instant::now());
    let mut rest = input;
    let mut sizes = sizes.iter().cycle();
    while !rest.is_empty() {
        let size = (*sizes.next().unwrap()).min(rest.len());
        let (chunk, after) = rest.split_at(size);
        rest = after;
        match server.receive(chunk) {
            Ok(None) => {}
            Ok(Some(mut request)) => {
                request.leftover = [&request.leftover[..], rest].concat().into();
                return Some(Ok(request));
            }
            Err(error) => return Some(Err(error)),
        }
    }
    None
}

/// A valid request with `replace` swapping whole header lines by name (an empty
/// replacement removes the line) and `extra` appended.
pub(super) fn request_with(replace: &[(&str, &str)], extra: &[&str]) -> Vec<u8> {
    let mut lines = vec![
        "GET /chat HTTP/1.1",
        "Host: server.example.com",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ];
    for (prefix, replacement) in replace {
        let at = lines.iter().position(|l| l.starts_with(prefix)).unwrap();
        if replacement.is_empty() {
            lines.remove(at);
        } else {
            lines[at] = replacement;
        }
    }
    lines.extend_from_slice(extra);
    head(&lines)
}

/// One request or response head from lines, each ending in `\r\n`, plus the blank line.
fn head(lines: &[&str]) -> Vec<u8> {
    let mut out = String::new();
    for line in lines {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// The first line of an HTTP message, for asserting on status lines.
fn first_line(bytes: &[u8]) -> &str {
    let end = bytes.windows(2).position(|w| w == b"\r\n").unwrap();
    std::str::from_utf8(&bytes[..end]).unwrap()
}

/// Whether an HTTP message's head has this exact header line.
fn has_line(bytes: &[u8], line: &str) -> bool {
    let text = String::from_utf8_lossy(bytes);
    let head = text.split("\r\n\r\n").next().unwrap();
    head.split("\r\n").any(|l| l == line)
}

/// A small deterministic generator, so the no-panic tests see the same inputs every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}
