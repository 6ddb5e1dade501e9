//! Unit tests of the connection state machine. Behaviour shared with the adapters is also
//! covered by the conformance scripts; these pin the core's own contract.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::mask::{FixedMask, apply_mask};
use crate::{
    CloseCause, CloseCode, CloseFrame, Closed, Config, Connection, Event, Initiator, Keepalive,
    Message, MessageKind, ProtocolError, ReceiveMode, Role, SendError, State,
};

const KEY: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

/// A frame as a peer would send it; masked with `KEY` when `masked`.
fn frame(fin: bool, rsv: u8, opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![(if fin { 0x80 } else { 0 }) | rsv | opcode];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        len @ 0..=125 => out.push(mask_bit | len as u8),
        len @ 126..=65535 => {
            out.push(mask_bit | 0x7e);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        len => {
            out.push(mask_bit | 0x7f);
            out.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    let mut body = payload.to_vec();
    if masked {
        out.extend_from_slice(&KEY);
        apply_mask(&mut body, KEY, 0);
    }
    out.extend_from_slice(&body);
    out
}

/// A frame a client sends to the server under test.
fn to_server(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
    frame(fin, 0, opcode, payload, true)
}

fn server() -> (Connection, Instant) {
    let now = Instant::now();
    (Connection::new(Role::Server, Config::default(), now), now)
}

fn client() -> (Connection, Instant) {
    let now = Instant::now();
    let conn = Connection::new(Role::Client, Config::default(), now)
        .with_mask_source(Box::new(FixedMask(KEY)));
    (conn, now)
}

fn events(conn: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| conn.poll_event()).collect()
}

fn take_output(conn: &mut Connection) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let chunk = conn.pending_output().to_vec();
        if chunk.is_empty() {
            return out;
        }
        conn.consume_output(chunk.len());
        out.extend_from_slice(&chunk);
    }
}

/// The close frame a server sends (unmasked).
fn close_from_server(code: u16, reason: &str) -> Vec<u8> {
    let mut payload = code.to_be_bytes().to_vec();
    payload.extend_from_slice(reason.as_bytes());
    frame(true, 0, 0x8, &payload, false)
}

fn closed(conn: &mut Connection) -> Closed {
    match events(conn).pop() {
        Some(Event::Closed(closed)) => closed,
        other => panic!("expected Closed, got {other:?}"),
    }
}

