//! Tests of the report: the table against the output of the awk script it replaced, and the
//! charts' scaling, escaping and handling of missing or degenerate figures.

use super::bars::{self, Bar, Figure, Group, Panel};
use super::charts;
use super::*;

/// Three runs each of a few servers on two of run.sh's cases, as run.sh records them.
const RESULTS: &str = "\
wsflow-tokio 1x16B 50000 3.100 0.400 0.300 0.350
fastwebsockets 1x16B 45000 3.500 0.420 0.300 0.050
raw-tcp 1x16B 90000 - - - -
wsflow-smol 1x16B 40000 3.300 0.390 0.950 0.020
wsflow-tokio 10x64KiB 3000 120.500 0.800 0.400 0.000
fastwebsockets 10x64KiB 2500 140.000 0.700 0.600 0.020
raw-tcp 10x64KiB 9000 - - - -
wsflow-tokio 1x16B 52000 3.000 0.410 0.300 0.300
fastwebsockets 1x16B 44000 3.400 0.430 0.310 0.060
raw-tcp 1x16B 91000 - - - -
wsflow-smol 1x16B 41000 3.200 0.400 0.940 0.030
wsflow-tokio 10x64KiB 3100 119.000 0.810 0.410 0.010
fastwebsockets 10x64KiB 2600 139.000 0.720 0.590 0.030
raw-tcp 10x64KiB 9100 - - - -
wsflow-tokio 1x16B 51000 3.050 0.405 0.300 0.320
fastwebsockets 1x16B 46000 3.450 0.425 0.305 0.055
raw-tcp 1x16B 89000 - - - -
wsflow-smol 1x16B 39000 3.250 0.395 0.945 0.025
wsflow-tokio 10x64KiB 2900 121.000 0.790 0.405 0.005
fastwebsockets 10x64KiB 2550 141.000 0.710 0.620 0.025
raw-tcp 10x64KiB 9050 - - - -
";

/// What run.sh's awk script printed for [`RESULTS`] with the servers, cases and peers of
/// [`matrix`] (a case without runs and a wsflow server without runs included).
const AWK_TABLE: &str = "\
case         server                   msgs/s    vs peer   vs raw srv us/msg srv CPU gen CPU  waited
1x16B        wsflow-tokio              51000      1.13x    0.57x       3.05    0.41    0.30    0.32 +
1x16B        wsflow-smol               40000      0.89x    0.44x       3.25    0.40    0.94    0.03 *
1x16B        fastwebsockets            45000      1.00x    0.50x       3.45    0.42    0.30    0.06
1x16B        raw-tcp                   90000      2.00x    1.00x          -       -       -       -


10x64KiB     wsflow-tokio               3000      1.18x    0.33x     120.50    0.80    0.41    0.01
10x64KiB     fastwebsockets             2550      1.00x    0.28x     140.00    0.71    0.60    0.03
10x64KiB     raw-tcp                    9050      3.55x    1.00x          -       -       -       -

* generator-bound: this ratio understates the server (generator CPU >= 0.90, or >= 0.50 and 0.25 above the server)
+ the machine was busy: server or generator waited for its CPU >= 10 % of the window; msgs/s and ratios there are uncertain, us/msg less so
generator-bound cases: 1 of 7; cases on a busy machine: 1 of 7

runtime comparison (wsflow, ratio to wsflow-tokio):
case               wsflow-tokio        wsflow-smol   wsflow-async-std
1x16B             51000 (1.00x)      40000 (0.78x)          0 (    -)
100x16B               0 (    -)          0 (    -)          0 (    -)
10x64KiB           3000 (1.00x)          0 (    -)          0 (    -)
";

fn names(list: &str) -> Vec<String> {
    list.split_whitespace().map(str::to_owned).collect()
}

fn matrix() -> Matrix {
    Matrix::new(
        &parse(RESULTS).expect("the results read"),
        &names(
            "wsflow-tokio wsflow-smol wsflow-async-std fastwebsockets tokio-tungstenite raw-tcp",
        ),
        &names("1x16B 100x16B 10x64KiB"),
        &names("tokio-tungstenite fastwebsockets tokio-websockets"),
    )
}

