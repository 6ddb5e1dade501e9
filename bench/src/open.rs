//! Opening the load generator's WebSockets: a TCP (or TLS) connection each with the
//! hand-made handshake, or streams of one HTTP/2 connection ([`crate::h2`]).

use std::io;
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use wsflow::h2::H2Stream;

use crate::h2::TransportIo;
use crate::load::LoadConfig;

/// Opens a TCP connection and runs the hand-made client handshake on it.
pub async fn connect(addr: &str) -> io::Result<TcpStream> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    crate::handshake::client(&mut stream, addr).await?;
    Ok(stream)
}

/// One WebSocket of the generator, past its opening handshake.
pub enum Stream {
    /// Its own TCP connection (HTTP/1.1 upgrade).
    Plain(TcpStream),
    /// Its own TLS connection, for the wss cases.
    Tls(Box<TlsStream<TcpStream>>),
    /// A stream of an HTTP/2 connection that other WebSockets share.
    H2(TransportIo<H2Stream>),
}

/// [`connect`], over TLS (SNI `localhost`) when `tls` is given.
async fn connect_maybe_tls(
    addr: &str,
    tls: Option<&Arc<rustls::ClientConfig>>,
) -> io::Result<Stream> {
    let Some(config) = tls else {
        return connect(addr).await.map(Stream::Plain);
    };
    let tcp = TcpStream::connect(addr).await?;
    tcp.set_nodelay(true)?;
    let name = rustls::pki_types::ServerName::try_from("localhost").map_err(io::Error::other)?;
    let mut stream = tokio_rustls::TlsConnector::from(Arc::clone(config))
        .connect(name, tcp)
        .await?;
    crate::handshake::client(&mut stream, addr).await?;
    Ok(Stream::Tls(Box::new(stream)))
}

/// Opens the case's `conns` WebSockets: a TCP (or TLS) connection each, or streams of one
/// HTTP/2 connection with `http2`.
pub async fn open_all(config: &LoadConfig) -> io::Result<Vec<Stream>> {
    if config.http2 {
        let streams = crate::h2::open_streams(&config.addr, config.conns).await?;
        return Ok(streams.into_iter().map(Stream::H2).collect());
    }
    let mut streams = Vec::with_capacity(config.conns);
    for _ in 0..config.conns {
        streams.push(connect_maybe_tls(&config.addr, config.tls.as_ref()).await?);
    }
    Ok(streams)
}
