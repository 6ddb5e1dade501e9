//! The client role: the request it writes and every way the server's response can fail.

use std::time::{Duration, Instant};

use http::{HeaderName, HeaderValue, StatusCode, header};

use super::*;
use crate::extension::ExtensionOffer;

fn rfc_client() -> ClientHandshake {
    let request = ClientRequest::new("ws://server.example.com/chat")
        .unwrap()
        .subprotocol("chat")
        .subprotocol("superchat")
        .header(
            header::ORIGIN,
            HeaderValue::from_static("http://example.com"),
        );
    ClientHandshake::with_key(request, RFC_NONCE, Instant::now())
}

/// A 101 response for [`RFC_NONCE`] with `extra` header lines.
fn response_with(extra: &[&str]) -> Vec<u8> {
    let mut lines = vec![
        "HTTP/1.1 101 Switching Protocols",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
    ];
    lines.extend_from_slice(extra);
    head(&lines)
}

fn fail(client: &mut ClientHandshake, input: &[u8]) -> HandshakeError {
    match client.receive(input) {
        Err(error) => error,
        other => panic!(
            "expected an error for {:?}, got {other:?}",
            String::from_utf8_lossy(input)
        ),
    }
}

#[test]
fn rfc6455_example_request_bytes() {
    let client = rfc_client();
    let expected = b"GET /chat HTTP/1.1\r\n\
Host: server.example.com\r\n\
Upgrade: websocket\r\n\
Connection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Version: 13\r\n\
Sec-WebSocket-Protocol: chat, superchat\r\n\
origin: http://example.com\r\n\
\r\n";
    assert_eq!(
        String::from_utf8_lossy(client.request_bytes()),
        String::from_utf8_lossy(expected)
    );
}

#[test]
fn rfc6455_example_response_is_accepted() {
    let mut client = rfc_client();
    let response = client.receive(RFC_RESPONSE).unwrap().unwrap();
    assert_eq!(response.response.status(), StatusCode::SWITCHING_PROTOCOLS);
    assert_eq!(response.subprotocol.as_deref(), Some("chat"));
    assert!(response.extensions.is_empty());
    assert!(response.leftover.is_empty());
    assert!(matches!(client.receive(b""), Err(HandshakeError::Finished)));
}

#[test]
fn request_has_host_port_extensions_and_extra_headers() {
    let request = ClientRequest::new("wss://[::1]:9001/a?b=c")
        .unwrap()
        .extension(
            ExtensionOffer::new("permessage-deflate").with_param("client_max_window_bits", None),
        )
        .extension(ExtensionOffer::new("permessage-deflate"))
        .header(header::AUTHORIZATION, HeaderValue::from_static("Bearer t"))
        .header(
            HeaderName::from_static("x-a"),
            HeaderValue::from_static("1"),
        )
        .header(
            HeaderName::from_static("x-a"),
            HeaderValue::from_static("2"),
        );
    let bytes = ClientHandshake::with_key(request, RFC_NONCE, Instant::now())
        .request_bytes()
        .to_vec();
    assert_eq!(first_line(&bytes), "GET /a?b=c HTTP/1.1");
    assert!(has_line(&bytes, "Host: [::1]:9001"));
    assert!(has_line(
        &bytes,
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, permessage-deflate"
    ));
    assert!(has_line(&bytes, "authorization: Bearer t"));
    assert!(has_line(&bytes, "x-a: 1") && has_line(&bytes, "x-a: 2"));
    assert!(!String::from_utf8_lossy(&bytes).contains("Sec-WebSocket-Protocol"));

    let host = ClientRequest::new("ws://10.0.0.1/")
        .unwrap()
        .header(header::HOST, HeaderValue::from_static("virtual.example"));
    let bytes = ClientHandshake::with_key(host, RFC_NONCE, Instant::now())
        .request_bytes()
        .to_vec();
    assert!(has_line(&bytes, "host: virtual.example"));
    assert_eq!(
        String::from_utf8_lossy(&bytes)
            .to_lowercase()
            .matches("host:")
            .count(),
        1
    );
}

#[test]
fn fresh_keys_are_random_and_valid() {
    let request = ClientRequest::new("ws://a/").unwrap();
    let key = |client: &ClientHandshake| {
        let text = String::from_utf8_lossy(client.request_bytes()).into_owned();
        text.lines()
            .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: ").map(str::to_owned))
            .unwrap()
    };
    let a = ClientHandshake::new(request.clone(), Instant::now());
    let b = ClientHandshake::new(request, Instant::now());
    assert_ne!(key(&a), key(&b));
    assert!(super::super::accept_key::is_valid_key(key(&a).as_bytes()));
}