/// Feeds `input` to a server and asserts it failed with `error`, sending a close frame with
/// the error's code.
fn assert_server_fails(input: &[u8], error: ProtocolError) {
    let (mut conn, now) = server();
    conn.receive(now, input);
    let code = error.close_code().as_u16();
    let out = take_output(&mut conn);
    assert_eq!(
        out.get(..4),
        Some(&[0x88, out[1], (code >> 8) as u8, code as u8][..])
    );
    assert!(conn.wants_shutdown(), "a failing server closes TCP first");
    conn.receive_eof(now);
    let closed = closed(&mut conn);
    assert_eq!(closed.cause, CloseCause::ProtocolError(error));
    assert_eq!(closed.code.as_u16(), code);
}

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
        Some(Event::Closed(Closed {
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
fn header_violations_fail_with_1002_before_the_payload() {
    assert_server_fails(
        &frame(true, 0x40, 0x1, b"x", true),
        ProtocolError::ReservedBitsSet(4),
    );
    assert_server_fails(&to_server(true, 0x3, b""), ProtocolError::UnknownOpcode(3));
    assert_server_fails(
        &to_server(true, 0xB, b""),
        ProtocolError::UnknownOpcode(0xB),
    );
    assert_server_fails(
        &to_server(false, 0x9, b""),
        ProtocolError::FragmentedControlFrame,
    );
    // Only the first two bytes of a ping declaring 126 bytes: fails without waiting.
    assert_server_fails(&[0x89, 0xfe], ProtocolError::ControlFrameTooLarge(126));
    assert_server_fails(
        &frame(true, 0, 0x1, b"x", false),
        ProtocolError::UnmaskedFrame,
    );
    assert_server_fails(
        &[0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4],
        ProtocolError::InvalidPayloadLength,
    );
    let (mut client, now) = client();
    client.receive(now, &frame(true, 0, 0x1, b"x", true));
    assert_eq!(take_output(&mut client)[..2], [0x88, 0x80 | (2 + 26)]);
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
fn peer_initiated_close_is_echoed_then_the_server_closes_tcp() {
    let (mut conn, now) = server();
    conn.receive(now, &to_server(true, 0x8, b"\x03\xe8bye"));
    assert_eq!(
        events(&mut conn),
        [Event::CloseReceived(CloseFrame {
            code: CloseCode::NORMAL,
            reason: "bye".into()
        })]
    );
    assert_eq!(conn.state(), State::Closing);
    assert!(
        !conn.wants_shutdown(),
        "the echo must be written before the FIN"
    );
    assert_eq!(take_output(&mut conn), [0x88, 0x02, 0x03, 0xe8]);
    assert!(conn.wants_shutdown());
    assert_eq!(conn.send_text("late"), Err(SendError::Closed));
    // Anything after the close frame is ignored.
    conn.receive(now, &to_server(true, 0x1, b"ignored"));
    conn.receive_eof(now);
    let closed = closed(&mut conn);
    assert_eq!(closed.code, CloseCode::NORMAL);
    assert_eq!(
        closed.cause,
        CloseCause::Clean {
            initiator: Initiator::Remote
        }
    );
    assert_eq!(conn.state(), State::Closed);
    assert!(!conn.wants_read());
}

#[test]
fn empty_close_reports_1005_and_is_answered_empty() {
    let (mut conn, now) = server();
    conn.receive(now, &to_server(true, 0x8, b""));
    assert_eq!(take_output(&mut conn), [0x88, 0x00]);
    conn.receive_eof(now);
    assert_eq!(closed(&mut conn).code, CloseCode::NO_STATUS);
}

#[test]
fn invalid_close_frames() {
    assert_server_fails(
        &to_server(true, 0x8, b"\x03"),
        ProtocolError::InvalidClosePayload,
    );
    for code in [999u16, 1004, 1005, 1006, 1015, 1016, 2999, 5000] {
        assert_server_fails(
            &to_server(true, 0x8, &code.to_be_bytes()),
            ProtocolError::InvalidCloseCode(code),
        );
    }
    assert_server_fails(
        &to_server(true, 0x8, b"\x03\xe8\xff"),
        ProtocolError::InvalidCloseReason,
    );
}

#[test]
fn client_initiated_close_waits_for_the_server_fin_then_times_out() {
    let (mut conn, now) = client();
    conn.close(now, CloseCode::GOING_AWAY, "done").unwrap();
    assert_eq!(
        conn.close(now, CloseCode::NORMAL, ""),
        Err(SendError::Closed)
    );
    assert_eq!(conn.send_text("x"), Err(SendError::Closed));
    assert_eq!(take_output(&mut conn)[..2], [0x88, 0x86]);
    conn.receive(now, &close_from_server(1001, ""));
    assert!(!conn.wants_shutdown(), "the client never closes TCP first");
    let deadline = conn.poll_timeout().unwrap();
    assert_eq!(deadline, now + Duration::from_secs(10));
    conn.handle_timeout(now + Duration::from_millis(9999));
    assert_eq!(conn.state(), State::Closing);
    conn.handle_timeout(deadline);
    let closed = closed(&mut conn);
    assert_eq!(
        closed.cause,
        CloseCause::Clean {
            initiator: Initiator::Local
        }
    );
    assert_eq!(closed.code, CloseCode::GOING_AWAY);
}

#[test]
fn close_without_an_answer_times_out_with_1006() {
    let (mut conn, now) = server();
    conn.close(now, CloseCode::NORMAL, "").unwrap();
    conn.handle_timeout(now + Duration::from_secs(10));
    let closed = closed(&mut conn);
    assert_eq!(closed.cause, CloseCause::Timeout);
    assert_eq!(closed.code, CloseCode::ABNORMAL);
    assert_eq!(
        conn.buffered_amount(),
        0,
        "output is dropped once the peer is given up on"
    );
}

#[test]
fn close_command_validation_changes_nothing() {
    let (mut conn, now) = server();
    assert_eq!(
        conn.close(now, CloseCode::ABNORMAL, ""),
        Err(SendError::InvalidCloseCode(1006))
    );
    let long = "x".repeat(124);
    assert_eq!(
        conn.close(now, CloseCode::NORMAL, &long),
        Err(SendError::CloseReasonTooLong(124))
    );
    assert_eq!(conn.state(), State::Open);
    assert_eq!(conn.buffered_amount(), 0);
    conn.close(now, CloseCode::NO_STATUS, "").unwrap();
    assert_eq!(take_output(&mut conn), [0x88, 0x00]);
}

#[test]
fn eof_in_every_state_reports_1006_with_the_cause() {
    let stream = to_server(true, 0x1, b"hello");
    for cut in 0..stream.len() {
        let (mut conn, now) = server();
        conn.receive(now, &stream[..cut]);
        conn.receive_eof(now);
        let closed = closed(&mut conn);
        assert_eq!(closed.code, CloseCode::ABNORMAL, "cut at {cut}");
        assert_eq!(closed.cause, CloseCause::Eof);
    }
    let (mut conn, now) = server();
    conn.receive(now, &to_server(false, 0x1, b"mid-message"));
    conn.receive_eof(now);
    assert_eq!(closed(&mut conn).cause, CloseCause::Eof);
    // After our close frame, before the answer.
    let (mut conn, now) = server();
    conn.close(now, CloseCode::NORMAL, "").unwrap();
    conn.receive_eof(now);
    assert_eq!(closed(&mut conn).cause, CloseCause::Eof);
    // Inputs after the end change nothing.
    conn.receive(now, b"more");
    conn.receive_eof(now);
    assert_eq!(conn.poll_event(), None);
}

#[test]
fn keepalive_pings_after_silence_and_fails_without_a_pong() {
    let now = Instant::now();
    let mut config = Config::default();
    config.keepalive = Some(Keepalive {
        interval: Duration::from_secs(20),
        timeout: Duration::from_secs(5),
    });
    let mut conn = Connection::new(Role::Server, config, now);
    assert_eq!(conn.poll_timeout(), Some(now + Duration::from_secs(20)));
    // Traffic from the peer postpones the ping.
    let later = now + Duration::from_secs(15);
    conn.receive(later, &to_server(true, 0x1, b"hi"));
    assert_eq!(conn.poll_timeout(), Some(later + Duration::from_secs(20)));
    let ping_at = later + Duration::from_secs(20);
    conn.handle_timeout(ping_at);
    let ping = take_output(&mut conn);
    assert_eq!(ping[..2], [0x89, 0x04]);
    assert_eq!(conn.poll_timeout(), Some(ping_at + Duration::from_secs(5)));
    // The matching pong clears the deadline.
    conn.receive(ping_at, &to_server(true, 0xA, &ping[2..]));
    assert_eq!(conn.poll_timeout(), Some(ping_at + Duration::from_secs(20)));
    // Silence then no pong: fail with 1011.
    let second = ping_at + Duration::from_secs(20);
    conn.handle_timeout(second);
    take_output(&mut conn);
    conn.handle_timeout(second + Duration::from_secs(5));
    assert_eq!(take_output(&mut conn)[2..4], [0x03, 0xf3]);
    conn.receive_eof(second);
    assert_eq!(
        closed(&mut conn).cause,
        CloseCause::ProtocolError(ProtocolError::KeepaliveTimeout)
    );
}

#[test]
fn undrained_events_pause_parsing_and_nothing_is_lost() {
    let now = Instant::now();
    let mut config = Config::default();
    config.max_pending_events = 2;
    let mut conn = Connection::new(Role::Server, config, now);
    let mut input = Vec::new();
    for i in 0..5u8 {
        input.extend(to_server(true, 0x2, &[i]));
    }
    conn.receive(now, &input);
    assert!(!conn.wants_read(), "two events waiting: stop reading");
    // The EOF that arrives now must not cut off the three messages still buffered.
    conn.receive_eof(now);
    let got = events(&mut conn);
    let expected: Vec<Event> = (0..5u8)
        .map(|i| Event::Message(Message::Binary(Bytes::from(vec![i]))))
        .collect();
    assert_eq!(got[..5], expected[..]);
    assert!(matches!(
        got[5],
        Event::Closed(Closed {
            cause: CloseCause::Eof,
            ..
        })
    ));
}

#[test]
fn pongs_coalesce_only_above_the_high_water_mark() {
    let (mut conn, now) = server();
    let mut pings = Vec::new();
    for i in 0..10u8 {
        pings.extend(to_server(true, 0x9, &[i]));
    }
    conn.receive(now, &pings);
    assert_eq!(take_output(&mut conn).len(), 10 * 3, "every ping answered");

    let mut config = Config::default();
    config.write_buffer_high_water = 100;
    let mut conn = Connection::new(Role::Server, config, now);
    conn.send_binary(vec![0; 200]).unwrap();
    conn.receive(now, &pings);
    assert_eq!(conn.buffered_amount(), 204, "pongs held back, not queued");
    conn.consume_output(204);
    assert_eq!(
        take_output(&mut conn),
        [0x8a, 0x01, 9],
        "only the newest pong"
    );
}

#[test]
fn write_buffer_limit_refuses_data_but_not_close() {
    let now = Instant::now();
    let mut config = Config::default();
    config.write_buffer_limit = 1000;
    let mut conn = Connection::new(Role::Server, config, now);
    conn.send_binary(vec![0; 1200]).unwrap();
    assert_eq!(
        conn.send_binary(vec![0; 10]),
        Err(SendError::BufferFull {
            buffered: 1204,
            limit: 1000
        })
    );
    conn.close(now, CloseCode::NORMAL, "").unwrap();
}

#[test]
fn streaming_mode_hands_out_valid_utf8_chunks() {
    let now = Instant::now();
    let mut config = Config::default();
    config.receive_mode = ReceiveMode::Streaming;
    let mut conn = Connection::new(Role::Server, config, now);
    let frame = to_server(true, 0x1, "aé€😀".as_bytes());
    let mut chunks = Vec::new();
    for byte in &frame {
        conn.receive(now, std::slice::from_ref(byte));
        chunks.extend(events(&mut conn));
    }
    let texts: Vec<(String, bool)> = chunks
        .into_iter()
        .map(|event| match event {
            Event::MessageChunk {
                chunk: Message::Text(text),
                fin,
            } => (text.to_string(), fin),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        texts,
        [
            ("a".into(), false),
            ("é".into(), false),
            ("€".into(), false),
            ("😀".into(), true)
        ]
    );
}

#[test]
fn fragmented_send_validates_utf8_across_fragments() {
    let (mut conn, _) = server();
    let text = "é".as_bytes();
    conn.send_fragment(MessageKind::Text, Bytes::copy_from_slice(&text[..1]), false)
        .unwrap();
    assert_eq!(
        conn.send_text("x"),
        Err(SendError::FragmentedMessageInProgress)
    );
    assert_eq!(
        conn.send_fragment(MessageKind::Text, Bytes::from_static(b"A"), true),
        Err(SendError::InvalidUtf8)
    );
    conn.send_ping(Bytes::new()).unwrap();
    conn.send_fragment(MessageKind::Text, Bytes::copy_from_slice(&text[1..]), true)
        .unwrap();
    assert_eq!(
        take_output(&mut conn),
        [0x01, 0x01, 0xc3, 0x89, 0x00, 0x80, 0x01, 0xa9]
    );
    assert_eq!(
        conn.send_fragment(MessageKind::Binary, Bytes::new(), true),
        Ok(()),
        "a new message may start after fin"
    );
}

#[test]
fn abort_reports_closed_and_drops_output() {
    let (mut conn, _) = server();
    conn.send_text("pending").unwrap();
    conn.abort();
    assert_eq!(conn.buffered_amount(), 0);
    assert_eq!(closed(&mut conn).cause, CloseCause::Aborted);
    assert_eq!(conn.state(), State::Closed);
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
fn a_message_before_a_violation_is_answered_before_the_close_frame() {
    // Autobahn 3.2: a valid message, then a frame with RSV2, in one read. The application's
    // echo of the first message must precede the close frame (1002).
    let (mut conn, now) = server();
    let mut input = to_server(true, 0x1, b"Hello");
    input.extend(frame(true, 0x20, 0x1, b"bad", true));
    conn.receive(now, &input);
    assert_eq!(
        conn.state(),
        State::Open,
        "failure waits until the message is handled"
    );
    let Some(Event::Message(message)) = conn.poll_event() else {
        panic!("the first message must be delivered");
    };
    conn.send(message).unwrap();
    assert_eq!(conn.poll_event(), None);
    assert_eq!(conn.state(), State::Closing);
    let out = take_output(&mut conn);
    assert_eq!(out[..7], [0x81, 0x05, b'H', b'e', b'l', b'l', b'o']);
    assert_eq!(out[7..11], [0x88, out[8], 0x03, 0xea]);
    // An EOF while the failure is held back reports the failure, after the message.
    let (mut conn, now) = server();
    conn.receive(now, &input);
    conn.receive_eof(now);
    let got = events(&mut conn);
    assert!(matches!(got[0], Event::Message(_)));
    assert!(matches!(
        &got[1],
        Event::Closed(Closed {
            cause: CloseCause::ProtocolError(ProtocolError::ReservedBitsSet(2)),
            ..
        })
    ));
}
