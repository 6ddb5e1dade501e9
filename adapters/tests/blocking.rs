//! `wsflow::blocking` over real 127.0.0.1 sockets: both roles, the close handshake with the
//! server's FIN, timers that fire while `recv` blocks, a refused upgrade, split halves on two
//! threads.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use http::StatusCode;
use wsflow::blocking::{self, WebSocket};
use wsflow::core::ProtocolError;
use wsflow::core::handshake::{
    ClientHandshake, ClientRequest, HandshakeError, HandshakeLimits, ServerHandshake,
};
use wsflow::{
    Accept, AcceptOptions, CloseCause, CloseCode, Config, ConnectOptions, Error, Event, Initiator,
    Keepalive, Message, Reject,
};

fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("ws://{}/test", listener.local_addr().expect("address"));
    (listener, url)
}

/// A server thread that runs `serve` on the first accepted connection.
fn serve<T: Send + 'static>(
    listener: TcpListener,
    serve: impl FnOnce(TcpStream) -> T + Send + 'static,
) -> thread::JoinHandle<T> {
    thread::spawn(move || serve(listener.accept().expect("accept").0))
}

/// Reads until EOF, failing after a few seconds: proves the peer sent its FIN.
fn reads_fin(stream: &mut impl blocking::Stream) -> bool {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).is_ok()
}

#[test]
fn echo_round_trip_in_both_roles() {
    let (listener, url) = listener();
    let server = serve(listener, |stream| {
        let mut ws = blocking::accept(stream).expect("accept");
        ws.send("hello from the server").expect("greet");
        let mut echoed = 0;
        while let Some(message) = ws.recv().expect("recv") {
            ws.send(message).expect("echo");
            echoed += 1;
        }
        (echoed, ws.close_report().expect("report"))
    });
    let mut ws = blocking::connect(&url).expect("connect");
    assert_eq!(
        ws.recv().expect("recv"),
        Some(Message::from("hello from the server"))
    );
    for i in 0..10u8 {
        let message = Message::from(vec![i; 1000 * usize::from(i)]);
        ws.send(message.clone()).expect("send");
        assert_eq!(ws.recv().expect("recv"), Some(message));
    }
    let report = ws.close(CloseCode::NORMAL, "done").expect("close");
    assert!(report.was_clean(), "{report:?}");
    let (echoed, server_report) = server.join().expect("server");
    assert_eq!(echoed, 10);
    assert_eq!(
        server_report.cause,
        CloseCause::Clean {
            initiator: Initiator::Remote
        }
    );
    assert_eq!(server_report.code, CloseCode::NORMAL);
}

#[test]
fn a_client_close_ends_with_the_servers_fin() {
    let (listener, url) = listener();
    let server = serve(listener, |stream| {
        let mut ws = blocking::accept(stream).expect("accept");
        assert_eq!(ws.recv().expect("a clean end"), None);
        ws.close_report().expect("report")
    });
    let mut ws = blocking::connect(&url).expect("connect");
    let report = ws.close(CloseCode::GOING_AWAY, "bye").expect("close");
    assert_eq!(
        report.cause,
        CloseCause::Clean {
            initiator: Initiator::Local
        }
    );
    assert!(reads_fin(ws.get_mut()), "the server's FIN");
    assert_eq!(ws.recv().expect("after close"), None);
    let server_report = server.join().expect("server");
    assert_eq!(server_report.code, CloseCode::GOING_AWAY);
    assert_eq!(server_report.reason.as_str(), "bye");
}

