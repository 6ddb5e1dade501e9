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

const SERVER_HANDSHAKE: &str = "rfc: 4.2\ntitle: t\nrole: server\nhandshake: on\npeer sends http\n| GET /chat HTTP/1.1\n| Host: h\n| Upgrade: websocket\n| Connection: Upgrade\n| Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n| Sec-WebSocket-Version: 13\n|\n";

#[test]
fn an_http_head_must_match_header_for_header() {
    let ok = format!(
        "{SERVER_HANDSHAKE}expect sent http\n| HTTP/1.1 101 Switching Protocols\n| upgrade: websocket\n| Connection: Upgrade\n| Sec-WebSocket-Accept: *\nexpect handshake ok\n"
    );
    run_text(&ok, Role::Server).unwrap();
    // A header we did not send: fails at the `expect sent http` line (13), naming it.
    let extra = format!(
        "{SERVER_HANDSHAKE}expect sent http\n| HTTP/1.1 101 Switching Protocols\n| Upgrade: websocket\n| Connection: Upgrade\n| Sec-WebSocket-Accept: *\n| Sec-WebSocket-Protocol: chat\nexpect handshake ok\n"
    );
    let failure = run_text(&extra, Role::Server).unwrap_err();
    assert_eq!(failure.line, 13);
    assert!(
        failure.message.contains("sec-websocket-protocol"),
        "{failure}"
    );
    // A header we sent and the script does not list.
    let missing = format!(
        "{SERVER_HANDSHAKE}expect sent http\n| HTTP/1.1 101 Switching Protocols\n| Upgrade: websocket\n| Connection: Upgrade\nexpect handshake ok\n"
    );
    let failure = run_text(&missing, Role::Server).unwrap_err();
    assert!(failure.message.contains("unexpected headers"), "{failure}");
}

#[test]
fn a_handshake_outcome_must_be_expected() {
    let unexpected = format!(
        "{SERVER_HANDSHAKE}expect sent http\n| HTTP/1.1 101 Switching Protocols\n| Upgrade: websocket\n| Connection: Upgrade\n| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n"
    );
    let failure = run_text(&unexpected, Role::Server).unwrap_err();
    assert!(failure.message.contains("expect handshake"), "{failure}");
    let wrong = format!(
        "{SERVER_HANDSHAKE}expect sent http\n| HTTP/1.1 101 Switching Protocols\n| Upgrade: websocket\n| Connection: Upgrade\n| Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\nexpect handshake error invalid-key\n"
    );
    assert!(run_text(&wrong, Role::Server).is_err());
}
