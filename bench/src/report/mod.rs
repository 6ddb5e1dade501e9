//! The echo benchmark's report: `run.sh` records one line per run in a results file, and
//! `bench-report` turns them into the printed table ([`table`]) and into charts
//! ([`charts`], drawn by [`bars`]). Both read the same [`Matrix`], so a median, a ratio or a
//! flag is worked out in one place.
//!
//! A results line is `server case msgs/s srv-us/msg srv-cpu gen-cpu waited`, the last four
//! `-` where not measured.

pub mod bars;
pub mod charts;

use std::collections::HashMap;
use std::fmt::Write as _;

/// One run of one server on one case.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Server name, as `bench-server --list` prints it.
    pub server: String,
    /// Case name (`1x16B`, …).
    pub case: String,
    /// Echoed messages per second in the counted window.
    pub msgs_per_sec: f64,
    /// Server CPU µs per echoed message.
    pub server_us_per_msg: Option<f64>,
    /// Share of its core the server used.
    pub server_cpu: Option<f64>,
    /// Share of its core the generator used.
    pub gen_cpu: Option<f64>,
    /// The larger share of the window the server or the generator waited for its CPU.
    pub waited: Option<f64>,
}

/// The runs of a results file; blank lines are skipped, any other line that does not read
/// is an error naming it.
pub fn parse(text: &str) -> Result<Vec<Run>, String> {
    let optional = |field: Option<&str>, line: usize| match field {
        None | Some("-") => Ok(None),
        Some(value) => value
            .parse::<f64>()
            .map(Some)
            .map_err(|_| format!("results line {line}: {value:?} is not a number")),
    };
    let mut runs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let mut fields = line.split_whitespace();
        let (Some(server), Some(case), Some(rate)) = (fields.next(), fields.next(), fields.next())
        else {
            if line.trim().is_empty() {
                continue;
            }
            return Err(format!(
                "results line {number}: fewer than three fields: {line:?}"
            ));
        };
        let msgs_per_sec = rate
            .parse::<f64>()
            .map_err(|_| format!("results line {number}: msgs/s {rate:?} is not a number"))?;
        runs.push(Run {
            server: server.to_owned(),
            case: case.to_owned(),
            msgs_per_sec,
            server_us_per_msg: optional(fields.next(), number)?,
            server_cpu: optional(fields.next(), number)?,
            gen_cpu: optional(fields.next(), number)?,
            waited: optional(fields.next(), number)?,
        });
    }
    Ok(runs)
}

/// The median (of an even count the lower of the middle two, as the table always had) and
/// the extremes of some runs' figures; `None` for no figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Middle value.
    pub median: f64,
    /// Lowest value.
    pub min: f64,
    /// Highest value.
    pub max: f64,
}

impl Spread {
    /// The spread of `values`, ignoring non-finite ones.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Spread> {
        let mut sorted: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        Some(Spread {
            median: *sorted.get((sorted.len().checked_sub(1)?) / 2)?,
            min: *sorted.first()?,
            max: *sorted.last()?,
        })
    }
}

/// All runs of one server on one case, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    /// Messages per second.
    pub msgs_per_sec: Spread,
    /// Median server CPU µs per message.
    pub server_us_per_msg: Option<f64>,
    /// Median share of its core the server used.
    pub server_cpu: Option<f64>,
    /// Median share of its core the generator used.
    pub gen_cpu: Option<f64>,
    /// Median share of the window spent waiting for a CPU.
    pub waited: Option<f64>,
}

impl Cell {
    /// Whether the generator was the bottleneck ([`generator_bound`]).
    pub fn generator_bound(&self) -> bool {
        generator_bound(self.gen_cpu, self.server_cpu)
    }

    /// Whether the machine was busy ([`machine_busy`]).
    pub fn busy(&self) -> bool {
        machine_busy(self.waited)
    }
}

