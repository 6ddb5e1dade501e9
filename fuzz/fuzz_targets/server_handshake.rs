//! Arbitrary bytes as a client's opening request into `Connection::server` (input: flags —
//! bit0 deflate, bit1 reject instead of accept, bit2 small header limits —, piece size, then
//! the bytes), answered with accept or reject. Checks: the outcome is `Upgrade` then `Opened`
//! (a 101 written), `Upgrade` then `Closed(Rejected)` (the rejection written), or
//! `Closed(Handshake)` with an HTTP error response (status >= 400) and the write half shut;
//! nothing is written before the request is complete; the frames after the head give the
//! same events as when fed separately (nothing lost); EOF always ends in `Closed`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wsflow_fuzz::handshake::server(data));