#[test]
fn an_invalid_request_sends_nothing_and_fails_on_receive() {
    let request = ClientRequest::new("ws://a/")
        .unwrap()
        .subprotocol("a\r\nEvil: 1");
    let mut client = ClientHandshake::with_key(request, RFC_NONCE, Instant::now());
    assert!(client.request_bytes().is_empty());
    assert!(matches!(
        client.receive(b""),
        Err(HandshakeError::InvalidSubprotocolName(_))
    ));
    assert!(matches!(
        client.handle_timeout(Instant::now()),
        Err(HandshakeError::InvalidSubprotocolName(_))
    ));
}

#[test]
fn every_response_error() {
    use HandshakeError as E;
    type Case = (Vec<u8>, fn(&HandshakeError) -> bool);
    let long_status = format!("HTTP/1.1 101 {}", "x".repeat(9000));
    let cases: Vec<Case> = vec![
        (
            head(&["HTTP/1.1 200 OK", "Content-Length: 0"]),
            |e| matches!(e, E::UnexpectedStatus(r) if r.status() == 200),
        ),
        (
            head(&["HTTP/1.1 302 Found", "Location: ws://b/"]),
            |e| matches!(e, E::UnexpectedStatus(r) if r.headers()["location"] == "ws://b/"),
        ),
        (
            [
                &head(&["HTTP/1.1 404 Not Found", "Content-Length: 9"])[..],
                b"not here\n",
            ]
            .concat(),
            |e| matches!(e, E::UnexpectedStatus(r) if r.body() == "not here\n"),
        ),
        (
            head(&["HTTP/1.1 403"]),
            |e| matches!(e, E::UnexpectedStatus(r) if r.status() == 403),
        ),
        (
            head(&[
                "HTTP/1.0 101 Switching Protocols",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            ]),
            |e| matches!(e, E::UnsupportedHttpVersion),
        ),
        (
            head(&[
                "HTTP/1.1 101 Switching Protocols",
                "Connection: Upgrade",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            ]),
            |e| matches!(e, E::MissingUpgrade),
        ),
        (
            head(&[
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: h2c",
                "Connection: Upgrade",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            ]),
            |e| matches!(e, E::InvalidUpgrade),
        ),
        (
            head(&[
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            ]),
            |e| matches!(e, E::InvalidConnection),
        ),
        (
            head(&[
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "Connection: close",
                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            ]),
            |e| matches!(e, E::InvalidConnection),
        ),
        (
            head(&[
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "Connection: Upgrade",
            ]),
            |e| matches!(e, E::InvalidAccept),
        ),
        (
            head(&[
                "HTTP/1.1 101 Switching Protocols",
                "Upgrade: websocket",
                "Connection: Upgrade",
                "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            ]),
            |e| matches!(e, E::InvalidAccept),
        ),
        (
            response_with(&["Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="]),
            |e| matches!(e, E::InvalidAccept),
        ),
        (
            response_with(&["Sec-WebSocket-Protocol: mqtt"]),
            |e| matches!(e, E::UnexpectedSubprotocol(p) if p == "mqtt"),
        ),
        (response_with(&["Sec-WebSocket-Protocol: CHAT"]), |e| {
            matches!(e, E::UnexpectedSubprotocol(_))
        }),
        (
            response_with(&["Sec-WebSocket-Protocol: chat, superchat"]),
            |e| matches!(e, E::InvalidSubprotocols),
        ),
        (
            response_with(&[
                "Sec-WebSocket-Protocol: chat",
                "Sec-WebSocket-Protocol: chat",
            ]),
            |e| matches!(e, E::InvalidSubprotocols),
        ),
        (response_with(&["Sec-WebSocket-Protocol:"]), |e| {
            matches!(e, E::InvalidSubprotocols)
        }),
        (
            response_with(&["Sec-WebSocket-Extensions: permessage-deflate"]),
            |e| matches!(e, E::UnexpectedExtension(n) if n == "permessage-deflate"),
        ),
        (
            response_with(&["Sec-WebSocket-Extensions: permessage-deflate; x=\"unterminated"]),
            |e| matches!(e, E::InvalidExtensions(_)),
        ),
        (head(&["HTTP/1.1 1O1 Switching Protocols"]), |e| {
            matches!(e, E::Malformed(_))
        }),
        (head(&["SSH-2.0-OpenSSH_9.6"]), |e| {
            matches!(e, E::Malformed(_))
        }),
        (head(&[&long_status]), |e| {
            matches!(e, E::StartLineTooLong { limit: 8192 })
        }),
        (response_with(&["X: 1"; 126]), |e| {
            matches!(e, E::TooManyHeaders { limit: 128 })
        }),
    ];
    for (input, expected) in cases {
        let mut client = rfc_client();
        let error = fail(&mut client, &input);
        assert!(
            expected(&error),
            "{error:?} for {:?}",
            String::from_utf8_lossy(&input[..input.len().min(120)])
        );
        assert!(!error.to_string().is_empty());
        // Server-side statuses only make sense for request errors; response checks have none.
        if !matches!(
            error,
            E::Malformed(_)
                | E::UnsupportedHttpVersion
                | E::MissingUpgrade
                | E::InvalidUpgrade
                | E::InvalidConnection
                | E::InvalidSubprotocols
                | E::InvalidExtensions(_)
                | E::StartLineTooLong { .. }
                | E::TooManyHeaders { .. }
        ) {
            assert_eq!(error.http_status(), None, "{error:?}");
        }
        assert!(
            matches!(client.receive(RFC_RESPONSE), Err(again) if again.to_string() == error.to_string())
        );
    }
}

#[test]
fn accepted_extensions_and_case_insensitive_response_headers() {
    let request = ClientRequest::new("ws://server.example.com/chat")
        .unwrap()
        .extension(
            ExtensionOffer::new("permessage-deflate").with_param("client_max_window_bits", None),
        );
    let mut client = ClientHandshake::with_key(request, RFC_NONCE, Instant::now());
    let input = head(&[
        "HTTP/1.1 101 whatever",
        "UPGRADE: WebSocket",
        "connection: keep-alive, UPGRADE",
        "sec-websocket-accept:   s3pPLMBiTxaQ9kYGzzhZRbK+xOo=  ",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10",
    ]);
    let response = client.receive(&input).unwrap().unwrap();
    assert_eq!(response.subprotocol, None);
    assert_eq!(
        response.extensions,
        [ExtensionOffer::new("permessage-deflate")
            .with_param("client_max_window_bits", Some("10".into()))]
    );
}

#[test]
fn leftover_is_kept_in_every_chunking() {
    let frame = b"\x81\x05Hello\x89\x00";
    let input = [RFC_RESPONSE, &frame[..]].concat();
    for split in 0..=input.len() {
        let (first, second) = input.split_at(split);
        let mut client = rfc_client();
        let response = match client.receive(first).unwrap() {
            Some(mut response) => {
                response.leftover = [&response.leftover[..], second].concat().into();
                response
            }
            None => client.receive(second).unwrap().unwrap(),
        };
        assert_eq!(&response.leftover[..], frame, "split at {split}");
    }
}

#[test]
fn deadline_and_timeout() {
    let now = Instant::now();
    let limits = HandshakeLimits {
        timeout: Duration::from_secs(3),
        ..HandshakeLimits::default()
    };
    let request = ClientRequest::new("ws://a/").unwrap().limits(limits);
    let mut client = ClientHandshake::with_key(request, RFC_NONCE, now);
    assert_eq!(client.deadline(), now + Duration::from_secs(3));
    assert!(client.handle_timeout(now).is_ok());
    assert!(matches!(
        client.handle_timeout(now + Duration::from_secs(3)),
        Err(HandshakeError::Timeout)
    ));
    assert!(matches!(
        client.receive(b"HTTP/1.1"),
        Err(HandshakeError::Timeout)
    ));
}

#[test]
fn no_response_panics() {
    let mut rng = Lcg(42);
    let alphabet = b"HTP/1. 101\r\n:,;=\"\x00\xffUpgradewsocketAcp";
    for _ in 0..3000 {
        let len = rng.below(300);
        let input: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let mut client = rfc_client();
        for chunk in input.chunks(1 + rng.below(20)) {
            if client.receive(chunk).is_err() {
                break;
            }
        }
    }
    for at in 0..RFC_RESPONSE.len() {
        for replacement in [0u8, b'\r', b'\n', b' ', b':', b',', 0xff] {
            let mut input = RFC_RESPONSE.to_vec();
            input[at] = replacement;
            let _ = rfc_client().receive(&input);
        }
    }
}

#[test]
fn the_request_limits_bound_the_response() {
    let limits = HandshakeLimits {
        max_header_bytes: 120,
        ..HandshakeLimits::default()
    };
    let request = ClientRequest::new("ws://a/").unwrap().limits(limits);
    let mut client = ClientHandshake::with_key(request, RFC_NONCE, Instant::now());
    assert!(client.receive(&RFC_RESPONSE[..100]).unwrap().is_none());
    assert!(matches!(
        client.receive(&RFC_RESPONSE[100..]),
        Err(HandshakeError::HeadTooLarge { limit: 120 })
    ));
}
