//! permessage-deflate negotiation with arbitrary `Sec-WebSocket-Extensions` values and
//! arbitrary `DeflateConfig`s (input: 4 bytes of server config, 4 of client config, then a
//! client offer line and a server response line). Checks: no panic; every header that parses
//! formats and parses back the same; the server's answer formats and parses back; a client's
//! own offers are always accepted by any server config and the answer always satisfies that
//! client; the two codecs so negotiated round-trip a message both ways.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wsflow_fuzz::negotiation::run(data));
