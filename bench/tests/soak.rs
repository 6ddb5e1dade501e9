//! The soak tool's own check, small: a few seconds of 40 connections on each runtime with
//! cancellation, aborts and deflate, which must end with every echo intact, every clean close
//! clean and no server connection left open. (Memory growth is judged only by real runs of
//! `bench/soak.sh`: a few seconds say nothing about it.)

use std::sync::Arc;
use std::time::Duration;

use wsflow_bench::soak::{Plan, Tally, runtimes};

fn soak_briefly(runtime: &str) {
    let plan = Arc::new(Plan {
        connections: 40,
        duration: Duration::from_secs(3),
        warmup: Duration::from_secs(1),
        deflate_share: 0.3,
        abort_chance: 0.05,
        cancel_chance: 0.3,
        max_message: 32 * 1024,
        seed: 7,
    });
    let tally = Arc::new(Tally::default());
    runtimes::run(runtime, &plan, &tally).expect("the run starts");
    assert_eq!(tally.failures(), Vec::<String>::new(), "{runtime}");
    assert!(
        Tally::get(&tally.echoed) > 100,
        "{runtime}: too few echoes: {tally:?}"
    );
    assert!(
        Tally::get(&tally.clean_closes) > 0,
        "{runtime}: no clean close: {tally:?}"
    );
    assert!(
        Tally::get(&tally.aborts) > 0,
        "{runtime}: no abort: {tally:?}"
    );
    assert!(
        Tally::get(&tally.deflate_sessions) > 0,
        "{runtime}: no deflate session: {tally:?}"
    );
}

#[test]
fn tokio_soaks() {
    soak_briefly("tokio");
}

#[test]
fn smol_soaks() {
    soak_briefly("smol");
}

#[test]
fn async_std_soaks() {
    soak_briefly("async-std");
}
