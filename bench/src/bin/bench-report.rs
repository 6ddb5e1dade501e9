//! The echo benchmark's report, from the results file `bench/run.sh` writes (one line per
//! run: `server case msgs/s srv-us/msg srv-cpu gen-cpu waited`).
//!
//! ```text
//! bench-report table  --results FILE [--servers "A B"] [--cases "X Y"] [--peers "P Q"]
//! bench-report charts --results FILE --out DIR [--text FILE] [--context LINE]... [same lists]
//! ```
//!
//! `table` prints the table; `charts` writes the SVG charts and an `index.html` showing them
//! under the text of `--text` (the printed report) into `DIR`. The lists give the order of
//! servers and cases (default: as they first appear in the results) and which servers are
//! peers (default: tokio-tungstenite, fastwebsockets, tokio-websockets).

use std::path::PathBuf;
use std::process::ExitCode;

use wsflow_bench::report::{self, Matrix, charts};

const USAGE: &str = "usage: bench-report table|charts --results FILE [--out DIR] [--text FILE] \
                     [--context LINE]... [--servers LIST] [--cases LIST] [--peers LIST]";

#[derive(Debug, Default)]
struct Args {
    mode: String,
    results: Option<PathBuf>,
    out: Option<PathBuf>,
    text: Option<PathBuf>,
    context: Vec<String>,
    servers: Vec<String>,
    cases: Vec<String>,
    peers: Option<Vec<String>>,
}

/// A list given with spaces or commas.
fn list(value: &str) -> Vec<String> {
    value
        .split([' ', ','])
        .filter(|name| !name.is_empty())
        .map(str::to_owned)
        .collect()
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args {
        mode: args.next().ok_or(USAGE)?,
        ..Args::default()
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--results" => parsed.results = Some(value()?.into()),
            "--out" => parsed.out = Some(value()?.into()),
            "--text" => parsed.text = Some(value()?.into()),
            "--context" => parsed.context.push(value()?),
            "--servers" => parsed.servers = list(&value()?),
            "--cases" => parsed.cases = list(&value()?),
            "--peers" => parsed.peers = Some(list(&value()?)),
            _ => return Err(format!("unknown argument {flag}\n{USAGE}")),
        }
    }
    Ok(parsed)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let path = args.results.ok_or(USAGE)?;
    let read = |path: &PathBuf| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let runs = report::parse(&read(&path)?)?;
    let peers = args
        .peers
        .unwrap_or_else(|| list("tokio-tungstenite fastwebsockets tokio-websockets"));
    let matrix = Matrix::new(&runs, &args.servers, &args.cases, &peers);
    match args.mode.as_str() {
        "table" => print!("{}", report::table(&matrix)),
        "charts" => {
            let out = args.out.ok_or("charts needs --out DIR")?;
            let text = match &args.text {
                Some(path) => read(path)?,
                None => report::table(&matrix),
            };
            let written = charts::write_all(&out, &matrix, &text, &args.context)
                .map_err(|e| format!("cannot write the charts into {}: {e}", out.display()))?;
            eprintln!("charts: {} files in {}", written.len(), out.display());
        }
        _ => return Err(USAGE.to_owned()),
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench-report: {message}");
            ExitCode::FAILURE
        }
    }
}
