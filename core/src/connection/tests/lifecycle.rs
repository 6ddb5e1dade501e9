//! The whole lifecycle in one state machine: the opening handshake in both roles, the hand-off
//! to frames, and the close behaviour the core owns (a close behind undelivered messages,
//! parsing on after our close, a dead peer reported at once).

use http::{HeaderMap, StatusCode};

use super::*;
use crate::extension::deflate::DeflateConfig;
use crate::handshake::{Accept, ClientRequest, HandshakeError, ServerOptions, UpgradeRequest};

const REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\nSec-WebSocket-Version: 13\r\n\r\n";
const RESPONSE: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\
Connection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
const NONCE: [u8; 16] = *b"the sample nonce";

fn handshaking_server(options: ServerOptions) -> (Connection, Instant) {
    let now = Instant::now();
    (Connection::server(options, Config::default(), now), now)
}

fn handshaking_client(now: Instant) -> Connection {
    let request = ClientRequest::new("ws://server.example.com/chat").expect("url");
    Connection::client_with_key(request, NONCE, Config::default(), now)
        .with_mask_source(Box::new(FixedMask(KEY)))
}

fn upgrade(event: Option<Event>) -> Box<UpgradeRequest> {
    match event {
        Some(Event::Upgrade(request)) => request,
        other => panic!("expected Upgrade, got {other:?}"),
    }
}

#[test]
fn client_request_is_the_first_output_and_frames_behind_the_101_are_not_lost() {
    let now = Instant::now();
    let mut conn = handshaking_client(now);
    assert_eq!(conn.state(), State::Handshake);
    assert!(take_output(&mut conn).starts_with(b"GET /chat HTTP/1.1\r\n"));
    assert_eq!(conn.send_text("early"), Err(SendError::NotOpen));
    assert!(conn.poll_timeout().is_some(), "the handshake deadline");

    let mut input = RESPONSE.to_vec();
    input.extend(frame(true, 0, 0x1, b"hi", false));
    conn.receive(now, &input);
    let events = events(&mut conn);
    match events.first() {
        Some(Event::Opened(opened)) => {
            let response = opened.response.as_ref().expect("the client gets the 101");
            assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
            assert_eq!(opened.subprotocol, None);
        }
        other => panic!("expected Opened first, got {other:?}"),
    }
    assert_eq!(events.get(1), Some(&Event::Message(Message::from("hi"))));
    assert_eq!(conn.state(), State::Open);
}

