//! Tests of the permessage-deflate transform: RFC 7692 §7.2.3 examples, round trips in both
//! roles, fragmentation, limits and corrupt input.

use super::*;

const HELLO_COMPRESSED: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

fn config(threshold: usize) -> DeflateConfig {
    DeflateConfig {
        threshold,
        ..DeflateConfig::default()
    }
}

fn params(snct: bool, cnct: bool, smwb: u8, cmwb: u8) -> DeflateParams {
    DeflateParams {
        server_no_context_takeover: snct,
        client_no_context_takeover: cnct,
        server_max_window_bits: smwb,
        client_max_window_bits: cmwb,
    }
}

/// A client and a server codec that agreed on `params`.
fn pair(params: DeflateParams, config: &DeflateConfig) -> (PerMessageDeflate, PerMessageDeflate) {
    (
        PerMessageDeflate::new(Role::Client, params, config),
        PerMessageDeflate::new(Role::Server, params, config),
    )
}

fn whole() -> FramePosition {
    FramePosition {
        first: true,
        fin: true,
    }
}

fn encode(codec: &mut PerMessageDeflate, message: &[u8]) -> (Encoded, Vec<u8>) {
    let mut out = BytesMut::new();
    let encoded = codec.encode(message, whole(), &mut out);
    (encoded, out.to_vec())
}

fn decode(
    codec: &mut PerMessageDeflate,
    payload: &[u8],
    limit: usize,
) -> Result<Vec<u8>, ProtocolError> {
    assert!(codec.begin_message(RSV1));
    let mut out = BytesMut::new();
    codec.decode(payload, true, &mut out, limit)?;
    Ok(out.to_vec())
}

/// Sends `message` from `sender` to `receiver` as the connection would, checking RSV1.
fn transfer(
    sender: &mut PerMessageDeflate,
    receiver: &mut PerMessageDeflate,
    message: &[u8],
) -> usize {
    let (encoded, payload) = encode(sender, message);
    match encoded {
        Encoded::Transformed { rsv } => {
            assert_eq!(rsv, RSV1);
            assert_eq!(decode(receiver, &payload, usize::MAX).unwrap(), message);
            payload.len()
        }
        Encoded::Unchanged => {
            assert!(payload.is_empty());
            assert!(!receiver.begin_message(0));
            message.len()
        }
    }
}

/// `len` pseudo-random bytes that deflate cannot shrink on their own.
fn noise(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 24) as u8
        })
        .collect()
}

/// Messages with repetition inside and across them, so context takeover matters.
fn messages() -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut state = 0x2545_f491_u32;
    for i in 0..40 {
        let mut message = format!("{{\"id\":{i},\"event\":\"update\",\"payload\":\"").into_bytes();
        for _ in 0..(i * 37 % 300) {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            message.push(b'a' + (state % 6) as u8);
        }
        message.extend_from_slice(b"\"}");
        messages.push(message);
    }
    messages.push(Vec::new());
    // Repeats 3000 bytes apart, within and across messages: only a window of 12 bits or more
    // can refer back, so small windows take the slow path here.
    let noise = noise(3000, 7);
    messages.push([noise.as_slice(), noise.as_slice()].concat());
    messages.push(noise);
    messages.push(vec![0; 100_000]);
    messages.push((0..70_000u32).map(|i| (i * 7 % 251) as u8).collect());
    messages.push(b"Hello".to_vec());
    messages
}

#[test]
fn decodes_the_rfc_hello() {
    let (_, mut server) = pair(DeflateParams::default(), &config(0));
    assert_eq!(
        decode(&mut server, &HELLO_COMPRESSED, 100).unwrap(),
        b"Hello"
    );
    // §7.2.3.2: the same message split across two frames.
    assert!(server.begin_message(RSV1));
    let mut out = BytesMut::new();
    server
        .decode(&[0xf2, 0x48, 0xcd], false, &mut out, 100)
        .unwrap();
    server
        .decode(&[0xc9, 0xc9, 0x07, 0x00], true, &mut out, 100)
        .unwrap();
    assert_eq!(&out[..], b"Hello");
}

