//! The scenarios, written once and run on every runtime by `runtime_suite!`.

use std::cell::Cell;
use std::future::poll_fn;
use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::future::join;
use http::StatusCode;
use wsflow::core::ProtocolError;
use wsflow::core::handshake::HandshakeError;
use wsflow::{
    Accept, AcceptOptions, CloseCause, CloseCode, Config, ConnectOptions, Error, Event, Initiator,
    Keepalive, Message, Reject, Role, Transport, UpgradeRequest,
};

use super::{Harness, Peer, run, socket_pair, within};

#[allow(clippy::unnecessary_wraps)] // the shape of an accept callback
fn choose_chat(request: &UpgradeRequest) -> Result<Accept, Reject> {
    assert_eq!(request.request.uri().path(), "/echo");
    Ok(Accept::new().subprotocol("chat"))
}

fn forbid(_: &UpgradeRequest) -> Result<Accept, Reject> {
    Err(StatusCode::FORBIDDEN.into())
}

/// Text, binary, a 1 MiB message and a ping over real TCP, then a client-initiated close.
pub fn loopback_exchange<H: Harness>() {
    run::<H>(async {
        let client = ConnectOptions::new().subprotocol("chat");
        let (client, server) = H::tcp_pair(client, AcceptOptions::new(), choose_chat).await;
        let (mut client, mut server) = (client.expect("client"), server.expect("server"));
        assert_eq!(client.subprotocol().as_deref(), Some("chat"));
        let big = Bytes::from(
            (0..1u32 << 20)
                .map(|i| (i % 251) as u8)
                .collect::<Vec<u8>>(),
        );

        let echo = async {
            while let Some(message) = server.recv().await.expect("server recv") {
                server.send(message).await.expect("server send");
            }
            server.close_report().expect("server report")
        };
        let script = async {
            let sent = [
                Message::from("hello"),
                Message::from(vec![0u8, 1, 2, 255]),
                Message::Binary(big.clone()),
                Message::from("héllo ✓"),
            ];
            for message in &sent {
                client.send(message.clone()).await.expect("send");
            }
            for message in &sent {
                assert_eq!(client.recv().await.expect("recv").as_ref(), Some(message));
            }
            client.ping(&b"are you there"[..]).await.expect("ping");
            loop {
                match client.recv_event().await.expect("event") {
                    Some(Event::Pong(payload)) => break assert_eq!(&payload[..], b"are you there"),
                    other => assert!(matches!(other, Some(Event::Ping(_))), "{other:?}"),
                }
            }
            let started = Instant::now();
            let report = client
                .close(CloseCode::NORMAL, "done")
                .await
                .expect("close");
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "close waited for a timeout"
            );
            assert_eq!(
                report.cause,
                CloseCause::Clean {
                    initiator: Initiator::Local
                }
            );
            assert_eq!(report.code, CloseCode::NORMAL);
            assert_eq!(client.recv().await.expect("after close"), None);
        };
        let (server_report, ()) = join(echo, script).await;
        assert_eq!(
            server_report.cause,
            CloseCause::Clean {
                initiator: Initiator::Remote
            }
        );
        assert_eq!(server_report.code, CloseCode::NORMAL);
        assert_eq!(&*server_report.reason, "done");
    });
}

/// The server closes; its FIN reaches the client, which sees a clean close with the code
/// long before its own close timeout could have ended the wait.
pub fn server_close_reaches_client_as_fin<H: Harness>() {
    run::<H>(async {
        let mut config = Config::default();
        config.close_timeout = Duration::from_secs(5);
        let client = ConnectOptions::new().config(config);
        let (client, server) = H::tcp_pair(client, AcceptOptions::new(), wsflow::accept_any).await;
        let (mut client, mut server) = (client.expect("client"), server.expect("server"));
        let started = Instant::now();
        let closing = async {
            let report = server
                .close(CloseCode::from(4001), "bye")
                .await
                .expect("close");
            assert_eq!(
                report.cause,
                CloseCause::Clean {
                    initiator: Initiator::Local
                }
            );
        };
        let receiving = async move {
            assert_eq!(client.recv().await.expect("clean end"), None);
            let report = client.close_report().expect("report");
            assert_eq!(
                report.cause,
                CloseCause::Clean {
                    initiator: Initiator::Remote
                }
            );
            assert_eq!(
                (report.code, &*report.reason),
                (CloseCode::from(4001), "bye")
            );
            // Dropping the client here closes its socket, which ends the server's wait.
        };
        join(closing, receiving).await;
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "the client waited for its timeout"
        );
    });
}

