//! Which scripts a black-box echo endpoint can show, and the form they run in there.
//!
//! An implementation under test from the outside is an echo application (as with Autobahn):
//! it takes no commands, runs with its own configuration and shows its events only through
//! what it echoes. A script applies when every expectation follows from the bytes:
//!
//! - what the endpoint writes (`expect sent`, `expect shutdown`) is judged as in process;
//! - `expect event text|binary` is judged by the echo of that message (see
//!   `output`), and moved to right after the peer's step that completes the message:
//!   the scripted peer waits for the echo before it goes on, as an Autobahn fuzzer does, so
//!   that an echo never races the peer's close;
//! - the other events (`ping`, `pong`, `close-received`, `closed`) are not observable; their
//!   observable consequences (the pong, the close reply, the FIN) are checked by the script's
//!   own `expect sent` and `expect shutdown` steps;
//! - a server's opening handshake (`handshake: on` without subprotocols or extensions) is
//!   played from the first byte: `expect sent http` allows headers the server adds, and
//!   `expect handshake` is dropped (its outcome shows as the HTTP answer).
//!
//! What a script needs beyond that is inferred from its steps and headers ([`Need`]), or
//! declared with a `requires:` header where the steps do not show it ([`DECLARED`]).

use std::fmt;

use wsflow_core::Role;

use crate::script::{ExpectedEvent, ExpectedHttp, PeerBytes, Script, Step, StepKind};
use crate::wire;

/// The requirements a script may declare with `requires:`, with why a black-box echo
/// endpoint cannot meet them.
pub const DECLARED: &[(&str, &str)] = &[
    (
        "fail-fast",
        "it expects a failure detected before the rest of the frame or message arrives; the \
         RFC requires the failure, not the moment (Autobahn calls it non-strict)",
    ),
    (
        "default-limits",
        "it depends on wsflow's default size limits, which another endpoint need not share",
    ),
    (
        "implementation-choice",
        "it pins a choice the RFC leaves to the implementation (wsflow's)",
    ),
    (
        "server-config",
        "it needs the server configured in a way an echo server need not be (e.g. without \
         permessage-deflate)",
    ),
    (
        "in-process",
        "it pins a moment or an order that only an in-process runner controls",
    ),
    (
        "close-keeps-reading",
        "it needs `close` itself to read on to the end of the handshake while the \
         application takes no events",
    ),
    (
        "non-blocking-writes",
        "it needs writes that never block the endpoint's thread (a peer that does not read \
         must not stop the endpoint from reading or from dropping its queued output), which \
         a blocking I/O layer cannot give",
    ),
];

/// The declared requirements that are qualities rather than capabilities: an endpoint can
/// be held to them on request (`--include`), as wsflow's own are.
pub const OPTIONAL: &[&str] = &["fail-fast", "default-limits", "implementation-choice"];

/// Why a script does not apply to a black-box echo endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The application sends, pings or closes (`app ...`).
    AppActions,
    /// The application stops taking events, or takes them one by one.
    AppEvents,
    /// Virtual time moves (`advance`): close timeouts and keepalive.
    VirtualTime,
    /// The peer stops reading: real TCP buffers hide the endpoint's backpressure.
    Backpressure,
    /// The endpoint runs with configuration overrides (these keys).
    Config(Vec<String>),
    /// The script plays the opening handshake with its own setup.
    Handshake,
    /// Declared by `requires:` (one of [`DECLARED`]).
    Declared(String),
}

impl Need {
    /// A short name for reports.
    pub fn name(&self) -> &str {
        match self {
            Need::AppActions => "app-actions",
            Need::AppEvents => "app-events",
            Need::VirtualTime => "virtual-time",
            Need::Backpressure => "backpressure",
            Need::Config(_) => "config",
            Need::Handshake => "handshake-setup",
            Need::Declared(name) => name,
        }
    }
}

impl fmt::Display for Need {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Config(keys) => write!(f, "config ({})", keys.join(", ")),
            other => f.write_str(other.name()),
        }
    }
}

/// The steps that apply to `role`.
fn steps_for(script: &Script, role: Role) -> impl Iterator<Item = &Step> {
    script
        .steps
        .iter()
        .filter(move |step| step.only.is_none_or(|only| only == role))
}

/// What `script`, with the endpoint in `role`, needs that a black-box echo endpoint lacks;
/// empty when it applies. `include` lists the declared requirements (of [`OPTIONAL`]) the
/// endpoint is held to anyway.
pub fn needs(script: &Script, role: Role, include: &[String]) -> Vec<Need> {
    let mut needs = Vec::new();
    let mut add = |need: Need| {
        if !needs.contains(&need) {
            needs.push(need);
        }
    };
    // A server's handshake can be played from outside when the script needs no
    // subprotocol or extension setup; a client testee's request is the Autobahn protocol's.
    if let Some(hs) = &script.handshake {
        if role == Role::Client || !hs.subprotocols.is_empty() || hs.deflate.is_some() || hs.http2 {
            add(Need::Handshake);
        }
    }
    if !script.config_keys.is_empty() {
        add(Need::Config(script.config_keys.clone()));
    }
    for name in &script.requires {
        if !include.contains(name) {
            add(Need::Declared(name.clone()));
        }
    }
    for step in steps_for(script, role) {
        match &step.kind {
            StepKind::App { .. } => add(Need::AppActions),
            StepKind::Draining(_)
            | StepKind::TakeEvents(_)
            | StepKind::ExpectEvent(ExpectedEvent::Chunk { .. }) => add(Need::AppEvents),
            StepKind::Advance(_) => add(Need::VirtualTime),
            StepKind::PeerReading(_) => add(Need::Backpressure),
            _ => {}
        }
    }
    needs
}

