//! permessage-deflate throughput and compression ratio on a text corpus, side by side with
//! Python's `websockets` (zlib in C) when it is installed.
//!
//! `cargo bench -p wsflow-core --bench deflate [-- CORPUS_FILE]`. The corpus defaults to the
//! workspace's own Rust and Markdown sources. `WSFLOW_PYTHON` names the Python that has
//! `websockets` (default `python3`); without it the peer column is skipped.
//! `WSFLOW_BENCH_QUICK=1` (or no `--bench` argument, as under `cargo test --benches`) runs a
//! small corpus once, as a smoke test.

// Figures are byte counts far below 2^52: the f64 conversions lose nothing.
#![allow(clippy::cast_precision_loss)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use bytes::BytesMut;
use wsflow_core::Role;
use wsflow_core::extension::deflate::{DeflateConfig, DeflateParams, PerMessageDeflate};
use wsflow_core::extension::{Extension, FramePosition};

const SIZES: [usize; 3] = [1024, 16 * 1024, 64 * 1024];

fn collect_sources(dir: &Path, out: &mut Vec<u8>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') || name == "target" {
            continue;
        }
        if path.is_dir() {
            collect_sources(&path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("rs") || ext.eq_ignore_ascii_case("md"))
        {
            if let Ok(text) = std::fs::read(&path) {
                out.extend_from_slice(&text);
            }
        }
    }
}

fn corpus(quick: bool) -> Vec<u8> {
    let explicit = std::env::args().skip(1).find(|arg| !arg.starts_with("--"));
    let mut corpus = if let Some(path) = explicit {
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    } else {
        let mut out = Vec::new();
        collect_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join(".."), &mut out);
        out
    };
    corpus.truncate(if quick { 256 << 10 } else { 8 << 20 });
    corpus
}

struct Figures {
    messages: usize,
    bytes_in: usize,
    bytes_out: usize,
    encode_secs: f64,
    decode_secs: f64,
}

fn wsflow(corpus: &[u8], size: usize) -> Figures {
    let mut config = DeflateConfig::default();
    config.threshold = 0;
    config.compression_level = 6;
    let mut sender = PerMessageDeflate::new(Role::Server, DeflateParams::default(), &config);
    let mut receiver = PerMessageDeflate::new(Role::Client, DeflateParams::default(), &config);
    let messages: Vec<&[u8]> = corpus.chunks_exact(size).collect();
    let whole = FramePosition {
        first: true,
        fin: true,
    };
    let started = Instant::now();
    let frames: Vec<BytesMut> = messages
        .iter()
        .map(|message| {
            let mut out = BytesMut::new();
            sender.encode(message, whole, &mut out);
            out
        })
        .collect();
    let encode_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for (frame, message) in frames.iter().zip(&messages) {
        assert!(receiver.begin_message(0x40));
        let mut out = BytesMut::new();
        receiver
            .decode(frame, true, &mut out, usize::MAX)
            .expect("decodes");
        assert_eq!(&out[..], *message, "round trip");
    }
    Figures {
        messages: messages.len(),
        bytes_in: messages.len() * size,
        bytes_out: frames.iter().map(BytesMut::len).sum(),
        encode_secs,
        decode_secs: started.elapsed().as_secs_f64(),
    }
}

/// The same measurement by Python's websockets, or `None` when it is not installed.
fn python_websockets(corpus: &[u8]) -> Option<Vec<Figures>> {
    let python = std::env::var("WSFLOW_PYTHON").unwrap_or_else(|_| "python3".into());
    let path = std::env::temp_dir().join(format!("wsflow-deflate-corpus-{}", std::process::id()));
    std::fs::write(&path, corpus).ok()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/deflate_peer.py");
    let output = Command::new(python)
        .arg(script)
        .arg(&path)
        .args(SIZES.map(|size| size.to_string()))
        .output()
        .ok();
    let _ = std::fs::remove_file(&path);
    let output = output.filter(|output| output.status.success())?;
    let text = String::from_utf8(output.stdout).ok()?;
    text.lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            Some(Figures {
                messages: fields.get(1)?.parse().ok()?,
                bytes_in: fields.get(2)?.parse().ok()?,
                bytes_out: fields.get(3)?.parse().ok()?,
                encode_secs: fields.get(4)?.parse().ok()?,
                decode_secs: fields.get(5)?.parse().ok()?,
            })
        })
        .collect()
}

fn megabytes_per_second(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / secs.max(1e-9) / 1e6
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = std::env::var_os("WSFLOW_BENCH_QUICK").is_some()
        || !args.iter().any(|arg| arg == "--bench");
    let corpus = corpus(quick);
    println!(
        "permessage-deflate on {} KiB of text (level 6, 15-bit windows, context takeover)",
        corpus.len() >> 10
    );
    let peer = python_websockets(&corpus);
    if peer.is_none() {
        println!("(Python websockets not found: set WSFLOW_PYTHON to a python with it installed)");
    }
    println!(
        "{:>8} {:>6} | {:>9} {:>9} {:>7} | {:>9} {:>9} {:>7} | {:>8} {:>8}",
        "msg size", "msgs", "wsflow", "", "", "websockets", "", "", "ratio", ""
    );
    println!(
        "{:>8} {:>6} | {:>9} {:>9} {:>7} | {:>9} {:>9} {:>7} | {:>8} {:>8}",
        "", "", "enc MB/s", "dec MB/s", "size %", "enc MB/s", "dec MB/s", "size %", "enc", "dec"
    );
    for (index, size) in SIZES.into_iter().enumerate() {
        let ours = wsflow(&corpus, size);
        let enc = megabytes_per_second(ours.bytes_in, ours.encode_secs);
        let dec = megabytes_per_second(ours.bytes_in, ours.decode_secs);
        let pct = 100.0 * ours.bytes_out as f64 / ours.bytes_in.max(1) as f64;
        let theirs = peer.as_ref().and_then(|figures| figures.get(index));
        match theirs {
            Some(theirs) if theirs.messages == ours.messages => {
                let peer_enc = megabytes_per_second(theirs.bytes_in, theirs.encode_secs);
                let peer_dec = megabytes_per_second(theirs.bytes_in, theirs.decode_secs);
                let peer_pct = 100.0 * theirs.bytes_out as f64 / theirs.bytes_in.max(1) as f64;
                println!(
                    "{size:>8} {:>6} | {enc:>9.1} {dec:>9.1} {pct:>6.1}% | {peer_enc:>9.1} {peer_dec:>9.1} {peer_pct:>6.1}% | {:>7.2}x {:>7.2}x",
                    ours.messages,
                    enc / peer_enc,
                    dec / peer_dec
                );
            }
            _ => println!(
                "{size:>8} {:>6} | {enc:>9.1} {dec:>9.1} {pct:>6.1}% |",
                ours.messages
            ),
        }
    }
}