/// A rejected upgrade: the server sends the status, the client reports it.
pub fn rejected_upgrade<H: Harness>() {
    run::<H>(async {
        let (client, server) =
            H::tcp_pair(ConnectOptions::new(), AcceptOptions::new(), forbid).await;
        assert!(
            matches!(server, Err(Error::Rejected(StatusCode::FORBIDDEN))),
            "{server:?}"
        );
        match client {
            Err(Error::Handshake(HandshakeError::UnexpectedStatus(response))) => {
                assert_eq!(response.status(), StatusCode::FORBIDDEN);
            }
            other => panic!("client: {other:?}"),
        }
    });
}

/// The transport's shutdown half-closes: the peer reads EOF and can still write back.
pub fn transport_half_closes<H: Harness>() {
    run::<H>(async {
        let (mut a, mut b) = H::raw_tcp_pair().await;
        poll_fn(|cx| a.poll_shutdown(cx)).await.expect("shutdown");
        let mut buf = [0u8; 8];
        let n = poll_fn(|cx| b.poll_read(cx, &mut buf)).await.expect("read");
        assert_eq!(n, 0, "the peer must read EOF after the shutdown");
        poll_fn(|cx| b.poll_write(cx, b"still"))
            .await
            .expect("write back");
        let n = poll_fn(|cx| a.poll_read(cx, &mut buf))
            .await
            .expect("read after shutdown");
        assert_eq!(&buf[..n], b"still");
    });
}

/// The peer stops reading: `send` waits with bounded memory; a send cancelled while
/// waiting queues nothing; when the peer reads again everything arrives exactly once.
pub fn peer_stops_reading<H: Harness>() {
    const SIZE: usize = 64 << 10;
    const FRAME: usize = SIZE + 14; // 64-bit length and a mask key
    run::<H>(async {
        let (mut ws, mut peer) = socket_pair::<H>(Role::Client, Config::default());
        let high_water = Config::default().write_buffer_high_water;
        let sent = Cell::new(0usize);
        let flood = async {
            for i in 0..200u8 {
                ws.send(vec![i; SIZE]).await.expect("send");
                sent.set(sent.get() + 1);
            }
        };
        assert!(
            within::<H::R, _>(Duration::from_millis(300), flood)
                .await
                .is_none(),
            "send never waited"
        );
        assert!(
            ws.buffered_amount() <= high_water + FRAME,
            "buffered {}",
            ws.buffered_amount()
        );
        let sent_before = sent.get();
        // One more cancelled attempt, from the middle of its wait.
        assert!(
            within::<H::R, _>(Duration::from_millis(20), ws.send(vec![7; SIZE]))
                .await
                .is_none()
        );

        let reader = thread::spawn(move || {
            let mut total = 0usize;
            let mut buf = vec![0u8; 64 << 10];
            loop {
                match peer.read(&mut buf) {
                    Ok(0) | Err(_) => break total,
                    Ok(n) => total += n,
                }
            }
        });
        ws.send(vec![1; SIZE])
            .await
            .expect("send after the peer reads again");
        ws.flush().await.expect("flush");
        drop(ws);
        let total = reader.join().expect("reader");
        assert_eq!(
            total,
            (sent_before + 1) * FRAME,
            "a cancelled send left bytes behind"
        );
    });
}

