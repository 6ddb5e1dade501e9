//! The `| LINE` and `+ FRAME` lines that continue an HTTP step.

use crate::script::{HttpPart, Step, StepKind};

use super::steps::parse_frame;
use super::tokens::{Cursor, tokenize};

/// A `| LINE` or `+ FRAME` line continuing an HTTP step.
pub(super) fn http_line(step: Option<&mut Step>, line: &str) -> Result<(), String> {
    let not_http =
        || "`|` and `+` lines continue `peer sends http` or `expect sent http`".to_owned();
    let step = step.ok_or_else(not_http)?;
    match &mut step.kind {
        StepKind::PeerSendsHttp(parts) => {
            if let Some(frame) = line.strip_prefix("+ ") {
                let mut cursor = Cursor {
                    tokens: tokenize(frame)?,
                    pos: 0,
                };
                let (spec, _) = parse_frame(&mut cursor)?;
                parts.push(HttpPart::Frame(spec));
            } else {
                let text = line.strip_prefix('|').unwrap_or_default();
                let text = text.strip_prefix(' ').unwrap_or(text);
                match parts.last_mut() {
                    Some(HttpPart::Text(all)) => all.push_str(text),
                    _ => parts.push(HttpPart::Text(text.to_owned())),
                }
                if let Some(HttpPart::Text(all)) = parts.last_mut() {
                    all.push_str("\r\n");
                }
            }
            Ok(())
        }
        StepKind::ExpectSentHttp(expected) => {
            let text = line.strip_prefix('|').ok_or_else(not_http)?;
            let text = text.strip_prefix(' ').unwrap_or(text);
            if text.is_empty() {
                return Ok(());
            }
            if expected.start.is_empty() {
                text.clone_into(&mut expected.start);
            } else {
                let (name, value) = text
                    .split_once(':')
                    .ok_or_else(|| format!("a header line is `Name: value`, not `{text}`"))?;
                expected
                    .headers
                    .push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
            }
            Ok(())
        }
        _ => Err(not_http()),
    }
}
