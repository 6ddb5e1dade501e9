//! The executor itself: wrong scripts must fail, at the right step, with a useful message.

use std::path::PathBuf;

use wsflow_conformance::chunking::Chunking;
use wsflow_conformance::exec::{RunFailure, run};
use wsflow_conformance::parse::parse;
use wsflow_conformance::runner::core_runner::CoreRunner;
use wsflow_core::Role;

fn run_text(text: &str, role: Role) -> Result<(), RunFailure> {
    let script = parse(PathBuf::from("inline.ws"), text).expect("parses");
    let mut result = Ok(());
    for chunking in Chunking::ALL {
        let outcome = run(&script, role, chunking, &CoreRunner);
        if chunking == Chunking::Whole {
            result.clone_from(&outcome);
        }
        assert_eq!(
            outcome.is_ok(),
            result.is_ok(),
            "{chunking} disagrees with whole"
        );
    }
    result
}

const HEAD: &str = "rfc: 5.5\ntitle: t\nrole: both\n";

#[test]
fn a_correct_script_passes() {
    let text =
        format!("{HEAD}peer sends ping \"x\"\nexpect event ping \"x\"\nexpect sent pong \"x\"\n");
    run_text(&text, Role::Server).unwrap();
    run_text(&text, Role::Client).unwrap();
}

#[test]
fn unmatched_output_fails_at_the_end() {
    let text = format!("{HEAD}peer sends ping \"x\"\nexpect event ping \"x\"\n");
    let failure = run_text(&text, Role::Server).unwrap_err();
    assert_eq!(failure.line, 0);
    assert!(failure.message.contains("pong"), "{failure}");
}

#[test]
fn unmatched_event_fails_at_the_end() {
    let text = format!("{HEAD}peer sends ping \"x\"\nexpect sent pong \"x\"\n");
    let failure = run_text(&text, Role::Client).unwrap_err();
    assert!(failure.message.contains("ping"), "{failure}");
}

#[test]
fn a_wrong_expectation_names_its_line_and_what_came_instead() {
    let text = format!("{HEAD}peer sends text \"abc\"\nexpect event text \"abd\"\n");
    let failure = run_text(&text, Role::Server).unwrap_err();
    assert_eq!(failure.line, 5);
    assert!(failure.message.contains("\"abc\""), "{failure}");
}

#[test]
fn the_mask_of_a_client_is_checked() {
    // A client's pong is masked with its FixedMask key; an unmasked expectation must fail.
    let text = format!(
        "{HEAD}peer sends ping \"x\"\nexpect event ping \"x\"\nexpect sent pong unmasked \"x\"\n"
    );
    assert!(run_text(&text, Role::Client).is_err());
    assert!(run_text(&text, Role::Server).is_ok());
}

#[test]
fn a_refused_command_must_be_expected() {
    let text = format!("{HEAD}app ping repeat 126 0x00\n");
    let failure = run_text(&text, Role::Server).unwrap_err();
    assert!(
        failure.message.contains("error control-too-large"),
        "{failure}"
    );
}

#[test]
fn any_reason_still_checks_the_code() {
    let text = format!("{HEAD}peer sends opcode=3 empty\nexpect sent close 1007 any-reason\n");
    assert!(run_text(&text, Role::Server).is_err());
}