/// `recv` dropped again and again while a peer trickles frames byte by byte: every message
/// arrives intact.
pub fn recv_cancellation<H: Harness>() {
    run::<H>(async {
        let (mut ws, socket) = socket_pair::<H>(Role::Server, Config::default());
        let messages = vec![
            Message::from("first"),
            Message::from(vec![3u8; 300]),
            Message::from("ü".repeat(2000)),
            Message::from((0..70_000u32).map(|i| i as u8).collect::<Vec<u8>>()),
            Message::from("last"),
        ];
        let expected = messages.clone();
        let writer = thread::spawn(move || {
            let mut peer = Peer::new(socket, Role::Client);
            for message in messages {
                peer.conn.send(message).expect("queue");
            }
            let mut bytes = Vec::new();
            while !peer.conn.pending_output().is_empty() {
                let chunk = peer.conn.pending_output().to_vec();
                peer.conn.consume_output(chunk.len());
                bytes.extend(chunk);
            }
            // Byte by byte through every header and the start of each payload, then faster.
            let mut at = 0;
            let mut step = 0usize;
            while at < bytes.len() {
                let n = if step < 600 { 1 } else { 997 }.min(bytes.len() - at);
                peer.socket.write_all(&bytes[at..at + n]).expect("trickle");
                at += n;
                step += 1;
                thread::sleep(Duration::from_micros(if step < 600 { 150 } else { 50 }));
            }
            peer
        });
        let mut received = Vec::new();
        let mut cancelled = 0;
        while received.len() < expected.len() {
            match within::<H::R, _>(Duration::from_millis(1), ws.recv()).await {
                Some(message) => received.push(message.expect("recv").expect("message")),
                None => cancelled += 1,
            }
        }
        assert_eq!(received, expected);
        assert!(cancelled >= 20, "recv was cancelled only {cancelled} times");
        drop(writer.join().expect("writer"));
    });
}

/// `close` cancelled before the peer answers, then called again: one close frame on the
/// wire, a clean end.
pub fn close_cancellation<H: Harness>() {
    run::<H>(async {
        let (mut ws, socket) = socket_pair::<H>(Role::Client, Config::default());
        let peer = thread::spawn(move || {
            let mut peer = Peer::new(socket, Role::Server);
            let mut buf = [0u8; 64];
            let n = peer.socket.read(&mut buf).expect("close frame");
            thread::sleep(Duration::from_millis(150));
            peer.conn.receive(Instant::now(), &buf[..n]);
            peer.flush(); // the reply, then the FIN
            let mut rest = Vec::new();
            let _ = peer.socket.read_to_end(&mut rest);
            (n, rest.len())
        });
        let first =
            within::<H::R, _>(Duration::from_millis(30), ws.close(CloseCode::NORMAL, "x")).await;
        assert!(first.is_none(), "close finished before the peer answered");
        let report = ws.close(CloseCode::NORMAL, "x").await.expect("close again");
        assert_eq!(
            report.cause,
            CloseCause::Clean {
                initiator: Initiator::Local
            }
        );
        drop(ws);
        let (first_read, rest) = peer.join().expect("peer");
        assert_eq!(
            (first_read, rest),
            (2 + 4 + 3, 0),
            "exactly one close frame"
        );
    });
}

/// A client whose close handshake completed but whose server never sends the FIN stops
/// waiting at the close timeout.
pub fn close_timeout_without_fin<H: Harness>() {
    run::<H>(async {
        let mut config = Config::default();
        config.close_timeout = Duration::from_millis(300);
        let (mut ws, socket) = socket_pair::<H>(Role::Client, config);
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let peer = thread::spawn(move || {
            let mut peer = Peer::new(socket, Role::Server);
            let mut buf = [0u8; 64];
            let n = peer.socket.read(&mut buf).expect("close frame");
            peer.conn.receive(Instant::now(), &buf[..n]);
            let reply = peer.conn.pending_output().to_vec();
            peer.socket.write_all(&reply).expect("reply"); // but no FIN
            let _ = hold.recv();
        });
        let started = Instant::now();
        let report = ws.close(CloseCode::NORMAL, "").await.expect("close");
        let waited = started.elapsed();
        assert_eq!(
            report.cause,
            CloseCause::Clean {
                initiator: Initiator::Local
            }
        );
        assert!(
            waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
            "{waited:?}"
        );
        release.send(()).expect("release");
        peer.join().expect("peer");
    });
}