#[test]
fn encodes_the_rfc_hello_without_context_takeover() {
    let (mut client, _) = pair(params(false, true, 15, 15), &config(0));
    for _ in 0..3 {
        let (encoded, payload) = encode(&mut client, b"Hello");
        assert_eq!(encoded, Encoded::Transformed { rsv: RSV1 });
        assert_eq!(payload, HELLO_COMPRESSED);
    }
}

#[test]
fn context_takeover_shortens_a_repeated_message() {
    // §7.2.3.2: the second "Hello" is a back-reference to the first.
    let (mut client, mut server) = pair(DeflateParams::default(), &config(0));
    assert_eq!(encode(&mut client, b"Hello").1, HELLO_COMPRESSED);
    assert_eq!(
        encode(&mut client, b"Hello").1,
        [0xf2, 0x00, 0x11, 0x00, 0x00]
    );
    assert_eq!(
        decode(&mut server, &HELLO_COMPRESSED, 100).unwrap(),
        b"Hello"
    );
    assert_eq!(
        decode(&mut server, &[0xf2, 0x00, 0x11, 0x00, 0x00], 100).unwrap(),
        b"Hello"
    );
}

#[test]
fn decodes_the_other_rfc_examples() {
    let (mut client, _) = pair(DeflateParams::default(), &config(0));
    // §7.2.3.3: a stored block.
    let stored = [
        0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
    ];
    assert_eq!(decode(&mut client, &stored, 100).unwrap(), b"Hello");
    // §7.2.3.4: a block with BFINAL set, then padding; the next message must still decode.
    let bfinal = [0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00];
    assert_eq!(decode(&mut client, &bfinal, 100).unwrap(), b"Hello");
    assert_eq!(
        decode(&mut client, &HELLO_COMPRESSED, 100).unwrap(),
        b"Hello"
    );
    // §7.2.3.5: two blocks in one message.
    let two = [
        0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
    ];
    assert_eq!(decode(&mut client, &two, 100).unwrap(), b"Hello");
}

#[test]
fn empty_message_is_one_zero_byte() {
    // §7.2.3.6.
    let (mut client, mut server) = pair(DeflateParams::default(), &config(0));
    let (encoded, payload) = encode(&mut client, b"");
    assert_eq!(encoded, Encoded::Transformed { rsv: RSV1 });
    assert_eq!(payload, [0x00]);
    assert_eq!(decode(&mut server, &payload, 100).unwrap(), b"");
    // After a flushed message zlib has nothing to flush for an empty one; still decodable.
    transfer(&mut client, &mut server, b"Hello");
    for _ in 0..3 {
        let (_, payload) = encode(&mut client, b"");
        assert!(!payload.is_empty());
        assert_eq!(decode(&mut server, &payload, 100).unwrap(), b"");
    }
    transfer(&mut client, &mut server, b"Hello again");
}

#[test]
fn round_trips_every_parameter_combination_in_both_directions() {
    let messages = messages();
    for snct in [false, true] {
        for cnct in [false, true] {
            for smwb in [8, 9, 12, 15] {
                for cmwb in [8, 9, 15] {
                    let agreed = params(snct, cnct, smwb, cmwb);
                    let (mut client, mut server) = pair(agreed, &config(0));
                    for message in &messages {
                        transfer(&mut client, &mut server, message);
                        transfer(&mut server, &mut client, message);
                    }
                }
            }
        }
    }
}

#[test]
fn no_context_takeover_makes_each_message_independent() {
    let messages = messages();
    // Server resets: every server message decodes with a brand-new client decoder.
    let (_, mut server) = pair(params(true, false, 15, 15), &config(0));
    for message in &messages {
        let (_, payload) = encode(&mut server, message);
        let (mut fresh_client, _) = pair(DeflateParams::default(), &config(0));
        assert_eq!(
            decode(&mut fresh_client, &payload, usize::MAX).unwrap(),
            *message
        );
    }
    // With takeover, a repeated message needs the earlier context: a fresh decoder fails.
    let (mut client, _) = pair(DeflateParams::default(), &config(0));
    let first = &messages[5];
    encode(&mut client, first);
    let (_, second) = encode(&mut client, first);
    let (_, mut fresh_server) = pair(DeflateParams::default(), &config(0));
    assert!(decode(&mut fresh_server, &second, usize::MAX).is_err());
}

