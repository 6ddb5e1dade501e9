//! Timers, backpressure, streaming receive and fragmented send.

use super::*;

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
        Event::Closed(CloseReport {
            cause: CloseCause::Eof,
            ..
        })
    ));
}

#[test]
fn pending_events_are_reported_until_the_last_is_taken() {
    let (mut conn, now) = server();
    assert!(!conn.has_pending_events());
    let mut input = to_server(true, 0x2, b"a");
    input.extend(to_server(true, 0x2, b"b"));
    // Half of a third frame: not an event yet.
    input.extend(&to_server(true, 0x2, b"c")[..3]);
    conn.receive(now, &input);
    assert!(conn.has_pending_events());
    assert!(conn.poll_event().is_some());
    assert!(conn.has_pending_events(), "the second message still waits");
    assert!(conn.poll_event().is_some());
    assert!(
        !conn.has_pending_events(),
        "a partial frame is not an event"
    );
    assert_eq!(conn.poll_event(), None);
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

/// Feeds `frame` in 4 KiB reads, as a socket would deliver a large frame, and takes the
/// message's payload. The first read must grow the input to hold the whole payload, so the
/// other reads cost no allocation.
fn receive_in_reads(conn: &mut Connection, now: Instant, frame: &[u8]) -> Bytes {
    let mut chunks = frame.chunks(4096);
    conn.receive(now, chunks.next().unwrap_or_default());
    assert!(
        // The 14-byte header (64-bit length, mask) is consumed; the payload must fit.
        conn.input.capacity() >= frame.len() - 14,
        "grown step by step: {} bytes",
        conn.input.capacity()
    );
    for chunk in chunks {
        conn.receive(now, chunk);
    }
    match conn.poll_event() {
        Some(Event::Message(Message::Binary(payload))) => payload,
        other => panic!("expected a binary message, got {other:?}"),
    }
}

#[test]
fn large_messages_reuse_one_input_block_and_a_small_one_releases_it() {
    let (mut conn, now) = server();
    let large = to_server(true, 0x2, &vec![9u8; 64 << 10]);
    let mut blocks = Vec::new();
    for _ in 0..5 {
        let payload = receive_in_reads(&mut conn, now, &large);
        assert_eq!(payload.len(), 64 << 10);
        blocks.push(payload.as_ptr() as usize);
        // Dropped before the next message, as an echo server's writes do.
        drop(payload);
    }
    assert!(
        blocks[2..].iter().all(|&block| block == blocks[1]),
        "steady state allocates a fresh block per message: {blocks:x?}"
    );
    let held = receive_in_reads(&mut conn, now, &large);
    let next = receive_in_reads(&mut conn, now, &large);
    assert_ne!(
        held.as_ptr(),
        next.as_ptr(),
        "a held message is never overwritten"
    );
    assert!(held.iter().chain(next.iter()).all(|&byte| byte == 9));

    conn.receive(now, &to_server(true, 0x2, b"small"));
    assert!(conn.poll_event().is_some());
    assert_eq!(
        conn.input.capacity(),
        0,
        "the large block outlived the large messages"
    );
    assert_eq!(conn.input_block, 0);
}

/// Found by the `connection_server` fuzz target: in streaming mode, a compressed message
/// must come out the same whatever pieces its frame arrives in. The peer here compresses
/// with a 15-bit window where it agreed to 9: zlib-rs 0.6.8 (locked) tolerates that however
/// the stream is split, 0.6.9 decodes it whole but fails it ("invalid distance too far
/// back") when split, which would make a peer's fate depend on TCP read sizes.
#[test]
fn streamed_compressed_message_does_not_depend_on_read_sizes() {
    use crate::extension::deflate::DeflateConfig;
    use crate::handshake::{Accept, ServerOptions};
    const PAYLOAD: [u8; 32] = [
        0x4a, 0x4c, 0x1c, 0x54, 0xa0, 0x0a, 0x07, 0x60, 0x65, 0x48, 0x61, 0x60, 0xa4, 0x03, 0x60,
        0x65, 0x4c, 0x61, 0x60, 0x22, 0x11, 0x0c, 0x74, 0x98, 0x8d, 0x82, 0x81, 0x07, 0xa0, 0x34,
        0x0a, 0x00,
    ];
    let wire = frame(true, 0x40, 0x2, &PAYLOAD, true);
    let receive = |cut: usize| {
        let now = Instant::now();
        let deflate = DeflateConfig {
            client_max_window_bits: Some(9),
            threshold: 7,
            ..DeflateConfig::default()
        };
        let config = Config::new()
            .receive_mode(ReceiveMode::Streaming)
            .max_message_size(16320)
            .max_frame_size(16320)
            .max_pending_events(8)
            .write_buffer_high_water(4080)
            .write_buffer_limit(16320)
            .close_timeout(Duration::from_millis(1001));
        let mut conn = Connection::server(ServerOptions::new().deflate(deflate), config, now);
        conn.receive(
            now,
            b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
              Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; \
              server_max_window_bits=12, permessage-deflate\r\n\r\n",
        );
        assert!(matches!(conn.poll_event(), Some(Event::Upgrade(_))));
        conn.accept(Accept::new()).unwrap();
        assert!(matches!(conn.poll_event(), Some(Event::Opened(_))));
        let mut message = Vec::new();
        let mut finished = false;
        for piece in wire.chunks(cut) {
            conn.receive(now, piece);
            for event in events(&mut conn) {
                match event {
                    Event::MessageChunk { chunk, fin } => {
                        message.extend_from_slice(chunk.as_bytes());
                        finished |= fin;
                    }
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        (finished, message)
    };
    let whole = receive(wire.len());
    assert!(whole.0);
    for cut in 1..wire.len() {
        assert_eq!(receive(cut), whole, "read size {cut}");
    }
}

/// Found by the `connection_server` fuzz target: a compressed text message whose inflated
/// bytes turn invalid before its size limit and cross the limit later closed with 1009 when
/// its frame came whole (the limit failed the inflate call that also produced the invalid
/// bytes, before they were validated) and 1007 when it came in pieces. The bytes inflated
/// before a failure are now judged first: 1007 however the frame is cut, in either receive
/// mode; and a message valid up to its limit still closes 1009.
#[test]
fn inflated_text_is_judged_before_its_size_limit() {
    use crate::extension::deflate::DeflateConfig;
    use crate::handshake::{Accept, ServerOptions};
    use std::io::Write;

    let compress = |text: &[u8]| {
        let mut encoder =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(text).unwrap();
        encoder.flush().unwrap();
        let mut data = encoder.finish().unwrap();
        // RFC 7692 §7.2.1: the sender strips the sync flush's 00 00 ff ff.
        if data.ends_with(&[0x00, 0x00, 0xff, 0xff]) {
            data.truncate(data.len() - 4);
        }
        data
    };
    let close_code = |wire: &[u8], cut: usize, mode: ReceiveMode| {
        let now = Instant::now();
        let config = Config::new().receive_mode(mode).max_message_size(448);
        let options = ServerOptions::new().deflate(DeflateConfig::default());
        let mut conn = Connection::server(options, config, now);
        conn.receive(
            now,
            b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
              Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
        );
        assert!(matches!(conn.poll_event(), Some(Event::Upgrade(_))));
        conn.accept(Accept::new()).unwrap();
        assert!(matches!(conn.poll_event(), Some(Event::Opened(_))));
        take_output(&mut conn);
        for piece in wire.chunks(cut) {
            conn.receive(now, piece);
            events(&mut conn);
        }
        let out = take_output(&mut conn);
        assert_eq!(out.first(), Some(&0x88), "a close frame, cut {cut}");
        u16::from_be_bytes([out[2], out[3]])
    };

    let mut invalid_early = vec![b'a'; 100];
    invalid_early.push(0xff);
    invalid_early.extend(std::iter::repeat_n(b'a', 1000));
    let valid_to_the_limit = vec![b'a'; 1100];
    for (text, code) in [(invalid_early, 1007), (valid_to_the_limit, 1009)] {
        let wire = frame(true, 0x40, 0x1, &compress(&text), true);
        for mode in [ReceiveMode::WholeMessages, ReceiveMode::Streaming] {
            for cut in [wire.len(), 1, 2, 3, 7, 16] {
                assert_eq!(close_code(&wire, cut, mode), code, "cut {cut}, {mode:?}");
            }
        }
    }
}
