//! An open server connection (through the opening handshake, with or without permessage-deflate)
//! runs a sequence of peer input, application commands, clock steps and writes. Checks, on
//! every step: the same events and output whether received bytes come whole or in the
//! fuzzer's pieces; no event after `Closed`, no output after `wants_shutdown`; every
//! written frame valid for a server (independent parser in `src/wire.rs`) and the wire carrying
//! exactly the messages sent; messages within `max_message_size` and peer input unable to
//! grow the output past the high-water mark.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsflow_core::Role;

fuzz_target!(|data: &[u8]| wsflow_fuzz::connection::run(Role::Server, data));