/// Whether `event` shows through an echo.
fn echoed(event: &ExpectedEvent) -> bool {
    matches!(event, ExpectedEvent::Text(_) | ExpectedEvent::Binary(_))
}

/// The indices (in `steps`) of the peer's steps that complete a data message, in order.
fn completing_steps(steps: &[Step]) -> Vec<usize> {
    let mut completing = Vec::new();
    let mut in_message = false;
    let mut frame = |fin: bool, opcode: u8, index: usize| match (opcode, fin) {
        (0..=2, true) if opcode != 0 || in_message => {
            in_message = false;
            completing.push(index);
        }
        (1 | 2, false) => in_message = true,
        _ => {}
    };
    for (index, step) in steps.iter().enumerate() {
        match &step.kind {
            StepKind::PeerSends {
                bytes: PeerBytes::Frame(spec),
                cut: None,
                ..
            } => frame(spec.fin, spec.opcode, index),
            StepKind::PeerSends {
                bytes: PeerBytes::Raw(raw),
                cut: None,
                ..
            } => {
                let mut rest = raw.as_slice();
                while let Some(decoded) = wire::decode(rest) {
                    frame(decoded.fin, decoded.opcode, index);
                    rest = rest.get(decoded.wire_len..).unwrap_or_default();
                }
            }
            _ => {}
        }
    }
    completing
}

/// `script` as a black-box run plays it with the endpoint in `role`: only that role's steps,
/// no unobservable event expectations, and each echoed message expected right after the step
/// that completes it.
pub fn project(script: &Script, role: Role) -> Script {
    let steps: Vec<Step> = steps_for(script, role)
        .filter(|step| match &step.kind {
            StepKind::ExpectEvent(event) => echoed(event),
            // The handshake's outcome shows only as the HTTP answer, judged by its own steps.
            StepKind::ExpectWantsRead(_) | StepKind::ExpectHandshake(_) => false,
            _ => true,
        })
        .cloned()
        .map(|step| match step.kind {
            StepKind::ExpectSentHttp(expected) => Step {
                only: None,
                kind: StepKind::ExpectSentHttp(ExpectedHttp {
                    extra_headers: true,
                    ..expected
                }),
                ..step
            },
            _ => Step { only: None, ..step },
        })
        .collect();
    let completing = completing_steps(&steps);
    // For each step, the echo expectations to play right after it.
    let mut after: Vec<Vec<Step>> = vec![Vec::new(); steps.len()];
    let mut moved = vec![false; steps.len()];
    let mut message = 0;
    for (index, step) in steps.iter().enumerate() {
        if !matches!(&step.kind, StepKind::ExpectEvent(event) if echoed(event)) {
            continue;
        }
        if let Some(&at) = completing.get(message) {
            if at < index {
                if let Some(slot) = after.get_mut(at) {
                    slot.push(step.clone());
                    moved[index] = true;
                }
            }
        }
        message += 1;
    }
    let mut projected = Vec::with_capacity(steps.len());
    for ((step, moved), after) in steps.into_iter().zip(moved).zip(after) {
        if !moved {
            projected.push(step);
        }
        projected.extend(after);
    }
    Script {
        roles: vec![role],
        steps: projected,
        ..script.clone()
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::parse::parse;

    fn script(text: &str) -> Script {
        parse(PathBuf::from("t.ws"), text).unwrap()
    }

    fn lines(script: &Script) -> Vec<&str> {
        script.steps.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn echo_expectations_move_to_the_completing_step() {
        let s = script(
            "rfc: 5.4\ntitle: t\nrole: both\n\
             peer sends text nofin \"a\"\npeer sends cont \"b\"\npeer sends close 1000\n\
             expect event text \"ab\"\nexpect event close-received 1000\n\
             expect sent close 1000\n[server] expect shutdown\n[client] peer eof\n",
        );
        assert!(needs(&s, Role::Server, &[]).is_empty());
        let p = project(&s, Role::Server);
        assert_eq!(
            lines(&p),
            [
                "peer sends text nofin \"a\"",
                "peer sends cont \"b\"",
                "expect event text \"ab\"",
                "peer sends close 1000",
                "expect sent close 1000",
                "[server] expect shutdown",
            ]
        );
        assert_eq!(
            lines(&project(&s, Role::Client)).last(),
            Some(&"[client] peer eof")
        );
    }

    #[test]
    fn needs_are_inferred_and_declared() {
        let s = script(
            "rfc: 7\ntitle: t\nrole: server\nconfig: max_message_size=4\nrequires: in-process\n\
             app send text \"x\"\nadvance 5 s\npeer stops reading\n",
        );
        assert!(
            !needs(&s, Role::Server, &["in-process".into()])
                .contains(&Need::Declared("in-process".into()))
        );
        let names: Vec<String> = needs(&s, Role::Server, &[])
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            names,
            [
                "config (max_message_size)",
                "in-process",
                "app-actions",
                "virtual-time",
                "backpressure"
            ]
        );
    }
}