/// The `width` attributes of the bars of an SVG, in order.
fn bar_widths(svg: &str) -> Vec<f64> {
    svg.lines()
        .filter(|line| line.contains("class=\"bar\""))
        .map(|line| {
            let width = line.split("width=\"").nth(1).expect("a width");
            width[..width.find('"').expect("closed")]
                .parse()
                .expect("a number")
        })
        .collect()
}

fn bar(label: &str, value: Option<f64>, range: Option<(f64, f64)>) -> Bar {
    Bar {
        label: label.to_owned(),
        value,
        range,
        family: Family::Wsflow,
        shade: 0,
        note: String::new(),
    }
}

fn figure(bars: Vec<Bar>, reference: Option<f64>) -> Figure {
    Figure {
        title: "t".to_owned(),
        context: Vec::new(),
        panels: vec![Panel {
            heading: None,
            axis: "a".to_owned(),
            reference,
            groups: vec![Group {
                heading: None,
                bars,
            }],
        }],
        legend: Vec::new(),
    }
}

#[test]
fn the_table_is_the_one_the_awk_script_printed() {
    assert_eq!(table(&matrix()), AWK_TABLE);
}

#[test]
fn results_lines_read_with_missing_figures_and_bad_lines_are_named() {
    let runs = parse("a c 10 - 0.5\n\nb c 20 1.5 0.1 0.2 0.3\n").expect("reads");
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].server_us_per_msg, None);
    assert_eq!(runs[0].server_cpu, Some(0.5));
    assert_eq!(runs[0].waited, None);
    assert_eq!(runs[1].waited, Some(0.3));
    let error = parse("a c 10\nb c fast\n").expect_err("msgs/s must be a number");
    assert!(error.contains("line 2"), "{error}");
    assert!(parse("only-two fields\n").is_err());
}

#[test]
fn spreads_take_the_lower_middle_and_skip_non_finite_figures() {
    let spread = Spread::of([4.0, 1.0, f64::NAN, 3.0, 2.0]).expect("some figures");
    assert_eq!((spread.median, spread.min, spread.max), (2.0, 1.0, 4.0));
    assert_eq!(Spread::of([f64::NAN]), None);
    assert_eq!(Spread::of([]), None);
}

#[test]
fn bar_lengths_are_proportional_to_the_figures() {
    let svg = bars::render(&figure(
        vec![
            bar("a", Some(100.0), None),
            bar("b", Some(50.0), None),
            bar("c", Some(0.0), None),
        ],
        None,
    ));
    let widths = bar_widths(&svg);
    assert_eq!(widths.len(), 3, "{svg}");
    assert!((widths[0] - 2.0 * widths[1]).abs() < 0.2, "{widths:?}");
    assert!(widths[2].abs() < f64::EPSILON, "{widths:?}");
}

#[test]
fn whiskers_are_drawn_only_where_the_runs_differ() {
    let with = bars::render(&figure(vec![bar("a", Some(5.0), Some((4.0, 6.0)))], None));
    assert_eq!(with.matches("class=\"whisker\"").count(), 3, "{with}");
    let without = bars::render(&figure(vec![bar("a", Some(5.0), Some((5.0, 5.0)))], None));
    assert!(!without.contains("whisker"), "{without}");
}

#[test]
fn missing_zero_and_non_finite_figures_draw_without_nan() {
    let svg = bars::render(&figure(
        vec![
            bar("none", None, None),
            bar("nan", Some(f64::NAN), Some((f64::NAN, f64::INFINITY))),
            bar("inf", Some(f64::INFINITY), None),
            bar("zero", Some(0.0), Some((0.0, 0.0))),
        ],
        Some(f64::NAN),
    ));
    assert!(!svg.contains("NaN") && !svg.contains("inf\""), "{svg}");
    assert_eq!(bar_widths(&svg), vec![0.0], "{svg}");
    assert_eq!(svg.matches("no result").count(), 3, "{svg}");
}

#[test]
fn names_from_the_results_are_escaped() {
    let runs = parse("wsflow-<b>&\"x\" c<1> 100 1.0 - - -\n").expect("reads");
    let matrix = Matrix::new(&runs, &[], &[], &[]);
    let svg = bars::render(&charts::case_chart(&matrix, "c<1>", &["a & b".to_owned()]));
    assert!(svg.contains("wsflow-&lt;b&gt;&amp;&quot;x&quot;"), "{svg}");
    assert!(
        svg.contains("case c&lt;1&gt;") && svg.contains("a &amp; b"),
        "{svg}"
    );
    assert!(!svg.contains("<b>") && !svg.contains("<1>"), "{svg}");
}

