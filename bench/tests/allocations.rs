//! Heap measurements the issue sets targets for, taken with dhat's counting allocator (safe
//! to install, unlike a hand-written `GlobalAlloc`): allocations per echoed message in steady
//! state, and heap bytes per idle connection, for wsflow and each peer.
//!
//! Ignored by default (slow under dhat, and a measurement rather than a pass/fail check):
//! `cargo test --release -p wsflow-bench --test allocations -- --ignored --nocapture`

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use wsflow_bench::load::masked_frame;
use wsflow_bench::servers::{ServerKind, serve};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The client side uses blocking std sockets: they allocate nothing per message, so the
/// counts below are the server's.
fn connect(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let request = format!(
        "GET / HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n\r\n",
        wsflow_bench::handshake::CLIENT_KEY
    );
    stream.write_all(request.as_bytes()).expect("request");
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("response");
        head.push(byte[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101"), "handshake refused");
    stream
}

fn start(kind: ServerKind) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || serve(kind, listener));
    addr
}

fn echo(stream: &mut TcpStream, frame: &[u8], reply: &mut [u8], times: usize) {
    for _ in 0..times {
        stream.write_all(frame).expect("send");
        stream.read_exact(reply).expect("echo");
    }
}

#[test]
#[ignore = "measurement; run by hand with --ignored --nocapture"]
fn heap_per_message_and_per_idle_connection() {
    const MESSAGES: usize = 5_000;
    const IDLE: usize = 1_000;
    let _profiler = dhat::Profiler::builder().testing().build();
    let kinds = [
        ServerKind::WsflowTokio,
        ServerKind::WsflowSmol,
        ServerKind::WsflowAsyncStd,
        ServerKind::TokioTungstenite,
        ServerKind::Fastwebsockets,
        ServerKind::TokioWebsockets,
    ];
    for kind in kinds {
        let addr = start(kind);
        let mut line = format!("{:18}", kind.name());
        for size in [16usize, 1024, 64 * 1024] {
            let frame = masked_frame(&vec![7u8; size]);
            // The echo is unmasked: 4 bytes shorter than what was sent.
            let mut reply = vec![0u8; frame.len() - 4];
            let mut stream = connect(&addr);
            echo(&mut stream, &frame, &mut reply, 500);
            let before = dhat::HeapStats::get().total_blocks;
            echo(&mut stream, &frame, &mut reply, MESSAGES);
            let after = dhat::HeapStats::get().total_blocks;
            #[allow(clippy::cast_precision_loss)]
            let per = (after - before) as f64 / MESSAGES as f64;
            write!(line, "  {size:>6} B: {per:5.2} allocs/msg").expect("String write");
        }
        // Warm the runtime up (thread pools, timers) so only per-connection heap is counted.
        drop((0..10).map(|_| connect(&addr)).collect::<Vec<_>>());
        let mut idle = Vec::with_capacity(IDLE);
        std::thread::sleep(Duration::from_millis(200));
        let before = dhat::HeapStats::get().curr_bytes;
        for _ in 0..IDLE {
            idle.push(connect(&addr));
        }
        std::thread::sleep(Duration::from_millis(300));
        let after = dhat::HeapStats::get().curr_bytes;
        #[allow(clippy::cast_precision_loss)]
        let per = after.saturating_sub(before) as f64 / IDLE as f64;
        println!("{line}  idle: {per:8.0} heap bytes/conn");
        drop(idle);
    }
}
