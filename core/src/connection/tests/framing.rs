//! Frames, masking, lengths, fragmentation, UTF-8 and the zero-copy path.

use super::*;

#[test]
fn rfc_6455_section_5_7_examples() {
    let (mut client, now) = client();
    client.receive(now, &[0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    assert_eq!(events(&mut client), [Event::Message("Hello".into())]);
    // Fragmented unmasked text.
    client.receive(now, &[0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f]);
    assert_eq!(events(&mut client), [Event::Message("Hello".into())]);
    // 256 bytes binary, 16-bit length; 64 KiB binary, 64-bit length.
    let mut big = vec![0x82, 0x7e, 0x01, 0x00];
    big.extend_from_slice(&[7; 256]);
    client.receive(now, &big);
    let mut huge = vec![0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0];
    huge.extend_from_slice(&vec![9; 65536]);
    client.receive(now, &huge);
    assert_eq!(
        events(&mut client),
        [
            Event::Message(Message::Binary(Bytes::from(vec![7; 256]))),
            Event::Message(Message::Binary(Bytes::from(vec![9; 65536])))
        ]
    );

    let (mut server, now) = server();
    server.receive(
        now,
        &[
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ],
    );
    assert_eq!(events(&mut server), [Event::Message("Hello".into())]);
    // Masked ping "Hello" is answered by an unmasked pong "Hello".
    server.receive(
        now,
        &[
            0x89, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ],
    );
    assert_eq!(
        events(&mut server),
        [Event::Ping(Bytes::from_static(b"Hello"))]
    );
    assert_eq!(
        take_output(&mut server),
        [0x8a, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
    );
}

#[test]
fn client_masks_with_the_injected_key() {
    let (mut client, _) = client();
    client.send_text("Hello").unwrap();
    assert_eq!(
        take_output(&mut client),
        [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58
        ]
    );
    // A large payload takes the in-place path and must mask identically.
    let payload = vec![0xab; 10_000];
    client.send_binary(payload.clone()).unwrap();
    let out = take_output(&mut client);
    let mut body = out[8..].to_vec();
    apply_mask(&mut body, KEY, 0);
    assert_eq!(out[..4], [0x82, 0xfe, 0x27, 0x10]);
    assert_eq!(body, payload);
}

/// A stream exercising most parsing states: fragments with an interleaved ping, multi-byte
/// UTF-8 across fragments, 16-bit lengths, a pong, and a close.
fn mixed_stream() -> Vec<u8> {
    let text = "κόσμε and more κόσμε".as_bytes();
    let (a, b) = text.split_at(3); // splits a character
    let mut stream = Vec::new();
    stream.extend(to_server(false, 0x1, a));
    stream.extend(to_server(true, 0x9, b"ping!"));
    stream.extend(to_server(true, 0x0, b));
    stream.extend(to_server(true, 0x2, &[1; 300]));
    stream.extend(to_server(true, 0x1, b""));
    stream.extend(to_server(true, 0xA, b"pong"));
    stream.extend(to_server(true, 0x8, &[0x03, 0xe8, b'o', b'k']));
    stream
}

fn run_server_with_splits(stream: &[u8], splits: &[usize]) -> (Vec<Event>, Vec<u8>) {
    let (mut conn, now) = server();
    let mut start = 0;
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for &end in splits.iter().chain(std::iter::once(&stream.len())) {
        conn.receive(now, &stream[start..end]);
        start = end;
        seen.extend(events(&mut conn));
        out.extend(take_output(&mut conn));
    }
    conn.receive_eof(now);
    seen.extend(events(&mut conn));
    (seen, out)
}

#[test]
fn chunking_never_changes_events_or_output() {
    let stream = mixed_stream();
    let whole = run_server_with_splits(&stream, &[]);
    assert_eq!(whole.0.len(), 7, "{:?}", whole.0);
    assert!(matches!(
        whole.0.last(),
        Some(Event::Closed(CloseReport {
            cause: CloseCause::Clean {
                initiator: Initiator::Remote
            },
            ..
        }))
    ));
    // Every single split point, every pair of split points, and byte by byte.
    for i in 0..=stream.len() {
        assert_eq!(run_server_with_splits(&stream, &[i]), whole, "split at {i}");
    }
    for i in (0..=stream.len()).step_by(3) {
        for j in i..=stream.len() {
            assert_eq!(
                run_server_with_splits(&stream, &[i, j]),
                whole,
                "splits {i},{j}"
            );
        }
    }
    let every_byte: Vec<usize> = (1..stream.len()).collect();
    assert_eq!(run_server_with_splits(&stream, &every_byte), whole);
    // Seeded random splits of a long stream.
    let mut long = Vec::new();
    for i in 0..50 {
        long.extend(to_server(true, 0x2, &vec![i as u8; i * 97]));
    }
    let reference = run_server_with_splits(&long, &[]);
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..200 {
        let mut splits = Vec::new();
        let mut at = 0;
        loop {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            at += (seed % 700) as usize + 1;
            if at >= long.len() {
                break;
            }
            splits.push(at);
        }
        assert_eq!(run_server_with_splits(&long, &splits), reference);
    }
}

#[test]
fn oversized_frames_and_messages_fail_with_1009_at_the_header() {
    let (mut conn, now) = server();
    // A header announcing 17 MiB (over the 16 MiB default): no payload has to arrive.
    let mut header = vec![0x82, 0xff];
    header.extend_from_slice(&(17u64 << 20).to_be_bytes());
    header.extend_from_slice(&KEY);
    conn.receive(now, &header);
    let out = take_output(&mut conn);
    assert_eq!(out[2..4], [0x03, 0xf1], "{out:?} {:?}", events(&mut conn));

    let mut config = Config::default();
    config.max_message_size = 10;
    let mut conn = Connection::new(Role::Server, config, now);
    conn.receive(now, &to_server(false, 0x2, &[0; 6]));
    conn.receive(now, &to_server(true, 0x0, &[0; 5])[..6]);
    assert_eq!(take_output(&mut conn)[2..4], [0x03, 0xf1]);
}

#[test]
fn fragmentation_errors() {
    assert_server_fails(
        &to_server(true, 0x0, b"x"),
        ProtocolError::UnexpectedContinuation,
    );
    let mut input = to_server(false, 0x1, b"a");
    input.extend(to_server(true, 0x1, b"b"));
    assert_server_fails(&input, ProtocolError::ExpectedContinuation);
    let mut input = to_server(false, 0x1, b"a");
    input.extend(frame(true, 0x40, 0x0, b"b", true));
    let (mut conn, now) = server();
    conn.receive(now, &input);
    assert_eq!(take_output(&mut conn)[2..4], [0x03, 0xea]);

    let mut config = Config::default();
    config.max_fragments_per_message = 3;
    let now = Instant::now();
    let mut conn = Connection::new(Role::Server, config, now);
    conn.receive(now, &to_server(false, 0x2, b""));
    for _ in 0..2 {
        conn.receive(now, &to_server(false, 0x0, b""));
    }
    assert!(
        take_output(&mut conn).is_empty(),
        "three empty fragments are within the limit"
    );
    conn.receive(now, &to_server(false, 0x0, b""));
    assert_eq!(take_output(&mut conn)[2..4], [0x03, 0xf0], "1008");
}

#[test]
fn invalid_utf8_fails_fast_inside_a_partial_frame() {
    let (mut conn, now) = server();
    let full = to_server(true, 0x1, b"abc\xed\xa0\x80 and much more text");
    // Header + "abc" + the first two bytes of a surrogate: invalid at the second byte.
    conn.receive(now, &full[..6 + 3 + 2]);
    assert_eq!(
        take_output(&mut conn)[2..4],
        [0x03, 0xef],
        "1007 before the frame ended"
    );
    // A character cut at the end of the message is invalid too.
    assert_server_fails(&to_server(true, 0x1, b"ok\xce"), ProtocolError::InvalidUtf8);
    // ... and across fragments.
    let mut input = to_server(false, 0x1, b"\xce");
    input.extend(to_server(true, 0x0, b"A"));
    assert_server_fails(&input, ProtocolError::InvalidUtf8);
}

#[test]
fn single_frame_messages_are_not_copied_out_of_the_input_buffer() {
    let (mut conn, now) = server();
    let mut input = to_server(true, 0x2, &[1; 1000]);
    input.extend(to_server(true, 0x2, &[2; 1000]));
    conn.receive(now, &input);
    let got = events(&mut conn);
    let (Event::Message(first), Event::Message(second)) = (&got[0], &got[1]) else {
        panic!("{got:?}");
    };
    // Both payloads are slices of one buffer, 6 header bytes apart.
    let gap = second.as_bytes().as_ptr() as usize - first.as_bytes().as_ptr() as usize;
    assert_eq!(gap, 1000 + 8);
}

#[test]
fn non_minimal_length_encodings_are_accepted() {
    // "Hello" announced with the 16-bit and with the 64-bit length form (RFC 6455 binds
    // senders, not receivers, to the minimal form; see frame/decoder.rs).
    let (mut conn, now) = client();
    conn.receive(now, &[0x81, 0x7e, 0x00, 0x05, b'H', b'e', b'l', b'l', b'o']);
    conn.receive(
        now,
        &[
            0x81, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0x05, b'H', b'e', b'l', b'l', b'o',
        ],
    );
    assert_eq!(
        events(&mut conn),
        [
            Event::Message("Hello".into()),
            Event::Message("Hello".into())
        ]
    );
    assert!(take_output(&mut conn).is_empty(), "no close frame");
}