#[test]
fn wsflow_bars_carry_their_ratio_to_the_best_peer() {
    let figure = charts::case_chart(&matrix(), "1x16B", &[]);
    let bars = &figure.panels[0].groups[0].bars;
    let labels: Vec<&str> = bars.iter().map(|bar| bar.label.as_str()).collect();
    assert_eq!(
        labels,
        ["wsflow-tokio", "wsflow-smol", "fastwebsockets", "raw-tcp"]
    );
    assert_eq!(bars[0].note, "51,000  (1.13x best peer) +");
    assert_eq!(bars[1].note, "40,000  (0.89x best peer) *");
    assert_eq!(bars[2].note, "45,000");
    assert_eq!(bars[0].range, Some((50_000.0, 52_000.0)));
    assert_eq!(
        [bars[0].family, bars[2].family, bars[3].family],
        [Family::Wsflow, Family::Peer, Family::RawTcp]
    );
    assert_ne!(
        bars::colour(bars[0].family, bars[0].shade),
        bars::colour(bars[1].family, bars[1].shade)
    );
}

#[test]
fn the_runtime_comparison_divides_by_wsflow_tokio() {
    let figure = charts::runtime_chart(&matrix(), &[]).expect("wsflow servers ran");
    let groups = &figure.panels[0].groups;
    assert_eq!(groups.len(), 3);
    let smol = &groups[0].bars[1];
    assert_eq!(smol.label, "wsflow-smol");
    assert!((smol.value.expect("a ratio") - 40_000.0 / 51_000.0).abs() < 1e-9);
    assert!(smol.note.starts_with("0.78x  (40,000/s)"), "{}", smol.note);
    // A case nobody ran and a runtime that did not run on a case are told, not drawn.
    assert_eq!(groups[1].bars[0].value, None);
    assert_eq!(groups[2].bars[1].note, "no result");
    // wsflow-async-std never ran: it has no bars at all.
    assert_eq!(groups[0].bars.len(), 2);
}

#[test]
fn the_cpu_chart_has_a_panel_per_measured_case() {
    let figure = charts::cpu_chart(&matrix(), &[]).expect("µs/msg was measured");
    let headings: Vec<_> = figure.panels.iter().map(|p| p.heading.as_deref()).collect();
    assert_eq!(headings, [Some("1x16B"), Some("10x64KiB")]);
    // raw-tcp reports no server CPU here, so it has no bar.
    assert_eq!(figure.panels[1].groups[0].bars.len(), 2);
    assert_eq!(figure.panels[1].groups[0].bars[0].note, "120.50 µs");
}

#[test]
fn empty_results_give_the_bare_table_and_an_index_without_charts() {
    let matrix = Matrix::new(&[], &[], &[], &[]);
    assert!(table(&matrix).starts_with("case "));
    assert!(charts::runtime_chart(&matrix, &[]).is_none());
    assert!(charts::cpu_chart(&matrix, &[]).is_none());
    let dir = std::env::temp_dir().join(format!("wsflow-report-empty-{}", std::process::id()));
    let written = charts::write_all(&dir, &matrix, "no runs", &[]).expect("writes");
    assert_eq!(written, ["index.html"]);
    let html = std::fs::read_to_string(dir.join("index.html")).expect("index");
    assert!(html.contains("<pre>no runs</pre>"), "{html}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn write_all_writes_every_chart_and_replaces_stale_case_charts() {
    let dir = std::env::temp_dir().join(format!("wsflow-report-all-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("msgs-9-old.svg"), "stale").expect("stale chart");
    let written = charts::write_all(&dir, &matrix(), "the <table>", &[]).expect("writes");
    assert_eq!(
        written,
        [
            "msgs-1-1x16B.svg",
            "msgs-2-100x16B.svg",
            "msgs-3-10x64KiB.svg",
            "runtimes.svg",
            "cpu.svg",
            "index.html"
        ]
    );
    assert!(!dir.join("msgs-9-old.svg").exists());
    let html = std::fs::read_to_string(dir.join("index.html")).expect("index");
    assert!(
        html.contains("the &lt;table&gt;") && html.contains("src=\"cpu.svg\""),
        "{html}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
