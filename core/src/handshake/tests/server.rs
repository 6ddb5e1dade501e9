//! The server role: RFC examples, what it accepts, every rejection and the responses.

use http::StatusCode;

use super::*;
use crate::extension::ExtensionOffer;

fn accept_rfc() -> UpgradeRequest {
    server_feed(HandshakeLimits::default(), RFC_REQUEST, &[usize::MAX])
        .unwrap()
        .unwrap()
}

fn reject(input: &[u8]) -> HandshakeError {
    match server_feed(HandshakeLimits::default(), input, &[usize::MAX]) {
        Some(Err(error)) => error,
        other => panic!(
            "expected an error for {:?}, got {other:?}",
            String::from_utf8_lossy(input)
        ),
    }
}

#[test]
fn rfc6455_example_request_is_accepted_with_the_example_response() {
    let request = accept_rfc();
    assert_eq!(request.request.method(), http::Method::GET);
    assert_eq!(request.request.uri().path(), "/chat");
    assert_eq!(request.request.version(), http::Version::HTTP_11);
    assert_eq!(request.origin(), Some("http://example.com"));
    assert_eq!(request.subprotocols, ["chat", "superchat"]);
    assert!(request.extensions.is_empty());
    assert!(request.leftover.is_empty());
    let response = request.accept(&Accept::new().subprotocol("chat"));
    assert_eq!(&response[..], RFC_RESPONSE);
}

#[test]
fn accept_writes_extensions_and_extra_headers_but_never_broken_lines() {
    let request = accept_rfc();
    let deflate =
        ExtensionOffer::new("permessage-deflate").with_param("server_no_context_takeover", None);
    let accept = Accept::new()
        .extension(deflate)
        .extension(ExtensionOffer::new("bad name"))
        .header(
            http::header::SET_COOKIE,
            http::HeaderValue::from_static("a=b"),
        )
        .header(
            http::header::SEC_WEBSOCKET_ACCEPT,
            http::HeaderValue::from_static("forged"),
        )
        .header(
            http::header::CONTENT_LENGTH,
            http::HeaderValue::from_static("5"),
        );
    let response = request.accept(&accept);
    assert!(has_line(
        &response,
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover"
    ));
    assert!(has_line(&response, "set-cookie: a=b"));
    assert!(!String::from_utf8_lossy(&response).contains("forged"));
    assert!(
        !String::from_utf8_lossy(&response)
            .to_lowercase()
            .contains("content-length")
    );
    assert!(!has_line(&response, "Sec-WebSocket-Protocol: chat"));
    let injected = request.accept(&Accept::new().subprotocol("chat\r\nEvil: 1"));
    assert!(!String::from_utf8_lossy(&injected).contains("Evil"));
    assert!(injected.ends_with(b"\r\n\r\n"));
}

#[test]
fn header_names_and_tokens_are_case_insensitive_and_lists_may_repeat() {
    let input = head(&[
        "GET / HTTP/1.1",
        "hOST: x",
        "upgrade: WebSocket",
        "CONNECTION: keep-alive, UPGRADE",
        "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==",
        "SEC-WEBSOCKET-VERSION: 13",
        "Sec-WebSocket-Protocol: a,b",
        "sec-websocket-protocol: c",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        "sec-websocket-extensions: x-foo, permessage-deflate",
    ]);
    let request = server_feed(HandshakeLimits::default(), &input, &[usize::MAX])
        .unwrap()
        .unwrap();
    assert_eq!(request.subprotocols, ["a", "b", "c"]);
    let names: Vec<_> = request.extensions.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["permessage-deflate", "x-foo", "permessage-deflate"]);
    assert_eq!(
        request.extensions[0].params,
        [("client_max_window_bits".to_owned(), None)]
    );
    assert_eq!(request.origin(), None);
}

#[test]
fn bare_newlines_are_accepted() {
    let input = String::from_utf8(RFC_REQUEST.to_vec())
        .unwrap()
        .replace("\r\n", "\n");
    let request = server_feed(HandshakeLimits::default(), input.as_bytes(), &[1])
        .unwrap()
        .unwrap();
    assert_eq!(request.subprotocols, ["chat", "superchat"]);
}

