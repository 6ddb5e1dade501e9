//! The server role as bytes arrive: leftover, linear scanning, limits on an unfinished
//! head, repeated calls, timeouts, and hostile input.

use std::time::{Duration, Instant};

use http::StatusCode;

use super::*;

#[test]
fn leftover_is_kept_in_every_chunking() {
    let frame = b"\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"; // RFC 6455 §5.7 masked "Hello"
    let input = [RFC_REQUEST, &frame[..]].concat();
    for split in 0..=input.len() {
        let (first, second) = input.split_at(split);
        let mut server = ServerHandshake::new(HandshakeLimits::default(), Instant::now());
        let request = match server.receive(first).unwrap() {
            Some(mut request) => {
                request.leftover = [&request.leftover[..], second].concat().into();
                request
            }
            None => server.receive(second).unwrap().unwrap(),
        };
        assert_eq!(&request.leftover[..], frame, "split at {split}");
    }
    for sizes in [&[1][..], &[2], &[3], &[7], &[1, 5, 2]] {
        let request = server_feed(HandshakeLimits::default(), &input, sizes)
            .unwrap()
            .unwrap();
        assert_eq!(&request.leftover[..], frame, "sizes {sizes:?}");
    }
}

#[test]
fn head_trickled_byte_by_byte_is_scanned_once_and_parsed_once() {
    // A 16 KiB head, as large as the default limits allow, one byte per call: the work
    // done must be one examination per byte, not one re-parse of everything per byte.
    let mut lines = vec![
        "GET / HTTP/1.1".to_owned(),
        "Host: x".into(),
        "Upgrade: websocket".into(),
        "Connection: Upgrade".into(),
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==".into(),
        "Sec-WebSocket-Version: 13".into(),
    ];
    let filler = format!("X-Filler: {}", "f".repeat(130));
    while lines.iter().map(|l| l.len() + 2).sum::<usize>() + filler.len() + 4 <= 16 << 10 {
        lines.push(filler.clone());
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let input = head(&refs);
    assert!(
        input.len() > 15 << 10 && input.len() <= 16 << 10,
        "{}",
        input.len()
    );

    let mut server = ServerHandshake::new(HandshakeLimits::default(), Instant::now());
    let (last, body) = input.split_last().unwrap();
    for byte in body {
        assert!(
            server
                .receive(std::slice::from_ref(byte))
                .unwrap()
                .is_none()
        );
        assert_eq!(server.parses, 0, "httparse must wait for the blank line");
    }
    assert!(
        server
            .receive(std::slice::from_ref(last))
            .unwrap()
            .is_some()
    );
    assert_eq!(
        server.scanned(),
        input.len(),
        "every byte examined exactly once"
    );
    assert_eq!(server.parses, 1);

    // Larger limits change nothing: 1 MiB byte by byte is still one pass.
    let limits = HandshakeLimits {
        max_header_bytes: 1 << 20,
        max_headers: 1 << 14,
        ..HandshakeLimits::default()
    };
    let mut server = ServerHandshake::new(limits, Instant::now());
    let mut big = request_with(&[], &[]);
    big.truncate(big.len() - 2);
    while big.len() < (1 << 20) - 200 {
        big.extend_from_slice(filler.as_bytes());
        big.extend_from_slice(b"\r\n");
    }
    big.extend_from_slice(b"\r\n");
    for byte in &big {
        if server
            .receive(std::slice::from_ref(byte))
            .unwrap()
            .is_some()
        {
            break;
        }
    }
    assert_eq!(server.scanned(), big.len());
    assert_eq!(server.parses, 1);
}

#[test]
fn an_endless_head_is_cut_off_without_a_terminator() {
    let mut server = ServerHandshake::new(HandshakeLimits::default(), Instant::now());
    server.receive(b"GET / HTTP/1.1\r\n").unwrap();
    let mut sent = 16;
    let error = loop {
        match server.receive(b"X-A: b\r\n") {
            Ok(None) => sent += 8,
            Ok(Some(_)) => panic!("there is no blank line"),
            Err(error) => break error,
        }
    };
    // 16 KiB fits 2046 such lines, more than max_headers: the count limit trips first.
    assert!(
        matches!(error, HandshakeError::TooManyHeaders { limit: 128 }),
        "{error:?}"
    );
    assert!(sent < 16 << 10);
    let mut server = ServerHandshake::new(HandshakeLimits::default(), Instant::now());
    let error = loop {
        if let Err(error) = server.receive(&[b'a'; 1000]) {
            break error;
        }
    };
    assert!(matches!(
        error,
        HandshakeError::StartLineTooLong { limit: 8192 }
    ));
}

#[test]
fn receive_after_the_end_reports_instead_of_parsing_again() {
    let mut server = ServerHandshake::new(HandshakeLimits::default(), Instant::now());
    assert!(server.receive(RFC_REQUEST).unwrap().is_some());
    assert!(matches!(
        server.receive(b"x"),
        Err(HandshakeError::Finished)
    ));

    let mut server = ServerHandshake::new(HandshakeLimits::default(), Instant::now());
    assert!(matches!(
        server.receive(b"POST / HTTP/1.1\r\n\r\n"),
        Err(HandshakeError::MethodNotAllowed(_))
    ));
    assert!(matches!(
        server.receive(RFC_REQUEST),
        Err(HandshakeError::MethodNotAllowed(_))
    ));
    assert_eq!(server.parses, 1);
}

#[test]
fn deadline_and_timeout() {
    let now = Instant::now();
    let mut server = ServerHandshake::new(HandshakeLimits::default(), now);
    assert_eq!(server.deadline(), now + Duration::from_secs(10));
    assert!(server.handle_timeout(now + Duration::from_secs(9)).is_ok());
    assert!(matches!(
        server.handle_timeout(server.deadline()),
        Err(HandshakeError::Timeout)
    ));
    assert!(matches!(
        server.receive(RFC_REQUEST),
        Err(HandshakeError::Timeout)
    ));
    assert_eq!(
        HandshakeError::Timeout.http_status(),
        Some(StatusCode::REQUEST_TIMEOUT)
    );

    let mut server = ServerHandshake::new(HandshakeLimits::default(), now);
    server.receive(RFC_REQUEST).unwrap().unwrap();
    assert!(
        server.handle_timeout(now + Duration::from_secs(60)).is_ok(),
        "done is done"
    );

    let never = HandshakeLimits {
        timeout: Duration::MAX,
        ..HandshakeLimits::default()
    };
    assert!(ServerHandshake::new(never, now).deadline() > now + Duration::from_secs(1 << 30));
}

#[test]
fn no_input_panics() {
    let mut rng = Lcg(0x5eed);
    let alphabet = b"GET /HTP1.\r\n: ,;=\"\x00\xffUpgradewsocketKey13";
    for _ in 0..3000 {
        let len = rng.below(300);
        let input: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len())])
            .collect();
        let sizes = [1 + rng.below(40)];
        let _ = server_feed(HandshakeLimits::default(), &input, &sizes);
    }
    // Every single-byte corruption of a valid request, byte by byte.
    let valid = [RFC_REQUEST, b"Sec-WebSocket-Extensions: a; b=\"c\"\r\n"].concat();
    for at in 0..valid.len() {
        for replacement in [0u8, b'\r', b'\n', b' ', b':', b',', 0xff] {
            let mut input = valid.clone();
            input[at] = replacement;
            if let Some(Err(error)) = server_feed(HandshakeLimits::default(), &input, &[1]) {
                assert!(error_response(&error).is_some(), "{error:?}");
            }
        }
    }
    // Zero limits are honoured, not a reason to panic.
    let zero = HandshakeLimits {
        max_line_len: 0,
        max_headers: 0,
        max_header_bytes: 0,
        timeout: Duration::ZERO,
    };
    assert!(matches!(server_feed(zero, RFC_REQUEST, &[1]), Some(Err(_))));
}
