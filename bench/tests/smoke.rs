//! Runs the benchmark's smoke case in-process, so CI exercises server, handshake and checker.

#[test]
fn smoke_case_checks_echoes() {
    let report = wsflow_bench::smoke().expect("smoke case");
    assert!(report.checked > 0);
    assert!(report.msgs_per_sec > 0.0);
}
