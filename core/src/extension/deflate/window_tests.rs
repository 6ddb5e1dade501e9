//! Window-size tests: each side compresses with its own agreed window, and 8-bit windows are
//! honoured (checked with an independent deflate walker).

use super::super::distance_check;
use super::*;

#[test]
fn each_side_compresses_with_its_own_window() {
    let noise = noise(3000, 1);
    let repeated = [noise.as_slice(), noise.as_slice()].concat();
    // A 9-bit window (512 bytes) cannot see the first copy; a 15-bit one can.
    let (mut client, mut server) = pair(params(false, false, 15, 9), &config(0));
    assert!(transfer(&mut client, &mut server, &repeated) > 5900);
    assert!(transfer(&mut server, &mut client, &repeated) < 3100);
    let (mut client, mut server) = pair(params(false, false, 9, 15), &config(0));
    assert!(transfer(&mut client, &mut server, &repeated) < 3100);
    assert!(transfer(&mut server, &mut client, &repeated) > 5900);
}

#[test]
fn eight_bit_windows() {
    // Both sides compress "with 8 bits" (zlib's 9-bit setting) and round trip.
    let (mut client, mut server) = pair(params(false, false, 8, 8), &config(0));
    for message in messages() {
        transfer(&mut client, &mut server, &message);
        transfer(&mut server, &mut client, &message);
    }
    // The peer compresses with 8 bits: our inflater gets 9, which reads any 8-bit stream.
    let (mut server_side_client, _) = pair(params(false, false, 8, 15), &config(0));
    assert_eq!(
        decode(&mut server_side_client, &HELLO_COMPRESSED, 100).unwrap(),
        b"Hello"
    );
}

/// Mixed data with repeats at every distance up to 600 bytes, for window-size checks.
fn varied(len: usize, seed: u32) -> Vec<u8> {
    let mut state = seed | 1;
    let mut data: Vec<u8> = Vec::with_capacity(len + 600);
    while data.len() < len {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let pick = state >> 24;
        let distance = (state >> 8) as usize % 600 + 1;
        if pick < 60 {
            data.extend_from_slice(b"the quick brown fox ");
        } else if pick < 120 && data.len() > distance {
            let start = data.len() - distance;
            let copy = data[start..start + distance.min(40)].to_vec();
            data.extend_from_slice(&copy);
        } else if pick < 130 {
            data.extend(std::iter::repeat_n(b'z', distance / 2));
        } else {
            data.push(b'a' + (pick % 26) as u8);
        }
    }
    data
}

/// Everything `sender` emits for `messages`, sent as one unfinished message so that no tail is
/// stripped and the concatenation is one raw deflate stream.
fn raw_stream(sender: &mut PerMessageDeflate, messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = BytesMut::new();
    for (i, message) in messages.iter().enumerate() {
        let position = FramePosition {
            first: i == 0,
            fin: false,
        };
        sender.encode(message, position, &mut out);
    }
    out.to_vec()
}

#[test]
fn eight_bit_window_output_never_reaches_past_256_bytes() {
    let messages: Vec<Vec<u8>> = (0..20).map(|i| varied(3000 + i * 100, i as u32)).collect();
    for level in 0..=9 {
        let config = DeflateConfig {
            compression_level: level,
            threshold: 0,
            ..DeflateConfig::default()
        };
        let (mut client, _) = pair(params(false, false, 15, 8), &config);
        let total: usize = messages.iter().map(Vec::len).sum();
        let (max, produced) = distance_check::max_distance(&raw_stream(&mut client, &messages));
        assert_eq!(produced, total, "level {level}");
        assert!(max <= 256, "level {level}: distance {max}");
        // The checker itself can fail: a 10-bit window does reach further.
        if level > 0 {
            let (mut wide, _) = pair(params(false, false, 15, 10), &config);
            let (max, produced) = distance_check::max_distance(&raw_stream(&mut wide, &messages));
            assert_eq!(produced, total, "level {level}");
            assert!(max > 256, "level {level}: distance {max}");
        }
    }
}

/// Found by the `connection_server` fuzz target: a peer that compresses with a larger window
/// than it agreed to (here 15 bits for 9) sends a stream that decodes in one piece; split in
/// two, it must give the same result. zlib-rs 0.6.8 (locked) does; 0.6.9 fails the split
/// stream with "invalid distance too far back".
#[test]
fn a_stream_split_anywhere_decodes_as_it_does_whole() {
    const PAYLOAD: [u8; 32] = [
        0x4a, 0x4c, 0x1c, 0x54, 0xa0, 0x0a, 0x07, 0x60, 0x65, 0x48, 0x61, 0x60, 0xa4, 0x03, 0x60,
        0x65, 0x4c, 0x61, 0x60, 0x22, 0x11, 0x0c, 0x74, 0x98, 0x8d, 0x82, 0x81, 0x07, 0xa0, 0x34,
        0x0a, 0x00,
    ];
    let decode_split = |at: usize| {
        let (_, mut server) = pair(params(false, false, 15, 9), &config(0));
        assert!(server.begin_message(RSV1));
        let mut out = BytesMut::new();
        let (first, second) = PAYLOAD.split_at(at);
        server.decode(first, false, &mut out, usize::MAX)?;
        server.decode(second, true, &mut out, usize::MAX)?;
        Ok::<_, ProtocolError>(out.to_vec())
    };
    let whole = decode_split(PAYLOAD.len());
    for at in 0..PAYLOAD.len() {
        assert_eq!(decode_split(at), whole, "split at {at}");
    }
}
