//! Runs the benchmark's smoke case in-process, so CI exercises server, handshake and checker.

use wsflow_bench::load;

#[test]
fn smoke_case_checks_echoes() {
    let report = wsflow_bench::smoke().expect("smoke case");
    assert!(report.checked > 0);
    assert!(report.msgs_per_sec > 0.0);
    // The generator measures its own CPU over the counted window (the in-process server's
    // is part of it); a window of 0.2 s of echoes cannot cost nothing nor more than the
    // whole process could spend.
    assert!(report.counted > 0 && report.counted <= report.checked);
    assert!(report.secs >= 0.2, "{}", report.secs);
    let cpu = report.gen_cpu_secs.expect("procfs CPU time");
    assert!(cpu > 0.0 && cpu < report.secs * 64.0, "{cpu}");
    assert!(report.server_cpu_secs.is_none() && report.server_wait_secs.is_none());
    // run.sh reads this line by field name, msgs_per_sec first.
    let line = load::report_line(&report);
    assert!(line.starts_with("msgs_per_sec="), "{line}");
    for key in [
        " checked=",
        " counted=",
        " secs=",
        " gen_cpu_secs=",
        " gen_wait_secs=",
    ] {
        assert!(line.contains(key), "{key} missing from {line}");
    }
    assert!(!line.contains("server_cpu_secs"), "{line}");
}
