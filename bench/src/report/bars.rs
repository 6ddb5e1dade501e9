//! Horizontal bar charts as SVG: a [`Figure`] is a title, context lines, [`Panel`]s (each
//! on its own scale, with an optional dashed reference line), [`Group`]s of [`Bar`]s under
//! optional headings, and a legend. A bar may carry the range of its runs as a whisker and a
//! note after it. Drawn with [`crate::svg`]; a missing or non-finite figure draws no bar but
//! says so.

use super::Family;
use crate::svg::{self, Anchor, Svg};

/// One bar: a figure, optionally the range of the runs around it, and the text after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Name on the left of the bar.
    pub label: String,
    /// Length of the bar; `None` (or not finite) draws no bar, only the note.
    pub value: Option<f64>,
    /// Lowest and highest run, drawn as a whisker when they differ.
    pub range: Option<(f64, f64)>,
    /// Colour family.
    pub family: Family,
    /// Which shade of the family (the server's place among its family).
    pub shade: usize,
    /// Text after the bar (the figure, a ratio, flags).
    pub note: String,
}

/// Bars under an optional heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Heading above the bars.
    pub heading: Option<String>,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
}

/// Groups of bars on one scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Heading above the panel.
    pub heading: Option<String>,
    /// What the scale measures, under it.
    pub axis: String,
    /// A value marked with a dashed line across the panel (1.0 for ratios).
    pub reference: Option<f64>,
    /// The groups, top to bottom.
    pub groups: Vec<Group>,
}

/// A chart: title, context lines, panels and a legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Title.
    pub title: String,
    /// Lines under the title (when and how the figures were taken).
    pub context: Vec<String>,
    /// The panels, top to bottom.
    pub panels: Vec<Panel>,
    /// Legend pieces: colour and text.
    pub legend: Vec<(&'static str, String)>,
}

const WIDTH: f64 = 900.0;
/// Bars start here; their labels end just left of it.
const LEFT: f64 = 180.0;
const PLOT_W: f64 = 460.0;
const ROW: f64 = 20.0;
const BAR_H: f64 = 14.0;
/// Height of a group's heading line.
const GROUP_HEADING: f64 = 18.0;

/// The colour of a bar.
pub fn colour(family: Family, shade: usize) -> &'static str {
    const WSFLOW: [&str; 5] = ["#1f4e79", "#2e75b6", "#5b9bd5", "#0b6e99", "#8fb8de"];
    const PEER: [&str; 4] = ["#c55a11", "#ed7d31", "#f4a460", "#a0522d"];
    match family {
        Family::Wsflow => WSFLOW[shade % WSFLOW.len()],
        Family::Peer => PEER[shade % PEER.len()],
        Family::RawTcp => "#7f7f7f",
        Family::Other => "#b4a7d6",
    }
}

/// A finite, non-negative figure, or `None`.
fn drawable(value: Option<f64>) -> Option<f64> {
    value.filter(|v| v.is_finite()).map(|v| v.max(0.0))
}

/// The figure as SVG.
pub fn render(figure: &Figure) -> String {
    let mut chart = Svg::new(WIDTH, 0.0);
    let mut y = 28.0;
    chart.text(20.0, y, Anchor::Start, "font-size=\"16\"", &figure.title);
    for line in &figure.context {
        y += 16.0;
        chart.text(
            20.0,
            y,
            Anchor::Start,
            "font-size=\"11\" fill=\"#555\"",
            line,
        );
    }
    y += 12.0;
    for panel in &figure.panels {
        y = render_panel(&mut chart, panel, y) + 14.0;
    }
    y += 4.0;
    let legend: Vec<(&str, &str)> = figure
        .legend
        .iter()
        .map(|(colour, text)| (*colour, text.as_str()))
        .collect();
    chart.spans(20.0, y, &legend);
    chart.set_height(y + 14.0);
    chart.finish()
}

