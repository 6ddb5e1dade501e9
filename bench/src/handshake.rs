//! The opening handshake done by hand: the generator must speak to every server the same
//! way, and fastwebsockets leaves the HTTP side to its user.

use base64::Engine;
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

/// A fixed key: the generator's handshake costs nothing to build and is the same every time.
pub const CLIENT_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";

/// Largest handshake head either side accepts; anything longer is a bug in the peer.
const MAX_HEAD: usize = 8 * 1024;

/// The `Sec-WebSocket-Accept` value for `key` (RFC 6455 §4.2.2).
pub fn accept_key(key: &[u8]) -> String {
    let mut sha = Sha1::new();
    sha.update(key);
    sha.update(b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    base64::engine::general_purpose::STANDARD.encode(sha.finalize())
}

/// Reads up to the blank line ending an HTTP head. The generator waits for the 101 before
/// sending frames, so nothing may follow the head; extra bytes are reported as an error.
async fn read_head<S: AsyncRead + Unpin>(stream: &mut S) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(512);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("EOF during the handshake"));
        }
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            if end + 4 != head.len() {
                return Err(std::io::Error::other("bytes after the handshake head"));
            }
            return Ok(head);
        }
        if head.len() > MAX_HEAD {
            return Err(std::io::Error::other("handshake head too long"));
        }
    }
}

/// Client side: sends the upgrade request with [`CLIENT_KEY`] and checks the 101 answer.
pub async fn client<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    host: &str,
) -> std::io::Result<()> {
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {CLIENT_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let head = read_head(stream).await?;
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut response = httparse::Response::new(&mut headers);
    response.parse(&head).map_err(std::io::Error::other)?;
    if response.code != Some(101) {
        return Err(std::io::Error::other(format!(
            "handshake answered {:?}",
            response.code
        )));
    }
    let expected = accept_key(CLIENT_KEY.as_bytes());
    let accepted = response.headers.iter().any(|h| {
        h.name.eq_ignore_ascii_case("sec-websocket-accept") && h.value == expected.as_bytes()
    });
    if !accepted {
        return Err(std::io::Error::other("wrong Sec-WebSocket-Accept"));
    }
    Ok(())
}

/// Server side, for servers without their own: reads the request and answers 101.
pub async fn server(stream: &mut TcpStream) -> std::io::Result<()> {
    let head = read_head(stream).await?;
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    request.parse(&head).map_err(std::io::Error::other)?;
    let key = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("sec-websocket-key"))
        .ok_or_else(|| std::io::Error::other("no Sec-WebSocket-Key"))?;
    let response = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Accept: {}\r\n\r\n",
        accept_key(key.value)
    );
    stream.write_all(response.as_bytes()).await
}
