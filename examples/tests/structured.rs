//! Cancelling a scope ends everything in it: the clients' sockets close when their scope is
//! dropped (the server sees each one end), and no server connection outlives its scope.

use std::time::{Duration, Instant};

use wsflow_examples::structured::{self, Report};

#[test]
fn cancelled_scopes_leave_nothing_behind() {
    let started = Instant::now();
    let report = smol::block_on(structured::run(5, Duration::from_millis(50))).expect("run");
    assert_eq!(
        report,
        Report {
            greeted: 5,
            cancelled: true,
            ended_by_peer: 5,
            live_after: 0,
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}
