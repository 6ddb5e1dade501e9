//! The echo benchmark's charts: per case, msgs/s of every server (wsflow in blues, peers in
//! oranges, raw TCP in grey; the whisker spans the lowest to the highest run; wsflow bars
//! carry their ratio to the best peer); the runtime comparison (each wsflow runtime's msgs/s
//! as a multiple of wsflow-tokio's, per case); and the server's CPU µs per message per case.
//! All are horizontal bar charts ([`super::bars`]), and an `index.html` shows them under
//! the printed report.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::bars::{Bar, Figure, Group, Panel, colour, render, thousands};
use super::{BASELINE, Family, Matrix, format_ratio, ratio};
use crate::svg;

/// The place of `server` among the servers of its family, for its shade.
fn shade(matrix: &Matrix, server: &str) -> usize {
    let family = matrix.family(server);
    matrix
        .servers
        .iter()
        .take_while(|other| *other != server)
        .filter(|other| matrix.family(other) == family)
        .count()
}

/// ` *` and ` +` after a figure whose run was generator-bound or on a busy machine.
fn flags(matrix: &Matrix, server: &str, case: &str) -> String {
    let cell = matrix.cell(server, case);
    let mut out = String::new();
    if cell.is_some_and(super::Cell::generator_bound) {
        out += " *";
    }
    if cell.is_some_and(super::Cell::busy) {
        out += " +";
    }
    out
}

/// The legend of the charts that mix families: one swatch each, and the flags where a bar
/// carries one.
fn families_legend(flagged: bool) -> Vec<(&'static str, String)> {
    let mut legend = vec![
        (colour(Family::Wsflow, 1), "■ wsflow   ".to_owned()),
        (colour(Family::Peer, 1), "■ peers   ".to_owned()),
        (colour(Family::RawTcp, 0), "■ raw TCP   ".to_owned()),
        ("#333", "whisker: lowest to highest run".to_owned()),
    ];
    if flagged {
        legend.push(("#333", FLAGS_LEGEND.to_owned()));
    }
    legend
}

/// The legend's explanation of [`flags`].
const FLAGS_LEGEND: &str = "; * generator-bound, + machine busy (see the table)";

/// msgs/s of every server on `case`, wsflow bars labelled with their ratio to the best peer.
pub fn case_chart(matrix: &Matrix, case: &str, context: &[String]) -> Figure {
    let best = matrix.best_peer(case);
    let mut flagged = false;
    let bars = matrix
        .servers
        .iter()
        .filter_map(|server| {
            let spread = matrix.cell(server, case)?.msgs_per_sec;
            let family = matrix.family(server);
            let mut note = thousands(spread.median);
            if family == Family::Wsflow && best.is_some() {
                let vs_peer = format_ratio(ratio(Some(spread.median), best));
                let _ = write!(note, "  ({vs_peer} best peer)");
            }
            let marks = flags(matrix, server, case);
            flagged |= !marks.is_empty();
            note += &marks;
            Some(Bar {
                label: server.clone(),
                value: Some(spread.median),
                range: Some((spread.min, spread.max)),
                family,
                shade: shade(matrix, server),
                note,
            })
        })
        .collect();
    Figure {
        title: format!("wsflow echo benchmark: case {case}, msgs/s (median)"),
        context: context.to_vec(),
        panels: vec![Panel {
            heading: None,
            axis: "echoed messages per second (higher is better)".to_owned(),
            reference: None,
            groups: vec![Group {
                heading: None,
                bars,
            }],
        }],
        legend: families_legend(flagged),
    }
}

/// Each wsflow runtime's msgs/s as a multiple of wsflow-tokio's, per case; `None` where no
/// wsflow server ran.
pub fn runtime_chart(matrix: &Matrix, context: &[String]) -> Option<Figure> {
    let runtimes: Vec<&str> = matrix
        .wsflow_servers()
        .filter(|server| {
            matrix
                .cases
                .iter()
                .any(|case| matrix.cell(server, case).is_some())
        })
        .collect();
    if runtimes.is_empty() {
        return None;
    }
    let groups = matrix
        .cases
        .iter()
        .map(|case| {
            let base = matrix.rate(BASELINE, case);
            let bars = runtimes
                .iter()
                .map(|server| {
                    let spread = matrix.cell(server, case).map(|cell| cell.msgs_per_sec);
                    let of_base = |v: f64| ratio(Some(v), base);
                    let value = spread.and_then(|s| of_base(s.median));
                    let note = match (spread, value) {
                        (None, _) => "no result".to_owned(),
                        (Some(s), None) => {
                            format!("{}/s; no {BASELINE} result", thousands(s.median))
                        }
                        (Some(s), Some(_)) => format!(
                            "{}  ({}/s){}",
                            format_ratio(value),
                            thousands(s.median),
                            flags(matrix, server, case)
                        ),
                    };
                    Bar {
                        label: (*server).to_owned(),
                        value,
                        range: spread.and_then(|s| Some((of_base(s.min)?, of_base(s.max)?))),
                        family: Family::Wsflow,
                        shade: shade(matrix, server),
                        note,
                    }
                })
                .collect();
            Group {
                heading: Some(case.clone()),
                bars,
            }
        })
        .collect();
    let mut legend = vec![(
        "#333",
        "whisker: lowest to highest run, ÷ the same median".to_owned(),
    )];
    let flagged = (matrix.cases.iter()).any(|case| {
        runtimes
            .iter()
            .any(|server| !flags(matrix, server, case).is_empty())
    });
    if flagged {
        legend.push(("#333", FLAGS_LEGEND.to_owned()));
    }
    Some(Figure {
        title: format!("wsflow runtimes compared: msgs/s as a multiple of {BASELINE}'s"),
        context: context.to_vec(),
        panels: vec![Panel {
            heading: None,
            axis: format!("msgs/s ÷ {BASELINE} msgs/s on the same case (medians; dashed: 1)"),
            reference: Some(1.0),
            groups,
        }],
        legend,
    })
}

