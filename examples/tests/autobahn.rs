//! The Autobahn client against a stand-in for the fuzzing server, on every I/O layer: every
//! connection — the case count, each case, the report request — ends with a close handshake
//! that the server sees complete, and a server that drops the count connection without one
//! does not fail the run.

use std::net::TcpListener;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use wsflow::{Accept, AcceptOptions, CloseCode, Config, ConnectOptions, Message};
use wsflow_examples::autobahn;
use wsflow_examples::cli::RuntimeChoice;

/// How long any step may take before the test fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(10);

/// What the stand-in saw of one connection: its request target, and whether its close
/// handshake completed.
type Seen = (String, bool);

/// A stand-in for the fuzzing server on a loopback port, serving one connection at a time
/// as the client makes them: `/getCaseCount` gets `cases`, each `/runCase` one message to
/// echo, `/updateReports` nothing; the server then closes each. With `drop_count`, the
/// count connection is dropped without a close instead. Returns the base URL and what the
/// server saw of each connection.
fn fuzzing_server(cases: usize, drop_count: bool) -> (String, mpsc::Receiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("ws://{}", listener.local_addr().expect("addr"));
    let (seen, saw) = mpsc::channel();
    let mut config = Config::default();
    // A client that does not answer the close fails the test in a second, not in ten.
    config.close_timeout = Duration::from_secs(1);
    let options = AcceptOptions::new().config(config);
    // Runs until the test process ends, like the real server.
    thread::spawn(move || {
        let listener = smol::net::TcpListener::try_from(listener).expect("listener");
        smol::block_on(async {
            loop {
                let (stream, _) = listener.accept().await.expect("accept");
                let mut target = String::new();
                let accepted = wsflow::smol::accept_with(stream, &options, |request| {
                    target = request.request.uri().to_string();
                    Ok(Accept::new())
                });
                let mut ws = accepted.await.expect("handshake");
                if target == "/getCaseCount" {
                    ws.send(cases.to_string()).await.expect("send the count");
                    if drop_count {
                        ws.flush().await.expect("flush the count");
                        drop(ws);
                        let _ = seen.send((target, false));
                        continue;
                    }
                } else if target.starts_with("/runCase") {
                    ws.send("echo me").await.expect("send");
                    let echo = ws.recv().await.expect("recv");
                    assert_eq!(echo, Some(Message::from("echo me")), "{target}");
                }
                let report = ws.close(CloseCode::NORMAL, "").await;
                let clean = report.is_ok_and(|report| report.was_clean());
                let _ = seen.send((target, clean));
            }
        });
    });
    (base, saw)
}

fn expected(cases: usize, count_clean: bool) -> Vec<Seen> {
    let mut seen = vec![("/getCaseCount".to_owned(), count_clean)];
    for case in 1..=cases {
        seen.push((format!("/runCase?case={case}&agent=tester"), true));
    }
    seen.push(("/updateReports?agent=tester".to_owned(), true));
    seen
}

fn collect(saw: &mpsc::Receiver<Seen>, n: usize) -> Vec<Seen> {
    (0..n)
        .map(|_| saw.recv_timeout(PATIENCE).expect("a connection"))
        .collect()
}

fn every_connection_closes_cleanly(runtime: RuntimeChoice) {
    let (base, saw) = fuzzing_server(2, false);
    autobahn::run(runtime, &base, "tester", &ConnectOptions::new()).expect("run");
    assert_eq!(collect(&saw, 4), expected(2, true), "{runtime}");
}

#[test]
fn every_connection_closes_cleanly_on_blocking() {
    every_connection_closes_cleanly(RuntimeChoice::Blocking);
}

#[test]
fn every_connection_closes_cleanly_on_tokio() {
    every_connection_closes_cleanly(RuntimeChoice::Tokio);
}

#[test]
fn every_connection_closes_cleanly_on_smol() {
    every_connection_closes_cleanly(RuntimeChoice::Smol);
}

#[test]
fn every_connection_closes_cleanly_on_async_std() {
    every_connection_closes_cleanly(RuntimeChoice::AsyncStd);
}

/// kosoku's server sometimes resets the count connection right after the count: the run
/// goes on with the count it got.
#[test]
fn a_count_connection_dropped_without_a_close_does_not_fail_the_run() {
    for runtime in [
        RuntimeChoice::Blocking,
        RuntimeChoice::Tokio,
        RuntimeChoice::Smol,
        RuntimeChoice::AsyncStd,
    ] {
        let (base, saw) = fuzzing_server(1, true);
        autobahn::run(runtime, &base, "tester", &ConnectOptions::new()).expect("run");
        assert_eq!(collect(&saw, 3), expected(1, false), "{runtime}");
    }
}

/// The interface the Autobahn scripts use, end to end through the binary.
#[test]
fn the_binary_takes_the_scripts_flags() {
    for runtime in ["blocking", "tokio", "smol", "async-std"] {
        let (base, saw) = fuzzing_server(1, false);
        let output = Command::new(env!("CARGO_BIN_EXE_autobahn-client"))
            .args(["--runtime", runtime, "--url", &base, "--agent", "tester"])
            .arg("--deflate")
            .output()
            .expect("run autobahn-client");
        assert!(
            output.status.success(),
            "{runtime}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(collect(&saw, 3), expected(1, true), "{runtime}");
    }
}
