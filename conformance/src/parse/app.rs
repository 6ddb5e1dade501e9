//! `app ...` steps: what the application does, and the result it expects.

use wsflow_core::MessageKind;

use crate::names::SEND_ERROR_NAMES;
use crate::script::{AppAction, StepKind};

use super::tokens::Cursor;

pub(super) fn parse_app(cur: &mut Cursor) -> Result<StepKind, String> {
    let action = match cur.word("an application command")?.as_str() {
        "send" => match cur.word("text, binary or fragment")?.as_str() {
            "text" => AppAction::SendText(Cursor::utf8(cur.payload()?, "sent text")?),
            "binary" => AppAction::SendBinary(cur.payload()?),
            "fragment" => {
                let kind = match cur.word("text or binary")?.as_str() {
                    "text" => MessageKind::Text,
                    "binary" => MessageKind::Binary,
                    other => return Err(format!("expected text or binary, found `{other}`")),
                };
                let payload = cur.optional_payload()?;
                let fin = cur.fin_or_more()?;
                AppAction::SendFragment { kind, payload, fin }
            }
            other => return Err(format!("unknown send kind `{other}`")),
        },
        "ping" => AppAction::Ping(cur.optional_payload()?),
        "pong" => AppAction::Pong(cur.optional_payload()?),
        "close" => {
            if cur.at_number() {
                let code = cur.number("a close code")?;
                let code =
                    u16::try_from(code).map_err(|_| format!("close code {code} is not 16-bit"))?;
                let reason = Cursor::utf8(cur.optional_payload()?, "a close reason")?;
                AppAction::Close { code, reason }
            } else {
                AppAction::Close {
                    code: 1005,
                    reason: String::new(),
                }
            }
        }
        "abort" => AppAction::Abort,
        "stops" => {
            cur.keyword("draining")?;
            return Ok(StepKind::Draining(false));
        }
        "resumes" => {
            cur.keyword("draining")?;
            return Ok(StepKind::Draining(true));
        }
        "takes" => {
            let n = cur.number("how many events")?;
            if !cur.eat("event") {
                cur.keyword("events")?;
            }
            let n = usize::try_from(n).map_err(|_| "too many events".to_owned())?;
            return Ok(StepKind::TakeEvents(n));
        }
        other => return Err(format!("unknown application command `{other}`")),
    };
    let mut expect = Ok(());
    if cur.eat("=>") {
        match cur.word("`ok` or `error NAME`")?.as_str() {
            "ok" => {}
            "error" => {
                let name = cur.word("a send error name")?;
                if !SEND_ERROR_NAMES.contains(&name.as_str()) {
                    return Err(format!(
                        "unknown send error `{name}` (known: {})",
                        SEND_ERROR_NAMES.join(", ")
                    ));
                }
                expect = Err(name);
            }
            other => return Err(format!("expected `ok` or `error`, found `{other}`")),
        }
    }
    Ok(StepKind::App { action, expect })
}
