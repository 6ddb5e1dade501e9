//! Arbitrary bytes as the server's answer to `Connection::client_with_key` (input: flags —
//! bit0 offer deflate, bit1 offer subprotocols —, piece size, then the bytes). Checks: the
//! outcome is `Opened` with a 101 and only what was offered, or `Closed(Handshake)` with
//! nothing written; the frames after the head give the same events as when fed separately;
//! EOF always ends in `Closed`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wsflow_fuzz::handshake::client(data));
