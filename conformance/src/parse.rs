//! The parser of `.ws` script files (format: see the crate's `README.md`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use wsflow_core::{Config, Keepalive, MessageKind, ReceiveMode, Role};

use crate::chunking::Chunking;
use crate::names::{HANDSHAKE_ERROR_NAMES, PROTOCOL_ERROR_NAMES, SEND_ERROR_NAMES};
use crate::script::{
    AppAction, CONFIG_KEYS, Cut, DEFAULT_OUR_MASK, DEFAULT_PEER_MASK, ExpectedCause, ExpectedEvent,
    ExpectedFrame, ExpectedHttp, FrameSpec, HandshakeOutcome, HandshakeSetup, HttpPart, LengthForm,
    MaskChoice, PeerBytes, Script, Step, StepKind, Trailing,
};

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
                "config" => parse_config(value, &mut config),
                "trailing" => parse_trailing(value).map(|t| trailing = Some(t)),
                "chunkings" => parse_chunkings(value).map(|c| chunkings = Some(c)),
                "our-mask" => parse_key(value).map(|k| our_mask = k),
                "peer-mask" => parse_key(value).map(|k| peer_mask = k),
                "handshake" | "url" | "subprotocols" | "deflate" => parse_handshake(
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
        trailing,
        chunkings,
        our_mask,
        peer_mask,
        steps,
        handshake,
    })
}

/// A `| LINE` or `+ FRAME` line continuing an HTTP step.
fn http_line(step: Option<&mut Step>, line: &str) -> Result<(), String> {
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

fn parse_handshake(key: &str, value: &str, setup: &mut HandshakeSetup) -> Result<(), String> {
    match key {
        "handshake" if value == "on" => {}
        "handshake" => return Err(format!("`handshake:` takes `on`, not `{value}`")),
        "url" => value.clone_into(&mut setup.url),
        "subprotocols" => {
            setup.subprotocols = value.split_whitespace().map(str::to_owned).collect();
        }
        _ => setup.deflate = Some(parse_deflate(value)?),
    }
    Ok(())
}

/// `on`, or `key[=value]` items: `server_no_context_takeover`, `client_no_context_takeover`,
/// `server_max_window_bits=N`, `client_max_window_bits=N`, `threshold=N`, `fallback=on|off`.
fn parse_deflate(value: &str) -> Result<wsflow_core::extension::deflate::DeflateConfig, String> {
    let mut config = wsflow_core::extension::deflate::DeflateConfig::default();
    for item in value.split_whitespace() {
        let (key, arg) = item.split_once('=').unwrap_or((item, ""));
        let bad = || format!("bad deflate item `{item}`");
        let bits = || {
            parse_number(arg)
                .and_then(|n| u8::try_from(n).ok())
                .ok_or_else(bad)
        };
        match key {
            "on" => {}
            "server_no_context_takeover" => config.server_no_context_takeover = true,
            "client_no_context_takeover" => config.client_no_context_takeover = true,
            "server_max_window_bits" => config.server_max_window_bits = Some(bits()?),
            "client_max_window_bits" => config.client_max_window_bits = Some(bits()?),
            "threshold" => config.threshold = parse_usize(arg).ok_or_else(bad)?,
            "fallback" => config.fallback_offer = parse_switch(arg).ok_or_else(bad)?,
            _ => return Err(bad()),
        }
    }
    Ok(config)
}

/// `key: value` with a lowercase key.
fn header(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(':')?;
    let is_key = !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    is_key.then_some((key, value))
}

fn parse_roles(value: &str) -> Result<Vec<Role>, String> {
    match value {
        "client" => Ok(vec![Role::Client]),
        "server" => Ok(vec![Role::Server]),
        "both" => Ok(vec![Role::Client, Role::Server]),
        other => Err(format!(
            "role must be client, server or both, not `{other}`"
        )),
    }
}

fn parse_trailing(value: &str) -> Result<Trailing, String> {
    match value {
        "none" => Ok(Trailing::None),
        "partial" => Ok(Trailing::Partial),
        "frame" => Ok(Trailing::Frame),
        other => Err(format!(
            "trailing must be none, partial or frame, not `{other}`"
        )),
    }
}

fn parse_chunkings(value: &str) -> Result<Vec<Chunking>, String> {
    let chunkings = value
        .split_whitespace()
        .map(|name| Chunking::from_name(name).ok_or_else(|| format!("unknown chunking `{name}`")))
        .collect::<Result<Vec<_>, _>>()?;
    if chunkings.is_empty() {
        return Err("`chunkings:` needs at least one name".into());
    }
    Ok(chunkings)
}

fn parse_key(value: &str) -> Result<[u8; 4], String> {
    let digits: String = value.split_whitespace().collect();
    let bytes = parse_hex(&digits).ok_or_else(|| format!("bad masking key `{value}`"))?;
    <[u8; 4]>::try_from(bytes).map_err(|_| format!("a masking key is 4 bytes, not `{value}`"))
}

fn parse_config(value: &str, config: &mut Config) -> Result<(), String> {
    for item in value.split_whitespace() {
        let (key, value) = item
            .split_once('=')
            .ok_or_else(|| format!("config items are key=value, not `{item}`"))?;
        let bad = || format!("bad value for {key}: `{value}`");
        match key {
            "max_frame_size" => config.max_frame_size = parse_number(value).ok_or_else(bad)?,
            "max_message_size" => config.max_message_size = parse_number(value).ok_or_else(bad)?,
            "max_fragments_per_message" => {
                config.max_fragments_per_message = parse_usize(value).ok_or_else(bad)?;
            }
            "auto_pong" => config.auto_pong = parse_switch(value).ok_or_else(bad)?,
            "max_pending_events" => {
                config.max_pending_events = parse_usize(value).ok_or_else(bad)?;
            }
            "write_buffer_high_water" => {
                config.write_buffer_high_water = parse_usize(value).ok_or_else(bad)?;
            }
            "write_buffer_limit" => {
                config.write_buffer_limit = parse_usize(value).ok_or_else(bad)?;
            }
            "close_timeout" => config.close_timeout = parse_duration(value).ok_or_else(bad)?,
            "keepalive" => {
                config.keepalive = if value == "off" {
                    None
                } else {
                    let (interval, timeout) = value.split_once('/').ok_or_else(bad)?;
                    Some(Keepalive {
                        interval: parse_duration(interval).ok_or_else(bad)?,
                        timeout: parse_duration(timeout).ok_or_else(bad)?,
                    })
                };
            }
            "receive_mode" => {
                config.receive_mode = match value {
                    "whole" => ReceiveMode::WholeMessages,
                    "streaming" => ReceiveMode::Streaming,
                    _ => return Err(bad()),
                };
            }
            other => {
                return Err(format!(
                    "unknown config key `{other}` (known: {})",
                    CONFIG_KEYS.join(", ")
                ));
            }
        }
    }
    Ok(())
}

fn parse_switch(value: &str) -> Option<bool> {
    match value {
        "on" | "true" => Some(true),
        "off" | "false" => Some(false),
        _ => None,
    }
}

/// Decimal or `0x` hex.
fn parse_number(text: &str) -> Option<u64> {
    let text = text.replace('_', "");
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

fn parse_usize(text: &str) -> Option<usize> {
    parse_number(text).and_then(|n| usize::try_from(n).ok())
}

/// `250ms` or `10s`.
fn parse_duration(text: &str) -> Option<Duration> {
    if let Some(ms) = text.strip_suffix("ms") {
        return parse_number(ms).map(Duration::from_millis);
    }
    text.strip_suffix('s')
        .and_then(parse_number)
        .map(Duration::from_secs)
}

fn parse_hex(digits: &str) -> Option<Vec<u8>> {
    if digits.is_empty() || digits.len() % 2 != 0 {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(digits.get(i..i + 2)?, 16).ok())
        .collect()
}

// ----- tokens -----

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Str(Vec<u8>),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(word) => write!(f, "`{word}`"),
            Token::Str(bytes) => write!(f, "string {:?}", String::from_utf8_lossy(bytes)),
        }
    }
}

