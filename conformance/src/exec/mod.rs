//! Runs one script, in one role, under one chunking, on one runner, and checks every
//! expectation.
//!
//! What the endpoint writes and the events it reports are accumulated; `expect sent` and
//! `expect event` consume them from the front, in order. At the end of the script nothing may
//! be left unaccounted for. Two invariants are checked on every observation: no byte is
//! written after the write half was shut down, and no event follows `closed`.

mod events;
mod http;
mod peer;
mod sent;

use std::collections::VecDeque;
use std::fmt;

use wsflow_core::{Event, Role};

use crate::chunking::Chunking;
use crate::names::send_error_name;
use crate::runner::{ActionError, Capability, Runner, Session, Setup, Wait};
use crate::script::{AppAction, HandshakeOutcome, MaskChoice, Script, StepKind, Trailing};
use crate::wire;

pub use events::describe_event;
use events::event_matches;

/// Why a run failed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFailure {
    /// The script line of the failing step (0: the end of the script).
    pub line: usize,
    /// The step as written.
    pub step: String,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for RunFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {} `{}`: {}", self.line, self.step, self.message)
    }
}

/// Whether `script` runs under `chunking` (it may pin its chunkings, and `trailing` needs
/// something to append).
pub fn applies(script: &Script, chunking: Chunking) -> bool {
    if let Some(pinned) = &script.chunkings {
        return pinned.contains(&chunking);
    }
    chunking != Chunking::Trailing || script.trailing != Trailing::None
}

/// The capabilities `script` needs beyond the protocol (see [`Capability`]).
pub fn requirements(script: &Script) -> Vec<Capability> {
    let mut needs = Vec::new();
    if let Some(hs) = &script.handshake {
        needs.push(if hs.http2 {
            Capability::ExtendedConnect
        } else {
            Capability::Http1Handshake
        });
    }
    if script
        .requires
        .iter()
        .any(|name| name == "non-blocking-writes")
    {
        needs.push(Capability::NonBlockingWrites);
    }
    if script
        .requires
        .iter()
        .any(|name| name == "close-keeps-reading")
    {
        needs.push(Capability::CloseKeepsReading);
    }
    for step in &script.steps {
        let StepKind::App { action, expect } = &step.kind else {
            continue;
        };
        let need = match action {
            AppAction::Close { .. } if matches!(expect, Err(name) if name == "closed") => {
                Capability::CloseRefusedWhenClosing
            }
            _ => continue,
        };
        if !needs.contains(&need) {
            needs.push(need);
        }
    }
    needs
}

/// Whether `runner` can run `script`.
pub fn runnable(script: &Script, runner: &dyn Runner) -> bool {
    requirements(script)
        .into_iter()
        .all(|capability| runner.supports(capability))
}

/// A short name for a role in reports.
pub fn role_name(role: Role) -> &'static str {
    match role {
        Role::Client => "client",
        Role::Server => "server",
    }
}

/// Runs `script` with the endpoint under test in `role`.
pub fn run(
    script: &Script,
    role: Role,
    chunking: Chunking,
    runner: &dyn Runner,
) -> Result<(), RunFailure> {
    let setup = Setup {
        role,
        config: script.config.clone(),
        our_mask: script.our_mask,
        handshake: script.handshake.clone(),
    };
    let mut exec = Exec {
        script,
        role,
        session: runner.open(&setup),
        sent: Vec::new(),
        events: VecDeque::new(),
        shutdown: false,
        wants_read: None,
        closed_seen: false,
        handshakes: VecDeque::new(),
        our_key: None,
    };
    let last_peer_step = script
        .steps
        .iter()
        .rposition(|step| matches!(step.kind, StepKind::PeerSends { .. }));
    for (index, step) in script.steps.iter().enumerate() {
        if step.only.is_some_and(|only| only != role) {
            continue;
        }
        let trailing = chunking == Chunking::Trailing && Some(index) == last_peer_step;
        exec.step(&step.kind, step.line, chunking, trailing)
            .map_err(|message| RunFailure {
                line: step.line,
                step: step.text.clone(),
                message,
            })?;
    }
    exec.finish().map_err(|message| RunFailure {
        line: 0,
        step: "end of script".into(),
        message,
    })
}

struct Exec<'a> {
    script: &'a Script,
    role: Role,
    session: Box<dyn Session>,
    /// Bytes written and not yet matched.
    sent: Vec<u8>,
    /// Events reported and not yet matched.
    events: VecDeque<Event>,
    shutdown: bool,
    wants_read: Option<bool>,
    closed_seen: bool,
    /// Handshake outcomes reported and not yet matched.
    handshakes: VecDeque<HandshakeOutcome>,
    /// The `Sec-WebSocket-Key` our client sent (recorded by `{key}` in `expect sent http`).
    our_key: Option<String>,
}

