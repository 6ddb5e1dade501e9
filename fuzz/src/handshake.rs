//! The handshake targets' harness: arbitrary bytes as a client's request or a server's
//! response, fed in pieces, with the outcome checked against the lifecycle contract and the
//! bytes after the HTTP head checked against a connection fed them separately.

use std::time::Instant;

use http::{HeaderMap, StatusCode};
use wsflow_core::extension::deflate::DeflateConfig;
use wsflow_core::handshake::{Accept, ClientRequest, HandshakeLimits, ServerOptions};
use wsflow_core::{CloseCause, Config, Connection, Event, State};

use crate::connection::{drain_output, pieces};
use crate::format::KEY;

/// The first input bytes are options: flags, then the piece size.
fn options(data: &[u8]) -> (u8, u8, &[u8]) {
    match data {
        [flags, cut, rest @ ..] => (*flags, *cut, rest),
        _ => (0, 0, &[]),
    }
}

/// Takes every event, checking that nothing follows `Closed`.
fn events(conn: &mut Connection, into: &mut Vec<Event>) {
    while let Some(event) = conn.poll_event() {
        assert!(
            !matches!(into.last(), Some(Event::Closed(_))),
            "event after Closed: {event:?}"
        );
        into.push(event);
    }
}

/// Length of a complete HTTP head at the front of `data` as an HTTP parser sees it.
fn head_len(data: &[u8], request: bool) -> Option<usize> {
    let mut headers = [httparse::EMPTY_HEADER; 256];
    let status = if request {
        httparse::Request::new(&mut headers).parse(data)
    } else {
        httparse::Response::new(&mut headers).parse(data)
    };
    match status {
        Ok(httparse::Status::Complete(n)) => Some(n),
        _ => None,
    }
}

/// Checks that `output` is one HTTP response with a status that fits `ok`.
fn check_response(output: &[u8], ok: impl Fn(u16) -> bool) {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(output) {
        Ok(httparse::Status::Complete(_)) => {
            let code = response.code.expect("a complete response has a status");
            assert!(ok(code), "response status {code}");
        }
        other => panic!("the HTTP answer does not parse: {other:?}"),
    }
}

/// `server_handshake`: `data` = flags (bit0 deflate, bit1 reject, bit2 small limits), piece
/// size (0: whole), then the bytes a client sends.
pub fn server(data: &[u8]) {
    let (flags, cut, input) = options(data);
    let now = Instant::now();
    let make = || {
        let mut options = ServerOptions::new();
        if flags & 1 != 0 {
            options = options.deflate(DeflateConfig::default());
        }
        if flags & 4 != 0 {
            let mut limits = HandshakeLimits::default();
            limits.max_line_len = 64;
            limits.max_headers = 8;
            limits.max_header_bytes = 256;
            options = options.limits(limits);
        }
        Connection::server(options, Config::default(), now)
    };
    let decide = |conn: &mut Connection, events: &[Event]| {
        if matches!(events.last(), Some(Event::Upgrade(_))) {
            if flags & 2 != 0 {
                let result = conn.reject(StatusCode::FORBIDDEN, &HeaderMap::new(), b"no");
                result.expect("a request waits");
            } else {
                conn.accept(Accept::new()).expect("a request waits");
            }
        }
    };
    let mut conn = make();
    let mut seen = Vec::new();
    let cuts = [cut];
    for piece in pieces(input, if cut == 0 { &[] } else { &cuts }) {
        conn.receive(now, piece);
        events(&mut conn, &mut seen);
        decide(&mut conn, &seen);
        events(&mut conn, &mut seen);
    }
    let output = drain_output(&mut conn);
    match seen.first() {
        None => {
            assert_eq!(conn.state(), State::Handshake);
            assert!(output.is_empty(), "output before the request is complete");
        }
        Some(Event::Upgrade(_)) => match seen.get(1) {
            Some(Event::Opened(_)) => {
                check_response(&output, |code| code == 101);
                check_leftover(&seen, || {
                    let mut conn = make();
                    let n = head_len(input, true).expect("an accepted request is a complete head");
                    let mut seen = Vec::new();
                    conn.receive(now, &input[..n]);
                    events(&mut conn, &mut seen);
                    decide(&mut conn, &seen);
                    events(&mut conn, &mut seen);
                    conn.receive(now, &input[n..]);
                    events(&mut conn, &mut seen);
                    seen
                });
            }
            Some(Event::Closed(report)) => {
                assert_eq!(report.cause, CloseCause::Rejected(StatusCode::FORBIDDEN));
                assert_eq!(seen.len(), 2);
                check_response(&output, |code| code == 403);
                assert!(conn.wants_shutdown());
            }
            other => panic!("after Upgrade: {other:?}"),
        },
        Some(Event::Closed(report)) => {
            assert!(
                matches!(report.cause, CloseCause::Handshake(_)),
                "{report:?}"
            );
            assert_eq!(seen.len(), 1);
            check_response(&output, |code| code >= 400);
            assert!(conn.wants_shutdown());
        }
        Some(other) => panic!("first server event {other:?}"),
    }
    finish(&mut conn, seen);
}