/// Splits a line into words and quoted strings (with `\"`, `\\`, `\n`, `\r`, `\t`, `\0`,
/// `\xNN` for any byte and `\u{...}` for a character).
fn tokenize(line: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut bytes = Vec::new();
            loop {
                match chars.next() {
                    None => return Err("unterminated string".into()),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some('"') => bytes.push(b'"'),
                        Some('\\') => bytes.push(b'\\'),
                        Some('n') => bytes.push(b'\n'),
                        Some('r') => bytes.push(b'\r'),
                        Some('t') => bytes.push(b'\t'),
                        Some('0') => bytes.push(0),
                        Some('x') => {
                            let hex: String = chars.by_ref().take(2).collect();
                            let byte = u8::from_str_radix(&hex, 16)
                                .map_err(|_| format!("bad escape \\x{hex}"))?;
                            bytes.push(byte);
                        }
                        Some('u') => {
                            if chars.next() != Some('{') {
                                return Err("\\u needs braces: \\u{e9}".into());
                            }
                            let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                            let ch = u32::from_str_radix(&hex, 16)
                                .ok()
                                .and_then(char::from_u32)
                                .ok_or_else(|| format!("bad escape \\u{{{hex}}}"))?;
                            let mut buf = [0; 4];
                            bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        other => return Err(format!("unknown escape \\{}", other.unwrap_or(' '))),
                    },
                    Some(ch) => {
                        let mut buf = [0; 4];
                        bytes.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            tokens.push(Token::Str(bytes));
        } else {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '"' {
                    break;
                }
                word.push(c);
                chars.next();
            }
            tokens.push(Token::Word(word));
        }
    }
    Ok(tokens)
}