#[test]
fn threshold_sends_small_whole_messages_uncompressed() {
    let (mut client, _) = pair(DeflateParams::default(), &config(64));
    assert_eq!(
        encode(&mut client, &[b'x'; 63]),
        (Encoded::Unchanged, Vec::new())
    );
    assert!(matches!(
        encode(&mut client, &[b'x'; 64]).0,
        Encoded::Transformed { .. }
    ));
    // A small first fragment is compressed: the message's size is not known yet.
    let mut out = BytesMut::new();
    let first = FramePosition {
        first: true,
        fin: false,
    };
    assert_eq!(
        client.encode(b"ab", first, &mut out),
        Encoded::Transformed { rsv: RSV1 }
    );
    // Continuations of an uncompressed message stay uncompressed, even if asked.
    let (mut client, _) = pair(DeflateParams::default(), &config(64));
    let next = FramePosition {
        first: false,
        fin: true,
    };
    assert_eq!(encode(&mut client, b"small").0, Encoded::Unchanged);
    let mut out = BytesMut::new();
    assert_eq!(
        client.encode(&[b'x'; 500], next, &mut out),
        Encoded::Unchanged
    );
    assert!(out.is_empty());
}

#[test]
fn fragmented_messages_decode_whole() {
    let messages = messages();
    let (mut client, mut server) = pair(params(false, false, 10, 15), &config(0));
    for message in &messages {
        // Split into uneven fragments, with an empty one in the middle and one at the end.
        let cuts = [
            0,
            message.len() / 3,
            message.len() / 3,
            message.len() / 2,
            message.len(),
        ];
        let mut fragments: Vec<Vec<u8>> = Vec::new();
        for (i, window) in cuts.windows(2).enumerate() {
            let mut out = BytesMut::new();
            let position = FramePosition {
                first: i == 0,
                fin: false,
            };
            let piece = &message[window[0]..window[1]];
            assert!(matches!(
                client.encode(piece, position, &mut out),
                Encoded::Transformed { .. }
            ));
            fragments.push(out.to_vec());
        }
        let mut out = BytesMut::new();
        let last = FramePosition {
            first: false,
            fin: true,
        };
        client.encode(b"", last, &mut out);
        fragments.push(out.to_vec());
        // Each non-final fragment ends at a flush point (§7.2.1 allows any split).
        assert!(server.begin_message(RSV1));
        let mut decoded = BytesMut::new();
        for (i, fragment) in fragments.iter().enumerate() {
            let fin = i + 1 == fragments.len();
            server
                .decode(fragment, fin, &mut decoded, usize::MAX)
                .unwrap();
        }
        assert_eq!(&decoded[..], &message[..]);
    }
}

#[test]
fn decompression_bomb_stops_at_the_limit() {
    let (mut client, _) = pair(DeflateParams::default(), &config(0));
    let (_, bomb) = encode(&mut client, &vec![0u8; 10 << 20]);
    assert!(bomb.len() < 20 * 1024, "{} bytes", bomb.len());
    // 1.5 MiB is not a power of two, where doubling growth would overshoot to 2 MiB.
    for (limit, chunk_size) in [(1 << 20, bomb.len()), (1 << 20, 7), (3 << 19, 1000)] {
        let (_, mut server) = pair(DeflateParams::default(), &config(0));
        assert!(server.begin_message(RSV1));
        let mut out = BytesMut::new();
        let chunks: Vec<&[u8]> = bomb.chunks(chunk_size).collect();
        let mut result = Ok(());
        let mut used = 0;
        for (i, chunk) in chunks.iter().enumerate() {
            // The connection passes what is left of the message limit.
            result = server.decode(chunk, i + 1 == chunks.len(), &mut out, limit - used);
            used = out.len();
            if result.is_err() {
                break;
            }
        }
        assert!(
            matches!(result, Err(ProtocolError::MessageTooLarge { .. })),
            "{result:?}"
        );
        assert!(out.len() <= limit, "{}", out.len());
        assert!(out.capacity() <= limit, "capacity {}", out.capacity());
    }
}

