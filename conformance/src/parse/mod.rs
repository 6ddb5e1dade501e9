//! The parser of `.ws` script files (format: see the crate's `README.md`).

mod app;
mod expect;
mod headers;
mod http;
mod steps;
mod tokens;
mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use wsflow_core::{Config, Role};

use crate::script::{
    DEFAULT_OUR_MASK, DEFAULT_PEER_MASK, ExpectedFrame, HandshakeSetup, PeerBytes, Script, Step,
    StepKind, Trailing,
};

use headers::{
    header, parse_chunkings, parse_config, parse_handshake, parse_key, parse_requires, parse_roles,
    parse_trailing,
};
use http::http_line;
use steps::parse_step;
use tokens::{Cursor, tokenize};

/// A script that does not parse: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line (0 for the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Loads every `*.ws` file under `root` (recursively, in path order). Returns the scripts that
/// parsed and the errors of those that did not.
pub fn load_dir(root: &Path) -> (Vec<Script>, Vec<ParseError>) {
    let mut files = Vec::new();
    collect(root, &mut files);
    files.sort();
    let mut scripts = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let relative = file.strip_prefix(root).unwrap_or(&file).to_path_buf();
        match std::fs::read_to_string(&file) {
            Ok(text) => match parse(relative, &text) {
                Ok(script) => scripts.push(script),
                Err(error) => errors.push(error),
            },
            Err(error) => errors.push(ParseError {
                path: relative,
                line: 0,
                message: format!("cannot read: {error}"),
            }),
        }
    }
    (scripts, errors)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "ws") {
            files.push(path);
        }
    }
}

