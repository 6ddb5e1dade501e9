//! `send_prepared` (broadcast) on every runtime, on a split `SendHalf`, and on the blocking
//! layer and its `Writer`: one prepared message sent to several connections arrives whole
//! on each, from a server (shared frame) and from a client (masked copy).

#![cfg(all(feature = "tokio", feature = "smol", feature = "async-std"))]

mod common;

use std::future::Future;
use std::os::unix::net::UnixStream;
use std::thread;

use bytes::Bytes;
use common::{Peer, raw_pair};
use wsflow::core::{Config, Connection, Event, Role};
use wsflow::{CloseCode, Message, PreparedMessage, Runtime, Transport, WebSocket};

fn prepared() -> [PreparedMessage; 2] {
    [
        PreparedMessage::new("tick"),
        PreparedMessage::new(Bytes::from(vec![7u8; 64 << 10])),
    ]
}

/// What each connection must receive: both messages whole, then the first again through
/// the split send half.
fn expected() -> Vec<Message> {
    let [small, large] = prepared();
    vec![
        Message::Text("tick".into()),
        Message::Binary(large.payload()),
        Message::Binary(large.payload()),
        Message::Text(small.payload().try_into().expect("utf-8")),
    ]
}

/// A peer thread that collects data messages until the connection ends.
fn collect(socket: UnixStream, role: Role) -> thread::JoinHandle<Vec<Message>> {
    thread::spawn(move || {
        let mut peer = Peer::new(socket, role);
        let mut messages = Vec::new();
        while let Some(event) = peer.next_event() {
            if let Event::Message(message) = event {
                messages.push(message);
            }
        }
        messages
    })
}

/// Sends the same prepared messages on every transport, the last one through a split half,
/// and closes each.
async fn broadcast<T: Transport, R: Runtime>(transports: Vec<T>, role: Role) {
    let [small, large] = prepared();
    let mut sockets: Vec<WebSocket<T, R>> = transports
        .into_iter()
        .map(|t| WebSocket::from_connection(t, Connection::new(role, Config::default(), R::now())))
        .collect();
    for ws in &mut sockets {
        ws.send_prepared(&small).await.expect("small");
        ws.send_prepared(&large).await.expect("large");
        ws.send_prepared(&large).await.expect("large again");
    }
    for ws in sockets {
        let (mut send, recv) = ws.split();
        send.send_prepared(&small).await.expect("through the half");
        let mut ws = send.reunite(recv).expect("same connection");
        let report = ws.close(CloseCode::NORMAL, "").await.expect("close");
        assert!(report.was_clean(), "{report:?}");
    }
}

/// Three connections in `role`, their peers on threads; `wrap` turns a socket into the
/// runtime's transport inside `block_on`.
fn run_on<T, R, F>(
    role: Role,
    block_on: impl FnOnce(std::pin::Pin<Box<dyn Future<Output = ()>>>),
    wrap: F,
) where
    T: Transport + 'static,
    R: Runtime + 'static,
    F: Fn(UnixStream) -> T + 'static,
{
    let peer_role = match role {
        Role::Client => Role::Server,
        Role::Server => Role::Client,
    };
    let (ours, peers): (Vec<_>, Vec<_>) = (0..3)
        .map(|_| {
            let (ours, theirs) = raw_pair();
            (ours, collect(theirs, peer_role))
        })
        .unzip();
    block_on(Box::pin(async move {
        let transports = ours.into_iter().map(wrap).collect();
        broadcast::<T, R>(transports, role).await;
    }));
    for peer in peers {
        assert_eq!(peer.join().expect("peer"), expected());
    }
}

fn on_tokio(role: Role) {
    run_on::<_, wsflow::tokio::TokioRuntime, _>(
        role,
        |future| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(future);
        },
        |socket| {
            wsflow::tokio::TokioIo(tokio::net::UnixStream::from_std(socket).expect("register"))
        },
    );
}

fn on_smol(role: Role) {
    run_on::<_, wsflow::smol::AsyncIoRuntime, _>(role, smol::block_on, |socket| {
        let socket: smol::net::unix::UnixStream = socket.try_into().expect("register");
        wsflow::smol::FuturesIo(socket)
    });
}

fn on_async_std(role: Role) {
    run_on::<_, wsflow::async_std::AsyncIoRuntime, _>(role, async_std::task::block_on, |socket| {
        let socket: async_std::os::unix::net::UnixStream = socket.into();
        wsflow::async_std::AsyncStdIo(socket)
    });
}

#[test]
fn tokio_server_and_client() {
    on_tokio(Role::Server);
    on_tokio(Role::Client);
}

#[test]
fn smol_server_and_client() {
    on_smol(Role::Server);
    on_smol(Role::Client);
}

#[test]
fn async_std_server_and_client() {
    on_async_std(Role::Server);
    on_async_std(Role::Client);
}

/// The blocking layer: the whole connection and its `Writer` half, both roles.
#[test]
fn blocking_server_and_client() {
    use wsflow::blocking::WebSocket;

    for role in [Role::Server, Role::Client] {
        let peer_role = match role {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        };
        let [small, large] = prepared();
        let mut peers = Vec::new();
        for _ in 0..3 {
            let (ours, theirs) = UnixStream::pair().expect("pair");
            theirs
                .set_read_timeout(Some(common::PEER_PATIENCE))
                .expect("timeout");
            peers.push(collect(theirs, peer_role));
            let conn = Connection::new(role, Config::default(), std::time::Instant::now());
            let mut ws = WebSocket::from_connection(ours, conn);
            ws.send_prepared(&small).expect("small");
            ws.send_prepared(&large).expect("large");
            ws.send_prepared(&large).expect("large again");
            let (mut reader, writer) = ws.split().expect("split");
            writer.send_prepared(&small).expect("through the writer");
            writer.close(CloseCode::NORMAL, "").expect("close");
            while reader.recv().expect("recv").is_some() {}
        }
        for peer in peers {
            assert_eq!(peer.join().expect("peer"), expected());
        }
    }
}