/// Split: while only the send half is awaited, a ping is answered; while only the receive
/// half is awaited, what the send half queued is written; the halves reunite.
pub fn split_halves_drive_the_connection<H: Harness>() {
    run::<H>(async {
        let (ws, socket) = socket_pair::<H>(Role::Client, Config::default());
        let peer = thread::spawn(move || {
            let mut peer = Peer::new(socket, Role::Server);
            peer.conn.send_ping(&b"ping"[..]).expect("ping");
            peer.flush();
            thread::sleep(Duration::from_millis(200)); // not reading: the client's send waits
            let mut pong_seen = false;
            let mut messages = 0;
            while let Some(event) = peer.next_event() {
                match event {
                    Event::Pong(payload) => {
                        assert_eq!(&payload[..], b"ping");
                        // Answered while the send half waited, not when the receive half
                        // was polled after all 40 messages had gone.
                        assert!(messages < 40, "pong only after {messages} messages");
                        pong_seen = true;
                    }
                    Event::Message(message) if message.len() == 64 << 10 => messages += 1,
                    Event::Message(message) if message.len() == 1 << 20 => {
                        peer.conn.send(message).expect("echo");
                        peer.flush();
                    }
                    Event::CloseReceived(_) => assert!(pong_seen, "close before the pong"),
                    _ => {}
                }
            }
            pong_seen
        });
        let (mut send, mut recv) = ws.split();
        for i in 0..40u8 {
            send.send(vec![i; 64 << 10]).await.expect("send");
        }
        send.start_send(vec![9u8; 1 << 20])
            .expect("queue without writing");
        let echoed = recv.recv().await.expect("recv").expect("echo");
        assert_eq!(echoed.len(), 1 << 20);
        let mut ws = send.reunite(recv).expect("same connection");
        let report = ws.close(CloseCode::NORMAL, "").await.expect("close");
        assert!(report.was_clean(), "{report:?}");
        assert!(peer.join().expect("peer"), "the ping was never answered");
    });
}

/// Keepalive runs on the core's deadlines: pings go out while the peer answers them, and a
/// peer that stops answering fails the connection (1011) at the pong timeout.
pub fn keepalive<H: Harness>() {
    run::<H>(async {
        let mut config = Config::default();
        config.keepalive = Some(Keepalive {
            interval: Duration::from_millis(40),
            timeout: Duration::from_millis(100),
        });
        // After failing, a client waits this long for the (deaf) server to close TCP.
        config.close_timeout = Duration::from_millis(100);
        let (mut ws, socket) = socket_pair::<H>(Role::Client, config);
        let peer = thread::spawn(move || {
            let mut peer = Peer::new(socket, Role::Server);
            let mut pings = 0;
            while pings < 5 {
                if let Some(Event::Ping(_)) = peer.next_event() {
                    pings += 1; // answered by the peer's auto-pong
                }
            }
            peer // still open, but deaf from now on
        });
        let started = Instant::now();
        match ws.recv().await {
            Err(Error::Protocol(ProtocolError::KeepaliveTimeout)) => {}
            other => panic!("expected a keepalive timeout, got {other:?}"),
        }
        let lasted = started.elapsed();
        assert!(
            lasted >= Duration::from_millis(200),
            "failed after {lasted:?} despite pongs"
        );
        assert_eq!(
            ws.close_report().map(|report| report.code),
            Some(CloseCode::INTERNAL_ERROR)
        );
        drop(peer.join().expect("peer"));
    });
}

