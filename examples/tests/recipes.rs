//! The small self-contained examples listed in the README run to completion and say what they
//! did; each refuses an unknown flag.

use std::process::{Command, Stdio};

fn run(bin: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the example");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn reject_401_refuses_without_the_token_and_admits_with_it() {
    let (code, out, err) = run(env!("CARGO_BIN_EXE_reject-401"), &[]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("server: refused a client with 401 Unauthorized"),
        "{out}"
    );
    assert!(
        out.contains("client without a token: server answered 401"),
        "{out}"
    );
    assert!(
        out.contains("client with the token got: Some(Text(\"hello\"))"),
        "{out}"
    );
    assert!(out.contains("client closed: 1000"), "{out}");
}

#[test]
fn split_tasks_send_and_receive_on_two_tasks() {
    let (code, out, err) = run(env!("CARGO_BIN_EXE_split-tasks"), &["--messages", "500"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(
        out.contains("sent 500 messages from one task, received 500 echoes"),
        "{out}"
    );
    assert!(out.contains("closed: 1000"), "{out}");
}

#[test]
fn select_loop_gets_every_tick_back() {
    let (code, out, err) = run(env!("CARGO_BIN_EXE_select"), &["--ticks", "4"]);
    assert_eq!(code, Some(0), "{out}{err}");
    for tick in 1..=4 {
        assert!(out.contains(&format!("echo: tick {tick}\n")), "{out}");
    }
    assert!(out.contains("closed: 1000"), "{out}");
}

#[test]
fn the_recipes_refuse_an_unknown_flag() {
    for bin in [
        env!("CARGO_BIN_EXE_reject-401"),
        env!("CARGO_BIN_EXE_split-tasks"),
        env!("CARGO_BIN_EXE_select"),
    ] {
        let (code, _, err) = run(bin, &["--bogus"]);
        assert_eq!(code, Some(2), "{bin}: {err}");
        assert!(err.contains("Usage:"), "{bin}: {err}");
    }
}