#[test]
fn a_server_close_keeps_undelivered_messages_and_sends_its_fin() {
    let (listener, url) = listener();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let server = serve(listener, move |stream| {
        let mut ws = blocking::accept(stream).expect("accept");
        ready_rx.recv().expect("the client sent");
        let report = ws.close(CloseCode::NORMAL, "server done").expect("close");
        // Sent before the close frame arrived: still receivable after `close` returned.
        assert_eq!(ws.recv().expect("kept"), Some(Message::from("late")));
        assert_eq!(ws.recv().expect("end"), None);
        report
    });
    let mut ws = blocking::connect(&url).expect("connect");
    ws.send("late").expect("send");
    ready_tx.send(()).expect("signal");
    assert_eq!(ws.recv().expect("a clean end"), None);
    let report = ws.close_report().expect("report");
    assert_eq!(report.code, CloseCode::NORMAL);
    assert_eq!(report.reason.as_str(), "server done");
    assert!(reads_fin(ws.get_mut()), "the server's FIN");
    let server_report = server.join().expect("server");
    assert_eq!(
        server_report.cause,
        CloseCause::Clean {
            initiator: Initiator::Local
        }
    );
}

/// A server that completes the handshake and then never reads nor writes.
fn silent_server(stream: &mut TcpStream) {
    let mut handshake = ServerHandshake::new(HandshakeLimits::default(), Instant::now());
    let mut buf = [0; 1024];
    let request = loop {
        let n = stream.read(&mut buf).expect("read");
        if let Some(request) = handshake.receive(&buf[..n]).expect("request") {
            break request;
        }
    };
    stream
        .write_all(&request.accept(&Accept::new()))
        .expect("answer");
}