#[test]
fn client_refused_or_cut_off_ends_with_the_handshake_error() {
    let now = Instant::now();
    let mut conn = handshaking_client(now);
    let _request = take_output(&mut conn);
    conn.receive(now, b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    let report = closed(&mut conn);
    assert!(matches!(
        report.cause,
        CloseCause::Handshake(HandshakeError::UnexpectedStatus(_))
    ));
    assert!(conn.wants_shutdown());

    let mut conn = handshaking_client(now);
    conn.receive(now, b"HTTP/1.1 101 Switching");
    conn.receive_eof(now);
    assert_eq!(
        closed(&mut conn).cause,
        CloseCause::Handshake(HandshakeError::ConnectionClosed)
    );
}

#[test]
fn server_decides_then_parses_the_frames_that_came_with_the_request() {
    let (mut conn, now) = handshaking_server(ServerOptions::default());
    let mut input = REQUEST.to_vec();
    input.extend(to_server(true, 0x1, b"first"));
    conn.receive(now, &input);
    let request = upgrade(conn.poll_event());
    assert_eq!(request.subprotocols, ["chat", "superchat"]);
    assert!(
        !conn.wants_read(),
        "nothing is read while the application decides"
    );
    assert_eq!(
        conn.poll_timeout(),
        None,
        "the decision is the application's own time"
    );

    conn.accept(Accept::new().subprotocol("chat"))
        .expect("accept");
    let out = String::from_utf8(take_output(&mut conn)).expect("ascii");
    assert!(out.starts_with("HTTP/1.1 101 Switching Protocols\r\n"));
    assert!(out.contains("Sec-WebSocket-Protocol: chat\r\n"));
    let events = events(&mut conn);
    assert!(matches!(&events[0], Event::Opened(o) if o.subprotocol.as_deref() == Some("chat")));
    assert_eq!(events[1], Event::Message(Message::from("first")));
    assert_eq!(conn.accept(Accept::new()), Err(SendError::NoUpgradeRequest));
}

#[test]
fn server_negotiates_deflate_in_the_core() {
    let options = ServerOptions::new().deflate(DeflateConfig::default());
    let (mut conn, now) = handshaking_server(options);
    let request = String::from_utf8(REQUEST.to_vec()).expect("ascii").replace(
        "\r\n\r\n",
        "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
    );
    conn.receive(now, request.as_bytes());
    let _ = upgrade(conn.poll_event());
    conn.accept(Accept::new()).expect("accept");
    let out = String::from_utf8(take_output(&mut conn)).expect("ascii");
    assert!(out.contains("Sec-WebSocket-Extensions: permessage-deflate"));
    match conn.poll_event() {
        Some(Event::Opened(opened)) => assert_eq!(opened.extensions[0].name, "permessage-deflate"),
        other => panic!("expected Opened, got {other:?}"),
    }
    // A compressed "Hello" (RFC 7692 §7.2.3.1), masked: RSV1 is allowed now.
    conn.receive(
        now,
        &frame(
            true,
            0x40,
            0x1,
            &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
            true,
        ),
    );
    assert_eq!(
        conn.poll_event(),
        Some(Event::Message(Message::from("Hello")))
    );
}

#[test]
fn server_reject_writes_the_answer_and_ends() {
    let (mut conn, now) = handshaking_server(ServerOptions::default());
    conn.receive(now, REQUEST);
    let _ = upgrade(conn.poll_event());
    conn.reject(StatusCode::UNAUTHORIZED, &HeaderMap::new(), b"log in")
        .expect("reject");
    let out = take_output(&mut conn);
    assert!(out.starts_with(b"HTTP/1.1 401 Unauthorized\r\n"));
    assert!(out.ends_with(b"\r\n\r\nlog in"));
    assert_eq!(
        closed(&mut conn).cause,
        CloseCause::Rejected(StatusCode::UNAUTHORIZED)
    );
    assert!(conn.wants_shutdown());
}

#[test]
fn server_answers_a_bad_request_and_a_late_one_with_their_status() {
    let (mut conn, now) = handshaking_server(ServerOptions::default());
    conn.receive(now, b"POST /chat HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(take_output(&mut conn).starts_with(b"HTTP/1.1 405 Method Not Allowed\r\n"));
    assert!(matches!(
        closed(&mut conn).cause,
        CloseCause::Handshake(HandshakeError::MethodNotAllowed(_))
    ));

    let options = ServerOptions::new().timeout(Duration::from_secs(2));
    let (mut conn, now) = handshaking_server(options);
    conn.receive(now, b"GET /chat HTTP/1.1\r\n");
    let deadline = conn.poll_timeout().expect("a deadline");
    assert_eq!(deadline, now + Duration::from_secs(2));
    conn.handle_timeout(now + Duration::from_millis(1999));
    assert_eq!(conn.state(), State::Handshake);
    conn.handle_timeout(deadline);
    assert!(take_output(&mut conn).starts_with(b"HTTP/1.1 408 Request Timeout\r\n"));
    assert_eq!(
        closed(&mut conn).cause,
        CloseCause::Handshake(HandshakeError::Timeout)
    );
}

#[test]
fn a_request_parsed_elsewhere_gets_the_same_checks_and_answer() {
    let bad = http::Request::post("/chat").body(()).expect("request");
    let (parts, ()) = bad.into_parts();
    assert!(matches!(
        UpgradeRequest::from_parts(&parts),
        Err(HandshakeError::MethodNotAllowed(_))
    ));

    let good = http::Request::get("/chat")
        .header("host", "server.example.com")
        .header("upgrade", "websocket")
        .header("connection", "keep-alive, Upgrade")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-extensions", "permessage-deflate")
        .body(())
        .expect("request");
    let (parts, ()) = good.into_parts();
    let request = UpgradeRequest::from_parts(&parts).expect("valid");
    let options = ServerOptions::new().deflate(DeflateConfig::default());
    let now = Instant::now();
    let (response, mut conn) =
        Connection::accept_request(&request, Accept::new(), &options, Config::default(), now);
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(
        response.headers()["sec-websocket-accept"],
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert!(response.headers().contains_key("sec-websocket-extensions"));
    assert!(matches!(conn.poll_event(), Some(Event::Opened(_))));
    conn.receive(now, &to_server(true, 0x1, b"x"));
    assert_eq!(conn.poll_event(), Some(Event::Message(Message::from("x"))));

    // An I/O layer takes the leading `Opened` and nothing else.
    let (_, mut conn) =
        Connection::accept_request(&request, Accept::new(), &options, Config::default(), now);
    conn.receive(now, &to_server(true, 0x1, b"y"));
    assert!(conn.skip_opened_event());
    assert!(!conn.skip_opened_event(), "only the head, only once");
    assert!(conn.opened().is_some(), "the details stay");
    assert_eq!(conn.poll_event(), Some(Event::Message(Message::from("y"))));
}

#[test]
fn a_message_and_a_close_in_one_read_let_the_reply_out_first() {
    let (mut conn, now) = server();
    let mut input = to_server(true, 0x1, b"question");
    input.extend(to_server(true, 0x8, &[0x03, 0xe8]));
    conn.receive(now, &input);
    assert_eq!(
        conn.poll_event(),
        Some(Event::Message(Message::from("question")))
    );
    assert_eq!(conn.state(), State::Open);
    conn.send_text("answer")
        .expect("the reply may still go out");
    assert_eq!(
        conn.poll_event(),
        Some(Event::CloseReceived(CloseFrame {
            code: CloseCode::NORMAL,
            reason: "".into()
        }))
    );
    let out = take_output(&mut conn);
    let mut expected = frame(true, 0, 0x1, b"answer", false);
    expected.extend(frame(true, 0, 0x8, &[0x03, 0xe8], false));
    assert_eq!(out, expected, "the reply, then our close");
}

#[test]
fn a_held_close_is_answered_at_the_close_timeout_if_nobody_reads() {
    let (mut conn, now) = server();
    let mut input = to_server(true, 0x1, b"unread");
    input.extend(to_server(true, 0x8, &[0x03, 0xe8]));
    conn.receive(now, &input);
    let deadline = conn
        .poll_timeout()
        .expect("the close timeout bounds the wait");
    assert_eq!(deadline, now + Config::default().close_timeout);
    conn.handle_timeout(deadline);
    assert_eq!(
        take_output(&mut conn),
        frame(true, 0, 0x8, &[0x03, 0xe8], false)
    );
    let events = events(&mut conn);
    assert_eq!(events[0], Event::Message(Message::from("unread")));
    assert!(matches!(events[1], Event::CloseReceived(_)));
}

#[test]
fn after_our_close_parsing_goes_on_while_the_application_does_not_read() {
    let (mut conn, now) = server();
    conn.close(now, CloseCode::NORMAL, "bye").expect("close");
    let max = Config::default().max_pending_events;
    let mut input = Vec::new();
    for _ in 0..max + 10 {
        input.extend(to_server(true, 0x1, b"late"));
    }
    input.extend(to_server(true, 0x8, &[0x03, 0xe8]));
    conn.receive(now, &input);
    assert_eq!(
        take_output(&mut conn),
        frame(true, 0, 0x8, b"\x03\xe8bye", false)
    );
    assert!(
        conn.wants_shutdown(),
        "the handshake completed without the application"
    );
    conn.receive_eof(now);
    assert!(conn.is_closed());
    let report = conn.close_report().expect("report").clone();
    assert!(report.was_clean());
    let events = events(&mut conn);
    assert_eq!(
        events.len(),
        max + 10 + 2,
        "every message, then CloseReceived and Closed"
    );
}

#[test]
fn a_dead_peer_is_reported_at_once() {
    let now = Instant::now();
    let mut config = Config::default();
    config.keepalive = Some(Keepalive {
        interval: Duration::from_secs(1),
        timeout: Duration::from_millis(500),
    });
    let mut conn = Connection::new(Role::Client, config, now);
    let ping_due = conn.poll_timeout().expect("keepalive");
    conn.handle_timeout(ping_due);
    let pong_due = conn.poll_timeout().expect("pong deadline");
    assert_eq!(pong_due, ping_due + Duration::from_millis(500));
    conn.handle_timeout(pong_due);
    assert!(
        conn.is_closed(),
        "no close timeout for a peer known to be gone"
    );
    let report = closed(&mut conn);
    assert_eq!(
        report.cause,
        CloseCause::ProtocolError(ProtocolError::KeepaliveTimeout)
    );
    assert_eq!(report.code, CloseCode::INTERNAL_ERROR);
    let _ = take_output(&mut conn);
    assert!(conn.wants_shutdown());
}

#[test]
fn stats_count_messages_bytes_and_the_keepalive_round_trip() {
    let now = Instant::now();
    let mut config = Config::default();
    config.keepalive = Some(Keepalive {
        interval: Duration::from_secs(1),
        timeout: Duration::from_secs(5),
    });
    let mut conn = Connection::new(Role::Server, config, now);
    let input = to_server(true, 0x1, b"hello");
    conn.receive(now, &input);
    let _ = events(&mut conn);
    conn.send_text("world").expect("send");
    let stats = conn.stats();
    assert_eq!((stats.messages_received, stats.messages_sent), (1, 1));
    assert_eq!(stats.bytes_received, input.len() as u64);
    assert_eq!(stats.buffered_amount, 7);
    let _ = take_output(&mut conn);
    assert_eq!(conn.stats().bytes_sent, 7);
    assert_eq!(conn.stats().last_round_trip, None);

    let ping_at = now + Duration::from_secs(1);
    conn.handle_timeout(ping_at);
    let ping = take_output(&mut conn);
    let payload = ping[2..].to_vec();
    conn.receive(
        ping_at + Duration::from_millis(40),
        &to_server(true, 0xA, &payload),
    );
    assert_eq!(
        conn.stats().last_round_trip,
        Some(Duration::from_millis(40))
    );
}
