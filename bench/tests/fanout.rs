//! The fan-out benchmark end to end on a tiny case: every server delivers every message
//! (the load side fails on a missing or malformed frame).

use wsflow_bench::fanout::{FanoutServer, run_case};

#[test]
fn every_server_delivers_everything() {
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_bench-fanout"));
    for server in FanoutServer::ALL {
        for size in [64, 300, 70_000] {
            let report = run_case(server, &exe, 3, 5, size)
                .unwrap_or_else(|error| panic!("{}: {error}", server.name()));
            assert_eq!(report.deliveries, 15);
        }
    }
}
