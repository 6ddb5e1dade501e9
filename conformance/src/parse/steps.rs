//! A step line: its verb, the peer's steps and the frame descriptions they share with
//! `expect sent`.

use std::time::Duration;

use crate::script::{Cut, FrameSpec, LengthForm, MaskChoice, PeerBytes, StepKind};

use super::app::parse_app;
use super::expect::parse_expect;
use super::headers::parse_key;
use super::tokens::Cursor;
use super::values::parse_number;

pub(super) fn parse_step(cur: &mut Cursor) -> Result<StepKind, String> {
    let verb = cur.word("a step")?;
    match verb.as_str() {
        "peer" => parse_peer(cur),
        "app" => parse_app(cur),
        "expect" => parse_expect(cur),
        "advance" => {
            let amount = cur.number("a duration")?;
            let duration = match cur.word("`ms` or `s`")?.as_str() {
                "ms" => Duration::from_millis(amount),
                "s" => Duration::from_secs(amount),
                other => return Err(format!("expected `ms` or `s`, found `{other}`")),
            };
            Ok(StepKind::Advance(duration))
        }
        other => Err(format!(
            "a step starts with peer, app, expect or advance, not `{other}`"
        )),
    }
}

fn parse_peer(cur: &mut Cursor) -> Result<StepKind, String> {
    match cur.word("sends, eof, stops or resumes")?.as_str() {
        "sends" if cur.eat("http") => Ok(StepKind::PeerSendsHttp(Vec::new())),
        "sends" => {
            let mut cut = None;
            let bytes = if cur.eat("raw") {
                PeerBytes::Raw(cur.payload()?)
            } else {
                let (spec, any_reason) = parse_frame(cur)?;
                if any_reason {
                    return Err("`any-reason` is only for `expect sent`".into());
                }
                if cur.eat("cut-header") {
                    let n = usize::try_from(cur.number("a byte count")?).unwrap_or(usize::MAX);
                    cut = Some(Cut::Header(n));
                } else if cur.eat("cut-payload") {
                    let n = usize::try_from(cur.number("a byte count")?).unwrap_or(usize::MAX);
                    if n >= spec.payload.len() {
                        return Err("`cut-payload N` needs N below the payload length".into());
                    }
                    cut = Some(Cut::Payload(n));
                }
                PeerBytes::Frame(spec)
            };
            let mut split_at = Vec::new();
            if cur.eat("split-at") {
                while cur.at_number() {
                    split_at.push(usize::try_from(cur.number("an offset")?).unwrap_or(0));
                }
                if split_at.is_empty() {
                    return Err("`split-at` needs offsets".into());
                }
            }
            Ok(StepKind::PeerSends {
                bytes,
                split_at,
                cut,
            })
        }
        "eof" => Ok(StepKind::PeerEof),
        "stops" => {
            cur.keyword("reading")?;
            Ok(StepKind::PeerReading(false))
        }
        "resumes" => {
            cur.keyword("reading")?;
            Ok(StepKind::PeerReading(true))
        }
        other => Err(format!("unknown peer step `{other}`")),
    }
}

/// A frame description; the flag says `any-reason` was given (close frames only).
pub(super) fn parse_frame(cur: &mut Cursor) -> Result<(FrameSpec, bool), String> {
    let op = cur.word("an opcode")?;
    let opcode = match op.as_str() {
        "cont" | "continuation" => 0x0,
        "text" => 0x1,
        "binary" => 0x2,
        "close" => 0x8,
        "ping" => 0x9,
        "pong" => 0xA,
        other => other
            .strip_prefix("opcode=")
            .and_then(parse_number)
            .and_then(|n| u8::try_from(n).ok())
            .filter(|&n| n < 16)
            .ok_or_else(|| format!("unknown opcode `{other}`"))?,
    };
    let mut spec = FrameSpec {
        fin: true,
        rsv: 0,
        opcode,
        mask: MaskChoice::Auto,
        length: LengthForm::Minimal,
        payload: Vec::new(),
    };
    while let Some(word) = cur.peek_word() {
        match word {
            "nofin" => spec.fin = false,
            "fin" => spec.fin = true,
            "rsv1" => spec.rsv |= 4,
            "rsv2" => spec.rsv |= 2,
            "rsv3" => spec.rsv |= 1,
            "len16" => spec.length = LengthForm::Extended16,
            "len64" => spec.length = LengthForm::Extended64,
            "masked" => spec.mask = MaskChoice::On,
            "unmasked" => spec.mask = MaskChoice::Off,
            other => match other.strip_prefix("mask=") {
                Some(key) => spec.mask = MaskChoice::Key(parse_key(key)?),
                None => break,
            },
        }
        cur.pos += 1;
    }
    let mut any_reason = false;
    if opcode == 0x8 && cur.at_number() {
        let code = cur.number("a close code")?;
        let code = u16::try_from(code).map_err(|_| format!("close code {code} is not 16-bit"))?;
        spec.payload = code.to_be_bytes().to_vec();
        if cur.eat("any-reason") {
            any_reason = true;
        } else {
            spec.payload.extend(cur.optional_payload()?);
        }
    } else {
        spec.payload = cur.optional_payload()?;
    }
    Ok((spec, any_reason))
}
