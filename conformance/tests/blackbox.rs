//! The black-box runner against wsflow's own echo server and Autobahn client testee (the code
//! of the `echo-server` and `autobahn-client` binaries, run in threads of this process) on
//! every runtime, over real 127.0.0.1 sockets: every applicable script must pass in both
//! roles under every chunking, as it does on the in-process runners. `test-all.sh` runs the
//! same against the binaries themselves through the `wsflow-conformance` command.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use wsflow::{AcceptOptions, ConnectOptions};
use wsflow_conformance::blackbox::select::OPTIONAL;
use wsflow_conformance::blackbox::{self, Options, Outcome, Timing};
use wsflow_conformance::parse::load_dir;
use wsflow_conformance::script::Script;
use wsflow_examples::cli::RuntimeChoice;
use wsflow_examples::{autobahn, echo, testee_config};

const RUNTIMES: [RuntimeChoice; 4] = [
    RuntimeChoice::Blocking,
    RuntimeChoice::Tokio,
    RuntimeChoice::Smol,
    RuntimeChoice::AsyncStd,
];

/// Fewer scripts than this applying means the selection broke, not that all is well.
const AT_LEAST_APPLICABLE: usize = 100;

/// wsflow's testees are held to wsflow's own optional requirements too. The waits for what
/// is expected are long (they cost nothing when it comes): the machine may be busy.
fn wsflow_options() -> Options {
    Options {
        include: OPTIONAL.iter().map(|&name| name.to_owned()).collect(),
        timing: Timing {
            timeout: Duration::from_secs(5),
            ..Timing::default()
        },
        ..Options::default()
    }
}

fn scripts() -> Vec<Script> {
    let (scripts, errors) = load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts"));
    assert!(errors.is_empty(), "{errors:?}");
    scripts
}

fn loopback() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").unwrap()
}

fn against_echo_server(runtime: RuntimeChoice, scripts: &[Script]) -> Outcome {
    let listener = loopback();
    let addr = listener.local_addr().unwrap();
    // Serves until the test process ends.
    std::thread::spawn(move || {
        let options = AcceptOptions::new().config(testee_config(None));
        echo::serve(runtime, listener, &options, None)
    });
    blackbox::run_server(addr, scripts, &wsflow_options(), |_| {})
}

fn against_autobahn_client(runtime: RuntimeChoice, scripts: &[Script]) -> Outcome {
    let listener = loopback();
    let url = format!("ws://{}", listener.local_addr().unwrap());
    let options = wsflow_options();
    let (selection, _) = blackbox::plan_client(scripts, &options);
    let client = std::thread::spawn(move || {
        let options = ConnectOptions::new().config(testee_config(None));
        autobahn::run(runtime, &url, "wsflow", &options)
    });
    let outcome = blackbox::run_client(listener, selection, &options, |_| {});
    client.join().unwrap().unwrap();
    outcome
}

/// The failures of `outcome`, one line each.
fn failures(name: &str, mode: &str, outcome: &Outcome) -> Vec<String> {
    let report = outcome.report(mode);
    eprintln!("{name}: {}", blackbox::summary(&report));
    let mut failures: Vec<String> = outcome
        .results
        .iter()
        .filter(|result| !result.failures.is_empty())
        .map(|result| format!("{name}: {}", blackbox::line(result)))
        .collect();
    failures.extend(outcome.error.iter().map(|error| format!("{name}: {error}")));
    if outcome.selection.applicable.len() < AT_LEAST_APPLICABLE {
        failures.push(format!(
            "{name}: only {} scripts applied",
            outcome.selection.applicable.len()
        ));
    }
    failures
}

#[test]
fn every_applicable_script_passes_against_the_examples_on_every_runtime_in_both_roles() {
    let scripts = scripts();
    // The runs mostly wait on sockets: every runtime and role at once keeps the test short.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let mut jobs = Vec::new();
        for runtime in RUNTIMES {
            let scripts = &scripts;
            jobs.push(scope.spawn(move || {
                failures(
                    &format!("echo-server {runtime}"),
                    "server",
                    &against_echo_server(runtime, scripts),
                )
            }));
            jobs.push(scope.spawn(move || {
                failures(
                    &format!("autobahn-client {runtime}"),
                    "client",
                    &against_autobahn_client(runtime, scripts),
                )
            }));
        }
        jobs.into_iter()
            .flat_map(|job| job.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A server that completes the opening handshake and then ignores everything: the scripts
/// of §5.5 must fail against it (the runner can tell a broken endpoint).
#[test]
fn a_server_that_never_answers_fails() {
    let listener = loopback();
    let addr: SocketAddr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            std::thread::spawn(move || {
                let mut buf = [0; 4096];
                let n = stream.read(&mut buf).unwrap();
                let head = String::from_utf8_lossy(&buf[..n]).into_owned();
                let key = head
                    .lines()
                    .find_map(|line| line.strip_prefix("Sec-WebSocket-Key: "))
                    .unwrap();
                let accept = wsflow_core::handshake::accept_key(key.trim().as_bytes());
                let response = format!(
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                );
                stream.write_all(response.as_bytes()).unwrap();
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
            });
        }
    });
    let options = Options {
        only: Some("5.5-control-frames".into()),
        timing: Timing {
            timeout: Duration::from_millis(100),
            quiet: Duration::from_millis(10),
        },
        chunkings: vec![wsflow_conformance::chunking::Chunking::Whole],
        include: Vec::new(),
    };
    let outcome = blackbox::run_server(addr, &scripts(), &options, |_| {});
    assert!(!outcome.results.is_empty());
    let failed = outcome
        .results
        .iter()
        .filter(|r| !r.failures.is_empty())
        .count();
    assert!(
        failed > 0,
        "every §5.5 script passed against a silent server"
    );
    let report = outcome.report("server");
    assert!(!report.passed());
    assert!(blackbox::json(&report).contains("\"result\":\"fail\""));
}
