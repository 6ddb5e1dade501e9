//! The async driver (`wsflow::WebSocket::from_connection`) over a scripted transport that
//! gives arbitrary read sizes, `Pending`, EOF, short and zero writes and errors, polled by hand
//! with a no-op waker (the runtime's timers never fire); messages are echoed and the
//! connection closed on request. Checks: no panic, no hang (bounded polls), no event after
//! `Closed`, nothing written after the write half was shut down, and every byte written is a
//! valid server frame (`src/wire.rs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| wsflow_fuzz::driver::run(data));