/// Server CPU µs per echoed message, one panel (own scale) per case; `None` where it was
/// never measured.
pub fn cpu_chart(matrix: &Matrix, context: &[String]) -> Option<Figure> {
    let panels: Vec<Panel> = matrix
        .cases
        .iter()
        .filter_map(|case| {
            let bars: Vec<Bar> = matrix
                .servers
                .iter()
                .filter_map(|server| {
                    let us = matrix.cell(server, case)?.server_us_per_msg?;
                    Some(Bar {
                        label: server.clone(),
                        value: Some(us),
                        range: None,
                        family: matrix.family(server),
                        shade: shade(matrix, server),
                        note: format!("{us:.2} µs"),
                    })
                })
                .collect();
            (!bars.is_empty()).then(|| Panel {
                heading: Some(case.clone()),
                axis: "server CPU µs per echoed message (lower is better)".to_owned(),
                reference: None,
                groups: vec![Group {
                    heading: None,
                    bars,
                }],
            })
        })
        .collect();
    (!panels.is_empty()).then(|| Figure {
        title: "wsflow echo benchmark: server CPU per message (median)".to_owned(),
        context: context.to_vec(),
        panels,
        legend: families_legend(false).into_iter().take(3).collect(),
    })
}

/// `case` made safe for a file name.
fn file_stem(case: &str) -> String {
    case.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes every chart of `matrix` and an `index.html` showing them under `text` (the printed
/// report) into `dir`, first removing the `msgs-*.svg` of an earlier report there. Returns
/// the names of the files written.
pub fn write_all(
    dir: &Path,
    matrix: &Matrix,
    text: &str,
    context: &[String],
) -> io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("msgs-") && name.ends_with(".svg") {
            std::fs::remove_file(dir.join(&*name))?;
        }
    }
    let mut sections: Vec<(&str, Vec<(String, Figure)>)> = Vec::new();
    let mut per_case = Vec::new();
    for (index, case) in matrix.cases.iter().enumerate() {
        let name = format!("msgs-{}-{}.svg", index + 1, file_stem(case));
        per_case.push((name, case_chart(matrix, case, context)));
    }
    sections.push(("msgs/s per case", per_case));
    if let Some(figure) = runtime_chart(matrix, context) {
        sections.push((
            "Runtime comparison",
            vec![("runtimes.svg".to_owned(), figure)],
        ));
    }
    if let Some(figure) = cpu_chart(matrix, context) {
        sections.push((
            "Server CPU per message",
            vec![("cpu.svg".to_owned(), figure)],
        ));
    }
    let mut written = Vec::new();
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>wsflow echo benchmark</title>\n<style>body { font-family: sans-serif; \
         max-width: 960px; margin: 1em auto; } pre { font-size: 12px; overflow-x: auto; \
         background: #f6f6f6; padding: 8px; } img { display: block; max-width: 100%; \
         margin-bottom: 1.5em; }</style>\n</head>\n<body>\n<h1>wsflow echo benchmark</h1>\n",
    );
    let _ = writeln!(html, "<pre>{}</pre>", svg::escape(text.trim_end()));
    for (heading, charts) in &sections {
        let _ = writeln!(html, "<h2>{}</h2>", svg::escape(heading));
        for (name, figure) in charts {
            std::fs::write(dir.join(name), render(figure))?;
            let _ = writeln!(
                html,
                "<img src=\"{}\" alt=\"{}\">",
                svg::escape(name),
                svg::escape(&figure.title)
            );
            written.push(name.clone());
        }
    }
    html += "</body>\n</html>\n";
    std::fs::write(dir.join("index.html"), html)?;
    written.push("index.html".to_owned());
    Ok(written)
}
