//! The HTTP/2 multiplexing benchmark end to end on a tiny case, on every runtime: each mode
//! is what it claims (the server process holds ONE TCP connection for the N WebSockets over
//! HTTP/2, N over HTTP/1.1, counted from its open sockets), and every WebSocket's echoes come
//! back whole (a lost echo stalls its WebSocket and fails the run; a wrong one fails the
//! checker).

use std::time::Duration;

use wsflow_bench::multiplex::{Bench, Mode, Options, RUNTIMES};

const WEBSOCKETS: usize = 8;

#[test]
fn each_mode_uses_the_connections_it_claims_and_echoes_everything() {
    let options = Options {
        runtimes: RUNTIMES.to_vec(),
        // 70,000 B spans several HTTP/2 DATA frames and more than a stream's 64 KiB window.
        sizes: vec![16, 70_000],
        websockets: WEBSOCKETS,
        depth: 2,
        warmup: Duration::from_millis(150),
        duration: Duration::from_millis(150),
        reps: 1,
        server_cpu: None,
    };
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_bench-h2"));
    let bench = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let mut bench = Bench::start(&exe, options).await?;
            bench.run().await?;
            Ok::<_, std::io::Error>(bench)
        })
        .expect("benchmark run");
    assert_eq!(bench.servers.len(), RUNTIMES.len() * 2);
    for served in &bench.servers {
        let (runtime, footprint, runs) = (served.runtime, &served.footprint, &served.runs);
        let expected = match served.mode {
            Mode::Http1 => WEBSOCKETS,
            Mode::Http2 => 1,
        };
        let case = format!("{runtime} {}", served.mode.name());
        assert_eq!(footprint.connections, expected, "{case}: idle connections");
        assert!(footprint.rss_after_kib > 0, "{case}");
        assert_eq!(runs.len(), 2, "{case}: one entry per size");
        for run in runs.iter().flatten() {
            assert_eq!(run.connections, expected, "{case}: connections under load");
            let report = &run.report;
            // Each WebSocket compares its first echo byte for byte: every one of them echoed.
            assert!(
                report.content_checked >= WEBSOCKETS as u64,
                "{case}: {report:?}"
            );
            // The server's CPU is read (by its pid); how much it got depends on the machine.
            assert!(report.server_cpu_secs.is_some(), "{case}: {report:?}");
        }
    }
}
