//! The deterministic simulation (`src/sim/`) over a fixed set of seeds: every side on every
//! implementation (core, blocking, tokio, smol, async-std), thousands of connections. A
//! failure names the seed and the command that replays it. Longer runs:
//! `cargo run -p wsflow-conformance --bin wsflow-sim -- --seeds 20000`.

use bytes::Bytes;
use wsflow_conformance::sim::app::{Outcome, Report, Script};
use wsflow_conformance::sim::network::Fault;
use wsflow_conformance::sim::{self, ConnectionResult, Flavor, Rng, check, run_connection};
use wsflow_core::MessageKind;

/// Seeds that fail on a known, unfixed bug: the test checks that they still fail that way
/// (so that the fix is noticed) instead of skipping the check. None at the moment.
const KNOWN_ISSUES: [(u64, &str); 0] = [];

#[test]
fn known_issues_still_fail_as_described() {
    for (seed, failure) in KNOWN_ISSUES {
        match sim::run_seed(seed, &Flavor::ALL, false) {
            Ok(_) => panic!("seed {seed} passes now: remove it from KNOWN_ISSUES"),
            Err(error) => assert!(
                error.contains(failure),
                "seed {seed} fails otherwise: {error}"
            ),
        }
    }
}

/// Runs `seeds` on all flavors; panics with the replay command of the first failure.
fn run(seeds: std::ops::Range<u64>) -> usize {
    let mut connections = 0;
    for seed in seeds {
        if KNOWN_ISSUES.iter().any(|(known, _)| *known == seed) {
            continue;
        }
        match sim::run_seed(seed, &Flavor::ALL, false) {
            Ok(report) => connections += report.connections,
            Err(error) => panic!(
                "seed {seed}: {error}\nreplay: {}",
                sim::replay_command(seed, "all")
            ),
        }
    }
    connections
}

// Two halves, so that the test harness runs them on two threads.
#[test]
fn seeds_0_to_200() {
    let connections = run(0..200);
    assert!(connections >= 1000, "{connections} connections");
}

#[test]
fn seeds_200_to_400() {
    let connections = run(200..400);
    assert!(connections >= 1000, "{connections} connections");
}

#[test]
fn a_seed_replays_to_the_same_trace() {
    for seed in [3, 77, 1234] {
        let first = sim::run_seed(seed, &Flavor::ALL, false).expect("passes");
        let second = sim::run_seed(seed, &Flavor::ALL, false).expect("passes");
        assert_eq!(first.trace, second.trace, "seed {seed}");
    }
    let a = sim::run_seed(1, &Flavor::ALL, false).expect("passes");
    let b = sim::run_seed(2, &Flavor::ALL, false).expect("passes");
    assert_ne!(a.trace, b.trace, "the trace depends on the seed");
}

/// A clean connection with no fault, to be spoiled by the tests below.
fn clean_result() -> (Script, ConnectionResult) {
    let mut rng = Rng::new(42);
    let mut script = Script::generate(&mut rng);
    script.fault = Fault::None;
    let result = run_connection(&script, [Flavor::Core, Flavor::Tokio], false);
    check::check(&script, &result).expect("the unspoiled run passes");
    (script, result)
}

fn spoiled(spoil: impl FnOnce(&mut [Outcome; 2])) -> Result<(), String> {
    let (script, mut result) = clean_result();
    spoil(&mut result.outcomes);
    check::check(&script, &result)
}

#[test]
fn the_checker_catches_lost_duplicated_reordered_or_corrupt_messages() {
    let message = (MessageKind::Binary, Bytes::from_static(b"m"));
    let with_two = |outcomes: &mut [Outcome; 2]| {
        outcomes[0].sent = vec![
            message.clone(),
            (MessageKind::Text, Bytes::from_static(b"n")),
        ];
    };
    assert!(
        spoiled(|o| {
            with_two(o);
            o[1].received = vec![message.clone()];
        })
        .is_err(),
        "a lost message"
    );
    assert!(
        spoiled(|o| {
            with_two(o);
            let mut received = o[0].sent.clone();
            received.push(message.clone());
            o[1].received = received;
        })
        .is_err(),
        "a duplicated message"
    );
    assert!(
        spoiled(|o| {
            with_two(o);
            o[1].received = o[0].sent.iter().rev().cloned().collect();
        })
        .is_err(),
        "reordered messages"
    );
    assert!(
        spoiled(|o| {
            with_two(o);
            o[1].received = vec![
                message.clone(),
                (MessageKind::Binary, Bytes::from_static(b"n")),
            ];
        })
        .is_err(),
        "a text message received as binary"
    );
}

#[test]
fn the_checker_catches_wrong_or_repeated_end_reports_and_deadlocks() {
    assert!(
        spoiled(|o| o[0].reports.push(Report::Clean)).is_err(),
        "two clean ends"
    );
    assert!(
        spoiled(|o| o[0].reports = vec![Report::Io(std::io::ErrorKind::ConnectionReset)]).is_err(),
        "an unclean end without a fault"
    );
    assert!(spoiled(|o| o[1].ended = false).is_err(), "no end");
    assert!(
        spoiled(|o| o[1].after_end.push("a message".into())).is_err(),
        "something after the end"
    );
    assert!(
        spoiled(|o| o[0].max_buffered = 1 << 30).is_err(),
        "an unbounded write buffer"
    );
    let (script, mut result) = clean_result();
    result.stuck = Some("deadlock".into());
    assert!(check::check(&script, &result).is_err(), "a deadlock");
}

/// The three runtimes run the same driver over glue that must not change what goes over
/// the wire: for the same seed their whole traces (bytes, cuts, events) are equal.
#[test]
fn tokio_smol_and_async_std_give_the_same_trace() {
    for seed in 0..8 {
        let traces: Vec<u64> = [Flavor::Tokio, Flavor::Smol, Flavor::AsyncStd]
            .into_iter()
            .map(|flavor| sim::run_seed(seed, &[flavor], false).expect("passes").trace)
            .collect();
        assert!(
            traces.windows(2).all(|pair| pair[0] == pair[1]),
            "seed {seed}: {traces:x?}"
        );
    }
}