/// Parses one script; `path` is only used in the result and in errors.
pub fn parse(path: PathBuf, text: &str) -> Result<Script, ParseError> {
    let error = |line: usize, message: String| ParseError {
        path: path.clone(),
        line,
        message,
    };
    let mut rfc = None;
    let mut title = None;
    let mut roles = None;
    let mut config = Config::default();
    let mut config_keys = Vec::new();
    let mut requires = Vec::new();
    let mut trailing = None;
    let mut chunkings = None;
    let mut our_mask = DEFAULT_OUR_MASK;
    let mut peer_mask = DEFAULT_PEER_MASK;
    let mut steps: Vec<Step> = Vec::new();
    let mut handshake: Option<HandshakeSetup> = None;

    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with('|') || trimmed.starts_with("+ ") {
            http_line(steps.last_mut(), trimmed).map_err(|message| error(line, message))?;
            continue;
        }
        if let Some((key, value)) = header(trimmed) {
            if !steps.is_empty() {
                return Err(error(line, format!("header `{key}:` after the first step")));
            }
            let value = value.trim();
            let result = match key {
                "rfc" => {
                    rfc = Some(value.to_owned());
                    Ok(())
                }
                "title" => {
                    title = Some(value.to_owned());
                    Ok(())
                }
                "role" => parse_roles(value).map(|r| roles = Some(r)),
                "config" => parse_config(value, &mut config, &mut config_keys),
                "requires" => parse_requires(value).map(|r| requires.extend(r)),
                "trailing" => parse_trailing(value).map(|t| trailing = Some(t)),
                "chunkings" => parse_chunkings(value).map(|c| chunkings = Some(c)),
                "our-mask" => parse_key(value).map(|k| our_mask = k),
                "peer-mask" => parse_key(value).map(|k| peer_mask = k),
                "handshake" | "url" | "subprotocols" | "deflate" | "connect-protocol"
                | "reject" => parse_handshake(
                    key,
                    value,
                    handshake.get_or_insert_with(|| HandshakeSetup {
                        url: crate::script::DEFAULT_URL.into(),
                        ..HandshakeSetup::default()
                    }),
                ),
                other => Err(format!("unknown header `{other}:`")),
            };
            result.map_err(|message| error(line, message))?;
            continue;
        }
        let (only, body) = if let Some(rest) = trimmed.strip_prefix("[server]") {
            (Some(Role::Server), rest.trim_start())
        } else if let Some(rest) = trimmed.strip_prefix("[client]") {
            (Some(Role::Client), rest.trim_start())
        } else {
            (None, trimmed)
        };
        let tokens = tokenize(body).map_err(|message| error(line, message))?;
        let mut cursor = Cursor { tokens, pos: 0 };
        let kind = parse_step(&mut cursor).map_err(|message| error(line, message))?;
        if let Some(extra) = cursor.peek() {
            return Err(error(
                line,
                format!("unexpected {extra} at the end of the step"),
            ));
        }
        steps.push(Step {
            line,
            text: trimmed.to_owned(),
            only,
            kind,
        });
    }

    let rfc = rfc.ok_or_else(|| error(0, "missing `rfc:` header".into()))?;
    let title = title.ok_or_else(|| error(0, "missing `title:` header".into()))?;
    let roles = roles.ok_or_else(|| error(0, "missing `role:` header".into()))?;
    if steps.is_empty() {
        return Err(error(0, "no steps".into()));
    }
    if let Some(hs) = &handshake {
        // Only the HTTP/2 runner's server has an application that refuses.
        if !hs.http2 && (hs.reject.is_some() || hs.connect_protocol_withheld) {
            return Err(error(
                0,
                "`reject:` and `connect-protocol:` need `handshake: h2`".into(),
            ));
        }
    }
    for step in &steps {
        if step.only.is_some_and(|role| !roles.contains(&role)) {
            return Err(error(
                step.line,
                "step for a role the script does not test".into(),
            ));
        }
    }
    if roles.len() > 1 {
        for step in &steps {
            if matches!(
                step.kind,
                StepKind::PeerSends {
                    bytes: PeerBytes::Raw(_),
                    ..
                } | StepKind::ExpectSent(ExpectedFrame::Raw(_))
            ) {
                return Err(error(
                    step.line,
                    "raw bytes depend on the direction: not allowed with `role: both`".into(),
                ));
            }
        }
    }
    let last_peer_bytes = steps.iter().rev().find_map(|step| match &step.kind {
        StepKind::PeerSends { bytes, cut, .. } => Some((bytes, cut)),
        _ => None,
    });
    let trailing = trailing.unwrap_or(match last_peer_bytes {
        Some((PeerBytes::Frame(_), None)) => Trailing::Partial,
        _ => Trailing::None,
    });
    Ok(Script {
        path,
        rfc,
        title,
        roles,
        config,
        config_keys,
        requires,
        trailing,
        chunkings,
        our_mask,
        peer_mask,
        steps,
        handshake,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Script {
        parse(PathBuf::from("test.ws"), text).unwrap()
    }

    #[test]
    fn a_small_script() {
        let script = parse_ok(
            "# comment\nrfc: 5.2\ntitle: t\nrole: both\nconfig: max_frame_size=10 keepalive=20s/5s auto_pong=off\n\
             peer sends text nofin rsv1 \"a\\xffb\" + hex 01 02 + repeat 3 0x41\n\
             expect sent close 1002 any-reason\n\
             app close 1000 \"bye\" => error closed\n\
             expect event closed 1006 protocol-error reserved-bits reason \"x\"\n",
        );
        assert_eq!(script.roles.len(), 2);
        assert_eq!(script.config.max_frame_size, 10);
        assert!(!script.config.auto_pong);
        assert_eq!(script.trailing, Trailing::Partial);
        let StepKind::PeerSends {
            bytes: PeerBytes::Frame(spec),
            ..
        } = &script.steps[0].kind
        else {
            panic!()
        };
        assert_eq!(spec.payload, b"a\xffb\x01\x02AAA");
        assert_eq!((spec.fin, spec.rsv, spec.opcode), (false, 4, 1));
        assert!(matches!(
            script.steps[1].kind,
            StepKind::ExpectSent(ExpectedFrame::CloseAnyReason(1002))
        ));
    }

    #[test]
    fn errors_name_the_line() {
        let error = parse(
            PathBuf::from("x.ws"),
            "rfc: 5\ntitle: t\nrole: server\npeer sends bogus\n",
        )
        .unwrap_err();
        assert_eq!(error.line, 4);
        let error = parse(
            PathBuf::from("x.ws"),
            "rfc: 5\ntitle: t\nrole: both\npeer sends raw hex 81 00\n",
        )
        .unwrap_err();
        assert!(error.message.contains("both"), "{error}");
    }

    #[test]
    fn extended_connect_headers() {
        let script = parse_ok(
            "rfc: 8441\ntitle: t\nrole: client\nconnect-protocol: withheld\nhandshake: h2\n\
             expect no output\n",
        );
        let hs = script.handshake.unwrap();
        assert!(hs.http2 && hs.connect_protocol_withheld && hs.reject.is_none());
        let script = parse_ok(
            "rfc: 8441\ntitle: t\nrole: server\nhandshake: h2\nreject: 403\nexpect no output\n",
        );
        assert_eq!(script.handshake.unwrap().reject, Some(403));
        // Only the HTTP/2 runner's setup has them: an HTTP/1.1 handshake script cannot.
        for header in ["reject: 403", "connect-protocol: withheld"] {
            let error = parse(
                PathBuf::from("x.ws"),
                &format!(
                    "rfc: 4\ntitle: t\nrole: server\nhandshake: on\n{header}\nexpect no output\n"
                ),
            )
            .unwrap_err();
            assert!(error.message.contains("handshake: h2"), "{error}");
        }
        let error = parse(
            PathBuf::from("x.ws"),
            "rfc: 8441\ntitle: t\nrole: server\nhandshake: h2\nreject: 200\nexpect no output\n",
        )
        .unwrap_err();
        assert!(error.message.contains("4xx or 5xx"), "{error}");
    }
}