/// Starts a peer thread that echoes every message and answers the close handshake.
fn echo_peer(socket: std::os::unix::net::UnixStream) -> thread::JoinHandle<usize> {
    thread::spawn(move || {
        let mut peer = Peer::new(socket, Role::Server);
        let mut echoed = 0;
        while let Some(event) = peer.next_event() {
            if let Event::Message(message) = event {
                peer.conn.send(message).expect("echo");
                peer.flush();
                echoed += 1;
            }
        }
        echoed
    })
}

/// The `Sink` and `Stream` impls: `send_all` batches, `next` receives, `close` runs the
/// close handshake.
pub fn stream_and_sink<H: Harness>() {
    use futures_util::{SinkExt, StreamExt, stream};
    run::<H>(async {
        let (mut ws, socket) = socket_pair::<H>(Role::Client, Config::default());
        let peer = echo_peer(socket);
        let messages: Vec<Message> = (0..200u32).map(|i| Message::from(i.to_string())).collect();
        let mut outgoing = stream::iter(messages.clone()).map(Ok);
        ws.send_all(&mut outgoing).await.expect("send_all");
        let echoed: Vec<Message> = (&mut ws)
            .take(200)
            .map(|item| item.expect("item"))
            .collect()
            .await;
        assert_eq!(echoed, messages);
        SinkExt::close(&mut ws).await.expect("close");
        assert!(ws.close_report().expect("report").was_clean());
        assert!(
            ws.next().await.is_none(),
            "the stream ends after a clean close"
        );
        drop(ws);
        assert_eq!(peer.join().expect("peer"), 200);
    });
}