#[test]
fn every_rejection_maps_to_its_status() {
    use HandshakeError as E;
    type Case = (Vec<u8>, fn(&HandshakeError) -> bool, u16);
    let cases: Vec<Case> = vec![
        (
            request_with(&[("GET", "POST /chat HTTP/1.1")], &[]),
            |e| matches!(e, E::MethodNotAllowed(m) if m == "POST"),
            405,
        ),
        (
            request_with(&[("GET", "get /chat HTTP/1.1")], &[]),
            |e| matches!(e, E::MethodNotAllowed(_)),
            405,
        ),
        (
            request_with(&[("GET", "GET /chat HTTP/1.0")], &[]),
            |e| matches!(e, E::UnsupportedHttpVersion),
            505,
        ),
        (
            request_with(&[("GET", "GET /chat HTTP/2.0")], &[]),
            |e| matches!(e, E::Malformed(_)),
            400,
        ),
        (
            request_with(&[("Host", "")], &[]),
            |e| matches!(e, E::InvalidHost),
            400,
        ),
        (
            request_with(&[], &["Host: other"]),
            |e| matches!(e, E::InvalidHost),
            400,
        ),
        (
            request_with(&[("Upgrade", "")], &[]),
            |e| matches!(e, E::MissingUpgrade),
            426,
        ),
        (
            request_with(&[("Upgrade", "Upgrade: h2c")], &[]),
            |e| matches!(e, E::InvalidUpgrade),
            400,
        ),
        (
            request_with(&[("Upgrade", "Upgrade: websockets")], &[]),
            |e| matches!(e, E::InvalidUpgrade),
            400,
        ),
        (
            request_with(&[("Connection", "")], &[]),
            |e| matches!(e, E::InvalidConnection),
            400,
        ),
        (
            request_with(&[("Connection", "Connection: keep-alive")], &[]),
            |e| matches!(e, E::InvalidConnection),
            400,
        ),
        (
            request_with(&[("Sec-WebSocket-Version", "")], &[]),
            |e| matches!(e, E::UnsupportedVersion),
            426,
        ),
        (
            request_with(
                &[("Sec-WebSocket-Version", "Sec-WebSocket-Version: 8")],
                &[],
            ),
            |e| matches!(e, E::UnsupportedVersion),
            426,
        ),
        (
            request_with(&[], &["Sec-WebSocket-Version: 13"]),
            |e| matches!(e, E::UnsupportedVersion),
            426,
        ),
        (
            request_with(&[("Sec-WebSocket-Key", "")], &[]),
            |e| matches!(e, E::InvalidKey),
            400,
        ),
        (
            request_with(
                &[(
                    "Sec-WebSocket-Key",
                    "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA",
                )],
                &[],
            ),
            |e| matches!(e, E::InvalidKey),
            400,
        ),
        (
            request_with(
                &[(
                    "Sec-WebSocket-Key",
                    "Sec-WebSocket-Key: not base64 at all!!!!!!",
                )],
                &[],
            ),
            |e| matches!(e, E::InvalidKey),
            400,
        ),
        (
            request_with(&[], &["Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=="]),
            |e| matches!(e, E::InvalidKey),
            400,
        ),
        (
            request_with(&[], &["Sec-WebSocket-Protocol: chat, two words"]),
            |e| matches!(e, E::InvalidSubprotocols),
            400,
        ),
        (
            request_with(&[], &["Sec-WebSocket-Extensions: permessage-deflate; =1"]),
            |e| matches!(e, E::InvalidExtensions(_)),
            400,
        ),
        (
            request_with(&[], &["Sec-WebSocket-Extensions: a b"]),
            |e| matches!(e, E::InvalidExtensions(_)),
            400,
        ),
        (
            request_with(&[], &["Bad Header"]),
            |e| matches!(e, E::Malformed(_)),
            400,
        ),
        (
            request_with(&[("GET", "GET  HTTP/1.1")], &[]),
            |e| matches!(e, E::Malformed(_)),
            400,
        ),
        (
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(),
            |e| matches!(e, E::Malformed(_)),
            400,
        ),
        (
            head(&[&format!("GET /{} HTTP/1.1", "a".repeat(9000))]),
            |e| matches!(e, E::StartLineTooLong { limit: 8192 }),
            414,
        ),
        (
            request_with(&[], &[&format!("X: {}", "a".repeat(9000))]),
            |e| matches!(e, E::HeaderLineTooLong { limit: 8192 }),
            431,
        ),
        (
            request_with(&[], &["X: 1"; 124]),
            |e| matches!(e, E::TooManyHeaders { limit: 128 }),
            431,
        ),
        (
            request_with(&[], &[&format!("X: {}", "a".repeat(8000))[..]; 3]),
            |e| matches!(e, E::HeadTooLarge { limit: 16384 }),
            431,
        ),
    ];
    for (input, expected, status) in cases {
        let error = reject(&input);
        assert!(
            expected(&error),
            "{error:?} for {:?}",
            String::from_utf8_lossy(&input[..input.len().min(80)])
        );
        assert_eq!(
            error.http_status(),
            Some(StatusCode::from_u16(status).unwrap()),
            "{error:?}"
        );
        let response = error_response(&error).unwrap();
        // The response must itself be well-formed HTTP whose length covers exactly its body.
        let mut slots = [httparse::EMPTY_HEADER; 8];
        let mut parsed = httparse::Response::new(&mut slots);
        let head_len = match parsed.parse(&response).unwrap() {
            httparse::Status::Complete(len) => len,
            httparse::Status::Partial => panic!("incomplete error response"),
        };
        assert_eq!(parsed.code, Some(status));
        let length = parsed
            .headers
            .iter()
            .find(|h| h.name == "Content-Length")
            .unwrap();
        assert_eq!(
            length.value,
            (response.len() - head_len).to_string().as_bytes()
        );
        assert!(
            first_line(&response).starts_with(&format!("HTTP/1.1 {status} ")),
            "{error:?}"
        );
        assert!(
            has_line(&response, "Connection: close") || status == 426,
            "{error:?}"
        );
    }
}