struct Cursor {
    tokens: Vec<Token>,
    pos: usize,
}

impl Cursor {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some(Token::Word(word)) => Some(word),
            _ => None,
        }
    }

    fn word(&mut self, what: &str) -> Result<String, String> {
        match self.tokens.get(self.pos) {
            Some(Token::Word(word)) => {
                self.pos += 1;
                Ok(word.clone())
            }
            Some(other) => Err(format!("expected {what}, found {other}")),
            None => Err(format!("expected {what} at the end of the line")),
        }
    }

    fn keyword(&mut self, expected: &str) -> Result<(), String> {
        let word = self.word(&format!("`{expected}`"))?;
        if word == expected {
            Ok(())
        } else {
            Err(format!("expected `{expected}`, found `{word}`"))
        }
    }

    fn eat(&mut self, expected: &str) -> bool {
        if self.peek_word() == Some(expected) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn number(&mut self, what: &str) -> Result<u64, String> {
        let word = self.word(what)?;
        parse_number(&word).ok_or_else(|| format!("expected {what}, found `{word}`"))
    }

    fn at_payload(&self) -> bool {
        match self.peek() {
            Some(Token::Str(_)) => true,
            Some(Token::Word(word)) => matches!(word.as_str(), "hex" | "repeat" | "empty"),
            None => false,
        }
    }

    fn at_number(&self) -> bool {
        self.peek_word()
            .is_some_and(|word| parse_number(word).is_some())
    }

    /// `piece (+ piece)*` where a piece is a string, `hex ..`, `repeat N BYTE|STRING` or
    /// `empty`.
    fn payload(&mut self) -> Result<Vec<u8>, String> {
        let mut bytes = self.piece()?;
        while self.eat("+") {
            bytes.extend(self.piece()?);
        }
        Ok(bytes)
    }

    fn piece(&mut self) -> Result<Vec<u8>, String> {
        match self.tokens.get(self.pos).cloned() {
            Some(Token::Str(bytes)) => {
                self.pos += 1;
                Ok(bytes)
            }
            Some(Token::Word(word)) if word == "empty" => {
                self.pos += 1;
                Ok(Vec::new())
            }
            Some(Token::Word(word)) if word == "hex" => {
                self.pos += 1;
                let mut bytes = Vec::new();
                while let Some(digits) = self.peek_word().and_then(parse_hex) {
                    bytes.extend(digits);
                    self.pos += 1;
                }
                if bytes.is_empty() {
                    return Err("`hex` needs at least one byte".into());
                }
                Ok(bytes)
            }
            Some(Token::Word(word)) if word == "repeat" => {
                self.pos += 1;
                let count = self.number("a repeat count")?;
                let count = usize::try_from(count).map_err(|_| "repeat count too large")?;
                let unit = match self.tokens.get(self.pos).cloned() {
                    Some(Token::Str(bytes)) => bytes,
                    Some(Token::Word(word)) => {
                        vec![
                            parse_number(&word)
                                .and_then(|n| u8::try_from(n).ok())
                                .ok_or_else(|| format!("expected a byte, found `{word}`"))?,
                        ]
                    }
                    None => return Err("`repeat N` needs a byte or a string".into()),
                };
                self.pos += 1;
                Ok(unit.repeat(count))
            }
            Some(other) => Err(format!("expected a payload, found {other}")),
            None => Err("expected a payload at the end of the line".into()),
        }
    }

    fn optional_payload(&mut self) -> Result<Vec<u8>, String> {
        if self.at_payload() {
            self.payload()
        } else {
            Ok(Vec::new())
        }
    }

    fn fin_or_more(&mut self) -> Result<bool, String> {
        match self.word("`fin` or `more`")?.as_str() {
            "fin" => Ok(true),
            "more" => Ok(false),
            other => Err(format!("expected `fin` or `more`, found `{other}`")),
        }
    }

    fn utf8(bytes: Vec<u8>, what: &str) -> Result<String, String> {
        String::from_utf8(bytes).map_err(|_| format!("{what} must be valid UTF-8"))
    }
}

fn parse_step(cur: &mut Cursor) -> Result<StepKind, String> {
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
fn parse_frame(cur: &mut Cursor) -> Result<(FrameSpec, bool), String> {
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

fn parse_app(cur: &mut Cursor) -> Result<StepKind, String> {
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

fn parse_expect(cur: &mut Cursor) -> Result<StepKind, String> {
    match cur.word("an expectation")?.as_str() {
        "sent" if cur.eat("http") => Ok(StepKind::ExpectSentHttp(ExpectedHttp {
            start: String::new(),
            headers: Vec::new(),
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
}
