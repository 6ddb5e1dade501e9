//! `expect ...` steps: what the endpoint must have written, reported or done.

use wsflow_core::MessageKind;

use crate::names::{HANDSHAKE_ERROR_NAMES, PROTOCOL_ERROR_NAMES};
use crate::script::{
    ExpectedCause, ExpectedEvent, ExpectedFrame, ExpectedHttp, HandshakeOutcome, LengthForm,
    MaskChoice, StepKind,
};

use super::steps::parse_frame;
use super::tokens::Cursor;

pub(super) fn parse_expect(cur: &mut Cursor) -> Result<StepKind, String> {
    match cur.word("an expectation")?.as_str() {
        "sent" if cur.eat("http") => Ok(StepKind::ExpectSentHttp(ExpectedHttp {
            start: String::new(),
            headers: Vec::new(),
            extra_headers: false,
        })),
        "http" => {
            cur.keyword("status")?;
            let status = cur.number("a status")?;
            Ok(StepKind::ExpectHttpStatus(
                u16::try_from(status).map_err(|_| format!("bad status {status}"))?,
            ))
        }
        "handshake" => match cur.word("`ok` or `error`")?.as_str() {
            "ok" => {
                let subprotocol = if cur.eat("subprotocol") {
                    Some(cur.word("a subprotocol")?)
                } else {
                    None
                };
                Ok(StepKind::ExpectHandshake(HandshakeOutcome::Open(
                    subprotocol,
                )))
            }
            "error" => {
                let name = cur.word("a handshake error name")?;
                if !HANDSHAKE_ERROR_NAMES.contains(&name.as_str()) {
                    return Err(format!(
                        "unknown handshake error `{name}` (known: {})",
                        HANDSHAKE_ERROR_NAMES.join(", ")
                    ));
                }
                Ok(StepKind::ExpectHandshake(HandshakeOutcome::Failed(name)))
            }
            other => Err(format!("expected `ok` or `error`, found `{other}`")),
        },
        "sent" => {
            if cur.eat("raw") {
                return Ok(StepKind::ExpectSent(ExpectedFrame::Raw(cur.payload()?)));
            }
            let (spec, any_reason) = parse_frame(cur)?;
            if any_reason {
                let code = u16::from_be_bytes([spec.payload[0], spec.payload[1]]);
                let plain = spec.fin && spec.rsv == 0 && spec.mask == MaskChoice::Auto;
                if !plain || spec.length != LengthForm::Minimal {
                    return Err("`any-reason` takes no frame flags".into());
                }
                return Ok(StepKind::ExpectSent(ExpectedFrame::CloseAnyReason(code)));
            }
            Ok(StepKind::ExpectSent(ExpectedFrame::Exact(spec)))
        }
        "no" => match cur.word("output, event or shutdown")?.as_str() {
            "output" => Ok(StepKind::ExpectNoOutput),
            "event" | "events" => Ok(StepKind::ExpectNoEvent),
            "shutdown" => Ok(StepKind::ExpectShutdown(false)),
            other => Err(format!("unknown `expect no {other}`")),
        },
        "shutdown" => Ok(StepKind::ExpectShutdown(true)),
        "wants_read" => match cur.word("true or false")?.as_str() {
            "true" => Ok(StepKind::ExpectWantsRead(true)),
            "false" => Ok(StepKind::ExpectWantsRead(false)),
            other => Err(format!("expected true or false, found `{other}`")),
        },
        "event" => parse_event(cur).map(StepKind::ExpectEvent),
        other => Err(format!("unknown expectation `{other}`")),
    }
}

fn parse_event(cur: &mut Cursor) -> Result<ExpectedEvent, String> {
    Ok(match cur.word("an event")?.as_str() {
        "text" => ExpectedEvent::Text(cur.payload()?),
        "binary" => ExpectedEvent::Binary(cur.payload()?),
        "text-chunk" => ExpectedEvent::Chunk {
            kind: MessageKind::Text,
            payload: cur.optional_payload()?,
            fin: cur.fin_or_more()?,
        },
        "binary-chunk" => ExpectedEvent::Chunk {
            kind: MessageKind::Binary,
            payload: cur.optional_payload()?,
            fin: cur.fin_or_more()?,
        },
        "ping" => ExpectedEvent::Ping(cur.optional_payload()?),
        "pong" => ExpectedEvent::Pong(cur.optional_payload()?),
        "close-received" => {
            let code = cur.number("a close code")?;
            ExpectedEvent::CloseReceived {
                code: u16::try_from(code).map_err(|_| "close code is not 16-bit")?,
                reason: cur.optional_payload()?,
            }
        }
        "closed" => {
            let code = cur.number("a close code")?;
            let code = u16::try_from(code).map_err(|_| "close code is not 16-bit")?;
            let cause = match cur.word("a cause")?.as_str() {
                "clean-local" => ExpectedCause::CleanLocal,
                "clean-remote" => ExpectedCause::CleanRemote,
                "eof" => ExpectedCause::Eof,
                "timeout" => ExpectedCause::Timeout,
                "aborted" => ExpectedCause::Aborted,
                "protocol-error" => {
                    let name = cur.word("a protocol error name")?;
                    if !PROTOCOL_ERROR_NAMES.contains(&name.as_str()) {
                        return Err(format!(
                            "unknown protocol error `{name}` (known: {})",
                            PROTOCOL_ERROR_NAMES.join(", ")
                        ));
                    }
                    ExpectedCause::ProtocolError(name)
                }
                other => return Err(format!("unknown cause `{other}`")),
            };
            let reason = if cur.eat("reason") {
                Some(cur.payload()?)
            } else {
                None
            };
            ExpectedEvent::Closed {
                code,
                cause,
                reason,
            }
        }
        other => return Err(format!("unknown event `{other}`")),
    })
}
