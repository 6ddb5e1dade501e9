//! Autobahn-style exchanges that the conformance scripts may not have: echo with fragments
//! and interleaved pings, RFC 7692's compressed "Hello", compressed fragments, keepalive,
//! tight limits, and decompression bombs.

use crate::format::{
    self, Command, DEFLATE, STREAMING, encode, frame, switching_response, upgrade_request,
};
use crate::{SETUP, Seeds};

/// Autobahn-style exchanges that the scripts may not have.
#[allow(clippy::too_many_lines)] // a list of seeds
pub(crate) fn add(seeds: &mut Seeds) {
    let hello = b"Hello".to_vec();
    let echo = vec![
        Command::Frame {
            flags: 0x11,
            payload: hello.clone(),
            cuts: vec![1],
        },
        Command::SendText(hello.clone()),
        Command::Frame {
            flags: 0x01,
            payload: b"Hel".to_vec(),
            cuts: Vec::new(),
        },
        Command::Frame {
            flags: 0x19,
            payload: b"ping".to_vec(),
            cuts: Vec::new(),
        },
        Command::Frame {
            flags: 0x10,
            payload: b"lo".to_vec(),
            cuts: Vec::new(),
        },
        Command::SendFragment {
            flags: 2,
            payload: b"fra".to_vec(),
        },
        Command::Ping(b"p".to_vec()),
        Command::SendFragment {
            flags: 3,
            payload: b"gment".to_vec(),
        },
        Command::Frame {
            flags: 0x12,
            payload: vec![0xab; 300],
            cuts: vec![7, 100],
        },
        Command::Consume(64),
        Command::Frame {
            flags: 0x18,
            payload: vec![0x03, 0xe8],
            cuts: Vec::new(),
        },
        Command::Advance(2000),
        Command::Eof,
    ];
    let compressed = vec![
        // RFC 7692 §7.2.3.1: "Hello" compressed.
        Command::Frame {
            flags: 0x51,
            payload: vec![0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
            cuts: Vec::new(),
        },
        Command::Compressed {
            flags: 1,
            payload: vec![b'a'; 1000],
            cuts: vec![3],
        },
        Command::Compressed {
            flags: 4,
            payload: b"split ".to_vec(),
            cuts: Vec::new(),
        },
        Command::Compressed {
            flags: 3,
            payload: b"message".to_vec(),
            cuts: Vec::new(),
        },
        Command::SendText(vec![b'z'; 200]),
        Command::SendFragment {
            flags: 0,
            payload: vec![1; 100],
        },
        Command::SendFragment {
            flags: 1,
            payload: vec![2; 100],
        },
        Command::Close {
            code: 1000,
            reason: b"bye".to_vec(),
        },
        Command::Frame {
            flags: 0x18,
            payload: vec![0x03, 0xe8],
            cuts: Vec::new(),
        },
    ];
    let keepalive = vec![
        Command::Advance(3000),
        Command::Frame {
            flags: 0x1a,
            payload: vec![0, 0, 0, 1],
            cuts: Vec::new(),
        },
        Command::Advance(3000),
        Command::Advance(3000),
    ];
    for target in ["connection_server", "connection_client"] {
        seeds.add(target, "autobahn-echo", encode(SETUP, &echo));
        let mut setup = SETUP;
        setup.flags = DEFLATE;
        seeds.add(target, "autobahn-deflate", encode(setup, &compressed));
        setup.flags = DEFLATE | 0x10 | 0x20 | 0x40 | 0x80 | STREAMING;
        seeds.add(
            target,
            "autobahn-deflate-no-takeover",
            encode(setup, &compressed),
        );
        setup.flags = format::KEEPALIVE;
        seeds.add(target, "keepalive", encode(setup, &keepalive));
        let mut tight = SETUP;
        tight.max_message = 1;
        tight.high_water = 1;
        tight.buffer_limit = 1;
        tight.pending_events = 0;
        seeds.add(target, "tight-limits", encode(tight, &echo));
    }
    let mut request = vec![1, 0];
    request.extend(upgrade_request(Some(
        "permessage-deflate; client_max_window_bits",
    )));
    request.extend(frame(
        true,
        0x40,
        1,
        &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
        Some([1, 2, 3, 4]),
    ));
    seeds.add("server_handshake", "deflate-hello", request);
    let mut response = vec![3, 0];
    response.extend(switching_response(Some("permessage-deflate")));
    response.extend(frame(
        true,
        0x40,
        1,
        &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
        None,
    ));
    seeds.add("client_response", "deflate-hello", response);
    // inflate: the "Hello" message, a stored block, and a bomb the harness compresses.
    seeds.add(
        "inflate",
        "hello",
        vec![4, 0, 5, 7, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
    );
    seeds.add(
        "inflate",
        "stored",
        vec![4, 0, 1, 8, 0x00, 0x03, 0x00, 0xfc, 0xff, b'a', b'b', b'c'],
    );
    seeds.add("inflate", "bomb", vec![1, 0, 9, 2, b'x', 200]);
    seeds.add(
        "inflate",
        "bomb-fragments",
        vec![2, 0, 8, 2, b'y', 3, 10, 2, b'y', 3, 11, 2, b'y', 3],
    );
}
