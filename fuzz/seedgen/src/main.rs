//! Writes seed corpora for the fuzz targets: the peer's bytes of every conformance script
//! (`conformance/scripts/**.ws`, read with a minimal extraction of their `peer sends`,
//! `advance` and `peer eof` lines and HTTP blocks) plus a few Autobahn-style exchanges.
//!
//! Usage: `cargo run -- OUT_DIR SCRIPTS_DIR` (run.sh does it when the corpora are empty).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod autobahn;
#[allow(dead_code)]
#[path = "../../src/format.rs"]
mod format;

use format::{ACCEPT, Command, DEFLATE, KEY_BASE64, STREAMING, Setup, encode, frame};

/// Generous limits: the scripts' exchanges should pass, not hit them.
pub(crate) const SETUP: Setup = Setup {
    flags: 0,
    max_message: 255,
    max_frame: 255,
    pending_events: 7,
    high_water: 255,
    buffer_limit: 255,
    timeout: 100,
};

/// What one script gives.
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)] // the script's header switches
struct Extract {
    client: bool,
    server: bool,
    deflate: bool,
    handshake: bool,
    http: Vec<Vec<u8>>,
    /// Frames as (FIN/RSV/opcode byte with the harness's `Frame` flags, payload).
    frames: Vec<(u8, Vec<u8>)>,
    commands: Vec<Command>,
}

/// The payload of a `peer sends` line after its opcode and modifiers, or `None` if this
/// minimal reader does not know the form.
fn payload(words: &[&str], line: &str) -> Option<Vec<u8>> {
    match words.first().copied() {
        None | Some("empty") => Some(Vec::new()),
        Some("hex") => words[1..]
            .iter()
            .take_while(|w| w.len() == 2)
            .map(|w| u8::from_str_radix(w, 16).ok())
            .collect(),
        Some("repeat") => {
            let count: usize = words.get(1)?.parse().ok()?;
            let unit = match words.get(2)? {
                w if w.starts_with("0x") => vec![u8::from_str_radix(&w[2..], 16).ok()?],
                _ => quoted(line)?,
            };
            Some(unit.repeat(count.min(4096)))
        }
        Some(w) if w.starts_with('"') => quoted(line),
        Some(_) => None,
    }
}

/// The text between the first and last quote, with `\xNN`, `\n`, `\"`, `\\` escapes.
fn quoted(line: &str) -> Option<Vec<u8>> {
    let start = line.find('"')? + 1;
    let end = line.rfind('"')?;
    let text = line.get(start..end)?;
    let mut out = Vec::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next()? {
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(u8::from_str_radix(&hex, 16).ok()?);
            }
            'n' => out.push(b'\n'),
            'r' => out.push(b'\r'),
            other => out.push(other as u8),
        }
    }
    Some(out)
}

/// One `peer sends OPCODE ...` line as harness `Frame` flags and payload.
fn peer_frame(words: &[&str], line: &str) -> Option<(u8, Vec<u8>)> {
    let opcode = match *words.first()? {
        "cont" | "continuation" => 0x0,
        "text" => 0x1,
        "binary" => 0x2,
        "close" => 0x8,
        "ping" => 0x9,
        "pong" => 0xA,
        other => {
            let n = other.strip_prefix("opcode=")?;
            match n.strip_prefix("0x") {
                Some(hex) => u8::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            }
        }
    };
    let mut flags = 0x10 | opcode;
    let mut rest = &words[1..];
    while let Some(word) = rest.first() {
        match *word {
            "nofin" => flags &= !0x10,
            "fin" | "len16" | "len64" | "masked" => {}
            "rsv1" => flags |= 0x40,
            "rsv2" => flags |= 0x20,
            "unmasked" => flags |= 0x80,
            _ => break,
        }
        rest = &rest[1..];
    }
    let body = if opcode == 0x8 && rest.first().is_some_and(|w| w.parse::<u16>().is_ok()) {
        let code: u16 = rest[0].parse().ok()?;
        let mut body = code.to_be_bytes().to_vec();
        body.extend(payload(
            &rest[1..],
            line.split_once(rest[0]).map_or("", |(_, r)| r),
        )?);
        body
    } else {
        payload(rest, line)?
    };
    Some((flags, body))
}