/// `client_response`: `data` = flags (bit0 offer deflate, bit1 offer subprotocols), piece
/// size (0: whole), then the bytes the server answers.
pub fn client(data: &[u8]) {
    let (flags, cut, input) = options(data);
    let now = Instant::now();
    let make = || {
        let mut request = ClientRequest::new("ws://example.com/chat").expect("valid URL");
        if flags & 1 != 0 {
            request = request.deflate(DeflateConfig::default());
        }
        if flags & 2 != 0 {
            request = request.subprotocol("chat").subprotocol("superchat");
        }
        let mut conn = Connection::client_with_key(request, *KEY, Config::default(), now);
        drain_output(&mut conn);
        conn
    };
    let mut conn = make();
    let mut seen = Vec::new();
    let cuts = [cut];
    for piece in pieces(input, if cut == 0 { &[] } else { &cuts }) {
        conn.receive(now, piece);
        events(&mut conn, &mut seen);
    }
    let output = drain_output(&mut conn);
    match seen.first() {
        None => assert_eq!(conn.state(), State::Handshake),
        Some(Event::Opened(opened)) => {
            let response = opened
                .response
                .as_ref()
                .expect("a client keeps the response");
            assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
            if let Some(name) = &opened.subprotocol {
                assert!(flags & 2 != 0 && (name == "chat" || name == "superchat"));
            }
            assert!(opened.extensions.is_empty() || flags & 1 != 0);
            check_leftover(&seen, || {
                let mut conn = make();
                let n = head_len(input, false).expect("an accepted response is a complete head");
                let mut seen = Vec::new();
                conn.receive(now, &input[..n]);
                events(&mut conn, &mut seen);
                conn.receive(now, &input[n..]);
                events(&mut conn, &mut seen);
                seen
            });
        }
        Some(Event::Closed(report)) => {
            assert!(
                matches!(report.cause, CloseCause::Handshake(_)),
                "{report:?}"
            );
            assert_eq!(seen.len(), 1);
            assert!(
                output.is_empty(),
                "a client answers a bad response with nothing"
            );
        }
        Some(other) => panic!("first client event {other:?}"),
    }
    finish(&mut conn, seen);
}

/// The events of a connection fed the head and then the rest separately must be the same
/// as those of the one fed the fuzzer's pieces: nothing after the head is lost.
/// (`Upgrade` is left out: it carries the bytes that came with the head.)
fn check_leftover(seen: &[Event], reference: impl FnOnce() -> Vec<Event>) {
    let frames = |events: &[Event]| -> Vec<Event> {
        events
            .iter()
            .filter(|event| !matches!(event, Event::Upgrade(_)))
            .cloned()
            .collect()
    };
    assert_eq!(
        frames(&reference()),
        frames(seen),
        "bytes after the HTTP head handled differently"
    );
}

/// The transport ends: the connection must report `Closed` (once) and stop.
fn finish(conn: &mut Connection, mut seen: Vec<Event>) {
    let now = Instant::now();
    conn.receive_eof(now);
    let before = seen.len();
    events(conn, &mut seen);
    assert!(
        matches!(seen.last(), Some(Event::Closed(_))),
        "no Closed after EOF: {:?}",
        &seen[before..]
    );
    assert!(conn.is_closed());
    assert!(!conn.wants_read());
}
