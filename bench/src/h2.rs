//! The generator's side of WebSockets over HTTP/2 (RFC 8441): one cleartext TCP connection
//! with prior knowledge, N extended CONNECT streams on it, each seen through tokio's I/O
//! traits, so that [`load`](crate::load)'s pre-encoded frames and echo checker run on them
//! exactly as on a TCP connection. The generator pays HTTP/2's framing and flow control, as
//! any HTTP/2 client would, and no WebSocket work beyond the HTTP/1.1 cases'.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wsflow::Transport;
use wsflow::h2::H2Stream;
use wsflow::h2::h2_crate as h2;

/// A wsflow [`Transport`] seen through tokio's I/O traits (wsflow's adapters go the other
/// way only).
pub struct TransportIo<T>(pub T);

impl<T: Transport> AsyncRead for TransportIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = ready!(self.get_mut().0.poll_read(cx, buf.initialize_unfilled()))?;
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<T: Transport> AsyncWrite for TransportIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().0.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().0.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().0.poll_shutdown(cx)
    }
}

/// How long the server may take to send its SETTINGS.
const SETTINGS_WAIT: Duration = Duration::from_secs(5);

/// The extended CONNECT that opens a WebSocket on `addr` (RFC 8441 §4), offering no
/// extension, like the HTTP/1.1 cases' handshake.
fn extended_connect(addr: &str) -> io::Result<http::Request<()>> {
    let mut request = http::Request::builder()
        .method(http::Method::CONNECT)
        .uri(format!("http://{addr}/"))
        .header("sec-websocket-version", "13")
        .body(())
        .map_err(io::Error::other)?;
    request
        .extensions_mut()
        .insert(h2::ext::Protocol::from_static("websocket"));
    Ok(request)
}

/// Opens one HTTP/2 connection to `addr` (wsflow's client settings) and `count` WebSockets
/// on it. The connection is driven by a task of its own on the current runtime, which ends
/// once every stream returned here is dropped.
///
/// # Errors
/// When the server does not speak HTTP/2 with prior knowledge, does not advertise extended
/// CONNECT within five seconds, or answers a CONNECT with anything but 2xx.
pub async fn open_streams(addr: &str, count: usize) -> io::Result<Vec<TransportIo<H2Stream>>> {
    let tcp = tokio::net::TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let (mut send_request, connection) = wsflow::h2::client_builder()
        .handshake::<_, Bytes>(tcp)
        .await
        .map_err(io::Error::other)?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            // A broken connection fails the streams too; this says why.
            eprintln!("generator's HTTP/2 connection: {error}");
        }
    });
    // `h2` refuses an extended CONNECT until the server's SETTINGS (its first frame) allowed
    // it; the task above applies them as they arrive.
    let started = Instant::now();
    while !send_request.is_extended_connect_protocol_enabled() {
        if started.elapsed() > SETTINGS_WAIT {
            return Err(io::Error::other(
                "the server did not enable extended CONNECT",
            ));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // All requests first, then all answers: the 100 handshakes share round trips.
    let mut pending = Vec::with_capacity(count);
    for _ in 0..count {
        send_request = send_request.ready().await.map_err(io::Error::other)?;
        let (response, send) = send_request
            .send_request(extended_connect(addr)?, false)
            .map_err(io::Error::other)?;
        pending.push((response, send));
    }
    let mut streams = Vec::with_capacity(count);
    for (response, send) in pending {
        let response = response.await.map_err(io::Error::other)?;
        if !response.status().is_success() {
            return Err(io::Error::other(format!(
                "extended CONNECT answered {}",
                response.status()
            )));
        }
        streams.push(TransportIo(H2Stream::new(send, response.into_body())));
    }
    Ok(streams)
}
