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
