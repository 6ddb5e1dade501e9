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

/// A WebSocket over a smol stream, by default a `TcpStream`.
pub type WebSocketStream<S = TcpStream> = WebSocket<FuturesIo<S>, AsyncIoRuntime>;

tcp_helpers!("smol", TcpStream, FuturesIo);
