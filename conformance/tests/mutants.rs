//! The suite must not be vacuous: runners with a deliberate defect must fail the scripts that
//! pin the behaviour they break. Each mutant wraps the core runner and breaks one thing an
//! adapter could get wrong; the HTTP/2 mutant is the real `wsflow::h2` endpoint over a
//! transport that breaks its HTTP/2 framing.

use std::path::Path;
use std::time::Duration;

use wsflow_conformance::chunking::Chunking;
use wsflow_conformance::exec::{applies, run};
use wsflow_conformance::parse::load_dir;
use wsflow_conformance::runner::core_runner::CoreRunner;
use wsflow_conformance::runner::h2_runner::{H2Defect, H2TokioRunner};
use wsflow_conformance::runner::{ActionError, Observation, Runner, Session, Setup};
use wsflow_conformance::script::AppAction;
use wsflow_conformance::wire;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Defect {
    /// Never shuts the write half down (e.g. async-std's `poll_close`, which only flushes).
    NeverShutdown,
    /// Loses the peer's EOF.
    IgnoresEof,
    /// Drops every pong it writes.
    DropsPongs,
    /// Keeps reading while the application does not drain events.
    IgnoresBackpressure,
}

struct Mutant(Defect);

impl Runner for Mutant {
    fn name(&self) -> &'static str {
        "mutant"
    }

    fn open(&self, setup: &Setup) -> Box<dyn Session> {
        Box::new(MutantSession {
            inner: CoreRunner.open(setup),
            defect: self.0,
        })
    }
}

struct MutantSession {
    inner: Box<dyn Session>,
    defect: Defect,
}

impl Session for MutantSession {
    fn peer_send(&mut self, piece: &[u8]) {
        self.inner.peer_send(piece);
    }

    fn peer_eof(&mut self) {
        if self.defect != Defect::IgnoresEof {
            self.inner.peer_eof();
        }
    }

    fn set_peer_reading(&mut self, reading: bool) {
        self.inner.set_peer_reading(reading);
    }

    fn set_draining(&mut self, draining: bool) {
        if self.defect != Defect::IgnoresBackpressure {
            self.inner.set_draining(draining);
        }
    }

    fn take_events(&mut self, n: usize) {
        self.inner.take_events(n);
    }

    fn advance(&mut self, by: Duration) {
        self.inner.advance(by);
    }

    fn app(&mut self, action: &AppAction) -> Result<(), ActionError> {
        self.inner.app(action)
    }

    fn observe(&mut self) -> Observation {
        let mut observation = self.inner.observe();
        match self.defect {
            Defect::NeverShutdown => observation.shutdown = false,
            Defect::DropsPongs => observation.sent = without_pongs(&observation.sent),
            Defect::IgnoresEof | Defect::IgnoresBackpressure => {}
        }
        observation
    }
}

fn without_pongs(mut bytes: &[u8]) -> Vec<u8> {
    let mut kept = Vec::new();
    while let Some(frame) = wire::decode(bytes) {
        if frame.opcode != 0xA {
            kept.extend_from_slice(&bytes[..frame.wire_len]);
        }
        bytes = &bytes[frame.wire_len..];
    }
    kept.extend_from_slice(bytes);
    kept
}

/// The scripts (by path) that fail on the mutant, under any role and chunking.
fn failing_scripts(defect: Defect) -> Vec<String> {
    failing_on(&Mutant(defect), |_| true)
}

/// The scripts (by path) among those `select` picks that fail on `runner`.
fn failing_on(runner: &dyn Runner, select: impl Fn(&str) -> bool) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let (scripts, errors) = load_dir(&root);
    assert!(errors.is_empty() && !scripts.is_empty());
    let mut failing = Vec::new();
    for script in &scripts {
        if !select(&script.path.to_string_lossy().replace('\\', "/")) {
            continue;
        }
        let fails = script.roles.iter().any(|&role| {
            Chunking::ALL
                .into_iter()
                .filter(|&chunking| applies(script, chunking))
                .any(|chunking| run(script, role, chunking, runner).is_err())
        });
        if fails {
            failing.push(script.path.to_string_lossy().replace('\\', "/"));
        }
    }
    failing
}

fn assert_caught(defect: Defect, must_fail: &[&str]) {
    let failing = failing_scripts(defect);
    for script in must_fail {
        assert!(
            failing.iter().any(|path| path == script),
            "{defect:?} was not caught by {script}; caught by: {failing:?}"
        );
    }
}

#[test]
fn a_runner_that_never_shuts_down_is_caught() {
    assert_caught(
        Defect::NeverShutdown,
        &[
            "7.1-closing/server-initiates-close.ws",
            "7.1-closing/server-answers-close-then-shuts-down.ws",
            "7.1-closing/server-fail-shuts-down-at-once.ws",
        ],
    );
}

#[test]
fn a_runner_that_loses_eof_is_caught() {
    assert_caught(
        Defect::IgnoresEof,
        &[
            "7.1.5-eof/eof-right-after-handshake.ws",
            "7.1.5-eof/eof-mid-payload.ws",
            "7.1-closing/client-initiates-close.ws",
        ],
    );
}

#[test]
fn a_runner_that_drops_pongs_is_caught() {
    assert_caught(
        Defect::DropsPongs,
        &[
            "5.5-control-frames/auto-pong.ws",
            "5.7-examples/unmasked-ping-masked-pong.ws",
        ],
    );
}

#[test]
fn a_runner_that_ignores_backpressure_is_caught() {
    assert_caught(
        Defect::IgnoresBackpressure,
        &[
            "10.4-backpressure/stop-draining-stops-reading.ws",
            "10.4-backpressure/eof-while-paused-loses-nothing.ws",
        ],
    );
}

#[test]
fn an_http2_transport_that_drops_end_stream_is_caught() {
    let must_fail = [
        "7.1-closing/server-answers-close-then-shuts-down.ws",
        "8441-extended-connect/server-accepts-extended-connect.ws",
        "8441-extended-connect/server-400-missing-protocol.ws",
        "8441-extended-connect/server-application-rejects.ws",
    ];
    let runner = H2TokioRunner::with_defect(H2Defect::DropsEndStream);
    // The scripts that pin it, and one that does not involve END_STREAM (a control).
    let control = "5.5-control-frames/auto-pong.ws";
    let failing = failing_on(&runner, |path| must_fail.contains(&path) || path == control);
    for script in must_fail {
        assert!(
            failing.iter().any(|path| path == script),
            "dropping END_STREAM was not caught by {script}; caught by: {failing:?}"
        );
    }
    assert!(
        !failing.iter().any(|path| path == control),
        "the control script failed too: the mutant breaks more than END_STREAM"
    );
}
