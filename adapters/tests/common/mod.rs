//! What the runtime suites share: the `Harness` each runtime implements in a few lines, a
//! blocking scripted peer that runs on a plain thread, and small async helpers.

#![allow(dead_code, unreachable_pub)]

pub mod scenarios;

use std::future::Future;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::pin::pin;
use std::time::{Duration, Instant};

use futures_util::future::{Either, select};
use wsflow::core::{Config, Connection, Event, Role};
use wsflow::{
    Accept, AcceptOptions, ConnectOptions, Error, Reject, Runtime, Transport, UpgradeRequest,
    WebSocket,
};

/// How long a blocking peer waits for a byte before giving up (a failing test, not a hang).
pub const PEER_PATIENCE: Duration = Duration::from_secs(5);

/// What each runtime supplies to run the shared scenarios.
pub trait Harness {
    /// The runtime's TCP transport, as its `connect`/`accept` produce it.
    type Tcp: Transport + Send + 'static;
    /// The runtime's transport over a Unix socket (the in-memory pair of these tests).
    type Unix: Transport + Send + 'static;
    /// The runtime's timer and clock.
    type R: Runtime;

    /// Runs a future to completion on a fresh runtime.
    fn block_on<F: Future>(future: F) -> F::Output;

    /// A client and a server over 127.0.0.1, through the module's `connect_with` and
    /// `accept_with`.
    fn tcp_pair(
        client: ConnectOptions,
        server: AcceptOptions,
        decide: fn(&UpgradeRequest) -> Result<Accept, Reject>,
    ) -> impl Future<Output = Pair<Ws<Self::Tcp, Self::R>>>;

    /// Two connected TCP transports, with no handshake.
    fn raw_tcp_pair() -> impl Future<Output = (Self::Tcp, Self::Tcp)>;

    /// Wraps one end of a socket pair; called inside `block_on`.
    fn unix(socket: UnixStream) -> Self::Unix;
}

pub type Ws<T, R> = WebSocket<T, R>;

/// The client's and the server's handshake results.
pub type Pair<W> = (Result<W, Error>, Result<W, Error>);

/// Runs `future` for at most `limit`; `None` if the limit came first (the future is dropped,
/// which is how the cancellation tests cancel).
pub async fn within<R: Runtime, F: Future>(limit: Duration, future: F) -> Option<F::Output> {
    let timer = pin!(R::sleep_until(R::now() + limit));
    match select(pin!(future), timer).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(_) => None,
    }
}

/// Runs a scenario on `H`'s runtime; a scenario that hangs fails after 20 s instead.
pub fn run<H: Harness>(scenario: impl Future<Output = ()>) {
    H::block_on(async {
        let limit = Duration::from_secs(20);
        within::<H::R, _>(limit, scenario)
            .await
            .expect("the scenario hung");
    });
}

/// A socket pair: ours non-blocking for the runtime, theirs blocking (with a timeout) for
/// a peer thread.
pub fn raw_pair() -> (UnixStream, UnixStream) {
    let (ours, theirs) = UnixStream::pair().expect("socket pair");
    ours.set_nonblocking(true).expect("non-blocking");
    theirs
        .set_read_timeout(Some(PEER_PATIENCE))
        .expect("read timeout");
    (ours, theirs)
}

/// A connection over one end of a socket pair, skipping the opening handshake, and the
/// other end for a blocking peer.
pub fn socket_pair<H: Harness>(role: Role, config: Config) -> (Ws<H::Unix, H::R>, UnixStream) {
    let (ours, theirs) = raw_pair();
    let conn = Connection::new(role, config, H::R::now());
    (WebSocket::from_connection(H::unix(ours), conn), theirs)
}

/// A scripted peer on a plain thread: a core connection over a blocking socket.
pub struct Peer {
    pub socket: UnixStream,
    pub conn: Connection,
}

impl Peer {
    pub fn new(socket: UnixStream, role: Role) -> Self {
        let conn = Connection::new(role, Config::default(), Instant::now());
        Peer { socket, conn }
    }

    /// Writes everything the peer's connection has queued, and the FIN if it asks.
    pub fn flush(&mut self) {
        while !self.conn.pending_output().is_empty() {
            let chunk = self.conn.pending_output();
            let n = chunk.len();
            self.socket.write_all(chunk).expect("peer write");
            self.conn.consume_output(n);
        }
        if self.conn.wants_shutdown() {
            let _ = self.socket.shutdown(std::net::Shutdown::Write);
        }
    }

    /// The next event, reading as needed (and answering: pongs, close replies); `None` once
    /// the peer's connection is over.
    pub fn next_event(&mut self) -> Option<Event> {
        let mut buf = [0u8; 16 << 10];
        loop {
            if let Some(event) = self.conn.poll_event() {
                self.flush();
                return Some(event);
            }
            if self.conn.state() == wsflow::State::Closed {
                return None;
            }
            // A read that times out fails the test: the other side owed us a byte or a FIN.
            let n = self.socket.read(&mut buf).expect("peer read");
            if n == 0 {
                self.conn.receive_eof(Instant::now());
            } else {
                self.conn.receive(Instant::now(), &buf[..n]);
            }
            self.flush();
        }
    }
}
