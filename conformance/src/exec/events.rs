//! Matching the events the endpoint reported against `expect event`, and describing them in
//! script syntax for reports.

use wsflow_core::{CloseCause, Event, Initiator, Message, MessageKind};

use crate::names::protocol_error_name;
use crate::script::{ExpectedCause, ExpectedEvent};
use crate::wire;

fn message_parts(message: &Message) -> (MessageKind, &[u8]) {
    (message.kind(), message.as_bytes())
}

pub(super) fn event_matches(expected: &ExpectedEvent, event: &Event) -> bool {
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
        Event::Upgrade(request) => format!("upgrade {}", request.request.uri()),
        Event::Opened(opened) => format!("opened {:?}", opened.subprotocol),
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
                CloseCause::Handshake(error) => format!("handshake {error}"),
                CloseCause::Rejected(status) => format!("rejected {status}"),
            };
            format!(
                "closed {} {cause} reason {}",
                closed.code,
                wire::show_bytes(closed.reason.as_bytes())
            )
        }
    }
}
