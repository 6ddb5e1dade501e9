//! Glue for [smol](https://docs.rs/smol): its sockets through [`FuturesIo`] (their
//! `poll_close` half-closes) and the `async-io` timer.
//!
//! ```no_run
//! # async fn demo() -> Result<(), wsflow::Error> {
//! let mut ws = wsflow::smol::connect("ws://127.0.0.1:9001/").await?;
//! ws.send("hello").await?;
//! let reply = ws.recv().await?;
//! # Ok(()) }
//! ```

use smol::net::TcpStream;

use crate::WebSocket;
pub use crate::futures_io::{AsyncIoRuntime, FuturesIo};

pub use crate::futures_io::MaybeTls;

/// A smol TCP stream, with or without TLS: what `connect` returns and `accept_with` takes.
pub type MaybeTlsStream = MaybeTls<TcpStream>;

/// A WebSocket over a smol stream, by default a TCP stream with or without TLS (what
/// `connect` and `accept` give).
pub type WebSocketStream<S = MaybeTlsStream> = WebSocket<FuturesIo<S>, AsyncIoRuntime>;

/// Resolves with smol's resolver (a blocking lookup on its thread pool).
async fn resolve(host: String, port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
    smol::net::resolve((host.as_str(), port)).await
}

futures_net!(SmolNet, TcpStream, FuturesIo, resolve);
tcp_helpers!("smol", FuturesIo, SmolNet);