impl Exec<'_> {
    fn observe(&mut self) -> Result<(), String> {
        let observation = self.session.observe();
        if self.shutdown && !observation.sent.is_empty() {
            return Err(format!(
                "wrote after shutting down the write half: {}",
                wire::describe(&observation.sent)
            ));
        }
        self.sent.extend(observation.sent);
        for event in observation.events {
            if self.closed_seen {
                return Err(format!("event after `closed`: {}", describe_event(&event)));
            }
            self.closed_seen = matches!(event, Event::Closed(_));
            self.events.push_back(event);
        }
        if self.shutdown && !observation.shutdown {
            return Err("the shutdown was taken back".into());
        }
        self.shutdown = observation.shutdown;
        self.wants_read = observation.wants_read;
        self.handshakes.extend(observation.handshake);
        Ok(())
    }

    /// Observes until `ready` holds or the session has nothing more coming (at once for an
    /// in-process session, which has settled; a session over real TCP waits for its bytes).
    fn observe_until(&mut self, ready: impl Fn(&Self) -> bool) -> Result<(), String> {
        self.observe()?;
        while !ready(self) && self.session.wait(Wait::Expected) {
            self.observe()?;
        }
        Ok(())
    }

    /// Observes after giving the endpoint a chance to do what a negative expectation rules
    /// out (only sessions over a real transport wait).
    fn observe_quiet(&mut self) -> Result<(), String> {
        self.observe()?;
        if self.session.wait(Wait::Quiet) {
            self.observe()?;
        }
        Ok(())
    }

    /// The key a frame is masked with: `sender_is_client` decides for `Auto`.
    fn key(choice: MaskChoice, sender_is_client: bool, default: [u8; 4]) -> Option<[u8; 4]> {
        match choice {
            MaskChoice::Auto => sender_is_client.then_some(default),
            MaskChoice::On => Some(default),
            MaskChoice::Off => None,
            MaskChoice::Key(key) => Some(key),
        }
    }

    fn step(
        &mut self,
        kind: &StepKind,
        line: usize,
        chunking: Chunking,
        trailing: bool,
    ) -> Result<(), String> {
        match kind {
            StepKind::PeerSends {
                bytes,
                split_at,
                cut,
            } => {
                let bytes = self.peer_bytes(bytes, *cut, trailing)?;
                self.peer_send(&bytes, split_at, line, chunking)?;
            }
            StepKind::PeerSendsHttp(parts) => {
                let bytes = self.peer_http_bytes(parts)?;
                self.peer_send(&bytes, &[], line, chunking)?;
            }
            StepKind::ExpectSentHttp(expected) => {
                self.observe_until(|exec| exec.http_message().is_ok())?;
                self.expect_http(expected)?;
            }
            StepKind::ExpectHttpStatus(status) => {
                self.observe_until(|exec| exec.http_message().is_ok())?;
                self.expect_http_status(*status)?;
            }
            StepKind::ExpectHandshake(expected) => {
                self.observe_until(|exec| !exec.handshakes.is_empty())?;
                match self.handshakes.pop_front() {
                    Some(got) if got == *expected => {}
                    Some(got) => return Err(format!("the handshake ended {got:?}")),
                    None => return Err("the handshake has not ended".into()),
                }
            }
            StepKind::PeerEof => {
                self.session.peer_eof();
                self.observe()?;
            }
            StepKind::PeerReading(reading) => {
                self.session.set_peer_reading(*reading);
                self.observe()?;
            }
            StepKind::Draining(draining) => {
                self.session.set_draining(*draining);
                self.observe()?;
            }
            StepKind::TakeEvents(n) => {
                self.session.take_events(*n);
                self.observe()?;
            }
            StepKind::Advance(by) => {
                self.session.advance(*by);
                self.observe()?;
            }
            StepKind::App { action, expect } => {
                let result = self.session.app(action);
                self.observe()?;
                let got = result.map_err(|error| match error {
                    ActionError::Refused(error) => send_error_name(&error).to_owned(),
                    ActionError::Other(what) => format!("failure ({what})"),
                });
                if got != *expect {
                    let show = |r: &Result<(), String>| match r {
                        Ok(()) => "ok".to_owned(),
                        Err(name) => format!("error {name}"),
                    };
                    return Err(format!("expected {}, got {}", show(expect), show(&got)));
                }
            }
            StepKind::ExpectSent(expected) => {
                self.observe_until(|exec| exec.sent_ready(expected))?;
                self.expect_sent(expected)?;
            }
            StepKind::ExpectNoOutput => {
                self.observe_quiet()?;
                if !self.sent.is_empty() {
                    return Err(format!("unexpected output: {}", wire::describe(&self.sent)));
                }
            }
            StepKind::ExpectEvent(expected) => {
                self.observe_until(|exec| !exec.events.is_empty())?;
                let Some(event) = self.events.pop_front() else {
                    return Err("no event".into());
                };
                if !event_matches(expected, &event) {
                    return Err(format!("got event {}", describe_event(&event)));
                }
            }
            StepKind::ExpectNoEvent => {
                self.observe_quiet()?;
                if let Some(event) = self.events.front() {
                    return Err(format!("unexpected event {}", describe_event(event)));
                }
            }
            StepKind::ExpectShutdown(expected) => {
                if *expected {
                    self.observe_until(|exec| exec.shutdown)?;
                } else {
                    self.observe_quiet()?;
                }
                if self.shutdown != *expected {
                    return Err(if *expected {
                        format!(
                            "the write half was not shut down (unmatched output: {})",
                            wire::describe(&self.sent)
                        )
                    } else {
                        "the write half was shut down".into()
                    });
                }
            }
            StepKind::ExpectWantsRead(expected) => {
                self.observe()?;
                if let Some(wants_read) = self.wants_read {
                    if wants_read != *expected {
                        return Err(format!("wants_read is {wants_read}"));
                    }
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.observe_quiet()?;
        if !self.sent.is_empty() {
            return Err(format!(
                "output not matched by any `expect sent`: {}",
                wire::describe(&self.sent)
            ));
        }
        if let Some(outcome) = self.handshakes.front() {
            return Err(format!(
                "handshake outcome not matched by `expect handshake`: {outcome:?}"
            ));
        }
        if !self.events.is_empty() {
            let events: Vec<String> = self.events.iter().map(describe_event).collect();
            return Err(format!(
                "events not matched by any `expect event`: {}",
                events.join(", ")
            ));
        }
        Ok(())
    }
}
