//! Reading straight into the connection's input buffer (`lend_receive_buffer` and
//! `receive_lent`): the same events and output as copied reads, no copy of a large payload
//! after the read, and memory that grows with what arrived, not with what was announced.

use super::*;

/// How a test feeds a stream: copied reads of at most `read` bytes, or reads into the lent
/// space whenever the connection offers it (as the adapters do). Returns what is left when
/// the connection stops reading (events waiting at their limit).
fn feed<'a>(
    conn: &mut Connection,
    now: Instant,
    mut rest: &'a [u8],
    read: usize,
    lend: bool,
) -> &'a [u8] {
    while !rest.is_empty() && conn.wants_read() {
        let taken = if let Some(space) = conn.lend_receive_buffer().filter(|_| lend) {
            let len = space.len().min(read).min(rest.len());
            space[..len].copy_from_slice(&rest[..len]);
            conn.receive_lent(now, len);
            len
        } else {
            let len = read.min(rest.len());
            conn.receive(now, &rest[..len]);
            len
        };
        rest = &rest[taken..];
    }
    rest
}

/// Events and output of a server fed `stream` one way. Streamed chunks of a message are
/// joined: where a message is cut depends on the reads, its bytes do not.
fn run(config: Config, stream: &[u8], read: usize, lend: bool) -> (Vec<Event>, Vec<u8>) {
    let now = Instant::now();
    let mut conn = Connection::new(Role::Server, config, now);
    let mut got: Vec<Event> = Vec::new();
    let mut rest = stream;
    loop {
        rest = feed(&mut conn, now, rest, read, lend);
        for event in events(&mut conn) {
            match (got.last_mut(), event) {
                (
                    Some(Event::MessageChunk { chunk, fin: false }),
                    Event::MessageChunk { chunk: more, fin },
                ) => {
                    let mut joined = chunk.as_bytes().to_vec();
                    joined.extend_from_slice(more.as_bytes());
                    let joined = Bytes::from(joined);
                    *chunk = match chunk.kind() {
                        MessageKind::Text => Message::Text(
                            crate::message::Utf8Bytes::try_from(joined).expect("valid chunks"),
                        ),
                        MessageKind::Binary => Message::Binary(joined),
                    };
                    if let Some(Event::MessageChunk { fin: last, .. }) = got.last_mut() {
                        *last = fin;
                    }
                }
                (_, event) => got.push(event),
            }
        }
        if rest.is_empty() || !conn.wants_read() {
            break;
        }
    }
    (got, take_output(&mut conn))
}

fn text_of(len: usize) -> Vec<u8> {
    "añ€😀".bytes().cycle().take(len).collect()
}

/// Streams that cross every path of the parser with payloads large enough to be lent.
fn streams() -> Vec<(&'static str, Vec<u8>)> {
    let mut fragmented = to_server(false, 0x1, &text_of(20_000));
    fragmented.extend(to_server(true, 0x9, b"ping between fragments"));
    fragmented.extend(to_server(false, 0x0, &text_of(30_001)[1..]));
    fragmented.extend(to_server(true, 0x0, &[b'x'; 9_000]));
    let mut invalid = text_of(100_000);
    invalid[50_000] = 0xff;
    let mut in_a_row = Vec::new();
    for size in [70_000, 64 << 10, 100, 300_000, 5_000] {
        in_a_row.extend(to_server(true, 0x2, &vec![size as u8; size]));
    }
    in_a_row.extend(to_server(true, 0x8, &[0x03, 0xe8]));
    vec![
        (
            "one large binary frame",
            to_server(true, 0x2, &vec![3; 300_000]),
        ),
        (
            "one large text frame",
            to_server(true, 0x1, &text_of(200_000)),
        ),
        ("fragments around a ping", fragmented),
        (
            "invalid UTF-8 inside a large frame",
            to_server(true, 0x1, &invalid),
        ),
        ("large and small messages in a row", in_a_row),
    ]
}

#[test]
fn lent_reads_give_the_same_events_and_output_as_copied_reads() {
    let configs = [
        ("whole", Config::default()),
        (
            "streaming",
            Config::default().receive_mode(ReceiveMode::Streaming),
        ),
        ("limited", Config::default().max_message_size(150_000)),
    ];
    for (config_name, config) in configs {
        for (name, stream) in streams() {
            let expected = run(config.clone(), &stream, stream.len(), false);
            for read in [1, 13, 4096, 65_536, 1 << 20] {
                let (events, output) = run(config.clone(), &stream, read, true);
                assert_eq!(output, expected.1, "{config_name}: {name}, reads of {read}");
                if config_name == "streaming" && name.starts_with("invalid") {
                    // Streamed, the valid text before the bad byte is handed out as it
                    // arrives: how much of it depends on the reads, lent or not.
                    continue;
                }
                assert_eq!(events, expected.0, "{config_name}: {name}, reads of {read}");
            }
        }
    }
}