#[test]
fn error_responses_carry_the_headers_their_status_needs() {
    let version = error_response(&HandshakeError::UnsupportedVersion).unwrap();
    assert_eq!(first_line(&version), "HTTP/1.1 426 Upgrade Required");
    assert!(has_line(&version, "sec-websocket-version: 13"));
    assert!(has_line(&version, "Connection: close"));

    let missing = error_response(&HandshakeError::MissingUpgrade).unwrap();
    assert!(has_line(&missing, "upgrade: websocket"));
    assert!(has_line(&missing, "Connection: Upgrade, close"));

    let method = error_response(&HandshakeError::MethodNotAllowed("<script>".into())).unwrap();
    assert!(has_line(&method, "allow: GET"));
    assert!(
        !String::from_utf8_lossy(&method).contains("<script>"),
        "peer input is not echoed"
    );
    let body = String::from_utf8_lossy(&method);
    let (head, body) = body.split_once("\r\n\r\n").unwrap();
    assert!(head.contains(&format!("Content-Length: {}", body.len())));

    assert!(error_response(&HandshakeError::InvalidAccept).is_none());
}

#[test]
fn reject_response_frames_the_body_and_closes() {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::WWW_AUTHENTICATE,
        http::HeaderValue::from_static("Bearer"),
    );
    headers.insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from_static("999"),
    );
    headers.insert(
        http::header::CONNECTION,
        http::HeaderValue::from_static("close"),
    );
    let response = reject_response(StatusCode::UNAUTHORIZED, &headers, b"who?");
    assert_eq!(
        &response[..],
        b"HTTP/1.1 401 Unauthorized\r\nwww-authenticate: Bearer\r\nContent-Length: 4\r\nConnection: close\r\n\r\nwho?"
    );
}