/// Whether the generator was the bottleneck, from the shares of their cores the generator
/// and the server used: the generator used (nearly) all of its core, ≥ 0.9, or clearly more
/// of it than the server did of its own, ≥ 0.5 and 0.25 above, so the server was waiting
/// for work and a ratio understates it.
pub fn generator_bound(gen_share: Option<f64>, server_share: Option<f64>) -> bool {
    gen_share.is_some_and(|g| g >= 0.9 || server_share.is_some_and(|s| g >= 0.5 && g >= s + 0.25))
}

/// Whether the machine was busy: a side waited for its CPU a tenth of the window or more
/// (other load), so msgs/s is uncertain there, µs per message much less so.
pub fn machine_busy(waited_share: Option<f64>) -> bool {
    waited_share.is_some_and(|w| w >= 0.1)
}

/// What a server is, for the comparisons and the colours of the charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// wsflow on one of its runtimes (`wsflow-…`).
    Wsflow,
    /// Another WebSocket library, measured against wsflow.
    Peer,
    /// The raw TCP echo, the ceiling.
    RawTcp,
    /// Anything else in the results.
    Other,
}

/// Name of the raw TCP echo server.
pub const RAW_TCP: &str = "raw-tcp";
/// The wsflow server the runtime comparison divides by.
pub const BASELINE: &str = "wsflow-tokio";

/// The runs summarised per server and case, with the servers and cases in the order the
/// report shows them.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// Servers in order (those without runs are skipped where rows are listed).
    pub servers: Vec<String>,
    /// Cases in order.
    pub cases: Vec<String>,
    /// Names of the peers (the other libraries).
    pub peers: Vec<String>,
    cells: HashMap<(String, String), Cell>,
}

impl Matrix {
    /// Summarises `runs`. Empty `servers` or `cases` mean the order of first appearance in
    /// `runs`; a server or case of `runs` missing from a given order is appended.
    pub fn new(runs: &[Run], servers: &[String], cases: &[String], peers: &[String]) -> Matrix {
        let mut servers = servers.to_vec();
        let mut cases = cases.to_vec();
        let mut grouped: HashMap<(String, String), Vec<&Run>> = HashMap::new();
        for run in runs {
            if !servers.contains(&run.server) {
                servers.push(run.server.clone());
            }
            if !cases.contains(&run.case) {
                cases.push(run.case.clone());
            }
            grouped
                .entry((run.server.clone(), run.case.clone()))
                .or_default()
                .push(run);
        }
        let median = |runs: &[&Run], field: fn(&Run) -> Option<f64>| {
            Spread::of(runs.iter().filter_map(|run| field(run))).map(|s| s.median)
        };
        let cells = grouped
            .into_iter()
            .filter_map(|(key, runs)| {
                let cell = Cell {
                    msgs_per_sec: Spread::of(runs.iter().map(|run| run.msgs_per_sec))?,
                    server_us_per_msg: median(&runs, |run| run.server_us_per_msg),
                    server_cpu: median(&runs, |run| run.server_cpu),
                    gen_cpu: median(&runs, |run| run.gen_cpu),
                    waited: median(&runs, |run| run.waited),
                };
                Some((key, cell))
            })
            .collect();
        Matrix {
            servers,
            cases,
            peers: peers.to_vec(),
            cells,
        }
    }

    /// The summary of `server` on `case`, if it ran.
    pub fn cell(&self, server: &str, case: &str) -> Option<&Cell> {
        self.cells.get(&(server.to_owned(), case.to_owned()))
    }

    /// Median msgs/s of `server` on `case`, if it ran.
    pub fn rate(&self, server: &str, case: &str) -> Option<f64> {
        self.cell(server, case).map(|cell| cell.msgs_per_sec.median)
    }

    /// The highest median msgs/s of any peer on `case`, if a peer ran and echoed anything.
    pub fn best_peer(&self, case: &str) -> Option<f64> {
        self.peers
            .iter()
            .filter_map(|peer| self.rate(peer, case))
            .filter(|rate| *rate > 0.0)
            .max_by(f64::total_cmp)
    }

