//! The peers' echo servers with keepalive pings, for the density benchmark. None of the three
//! peers has a keepalive of its own, so each connection's task sends a Ping on a tokio
//! interval, selected against reading, and answers nothing else than its library does by
//! itself (all three answer the client's pings; the client answers ours with pongs). Unlike
//! wsflow's keepalive, which fails a connection whose pong is late, these only send: a peer
//! user would need more code for that, which would cost more memory, not less.

use std::io;
use std::net::TcpListener;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::time::{Instant, Interval, MissedTickBehavior};

use crate::servers::{ServerKind, report, tokio_current};

/// Serves peer `kind` with a ping every `period` on each connection, on a current-thread
/// tokio runtime like its plain echo server.
///
/// # Errors
/// When the runtime cannot start or accept fails; `kind` must be one of the peers.
pub fn serve(kind: ServerKind, listener: TcpListener, period: Duration) -> io::Result<()> {
    let runtime = tokio_current()?;
    match kind {
        ServerKind::TokioTungstenite => runtime.block_on(tokio_tungstenite(listener, period)),
        ServerKind::Fastwebsockets => runtime.block_on(fastwebsockets(listener, period)),
        ServerKind::TokioWebsockets => runtime.block_on(tokio_websockets(listener, period)),
        other => Err(io::Error::other(format!(
            "{} is not a peer with a ping timer here",
            other.name()
        ))),
    }
}

/// A timer whose first tick comes one period after the connection opened (tokio's
/// `interval` ticks at once), and which does not catch up on ticks a busy server missed.
fn ping_timer(period: Duration) -> Interval {
    let mut timer = tokio::time::interval_at(Instant::now() + period, period);
    timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
    timer
}

async fn tokio_tungstenite(listener: TcpListener, period: Duration) -> io::Result<()> {
    use tokio_tungstenite::tungstenite::{Error, Message};
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let echo = async {
                let mut ws = tokio_tungstenite::accept_async(stream).await?;
                let mut timer = ping_timer(period);
                loop {
                    // `next` is cancel-safe (the stream keeps what it has read), so losing
                    // the race to the timer drops nothing.
                    tokio::select! {
                        message = ws.next() => {
                            let Some(message) = message else { break };
                            let message = message?;
                            if message.is_binary() || message.is_text() {
                                ws.send(message).await?;
                            }
                        }
                        _ = timer.tick() => ws.send(Message::Ping(bytes::Bytes::new())).await?,
                    }
                }
                Ok::<(), Error>(())
            };
            report(echo.await);
        });
    }
}

async fn fastwebsockets(listener: TcpListener, period: Duration) -> io::Result<()> {
    use fastwebsockets::{Frame, OpCode, Payload, Role, WebSocket, WebSocketError};
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (mut stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let echo = async {
                crate::handshake::server(&mut stream)
                    .await
                    .map_err(WebSocketError::IoError)?;
                // No FragmentCollector (the plain echo server's): it cannot write a ping
                // between reads, and the density clients send no data anyway.
                let mut ws = WebSocket::after_handshake(stream, Role::Server);
                let mut timer = ping_timer(period);
                loop {
                    // `read_frame` is not documented as cancel-safe: it keeps read bytes in
                    // its buffer, but a header split across two reads would lose its first
                    // two bytes if the timer won in between. The density clients send only
                    // 6-byte pongs, which arrive in one read, so nothing is lost here.
                    tokio::select! {
                        frame = ws.read_frame() => {
                            let frame = frame?;
                            match frame.opcode {
                                OpCode::Close => break,
                                OpCode::Text | OpCode::Binary => ws.write_frame(frame).await?,
                                _ => {}
                            }
                        }
                        _ = timer.tick() => {
                            let ping = Frame::new(true, OpCode::Ping, None, Payload::Borrowed(&[]));
                            ws.write_frame(ping).await?;
                        }
                    }
                }
                Ok::<(), WebSocketError>(())
            };
            report(echo.await);
        });
    }
}

async fn tokio_websockets(listener: TcpListener, period: Duration) -> io::Result<()> {
    use tokio_websockets::{Error, Message};
    let listener = tokio::net::TcpListener::from_std(listener)?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let echo = async {
                let (_request, mut ws) = tokio_websockets::ServerBuilder::new()
                    .accept(stream)
                    .await?;
                let mut timer = ping_timer(period);
                loop {
                    // `next` is cancel-safe: the stream keeps its partial frame.
                    tokio::select! {
                        message = ws.next() => {
                            let Some(message) = message else { break };
                            let message = message?;
                            if message.is_binary() || message.is_text() {
                                ws.send(message).await?;
                            }
                        }
                        _ = timer.tick() => ws.send(Message::ping(bytes::Bytes::new())).await?,
                    }
                }
                Ok::<(), Error>(())
            };
            report(echo.await);
        });
    }
}
