//! Runs one script, in one role, under one chunking, on one runner, and checks every
//! expectation.
//!
//! What the endpoint writes and the events it reports are accumulated; `expect sent` and
//! `expect event` consume them from the front, in order. At the end of the script nothing may
//! be left unaccounted for. Two invariants are checked on every observation: no byte is
//! written after the write half was shut down, and no event follows `closed`.

use std::collections::VecDeque;
use std::fmt;

use wsflow_core::{CloseCause, Event, Initiator, Message, MessageKind, Role};

use crate::chunking::{Chunking, salt};
use crate::names::{protocol_error_name, send_error_name};
use crate::runner::{ActionError, Capability, Runner, Session, Setup};
use crate::script::{
    AppAction, Cut, ExpectedCause, ExpectedEvent, ExpectedFrame, ExpectedHttp, FrameSpec,
    HandshakeOutcome, HttpPart, LengthForm, MaskChoice, PeerBytes, Script, StepKind, Trailing,
};
use crate::wire;

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
    for step in &script.steps {
        let StepKind::App { action, expect } = &step.kind else {
            continue;
        };
        let need = match action {
            AppAction::Abort => Capability::AbortEvent,
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

    /// The key a frame is masked with: `sender_is_client` decides for `Auto`.
    fn key(choice: MaskChoice, sender_is_client: bool, default: [u8; 4]) -> Option<[u8; 4]> {
        match choice {
            MaskChoice::Auto => sender_is_client.then_some(default),
            MaskChoice::On => Some(default),
            MaskChoice::Off => None,
            MaskChoice::Key(key) => Some(key),
        }
    }

    fn peer_frame(&self, spec: &FrameSpec) -> Vec<u8> {
        let peer_is_client = self.role == Role::Server;
        wire::encode(
            spec,
            Self::key(spec.mask, peer_is_client, self.script.peer_mask),
        )
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
                let mut bytes = match bytes {
                    PeerBytes::Frame(spec) => {
                        let mut bytes = self.peer_frame(spec);
                        let header_len = bytes.len() - spec.payload.len();
                        match cut {
                            Some(Cut::Header(n)) if *n < header_len => bytes.truncate(*n),
                            Some(Cut::Header(n)) => {
                                return Err(format!(
                                    "the header is only {header_len} bytes, cannot cut at {n}"
                                ));
                            }
                            Some(Cut::Payload(n)) => bytes.truncate(header_len + n),
                            None => {}
                        }
                        bytes
                    }
                    PeerBytes::Raw(raw) => raw.clone(),
                };
                if trailing {
                    match self.script.trailing {
                        Trailing::None => {}
                        Trailing::Partial => bytes.push(0x82),
                        Trailing::Frame => bytes.extend(self.peer_frame(&FrameSpec {
                            fin: true,
                            rsv: 0,
                            opcode: 1,
                            mask: MaskChoice::Auto,
                            length: LengthForm::Minimal,
                            payload: b"trailing data that must be ignored".to_vec(),
                        })),
                    }
                }
                let salt = salt(&self.script.path.to_string_lossy(), line);
                for piece in chunking.pieces(&bytes, split_at, salt) {
                    self.session.peer_send(&piece);
                    self.observe()?;
                }
            }
            StepKind::PeerSendsHttp(parts) => {
                let mut bytes = Vec::new();
                for part in parts {
                    match part {
                        HttpPart::Text(text) => {
                            let text = if text.contains("{accept}") {
                                let key = self.our_key.as_ref().ok_or(
                                    "`{accept}` needs the key our client sent: `expect sent http` with `Sec-WebSocket-Key: {key}` first",
                                )?;
                                text.replace(
                                    "{accept}",
                                    &wsflow_core::handshake::accept_key(key.as_bytes()),
                                )
                            } else {
                                text.clone()
                            };
                            bytes.extend_from_slice(text.as_bytes());
                        }
                        HttpPart::Frame(spec) => bytes.extend(self.peer_frame(spec)),
                    }
                }
                let salt = salt(&self.script.path.to_string_lossy(), line);
                for piece in chunking.pieces(&bytes, &[], salt) {
                    self.session.peer_send(&piece);
                    self.observe()?;
                }
            }
            StepKind::ExpectSentHttp(expected) => {
                self.observe()?;
                self.expect_http(expected)?;
            }
            StepKind::ExpectHttpStatus(status) => {
                self.observe()?;
                let (head, len) = self.http_message()?;
                let got = head
                    .lines()
                    .next()
                    .and_then(|line| line.split(' ').nth(1))
                    .unwrap_or_default()
                    .to_owned();
                if got != status.to_string() {
                    return Err(format!("expected HTTP status {status}, got head {head:?}"));
                }
                self.sent.drain(..len);
            }
            StepKind::ExpectHandshake(expected) => {
                self.observe()?;
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
                self.observe()?;
                self.expect_sent(expected)?;
            }
            StepKind::ExpectNoOutput => {
                self.observe()?;
                if !self.sent.is_empty() {
                    return Err(format!("unexpected output: {}", wire::describe(&self.sent)));
                }
            }
            StepKind::ExpectEvent(expected) => {
                self.observe()?;
                let Some(event) = self.events.pop_front() else {
                    return Err("no event".into());
                };
                if !event_matches(expected, &event) {
                    return Err(format!("got event {}", describe_event(&event)));
                }
            }
            StepKind::ExpectNoEvent => {
                self.observe()?;
                if let Some(event) = self.events.front() {
                    return Err(format!("unexpected event {}", describe_event(event)));
                }
            }
            StepKind::ExpectShutdown(expected) => {
                self.observe()?;
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

    /// The HTTP message at the front of what we sent: its head (without the blank line) and
    /// its length with the body that `Content-Length` announces.
    fn http_message(&self) -> Result<(String, usize), String> {
        let Some(end) = self.sent.windows(4).position(|w| w == b"\r\n\r\n") else {
            return Err(format!(
                "expected an HTTP head, got {:?}",
                String::from_utf8_lossy(&self.sent)
            ));
        };
        let head = String::from_utf8_lossy(self.sent.get(..end).unwrap_or_default()).into_owned();
        let body = head
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .unwrap_or(0);
        let len = end + 4 + body;
        if self.sent.len() < len {
            return Err(format!("the HTTP body is incomplete: {head:?}"));
        }
        Ok((head, len))
    }

    fn expect_http(&mut self, expected: &ExpectedHttp) -> Result<(), String> {
        let (head, len) = self.http_message()?;
        let mut lines = head.split("\r\n");
        let start = lines.next().unwrap_or_default();
        if start != expected.start {
            return Err(format!("expected `{}`, got head {head:?}", expected.start));
        }
        let mut got: Vec<(String, String)> = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| format!("bad header line {line:?} in {head:?}"))?;
            got.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        for (name, value) in &expected.headers {
            let Some(index) = got
                .iter()
                .position(|(n, v)| n == name && (v == value || value == "*" || value == "{key}"))
            else {
                return Err(format!("header `{name}: {value}` missing from {head:?}"));
            };
            let (_, found) = got.remove(index);
            if value == "{key}" {
                self.our_key = Some(found);
            }
        }
        if !got.is_empty() {
            return Err(format!("unexpected headers {got:?} in {head:?}"));
        }
        self.sent.drain(..len);
        Ok(())
    }

    /// Our masking key for `spec`: after a handshake, an adapter masks with its own random
    /// keys, so the key of the frame actually sent is taken.
    fn our_key_for(&self, spec: &FrameSpec) -> Option<[u8; 4]> {
        let we_are_client = self.role == Role::Client;
        if self.script.handshake.is_some() && we_are_client && spec.mask == MaskChoice::Auto {
            if let Some(frame) = wire::decode(&self.sent) {
                return frame.key.or(Some(self.script.our_mask));
            }
        }
        Self::key(spec.mask, we_are_client, self.script.our_mask)
    }

    fn expect_sent(&mut self, expected: &ExpectedFrame) -> Result<(), String> {
        let got = || {
            if self.sent.is_empty() {
                "got nothing".to_owned()
            } else {
                format!("got {}", wire::describe(&self.sent))
            }
        };
        match expected {
            ExpectedFrame::Exact(spec) => {
                let bytes = wire::encode(spec, self.our_key_for(spec));
                if !self.sent.starts_with(&bytes) {
                    return Err(format!(
                        "expected {} (hex {}), {}",
                        wire::describe(&bytes),
                        wire::hex(&bytes),
                        got()
                    ));
                }
                self.sent.drain(..bytes.len());
            }
            ExpectedFrame::Raw(bytes) => {
                if !self.sent.starts_with(bytes) {
                    return Err(format!("expected hex {}, {}", wire::hex(bytes), got()));
                }
                self.sent.drain(..bytes.len());
            }
            ExpectedFrame::CloseAnyReason(code) => {
                let Some(frame) = wire::decode(&self.sent) else {
                    return Err(format!("expected close {code} any-reason, {}", got()));
                };
                let we_are_client = self.role == Role::Client;
                let key_ok = match frame.key {
                    Some(key) => {
                        we_are_client
                            && (key == self.script.our_mask || self.script.handshake.is_some())
                    }
                    None => !we_are_client,
                };
                let code_ok = frame.payload.get(..2) == Some(&code.to_be_bytes()[..]);
                let reason = frame.payload.get(2..).unwrap_or_default();
                let reason_ok = reason.len() <= 123 && std::str::from_utf8(reason).is_ok();
                let header_ok = frame.fin && frame.rsv == 0 && frame.opcode == 0x8;
                let minimal = frame.wire_len
                    == frame.payload.len() + 2 + if frame.key.is_some() { 4 } else { 0 };
                if !(key_ok && code_ok && reason_ok && header_ok && minimal) {
                    return Err(format!("expected close {code} any-reason, {}", got()));
                }
                self.sent.drain(..frame.wire_len);
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), String> {
        self.observe()?;
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

fn message_parts(message: &Message) -> (MessageKind, &[u8]) {
    (message.kind(), message.as_bytes())
}

fn event_matches(expected: &ExpectedEvent, event: &Event) -> bool {
    match (expected, event) {
        (ExpectedEvent::Text(payload), Event::Message(message)) => {
            message_parts(message) == (MessageKind::Text, payload.as_slice())
        }
        (ExpectedEvent::Binary(payload), Event::Message(message)) => {
            message_parts(message) == (MessageKind::Binary, payload.as_slice())
        }
        (
            ExpectedEvent::Chunk { kind, payload, fin },
            Event::MessageChunk {
                chunk,
                fin: got_fin,
            },
        ) => message_parts(chunk) == (*kind, payload.as_slice()) && fin == got_fin,
        (ExpectedEvent::Ping(payload), Event::Ping(got))
        | (ExpectedEvent::Pong(payload), Event::Pong(got)) => got == payload.as_slice(),
        (ExpectedEvent::CloseReceived { code, reason }, Event::CloseReceived(frame)) => {
            frame.code.as_u16() == *code && frame.reason.as_bytes() == reason.as_slice()
        }
        (
            ExpectedEvent::Closed {
                code,
                cause,
                reason,
            },
            Event::Closed(closed),
        ) => {
            let cause_ok = match (cause, &closed.cause) {
                (
                    ExpectedCause::CleanLocal,
                    CloseCause::Clean {
                        initiator: Initiator::Local,
                    },
                )
                | (
                    ExpectedCause::CleanRemote,
                    CloseCause::Clean {
                        initiator: Initiator::Remote,
                    },
                )
                | (ExpectedCause::Eof, CloseCause::Eof)
                | (ExpectedCause::Timeout, CloseCause::Timeout)
                | (ExpectedCause::Aborted, CloseCause::Aborted) => true,
                (ExpectedCause::ProtocolError(name), CloseCause::ProtocolError(error)) => {
                    protocol_error_name(error) == name
                }
                _ => false,
            };
            let reason_ok = reason
                .as_ref()
                .is_none_or(|reason| closed.reason.as_bytes() == reason.as_slice());
            cause_ok && reason_ok && closed.code.as_u16() == *code
        }
        _ => false,
    }
}

/// An event in script syntax, for failure reports.
pub fn describe_event(event: &Event) -> String {
    let message = |message: &Message| {
        let kind = match message.kind() {
            MessageKind::Text => "text",
            MessageKind::Binary => "binary",
        };
        (kind, wire::show_bytes(message.as_bytes()))
    };
    match event {
        Event::Message(m) => {
            let (kind, payload) = message(m);
            format!("{kind} {payload}")
        }
        Event::MessageChunk { chunk, fin } => {
            let (kind, payload) = message(chunk);
            let fin = if *fin { "fin" } else { "more" };
            format!("{kind}-chunk {payload} {fin}")
        }
        Event::Ping(payload) => format!("ping {}", wire::show_bytes(payload)),
        Event::Pong(payload) => format!("pong {}", wire::show_bytes(payload)),
        Event::CloseReceived(frame) => format!(
            "close-received {} {}",
            frame.code,
            wire::show_bytes(frame.reason.as_bytes())
        ),
        Event::Closed(closed) => {
            let cause = match &closed.cause {
                CloseCause::Clean {
                    initiator: Initiator::Local,
                } => "clean-local".to_owned(),
                CloseCause::Clean {
                    initiator: Initiator::Remote,
                } => "clean-remote".to_owned(),
                CloseCause::Eof => "eof".to_owned(),
                CloseCause::Timeout => "timeout".to_owned(),
                CloseCause::Aborted => "aborted".to_owned(),
                CloseCause::ProtocolError(error) => {
                    format!("protocol-error {} ({error})", protocol_error_name(error))
                }
            };
            format!(
                "closed {} {cause} reason {}",
                closed.code,
                wire::show_bytes(closed.reason.as_bytes())
            )
        }
    }
}