/// Streaming receive mode: a large message arrives as chunks through `recv_event`.
pub fn streaming_chunks<H: Harness>() {
    run::<H>(async {
        let mut config = Config::default();
        config.receive_mode = wsflow::ReceiveMode::Streaming;
        let (mut ws, socket) = socket_pair::<H>(Role::Client, config);
        let peer = echo_peer(socket);
        let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
        ws.send(payload.clone()).await.expect("send");
        let mut received = Vec::new();
        let mut chunks = 0;
        loop {
            match ws.recv_event().await.expect("event") {
                Some(Event::MessageChunk { chunk, fin }) => {
                    received.extend_from_slice(chunk.as_bytes());
                    chunks += 1;
                    if fin {
                        break;
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(received, payload);
        assert!(chunks > 1, "the message came whole");
        ws.close(CloseCode::NORMAL, "").await.expect("close");
        drop(ws);
        peer.join().expect("peer");
    });
}

/// EOF without a close handshake: one `Abnormal` error, then `Ok(None)`; sending fails.
pub fn eof_is_abnormal<H: Harness>() {
    run::<H>(async {
        let (mut ws, socket) = socket_pair::<H>(Role::Client, Config::default());
        let peer = thread::spawn(move || {
            let mut peer = Peer::new(socket, Role::Server);
            peer.conn.send("last words").expect("queue");
            peer.flush();
            // Dropping the socket ends the stream with no close frame.
        });
        assert_eq!(
            ws.recv().await.expect("message"),
            Some(Message::from("last words"))
        );
        match ws.recv().await {
            Err(Error::Abnormal(report)) => {
                assert_eq!(report.cause, CloseCause::Eof);
                assert_eq!(report.code, CloseCode::ABNORMAL);
            }
            other => panic!("expected an abnormal end, got {other:?}"),
        }
        assert_eq!(ws.recv().await.expect("after the end"), None);
        assert!(matches!(ws.send("too late").await, Err(Error::Closed)));
        peer.join().expect("peer");
    });
}

/// Reads an HTTP head (up to the blank line) from a blocking socket.
fn read_head(socket: &mut std::os::unix::net::UnixStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(
            socket.read(&mut byte).expect("head"),
            1,
            "EOF inside the head"
        );
        head.push(byte[0]);
    }
    String::from_utf8(head).expect("ASCII head")
}

/// The client handshake over any transport: the server's 101 and its first frame arrive
/// in one write, and that frame (the handshake's leftover) is the first message.
pub fn client_handshake_keeps_leftover<H: Harness>() {
    run::<H>(async {
        let (ours, mut theirs) = super::raw_pair();
        let server = thread::spawn(move || {
            let head = read_head(&mut theirs);
            let key = head
                .lines()
                .find_map(|line| line.strip_prefix("Sec-WebSocket-Key: "))
                .expect("key");
            let accept = wsflow::core::handshake::accept_key(key.trim().as_bytes());
            let mut reply = format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
                 Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            )
            .into_bytes();
            reply.extend_from_slice(b"\x81\x05hello"); // an unmasked server frame
            theirs.write_all(&reply).expect("reply");
            theirs
        });
        let request =
            wsflow::core::handshake::ClientRequest::new("ws://example.test/chat").expect("url");
        let mut ws = wsflow::WebSocket::<H::Unix, H::R>::client(
            H::unix(ours),
            request,
            wsflow::Config::default(),
        )
        .await
        .expect("handshake");
        assert_eq!(ws.recv().await.expect("recv"), Some(Message::from("hello")));
        drop(server.join().expect("server"));
    });
}

/// The server handshake's deadline: a client that never sends its request gets a 408 and
/// the server a `Timeout` error.
pub fn server_handshake_times_out<H: Harness>() {
    run::<H>(async {
        let (ours, mut theirs) = super::raw_pair();
        let client = thread::spawn(move || {
            let mut response = String::new();
            theirs
                .read_to_string(&mut response)
                .expect("response until the FIN");
            response
        });
        let mut limits = wsflow::core::handshake::HandshakeLimits::default();
        limits.timeout = Duration::from_millis(100);
        let options = AcceptOptions::new().limits(limits);
        let started = Instant::now();
        let result =
            wsflow::WebSocket::<H::Unix, H::R>::server(H::unix(ours), &options, wsflow::accept_any)
                .await;
        assert!(
            matches!(result, Err(Error::Handshake(HandshakeError::Timeout))),
            "{result:?}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));
        drop(result);
        let response = client.join().expect("client");
        assert!(response.starts_with("HTTP/1.1 408 "), "{response}");
    });
}

/// Messages received but not yet taken when the application closes survive the close: the
/// handshake completes cleanly (the driver reads past the full event queue to the peer's
/// close frame), and `recv` then returns every message, in order, before `Ok(None)`.
pub fn close_keeps_undelivered_messages<H: Harness>() {
    run::<H>(async {
        let mut config = Config::default();
        config.max_pending_events = 2;
        let (mut ws, socket) = socket_pair::<H>(Role::Server, config);
        let mut peer = Peer::new(socket, Role::Client);
        // More messages than the server's event queue holds, on the wire before `close`.
        for text in ["1", "2", "3"] {
            peer.conn.send(text).expect("queue");
        }
        peer.flush();
        let peer = thread::spawn(move || {
            let mut close_code = None;
            // The peer answers our close frame, then sees the server's FIN.
            while let Some(event) = peer.next_event() {
                if let Event::CloseReceived(frame) = event {
                    close_code = Some(frame.code);
                }
            }
            close_code
        });
        let report = ws.close(CloseCode::NORMAL, "bye").await.expect("close");
        assert_eq!(
            report.cause,
            CloseCause::Clean {
                initiator: Initiator::Local
            },
            "{report:?}"
        );
        let mut received = Vec::new();
        while let Some(message) = ws.recv().await.expect("recv after close") {
            received.push(message);
        }
        let expected: Vec<Message> = ["1", "2", "3"].into_iter().map(Message::from).collect();
        assert_eq!(received, expected, "messages lost by close");
        assert_eq!(ws.recv().await.expect("after the end"), None);
        assert_eq!(peer.join().expect("peer"), Some(CloseCode::NORMAL));
    });
}