#[test]
fn a_large_payload_is_handed_out_where_it_was_read() {
    let (mut conn, now) = server();
    let stream = to_server(true, 0x2, &vec![5; 200_000]);
    // The header and the first bytes of the payload come through a copied read.
    conn.receive(now, &stream[..10_014]);
    let mut rest = &stream[10_014..];
    let mut lent_at = Vec::new();
    while !rest.is_empty() {
        let space = conn
            .lend_receive_buffer()
            .expect("the payload's rest is lent");
        let len = space.len().min(rest.len());
        space[..len].copy_from_slice(&rest[..len]);
        lent_at.push((space.as_ptr() as usize, len));
        conn.receive_lent(now, len);
        rest = &rest[len..];
    }
    let Some(Event::Message(Message::Binary(payload))) = conn.poll_event() else {
        panic!("expected the message");
    };
    assert_eq!(payload, vec![5; 200_000]);
    // The last read landed where the payload's last bytes are: no copy after it.
    let (last_at, last_len) = *lent_at.last().unwrap_or(&(0, 0));
    let payload_end = payload.as_ptr() as usize + payload.len();
    assert_eq!(
        last_at + last_len,
        payload_end,
        "the payload was moved after the read"
    );
}

#[test]
fn an_announced_frame_that_never_comes_costs_little_memory() {
    let now = Instant::now();
    let config = Config::default()
        .max_message_size(64 << 20)
        .max_frame_size(64 << 20);
    let mut conn = Connection::new(Role::Server, config, now);
    let mut header = vec![0x82, 0xff];
    header.extend_from_slice(&(60u64 << 20).to_be_bytes());
    header.extend_from_slice(&KEY);
    conn.receive(now, &header);
    let lent = conn.lend_receive_buffer().map(|space| space.len());
    assert_eq!(lent, Some(4096), "nothing arrived yet: the smallest loan");
    // A loan not filled is lent again, not grown.
    let lent_again = conn.lend_receive_buffer().map(|space| space.len());
    assert_eq!(lent_again, Some(4096));
    assert!(
        conn.input.capacity() < 16 << 10,
        "{}",
        conn.input.capacity()
    );
    // Loans grow with what arrived: 10,000 bytes in, at most as much again is lent.
    conn.receive(now, &[0; 10_000]);
    let lent = conn.lend_receive_buffer().map_or(0, |space| space.len());
    assert!((4096..=10_000).contains(&lent), "lent {lent}");
    // Space is reserved ahead (address space, untouched) but only lent space is written.
    let touched = conn.input.len() + conn.input.spare_len();
    assert!(touched <= 20_000, "{touched} bytes zeroed or received");
}

#[test]
fn nothing_is_lent_for_small_frames_when_not_reading_or_after_the_close() {
    let (mut conn, now) = server();
    assert!(conn.lend_receive_buffer().is_none(), "no frame in progress");
    // A frame whose rest is small arrives through copied reads.
    let small = to_server(true, 0x2, &[1; 3000]);
    conn.receive(now, &small[..10]);
    assert!(conn.lend_receive_buffer().is_none(), "3,000 bytes to come");
    conn.receive(now, &small[10..]);
    assert_eq!(events(&mut conn).len(), 1);

    // A loan not reported is forgotten: reporting bytes without one receives nothing.
    let received = conn.stats().bytes_received;
    conn.receive_lent(now, 100);
    assert_eq!(conn.stats().bytes_received, received);

    // While events wait at the limit, nothing is read, so nothing is lent.
    let config = Config::default().max_pending_events(1);
    let mut full = Connection::new(Role::Server, config, now);
    let mut two = to_server(true, 0x2, b"first");
    two.extend(&to_server(true, 0x2, &vec![2; 50_000])[..20]);
    full.receive(now, &two);
    assert!(!full.wants_read());
    assert!(full.lend_receive_buffer().is_none());

    // Once closed, nothing.
    let large = to_server(true, 0x2, &vec![7; 50_000]);
    conn.receive(now, &large[..1000]);
    assert!(conn.lend_receive_buffer().is_some());
    conn.abort();
    assert!(conn.lend_receive_buffer().is_none());
    conn.receive_lent(now, 10);
    assert_eq!(conn.stats().bytes_received, received + 1000);
}

#[test]
fn a_frame_that_came_with_the_upgrade_request_is_lent_for_once_open() {
    use crate::handshake::{Accept, ServerOptions};
    let now = Instant::now();
    let mut conn = Connection::server(ServerOptions::new(), Config::default(), now);
    let mut input = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        .to_vec();
    let frame = to_server(true, 0x2, &vec![4; 50_000]);
    input.extend_from_slice(&frame[..10_000]);
    conn.receive(now, &input);
    assert!(matches!(conn.poll_event(), Some(Event::Upgrade(_))));
    assert!(
        conn.lend_receive_buffer().is_none(),
        "nothing is read while the application decides"
    );
    conn.accept(Accept::new()).expect("accept");
    assert!(matches!(conn.poll_event(), Some(Event::Opened(_))));
    // The frame's first bytes were parsed on opening; the rest is read into lent space.
    let mut rest = &frame[10_000..];
    while !rest.is_empty() {
        let space = conn
            .lend_receive_buffer()
            .expect("the payload's rest is lent");
        let len = space.len().min(rest.len());
        space[..len].copy_from_slice(&rest[..len]);
        conn.receive_lent(now, len);
        rest = &rest[len..];
    }
    assert_eq!(
        conn.poll_event(),
        Some(Event::Message(Message::Binary(vec![4; 50_000].into())))
    );
}