fn read_script(text: &str) -> Extract {
    let mut x = Extract::default();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["role:", role] => {
                x.client = matches!(*role, "client" | "both");
                x.server = matches!(*role, "server" | "both");
            }
            ["deflate:", value, ..] => x.deflate = *value != "off",
            ["handshake:", value] => x.handshake = *value == "on",
            ["peer", "sends", "http"] => {
                let mut http = Vec::new();
                while let Some(next) = lines.peek().and_then(|l| l.strip_prefix('|')) {
                    let next = next.strip_prefix(' ').unwrap_or(next);
                    let next = next
                        .replace("{key}", KEY_BASE64)
                        .replace("{accept}", ACCEPT);
                    http.extend_from_slice(next.as_bytes());
                    http.extend_from_slice(b"\r\n");
                    lines.next();
                }
                x.http.push(http);
            }
            ["peer", "sends", rest @ ..] => {
                if let Some((flags, body)) = peer_frame(rest, line) {
                    x.commands.push(Command::Frame {
                        flags,
                        payload: body.clone(),
                        cuts: Vec::new(),
                    });
                    x.frames.push((flags, body));
                }
            }
            ["peer", "eof"] => x.commands.push(Command::Eof),
            ["advance", n, unit] => {
                let ms: u64 = n.parse().unwrap_or(0);
                let ms = if *unit == "s" { ms * 1000 } else { ms };
                x.commands.push(Command::Advance(ms.min(65535) as u16));
            }
            ["app", "close", code, ..] => x.commands.push(Command::Close {
                code: code.parse().unwrap_or(1000),
                reason: Vec::new(),
            }),
            ["app", "send", "text", ..] => {
                x.commands
                    .push(Command::SendText(quoted(line).unwrap_or_default()));
            }
            ["app", "send", "binary", "hex", ..] => {
                x.commands.push(Command::SendBinary(
                    payload(&words[3..], line).unwrap_or_default(),
                ));
            }
            _ => {}
        }
    }
    x
}

/// The raw frame bytes a peer of `client` (true: we are the client) writes.
fn raw_frames(frames: &[(u8, Vec<u8>)], client: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (flags, body) in frames {
        let mask = (!client).then_some([0x37, 0xfa, 0x21, 0x3d]);
        out.extend(frame(
            flags & 0x10 != 0,
            flags & 0x60,
            flags & 0x0f,
            body,
            mask,
        ));
    }
    out
}

/// `METHOD URI` and `name: value` lines, as `http_request_entry` reads them.
fn entry_form(request: &[u8]) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(request).ok()?;
    let mut lines = text.split("\r\n");
    let first: Vec<&str> = lines.next()?.split(' ').collect();
    let mut out = format!("{} {}", first.first()?, first.get(1)?);
    for line in lines.take_while(|l| !l.is_empty()) {
        out.push('\n');
        out.push_str(line);
    }
    Some(out.into_bytes())
}

fn extensions_header(http: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(http);
    text.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("sec-websocket-extensions")
            .then(|| value.trim().to_owned())
    })
}

pub(crate) struct Seeds(BTreeMap<String, BTreeMap<Vec<u8>, String>>);

impl Seeds {
    pub(crate) fn add(&mut self, target: &str, name: &str, data: Vec<u8>) {
        self.0
            .entry(target.to_owned())
            .or_default()
            .entry(data)
            .or_insert_with(|| name.to_owned());
    }
}

fn scripts(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            scripts(&path, out);
        } else if path.extension().is_some_and(|e| e == "ws") {
            out.push(path);
        }
    }
}

