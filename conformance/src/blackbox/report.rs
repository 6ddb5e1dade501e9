//! What a black-box run prints: one line per script, a summary line, and JSON for tools.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::suite::{ScriptResult, Selection};

/// Everything a finished run reports.
#[derive(Debug)]
pub struct Report<'a> {
    /// `server` or `client`: the role of the endpoint under test.
    pub mode: &'a str,
    /// The scripts, sorted.
    pub selection: &'a Selection,
    /// One result per applicable script.
    pub results: &'a [ScriptResult],
}

impl Report<'_> {
    /// Whether every run passed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(|r| r.failures.is_empty())
    }

    /// How many scripts are not applicable for each reason (a script counts under its first).
    fn reasons(&self) -> BTreeMap<String, usize> {
        let mut reasons = BTreeMap::new();
        for (_, needs) in &self.selection.not_applicable {
            if let Some(first) = needs.first() {
                *reasons.entry(first.name().to_owned()).or_default() += 1;
            }
        }
        reasons
    }
}

/// The line of one script: `pass PATH (N runs)` or `FAIL PATH [chunking] first difference`.
pub fn line(result: &ScriptResult) -> String {
    let path = result.path.display();
    match result.failures.first() {
        None => format!("pass {path} ({} chunkings)", result.chunkings.len()),
        Some((chunking, message)) => {
            let chunkings: Vec<String> = result
                .failures
                .iter()
                .map(|(chunking, _)| chunking.to_string())
                .collect();
            format!(
                "FAIL {path} [{chunking}; fails under {}] {message}",
                chunkings.join(", ")
            )
        }
    }
}

/// The summary line.
pub fn summary(report: &Report<'_>) -> String {
    let selection = report.selection;
    let runs: usize = report.results.iter().map(|r| r.chunkings.len()).sum();
    let failed_runs: usize = report.results.iter().map(|r| r.failures.len()).sum();
    let failed = report
        .results
        .iter()
        .filter(|r| !r.failures.is_empty())
        .count();
    let reasons: Vec<String> = report
        .reasons()
        .iter()
        .map(|(name, count)| format!("{count} {name}"))
        .collect();
    format!(
        "wsflow-conformance {}: {} of {} scripts apply to a black-box echo {} ({runs} runs): {} passed, {failed} failed ({failed_runs} runs); not applicable: {}; {} scripts test only the other role",
        report.mode,
        selection.applicable.len(),
        selection.total,
        report.mode,
        report.results.len() - failed,
        if reasons.is_empty() {
            "none".to_owned()
        } else {
            reasons.join(", ")
        },
        selection.other_role,
    )
}

/// A JSON string literal.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The whole report as JSON: counts, then one object per script (applicable or not).
pub fn json(report: &Report<'_>) -> String {
    let mut scripts = Vec::new();
    for result in report.results {
        let script = report
            .selection
            .applicable
            .iter()
            .find(|script| script.path == result.path);
        let failures: Vec<String> = result
            .failures
            .iter()
            .map(|(chunking, message)| {
                format!(
                    "{{\"chunking\":{},\"difference\":{}}}",
                    string(&chunking.to_string()),
                    string(message)
                )
            })
            .collect();
        let chunkings: Vec<String> = result
            .chunkings
            .iter()
            .map(|c| string(&c.to_string()))
            .collect();
        scripts.push(format!(
            "{{\"script\":{},\"rfc\":{},\"title\":{},\"result\":{},\"chunkings\":[{}],\"failures\":[{}]}}",
            string(&result.path.to_string_lossy()),
            string(script.map_or("", |s| s.rfc.as_str())),
            string(script.map_or("", |s| s.title.as_str())),
            string(if result.failures.is_empty() { "pass" } else { "fail" }),
            chunkings.join(","),
            failures.join(",")
        ));
    }
    for (script, needs) in &report.selection.not_applicable {
        let needs: Vec<String> = needs.iter().map(|n| string(&n.to_string())).collect();
        scripts.push(format!(
            "{{\"script\":{},\"rfc\":{},\"title\":{},\"result\":\"not-applicable\",\"needs\":[{}]}}",
            string(&script.path.to_string_lossy()),
            string(&script.rfc),
            string(&script.title),
            needs.join(",")
        ));
    }
    let reasons: Vec<String> = report
        .reasons()
        .iter()
        .map(|(name, count)| format!("{}:{count}", string(name)))
        .collect();
    format!(
        "{{\"mode\":{},\"scripts\":{},\"applicable\":{},\"passed\":{},\"failed\":{},\"other_role\":{},\"not_applicable\":{{{}}},\"results\":[\n{}\n]}}\n",
        string(report.mode),
        report.selection.total,
        report.selection.applicable.len(),
        report
            .results
            .iter()
            .filter(|r| r.failures.is_empty())
            .count(),
        report
            .results
            .iter()
            .filter(|r| !r.failures.is_empty())
            .count(),
        report.selection.other_role,
        reasons.join(","),
        scripts.join(",\n")
    )
}
