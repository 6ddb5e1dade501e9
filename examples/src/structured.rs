//! Structured concurrency: a server and its clients live inside futures that own them, no
//! task is spawned, and cancelling a scope — dropping its future — ends everything in it.
//!
//! wsflow spawns nothing and a `WebSocket` owns its transport, so dropping a scope drops
//! its connections, which closes their sockets. The demo shows it from the outside:
//!
//! - the server's scope holds the accept loop and every connection (a `FuturesUnordered`,
//!   polled by the scope itself); each connection holds a [`Live`] guard, so
//!   [`Report::live_after`] counts the server's connections that still exist;
//! - the clients' scope is cancelled by a timeout while every client is blocked in
//!   `recv`. Nothing closes them but the drop, yet the server sees each connection end
//!   ([`Report::ended_by_peer`]) and its live count falls to zero;
//! - then the server's scope ends too, and nothing of it is left.

use std::io;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::future::{Either, join_all, select};
use futures_util::stream::{FuturesUnordered, StreamExt};
use smol::Timer;
use wsflow::{Error, Message};

/// Counts live connections: one is added on creation and taken back on drop, whichever
/// way the connection ends — returned, failed or cancelled.
#[derive(Debug)]
pub struct Live(Arc<AtomicUsize>);

impl Live {
    /// Counts one more live connection in `count`.
    pub fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Live(Arc::clone(count))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What [`run`] observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Clients that connected and got their greeting echoed before the cancel.
    pub greeted: usize,
    /// Whether the clients' scope was cancelled (rather than finishing by itself).
    pub cancelled: bool,
    /// Server connections that ended because their client's transport closed.
    pub ended_by_peer: usize,
    /// Server connections still alive after the server's scope ended: always zero.
    pub live_after: usize,
}

/// How long the server may take to notice that the dropped clients' sockets closed.
const NOTICE: Duration = Duration::from_secs(5);

/// Runs a server and `clients` clients on smol, cancels the clients `linger` after all of
/// them are connected, waits for the server to see every connection close, then ends the
/// server's scope. Everything runs in the caller's task.
pub async fn run(clients: usize, linger: Duration) -> io::Result<Report> {
    let listener = smol::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("ws://{}/", listener.local_addr()?);
    let live = Arc::new(AtomicUsize::new(0));
    let ended_by_peer = AtomicUsize::new(0);
    let greeted = AtomicUsize::new(0);

    let server = serve(&listener, &live, &ended_by_peer);
    let clients_scope = join_all((0..clients).map(|i| client(&url, i, &greeted)));
    let supervisor = async {
        // The timeout that cancels the clients' scope runs from the moment all are in,
        // so the demo does not depend on how fast connections are made.
        let all_in = async {
            while greeted.load(Ordering::SeqCst) < clients {
                Timer::after(Duration::from_millis(2)).await;
            }
            Timer::after(linger).await;
        };
        let cancelled = match select(pin!(clients_scope), pin!(all_in)).await {
            Either::Left((results, _)) => {
                results
                    .into_iter()
                    .collect::<Result<Vec<()>, Error>>()
                    .map_err(io::Error::other)?;
                false
            }
            // Dropping the unfinished `join_all` here drops every client `WebSocket`.
            Either::Right(((), _)) => true,
        };
        // The server's scope is still running: it must see every connection close.
        let deadline = Instant::now() + NOTICE;
        while ended_by_peer.load(Ordering::SeqCst) < clients && Instant::now() < deadline {
            Timer::after(Duration::from_millis(2)).await;
        }
        Ok::<bool, io::Error>(cancelled)
    };
    // The server never returns by itself (but on an accept error); the supervisor ending
    // drops it, and with it the listener and every connection it still holds.
    let cancelled = match select(pin!(server), pin!(supervisor)).await {
        Either::Left((error, _)) => return Err(error),
        Either::Right((cancelled, _)) => cancelled?,
    };
    Ok(Report {
        greeted: greeted.load(Ordering::SeqCst),
        cancelled,
        ended_by_peer: ended_by_peer.load(Ordering::SeqCst),
        live_after: live.load(Ordering::SeqCst),
    })
}

/// The server's scope: accepts, and runs every connection as a future it owns. Returns
/// only when accepting fails.
async fn serve(
    listener: &smol::net::TcpListener,
    live: &Arc<AtomicUsize>,
    ended_by_peer: &AtomicUsize,
) -> io::Error {
    let mut connections = FuturesUnordered::new();
    loop {
        // With no connection, `next()` would be ready at once: then only accept.
        let accepted = if connections.is_empty() {
            listener.accept().await
        } else {
            match select(pin!(listener.accept()), connections.next()).await {
                Either::Left((accepted, _)) => accepted,
                Either::Right(_) => continue,
            }
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(error) => return error,
        };
        let guard = Live::new(live);
        connections.push(async move {
            let _guard = guard;
            if let Err(error) = echo(wsflow::smol::accept(stream).await).await {
                // The expected end here: the client vanished without a close handshake.
                if matches!(error, Error::Abnormal(_) | Error::Io(_)) {
                    ended_by_peer.fetch_add(1, Ordering::SeqCst);
                } else {
                    eprintln!("structured: server connection: {error}");
                }
            }
        });
    }
}

async fn echo(accepted: Result<wsflow::smol::WebSocketStream, Error>) -> Result<(), Error> {
    let mut ws = accepted?;
    while let Some(message) = ws.recv().await? {
        ws.send(message).await?;
    }
    Ok(())
}

/// One client: greets, waits for the echo, then waits for more that never comes — until
/// its scope is cancelled.
async fn client(url: &str, i: usize, greeted: &AtomicUsize) -> Result<(), Error> {
    let mut ws = wsflow::smol::connect(url).await?;
    ws.send(format!("hello from client {i}")).await?;
    if let Some(Message::Text(_)) = ws.recv().await? {
        greeted.fetch_add(1, Ordering::SeqCst);
    }
    while ws.recv().await?.is_some() {}
    Ok(())
}