fn from_script(seeds: &mut Seeds, name: &str, x: &Extract) {
    let mut setup = SETUP;
    if x.deflate {
        setup.flags |= DEFLATE;
    }
    if !x.handshake && !x.commands.is_empty() {
        // A handshake script's frames assume its own negotiation; the rest run as is.
        for (target, on) in [
            ("connection_server", x.server),
            ("connection_client", x.client),
        ] {
            if on {
                seeds.add(target, name, encode(setup, &x.commands));
                let mut streaming = setup;
                streaming.flags |= STREAMING;
                seeds.add(
                    target,
                    &format!("{name}-streaming"),
                    encode(streaming, &x.commands),
                );
            }
        }
    }
    if !x.handshake && x.server && !x.frames.is_empty() {
        // driver: the peer's frames, read in small pieces with Pending between them, and
        // writes taken a few bytes at a time; echo, then close.
        let peer = raw_frames(&x.frames, false);
        let mut data = vec![3];
        data.extend_from_slice(&(peer.len().min(65535) as u16).to_le_bytes());
        data.extend_from_slice(&peer[..peer.len().min(65535)]);
        data.extend_from_slice(&[0x0c, 1, 0x1c, 1, 0x04, 0x3c, 1, 0xfc]);
        seeds.add("driver", name, data);
    }
    for http in &x.http {
        let flags = u8::from(x.deflate) | 2;
        if http.starts_with(b"HTTP/") {
            let mut data = vec![flags, 0];
            data.extend_from_slice(http);
            data.extend(raw_frames(&x.frames, true));
            seeds.add("client_response", name, data);
        } else {
            let mut data = vec![flags & 1, 0];
            data.extend_from_slice(http);
            data.extend(raw_frames(&x.frames, false));
            seeds.add("server_handshake", name, data);
            if let Some(entry) = entry_form(http) {
                seeds.add("http_request_entry", name, entry);
            }
        }
        if let Some(value) = extensions_header(http) {
            let mut data = vec![0, 0, 0, 6, 0, 0, 0, 6];
            data.extend_from_slice(value.as_bytes());
            data.push(b'\n');
            data.extend_from_slice(value.as_bytes());
            seeds.add("deflate_negotiation", name, data);
        }
    }
    if x.deflate {
        let mut data = vec![4, 0];
        for (flags, body) in x.frames.iter().filter(|(f, _)| f & 0x0f <= 2) {
            let fin = u8::from(flags & 0x10 != 0);
            let cont = if flags.trailing_zeros() >= 4 { 2 } else { 0 };
            let text = if flags & 0x0f == 1 { 4 } else { 0 };
            let plain = if flags & 0x40 == 0 { 16 } else { 0 };
            data.extend_from_slice(&[fin | cont | text | plain, body.len().min(255) as u8]);
            data.extend_from_slice(&body[..body.len().min(255)]);
        }
        if data.len() > 2 {
            seeds.add("inflate", name, data);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(out), Some(dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: seedgen OUT_DIR SCRIPTS_DIR");
        std::process::exit(2);
    };
    let mut seeds = Seeds(BTreeMap::new());
    let mut paths = Vec::new();
    scripts(Path::new(dir), &mut paths);
    paths.sort();
    for path in &paths {
        let Ok(text) = fs::read_to_string(path) else {
            continue;
        };
        let name = path
            .strip_prefix(dir)
            .unwrap_or(path)
            .with_extension("")
            .to_string_lossy()
            .replace('/', "-");
        from_script(&mut seeds, &format!("seed-{name}"), &read_script(&text));
    }
    autobahn::add(&mut seeds);
    for (target, files) in &seeds.0 {
        let target_dir = Path::new(out).join(target);
        fs::create_dir_all(&target_dir).expect("create the corpus directory");
        for (data, name) in files {
            fs::write(target_dir.join(name), data).expect("write a seed");
        }
        println!("{target}: {} seeds", files.len());
    }
    println!("{} scripts read", paths.len());
}