#[test]
fn limit_is_exact() {
    let message = vec![b'z'; 5000];
    let (mut client, _) = pair(DeflateParams::default(), &config(0));
    let (_, payload) = encode(&mut client, &message);
    let (_, mut server) = pair(params(false, true, 15, 15), &config(0));
    assert_eq!(decode(&mut server, &payload, 5000).unwrap(), message);
    assert_eq!(
        decode(&mut server, &payload, 4999),
        Err(ProtocolError::MessageTooLarge { max: 4999 })
    );
    assert_eq!(
        decode(&mut server, &payload, 0),
        Err(ProtocolError::MessageTooLarge { max: 0 })
    );
}

#[test]
fn corrupt_input_is_an_error_not_a_panic() {
    let (_, mut server) = pair(DeflateParams::default(), &config(0));
    // BTYPE 11 is reserved.
    assert!(matches!(
        decode(&mut server, &[0xff, 0xff, 0xff], 100),
        Err(ProtocolError::Extension(_))
    ));
    // A stored block whose NLEN does not match LEN.
    assert!(matches!(
        decode(&mut server, &[0x00, 0x05, 0x00, 0x00, 0x00], 100),
        Err(ProtocolError::Extension(_))
    ));
    // A distance before the start of the window.
    let (_, mut fresh) = pair(DeflateParams::default(), &config(0));
    assert!(decode(&mut fresh, &[0xf2, 0x00, 0x11, 0x00, 0x00], 100).is_err());
    // Random garbage in many shapes: any result is fine as long as nothing panics and the
    // codec keeps working.
    let mut state = 0x9e37_79b9_u32;
    for round in 0..2000 {
        let len = round % 64;
        let garbage: Vec<u8> = (0..len)
            .map(|_| {
                state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                (state >> 24) as u8
            })
            .collect();
        let (_, mut server) = pair(DeflateParams::default(), &config(0));
        let _ = decode(&mut server, &garbage, 1000);
        let _ = decode(&mut server, &HELLO_COMPRESSED, 1000);
    }
}

#[test]
fn only_rsv1_marks_a_compressed_message() {
    let (mut client, _) = pair(DeflateParams::default(), &config(0));
    assert_eq!(client.reserved_bits(), 0x40);
    assert_eq!(client.name(), "permessage-deflate");
    assert!(client.begin_message(0x40));
    assert!(!client.begin_message(0));
    assert_eq!(client.role(), Role::Client);
    assert_eq!(client.params(), DeflateParams::default());
}

#[test]
fn zlib_state_lives_only_as_long_as_it_is_needed() {
    let (mut client, mut server) = pair(params(true, false, 15, 15), &config(0));
    assert!(client.compressor.is_none() && client.decompressor.is_none());
    transfer(&mut client, &mut server, b"Hello");
    // The client keeps its compression context; the server keeps its decompression context.
    assert!(client.compressor.is_some() && server.decompressor.is_some());
    transfer(&mut server, &mut client, b"Hello");
    // The server resets after every message, so neither side keeps that direction's state.
    assert!(server.compressor.is_none() && client.decompressor.is_none());
    // Messages below the threshold never create any.
    let (mut client, mut server) = pair(DeflateParams::default(), &config(64));
    transfer(&mut client, &mut server, b"tiny");
    assert!(client.compressor.is_none() && server.decompressor.is_none());
}

#[test]
fn decodes_payload_split_at_every_byte() {
    let message = messages().concat();
    let (mut client, mut server) = pair(params(false, false, 15, 11), &config(0));
    transfer(&mut client, &mut server, b"some history first");
    let (_, payload) = encode(&mut client, &message);
    assert!(server.begin_message(RSV1));
    let mut out = BytesMut::new();
    for (i, byte) in payload.iter().enumerate() {
        let fin = i + 1 == payload.len();
        server
            .decode(std::slice::from_ref(byte), fin, &mut out, usize::MAX)
            .unwrap();
    }
    assert_eq!(&out[..], &message[..]);
}

#[path = "window_tests.rs"]
mod window;
