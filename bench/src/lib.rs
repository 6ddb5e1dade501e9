//! Echo benchmark for wsflow: a load generator that checks every echo, echo servers on
//! wsflow's runtimes and on its peers, and the raw TCP ceiling. `run.sh` drives the matrix
//! and `bench-report` prints its table and draws its charts ([`report`]);
//! `h2.sh` compares WebSockets multiplexed on one HTTP/2 connection with one TCP connection
//! each ([`multiplex`]).

pub mod cpu;
pub mod density;
pub mod fanout;
pub mod h2;
pub mod handshake;
pub mod idle;
pub mod keepalive;
pub mod load;
pub mod memguard;
pub mod multiplex;
pub mod open;
pub mod report;
pub mod servers;
pub mod soak;
pub mod svg;
pub mod tls;
pub mod wire;

use std::io;
use std::time::Duration;

/// The CI smoke case: a wsflow-tokio server on a thread of this process, one connection of
/// 16 B messages at depth 4 for 0.2 s. Fails unless echoes were checked.
pub fn smoke() -> io::Result<load::LoadReport> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?.to_string();
    // The server thread is left running: it dies with the process, like the real servers.
    std::thread::spawn(move || servers::serve(servers::ServerKind::WsflowTokio, listener));
    let config = load::LoadConfig {
        addr,
        conns: 1,
        size: 16,
        depth: 4,
        warmup: Duration::from_millis(50),
        duration: Duration::from_millis(200),
        raw: false,
        tls: None,
        http2: false,
        // The server is a thread of this process: its CPU is in the generator's.
        server_pid: None,
    };
    let report = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?
        .block_on(load::run(config))?;
    if report.checked == 0 || report.content_checked == 0 {
        return Err(io::Error::other("smoke run checked no echoes"));
    }
    Ok(report)
}