/// Draws `panel` from `top` down and returns where it ends.
fn render_panel(chart: &mut Svg, panel: &Panel, top: f64) -> f64 {
    let mut y = top;
    if let Some(heading) = &panel.heading {
        y += 16.0;
        chart.text(20.0, y, Anchor::Start, "font-weight=\"bold\"", heading);
        y += 6.0;
    }
    let bars = panel.groups.iter().flat_map(|group| &group.bars);
    let highest = bars
        .flat_map(|bar| [drawable(bar.value), drawable(bar.range.map(|r| r.1))])
        .chain([drawable(panel.reference)])
        .flatten()
        .fold(0.0, f64::max);
    let step = svg::axis_step(highest, 5);
    let axis_max = if highest > 0.0 {
        (highest / step).ceil() * step
    } else {
        step * 5.0
    };
    let x = |value: f64| LEFT + value / axis_max * PLOT_W;
    let plot_top = y;
    let bottom = plot_top
        + panel
            .groups
            .iter()
            .map(|group| {
                let heading = group.heading.as_ref().map_or(0.0, |_| GROUP_HEADING);
                heading + group.bars.iter().map(|_| ROW).sum::<f64>()
            })
            .sum::<f64>();
    // The grid goes under the bars, the reference line over them, the notes over both.
    // axis_max is a positive multiple of step, so the count is positive and small.
    #[allow(clippy::cast_sign_loss)]
    let ticks = (axis_max / step).round() as u32;
    for i in 0..=ticks {
        let value = f64::from(i) * step;
        let gx = x(value);
        chart.line((gx, plot_top), (gx, bottom), "stroke=\"#ddd\"");
        chart.text(
            gx,
            bottom + 13.0,
            Anchor::Middle,
            "fill=\"#555\"",
            &tick(value, step),
        );
    }
    let mut notes = Vec::new();
    for group in &panel.groups {
        if let Some(heading) = &group.heading {
            chart.text(
                LEFT - 8.0,
                y + GROUP_HEADING - 2.0,
                Anchor::End,
                "font-style=\"italic\"",
                heading,
            );
            y += GROUP_HEADING;
        }
        for bar in &group.bars {
            notes.push(render_bar(chart, bar, y, x));
            y += ROW;
        }
    }
    if let Some(reference) = drawable(panel.reference) {
        let rx = x(reference);
        chart.line(
            (rx, plot_top),
            (rx, bottom),
            "stroke=\"#333\" stroke-dasharray=\"4 3\"",
        );
    }
    // A white outline keeps a note readable where a line crosses it.
    let halo = "paint-order=\"stroke\" stroke=\"white\" stroke-width=\"3\"";
    for (nx, ny, colour, note) in notes {
        chart.text(
            nx,
            ny,
            Anchor::Start,
            &format!("fill=\"{colour}\" {halo}"),
            note,
        );
    }
    chart.text(
        LEFT + PLOT_W / 2.0,
        bottom + 27.0,
        Anchor::Middle,
        "fill=\"#333\"",
        &panel.axis,
    );
    bottom + 30.0
}

/// One bar with its label and whisker, in the row starting at `y`; returns where its note
/// goes and what it says (drawn last, over any line).
fn render_bar<'a>(
    chart: &mut Svg,
    bar: &'a Bar,
    y: f64,
    x: impl Fn(f64) -> f64,
) -> (f64, f64, &'static str, &'a str) {
    let middle = y + 3.0 + BAR_H / 2.0;
    chart.text(LEFT - 8.0, middle + 4.0, Anchor::End, "", &bar.label);
    let Some(value) = drawable(bar.value) else {
        let note = if bar.note.is_empty() {
            "no result"
        } else {
            &bar.note
        };
        return (LEFT + 4.0, middle + 4.0, "#999", note);
    };
    let fill = format!("class=\"bar\" fill=\"{}\"", colour(bar.family, bar.shade));
    chart.rect((LEFT, y + 3.0), (x(value) - LEFT, BAR_H), &fill);
    let mut end = x(value);
    if let Some((low, high)) = bar.range
        && let (Some(low), Some(high)) = (drawable(Some(low)), drawable(Some(high)))
        && high > low
    {
        let (lx, hx) = (x(low), x(high));
        let attributes = "class=\"whisker\" stroke=\"#222\"";
        chart.line((lx, middle), (hx, middle), attributes);
        chart.line((lx, middle - 4.0), (lx, middle + 4.0), attributes);
        chart.line((hx, middle - 4.0), (hx, middle + 4.0), attributes);
        end = end.max(hx);
    }
    (end + 6.0, middle + 4.0, "black", &bar.note)
}

/// An axis label with as many decimals as the step needs.
fn tick(value: f64, step: f64) -> String {
    if step >= 1.0 {
        thousands(value)
    } else {
        // A step below 1 has a negative logarithm: the count of decimals is positive.
        #[allow(clippy::cast_sign_loss)]
        let decimals = (-step.log10().floor()) as usize;
        format!("{value:.decimals$}")
    }
}

/// A whole number with thousands separators (`123,456`), `-` for a non-finite one.
pub fn thousands(value: f64) -> String {
    if !value.is_finite() {
        return "-".to_owned();
    }
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    if value.round() < 0.0 {
        out.insert(0, '-');
    }
    out
}
