//! The binaries' command lines: a stray or incomplete flag is refused with a usage message
//! on stderr and a non-zero exit, and the flags that outside tools rely on still parse.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};

fn run(bin: &str, args: &[&str]) -> Output {
    Command::new(bin)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run the binary")
}

/// Asserts that `args` are refused before anything runs: exit code 2 and a usage message.
fn refused(bin: &str, args: &[&str]) {
    let output = run(bin, args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{bin} {args:?}: {stderr}");
    assert!(stderr.contains("Usage:"), "{bin} {args:?}: {stderr}");
}

const ECHO_SERVER: &str = env!("CARGO_BIN_EXE_echo-server");
const AUTOBAHN_CLIENT: &str = env!("CARGO_BIN_EXE_autobahn-client");
const CHAT_SERVER: &str = env!("CARGO_BIN_EXE_chat-server");
const CHAT_CLIENT: &str = env!("CARGO_BIN_EXE_chat-client");
const DEMO: &str = env!("CARGO_BIN_EXE_demo");
const STRUCTURED: &str = env!("CARGO_BIN_EXE_structured");

#[test]
fn an_unknown_flag_is_refused_by_every_binary() {
    let good_echo = ["--runtime", "tokio", "--addr", "127.0.0.1:0"];
    let good_autobahn = [
        "--runtime",
        "tokio",
        "--url",
        "ws://127.0.0.1:9",
        "--agent",
        "a",
    ];
    let good_chat_server = ["--runtime", "tokio", "--addr", "127.0.0.1:0"];
    let good_chat_client = ["--runtime", "tokio", "--url", "ws://127.0.0.1:9/"];
    for (bin, good) in [
        (ECHO_SERVER, &good_echo[..]),
        (AUTOBAHN_CLIENT, &good_autobahn[..]),
        (CHAT_SERVER, &good_chat_server[..]),
        (CHAT_CLIENT, &good_chat_client[..]),
        (DEMO, &[][..]),
        (STRUCTURED, &[][..]),
    ] {
        let mut args = good.to_vec();
        args.push("--bogus");
        refused(bin, &args);
        // Not a flag at all.
        refused(bin, &[good, &["stray"]].concat());
    }
}

#[test]
fn a_flag_without_its_value_is_refused() {
    refused(ECHO_SERVER, &["--runtime", "tokio", "--addr"]);
    refused(ECHO_SERVER, &["--addr", "--deflate", "--runtime", "tokio"]);
    refused(
        ECHO_SERVER,
        &[
            "--runtime",
            "tokio",
            "--addr",
            "127.0.0.1:0",
            "--max-message-size",
        ],
    );
    refused(
        AUTOBAHN_CLIENT,
        &["--runtime", "tokio", "--url", "ws://127.0.0.1:9", "--agent"],
    );
    refused(CHAT_SERVER, &["--runtime"]);
    refused(CHAT_CLIENT, &["--runtime", "smol", "--url"]);
    refused(STRUCTURED, &["--clients"]);
}

#[test]
fn a_missing_or_malformed_value_is_refused() {
    // Required flags.
    refused(ECHO_SERVER, &["--runtime", "tokio"]);
    refused(
        AUTOBAHN_CLIENT,
        &["--runtime", "tokio", "--url", "ws://127.0.0.1:9"],
    );
    // Values that do not parse.
    refused(ECHO_SERVER, &["--runtime", "fast", "--addr", "127.0.0.1:0"]);
    refused(ECHO_SERVER, &["--runtime", "tokio", "--addr", "localhost"]);
    refused(STRUCTURED, &["--clients", "many"]);
    // A switch takes no value.
    refused(
        ECHO_SERVER,
        &[
            "--runtime",
            "tokio",
            "--addr",
            "127.0.0.1:0",
            "--deflate=yes",
        ],
    );
}

/// Starts `echo-server` with `args` and waits for the line that says it is listening.
fn echo_server_listens(args: &[&str]) -> String {
    let mut child: Child = Command::new(ECHO_SERVER)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start echo-server");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("read stderr");
    let exited = child.try_wait().expect("try_wait");
    child.kill().expect("kill echo-server");
    child.wait().expect("wait for echo-server");
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    assert!(
        exited.is_none(),
        "echo-server {args:?} exited: {line}{rest}"
    );
    line
}

#[test]
fn the_echo_server_flags_parse_on_every_runtime() {
    for runtime in ["blocking", "tokio", "smol", "async-std"] {
        let line = echo_server_listens(&[
            "--runtime",
            runtime,
            "--addr",
            "127.0.0.1:0",
            "--deflate",
            "--max-message-size",
            "1048576",
        ]);
        assert!(
            line.starts_with(&format!("echo-server ({runtime}) listening on 127.0.0.1:")),
            "{line}"
        );
    }
    // The `--flag=value` form, and flags in any order.
    let line = echo_server_listens(&["--addr=127.0.0.1:0", "--runtime=smol"]);
    assert!(
        line.starts_with("echo-server (smol) listening on"),
        "{line}"
    );
}

#[test]
fn the_chat_flags_parse_and_a_client_leaves_cleanly() {
    let mut server = Command::new(CHAT_SERVER)
        .args(["--runtime", "smol", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("start chat-server");
    let mut stdout = BufReader::new(server.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("read stdout");
    let url = line
        .trim()
        .strip_prefix("chat-server: listening on ")
        .map(str::to_owned);
    // Stdin is empty: the client connects, then closes at once.
    let client = url
        .as_deref()
        .map(|url| run(CHAT_CLIENT, &["--runtime", "tokio", "--url", url]));
    server.kill().expect("kill chat-server");
    server.wait().expect("wait for chat-server");
    let client = client.unwrap_or_else(|| panic!("no URL in {line:?}"));
    assert!(
        client.status.success(),
        "{}",
        String::from_utf8_lossy(&client.stderr)
    );
}

#[test]
fn the_structured_flags_parse() {
    let output = run(STRUCTURED, &["--clients", "2"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
