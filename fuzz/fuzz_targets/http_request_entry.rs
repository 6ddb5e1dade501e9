//! A request built as an `http::Request` from arbitrary method, URI and header lines (input:
//! `METHOD URI` then `name: value` lines, `\n`-separated) goes through
//! `UpgradeRequest::from_parts` and `Connection::accept_request`. Checks: no panic; an accepted
//! request gives a 101 and an open connection whose first event is `Opened`; and, when the
//! request is representable as bytes (an HTTP parser reads the same request back), the byte
//! path (`Connection::server`) agrees: the same accept/refuse verdict, the same subprotocols
//! and extensions, the same 101 headers.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wsflow_fuzz::http_entry::run(data));