#[test]
fn keepalive_fails_the_connection_while_recv_blocks() {
    let (listener, url) = listener();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let server = serve(listener, move |mut stream| {
        silent_server(&mut stream);
        // Keep the socket open, unanswered, until the client gave up.
        let _ = done_rx.recv();
    });
    let mut config = Config::default();
    config.keepalive = Some(Keepalive {
        interval: Duration::from_millis(100),
        timeout: Duration::from_millis(100),
    });
    // After failing, a client waits this long for the (deaf) server to close TCP.
    config.close_timeout = Duration::from_millis(100);
    let mut ws =
        blocking::connect_with(&url, &ConnectOptions::new().config(config)).expect("connect");
    let started = Instant::now();
    match ws.recv() {
        Err(Error::Protocol(ProtocolError::KeepaliveTimeout)) => {}
        other => panic!("expected a keepalive timeout, got {other:?}"),
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(200) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(
        ws.close_report().map(|report| report.code),
        Some(CloseCode::INTERNAL_ERROR)
    );
    assert_eq!(ws.recv().expect("after the error"), None);
    done_tx.send(()).expect("release");
    server.join().expect("server");
}

#[test]
fn the_server_handshake_times_out_with_408() {
    let (listener, _) = listener();
    let address = listener.local_addr().expect("address");
    let server = serve(listener, |stream| {
        let mut limits = HandshakeLimits::default();
        limits.timeout = Duration::from_millis(200);
        let options = AcceptOptions::new().limits(limits);
        blocking::accept_with(stream, &options, wsflow::accept_any)
    });
    let mut silent = TcpStream::connect(address).expect("connect");
    let started = Instant::now();
    let result = server.join().expect("server");
    assert!(
        matches!(result, Err(Error::Handshake(HandshakeError::Timeout))),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    let mut answer = String::new();
    silent
        .read_to_string(&mut answer)
        .expect("answer, then FIN");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[test]
fn the_client_handshake_times_out() {
    let (listener, url) = listener();
    let server = serve(listener, |mut stream| {
        // Take the request, answer nothing, keep the connection open for a while.
        let mut buf = [0; 1024];
        let _ = stream.read(&mut buf);
        thread::sleep(Duration::from_secs(2));
    });
    let mut limits = HandshakeLimits::default();
    limits.timeout = Duration::from_millis(200);
    let started = Instant::now();
    let result = blocking::connect_with(&url, &ConnectOptions::new().limits(limits));
    assert!(
        matches!(result, Err(Error::Handshake(HandshakeError::Timeout))),
        "{result:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    server.join().expect("server");
}

#[test]
fn a_rejected_upgrade_answers_401() {
    let (listener, url) = listener();
    let server = serve(listener, |stream| {
        blocking::accept_with(stream, &AcceptOptions::new(), |request| {
            assert_eq!(request.request.uri().path(), "/test");
            Err(Reject::new(StatusCode::UNAUTHORIZED).body("log in first"))
        })
    });
    let result = blocking::connect(&url);
    match result {
        Err(Error::Handshake(HandshakeError::UnexpectedStatus(response))) => {
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        }
        other => panic!("expected a 401, got {other:?}"),
    }
    let server_result = server.join().expect("server");
    assert!(
        matches!(
            server_result,
            Err(Error::Rejected(StatusCode::UNAUTHORIZED))
        ),
        "{server_result:?}"
    );
}

#[test]
fn split_halves_work_from_two_threads() {
    let (listener, url) = listener();
    let server = serve(listener, |stream| {
        let mut ws = blocking::accept(stream).expect("accept");
        // Ping while the client's writer is idle: its reader alone must answer.
        ws.ping("are you there").expect("ping");
        let pong = loop {
            match ws.recv_event().expect("event") {
                Some(Event::Pong(payload)) => break payload,
                Some(Event::Message(message)) => ws.send(message).expect("echo"),
                other => panic!("unexpected {other:?}"),
            }
        };
        assert_eq!(&pong[..], b"are you there");
        while let Some(message) = ws.recv().expect("recv") {
            ws.send(message).expect("echo");
        }
    });
    let ws = blocking::connect(&url).expect("connect");
    let (mut reader, writer) = ws.split().expect("split");
    let received = thread::spawn(move || {
        let mut messages = Vec::new();
        while let Some(message) = reader.recv().expect("recv") {
            messages.push(message);
        }
        (messages, reader.close_report().expect("report"))
    });
    // Give the ping time to arrive and be answered by the reader thread alone.
    thread::sleep(Duration::from_millis(100));
    let sender = thread::spawn(move || {
        for i in 0..100u32 {
            writer.send(format!("message {i}")).expect("send");
        }
        writer
    });
    let writer = sender.join().expect("sender");
    // Wait for the echoes before closing, so none cross the close frame.
    thread::sleep(Duration::from_millis(200));
    writer.close(CloseCode::NORMAL, "").expect("close");
    assert!(
        matches!(writer.close(CloseCode::NORMAL, ""), Err(Error::Closed)),
        "a second close is refused"
    );
    let (messages, report) = received.join().expect("reader");
    assert_eq!(messages.len(), 100);
    assert_eq!(messages[99], Message::from("message 99"));
    assert!(report.was_clean(), "{report:?}");
    server.join().expect("server");
}

#[test]
fn a_client_over_a_handshake_made_elsewhere() {
    let (listener, url) = listener();
    let server = serve(listener, |stream| {
        let mut ws = blocking::accept(stream).expect("accept");
        let message = ws.recv().expect("recv").expect("a message");
        ws.send(message).expect("echo");
        ws.close(CloseCode::NORMAL, "").expect("close")
    });
    let request = ClientRequest::new(&url).expect("request");
    let mut stream = TcpStream::connect((request.host(), request.port())).expect("dial");
    let mut handshake = ClientHandshake::new(request, Instant::now());
    stream
        .write_all(handshake.request_bytes())
        .expect("request");
    let mut buf = [0; 1024];
    let response = loop {
        let n = stream.read(&mut buf).expect("read");
        if let Some(response) = handshake.receive(&buf[..n]).expect("response") {
            break response;
        }
    };
    let mut conn =
        wsflow::core::Connection::new(wsflow::Role::Client, Config::default(), Instant::now());
    conn.receive(Instant::now(), &response.leftover);
    let mut ws = WebSocket::from_connection(stream, conn);
    ws.send("over from_connection").expect("send");
    assert_eq!(
        ws.recv().expect("echo"),
        Some(Message::from("over from_connection"))
    );
    assert_eq!(ws.recv().expect("end"), None);
    assert!(server.join().expect("server").was_clean());
}
