//! Arbitrary compressed streams as permessage-deflate messages: RSV1 data frames carrying the
//! fuzzer's bytes as raw DEFLATE data (or, per frame, a run the harness compresses, to make
//! bombs) into an open server connection with deflate negotiated and a small
//! `max_message_size`. Checks: no panic; no delivered message above the limit; a failure is a
//! protocol-error close with 1009 (too big), 1007 (corrupt data, bad UTF-8) or 1002, and the
//! close frame on the wire says so. Memory: run.sh bounds the RSS (`-rss_limit_mb`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wsflow_fuzz::inflate::run(data));
