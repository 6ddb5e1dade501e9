//! Allocations per echoed message in the bare core (no runtime, no socket): whatever
//! `allocations.rs` finds above these figures comes from the adapter or the runtime.
//!
//! Ignored by default, like `allocations.rs`:
//! `cargo test --release -p wsflow-bench --test core_allocations -- --ignored --nocapture`

use std::time::Instant;

use wsflow::core::{Config, Connection, Event, Role};
use wsflow_bench::load::masked_frame;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// Feeds one frame in socket-sized reads, takes the message, echoes it and writes it out.
fn echo_once(conn: &mut Connection, frame: &[u8], now: Instant) {
    for read in frame.chunks(64 << 10) {
        conn.receive(now, read);
    }
    let Some(Event::Message(message)) = conn.poll_event() else {
        panic!("no message")
    };
    conn.send(message).expect("send");
    while conn.buffered_amount() > 0 {
        let n = conn.pending_output().len();
        conn.consume_output(n);
    }
}

#[test]
#[ignore = "measurement; run by hand with --ignored --nocapture"]
fn core_allocations_per_echoed_message() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let now = Instant::now();
    for size in [16usize, 1024, 64 << 10, 1 << 20] {
        let frame = masked_frame(&vec![7u8; size]);
        let mut conn = Connection::new(Role::Server, Config::default(), now);
        for _ in 0..100 {
            echo_once(&mut conn, &frame, now);
        }
        let before = dhat::HeapStats::get().total_blocks;
        for _ in 0..1000 {
            echo_once(&mut conn, &frame, now);
        }
        #[allow(clippy::cast_precision_loss)]
        let per = (dhat::HeapStats::get().total_blocks - before) as f64 / 1000.0;
        println!("core {size:>8} B: {per:5.2} allocs/msg");
    }
}