    /// What `server` is.
    pub fn family(&self, server: &str) -> Family {
        if server.starts_with("wsflow") {
            Family::Wsflow
        } else if server == RAW_TCP {
            Family::RawTcp
        } else if self.peers.iter().any(|peer| peer == server) {
            Family::Peer
        } else {
            Family::Other
        }
    }

    /// The wsflow servers, in order.
    pub fn wsflow_servers(&self) -> impl Iterator<Item = &str> {
        self.servers
            .iter()
            .map(String::as_str)
            .filter(|server| self.family(server) == Family::Wsflow)
    }
}

/// `x / y` where both are there and `y` is positive.
pub fn ratio(x: Option<f64>, y: Option<f64>) -> Option<f64> {
    match (x, y) {
        (Some(x), Some(y)) if y > 0.0 => Some(x / y),
        _ => None,
    }
}

/// A ratio as the table prints it (`1.23x`, `-` where there is none).
pub fn format_ratio(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"))
}

/// The table `run.sh` prints: msgs/s, ratios and CPU per server and case with the flags
/// explained under it, then the runtime comparison.
pub fn table(matrix: &Matrix) -> String {
    let num = |value: Option<f64>| value.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
    let mut out = format!(
        "{:<12} {:<18} {:>12} {:>10} {:>8} {:>10} {:>7} {:>7} {:>7}\n",
        "case",
        "server",
        "msgs/s",
        "vs peer",
        "vs raw",
        "srv us/msg",
        "srv CPU",
        "gen CPU",
        "waited"
    );
    let (mut rows, mut bound, mut busy) = (0, 0, 0);
    for case in &matrix.cases {
        let best = matrix.best_peer(case);
        let raw = matrix.rate(RAW_TCP, case);
        for server in &matrix.servers {
            let Some(cell) = matrix.cell(server, case) else {
                continue;
            };
            rows += 1;
            let mut mark = String::new();
            if cell.generator_bound() {
                mark += " *";
                bound += 1;
            }
            if cell.busy() {
                mark += " +";
                busy += 1;
            }
            let rate = Some(cell.msgs_per_sec.median);
            let _ = writeln!(
                out,
                "{case:<12} {server:<18} {:>12} {:>10} {:>8} {:>10} {:>7} {:>7} {:>7}{mark}",
                cell.msgs_per_sec.median as i64,
                format_ratio(ratio(rate, best)),
                format_ratio(ratio(rate, raw)),
                num(cell.server_us_per_msg),
                num(cell.server_cpu),
                num(cell.gen_cpu),
                num(cell.waited),
            );
        }
        out.push('\n');
    }
    if bound > 0 {
        out += "* generator-bound: this ratio understates the server (generator CPU >= 0.90, or >= 0.50 and 0.25 above the server)\n";
    }
    if busy > 0 {
        out += "+ the machine was busy: server or generator waited for its CPU >= 10 % of the window; msgs/s and ratios there are uncertain, us/msg less so\n";
    }
    let _ = writeln!(
        out,
        "generator-bound cases: {bound} of {rows}; cases on a busy machine: {busy} of {rows}\n"
    );
    let _ = writeln!(out, "runtime comparison (wsflow, ratio to {BASELINE}):");
    let _ = write!(out, "{:<12}", "case");
    for server in matrix.wsflow_servers() {
        let _ = write!(out, " {server:>18}");
    }
    out.push('\n');
    for case in &matrix.cases {
        let _ = write!(out, "{case:<12}");
        let base = matrix.rate(BASELINE, case);
        for server in matrix.wsflow_servers() {
            let rate = matrix.rate(server, case);
            let _ = write!(
                out,
                " {:>10} ({:>5})",
                rate.unwrap_or(0.0) as i64,
                format_ratio(ratio(rate, base))
            );
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
