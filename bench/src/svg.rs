//! The SVG pieces every benchmark chart shares (the soak tool's line chart, the echo
//! benchmark's bar charts): a document on a white background, text with its characters
//! escaped, lines, rectangles and polylines, and round steps for an axis. Plain SVG 1.1 that
//! any browser, `rsvg-convert` or ImageMagick shows.

use std::fmt::Write as _;

/// `text` with the characters XML gives a meaning (`& < > " '`) escaped, for character data
/// and attribute values alike: server and case names reach the charts from a results file.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A coordinate as written: non-finite numbers (a zero divided by zero upstream) become 0,
/// because `NaN` in an attribute makes the whole document invalid.
fn coord(value: f64) -> f64 {
    if value.is_finite() { value } else { 0.0 }
}

/// Horizontal alignment of a text at its `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The text starts at `x`.
    Start,
    /// The text is centred on `x`.
    Middle,
    /// The text ends at `x`.
    End,
}

impl Anchor {
    fn attribute(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// An SVG document being written. Every text content passes through [`escape`]; the
/// `attributes` arguments are the caller's own constants (colours, classes) and go in as they
/// are.
#[derive(Debug)]
pub struct Svg {
    width: f64,
    height: f64,
    out: String,
}

impl Svg {
    /// A `width` × `height` document (pixels), 12 px sans-serif, on a white background.
    pub fn new(width: f64, height: f64) -> Svg {
        Svg {
            width: coord(width),
            height: coord(height),
            out: String::new(),
        }
    }

    /// Changes the height, for a chart that knows how tall it is only once drawn.
    pub fn set_height(&mut self, height: f64) {
        self.height = coord(height);
    }

    /// `content` at (`x`, `y`) (`y` is the baseline).
    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, attributes: &str, content: &str) {
        let _ = writeln!(
            self.out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\" {attributes}>{}</text>",
            coord(x),
            coord(y),
            anchor.attribute(),
            escape(content)
        );
    }

    /// One line of differently coloured pieces (`(colour, text)`), as a legend.
    pub fn spans(&mut self, x: f64, y: f64, pieces: &[(&str, &str)]) {
        // Kept as written: the pieces are spaced with their own blanks.
        let _ = write!(
            self.out,
            "<text x=\"{:.1}\" y=\"{:.1}\" xml:space=\"preserve\">",
            coord(x),
            coord(y)
        );
        for (colour, piece) in pieces {
            let _ = write!(
                self.out,
                "<tspan fill=\"{colour}\">{}</tspan>",
                escape(piece)
            );
        }
        self.out.push_str("</text>\n");
    }

    /// A line from (`x1`, `y1`) to (`x2`, `y2`).
    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), attributes: &str) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" {attributes}/>",
            coord(x1),
            coord(y1),
            coord(x2),
            coord(y2)
        );
    }

    /// A rectangle with its top left corner at (`x`, `y`); a negative size is drawn as 0.
    pub fn rect(&mut self, (x, y): (f64, f64), (width, height): (f64, f64), attributes: &str) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" {attributes}/>",
            coord(x),
            coord(y),
            coord(width).max(0.0),
            coord(height).max(0.0)
        );
    }

    /// An unfilled line through `points`.
    pub fn polyline(&mut self, points: impl IntoIterator<Item = (f64, f64)>, colour: &str) {
        let path: Vec<String> = points
            .into_iter()
            .map(|(x, y)| format!("{:.1},{:.1}", coord(x), coord(y)))
            .collect();
        let _ = writeln!(
            self.out,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{}\"/>",
            path.join(" ")
        );
    }

    /// The finished document.
    pub fn finish(self) -> String {
        let (width, height) = (self.width, self.height);
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
             viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n\
             <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n{}</svg>\n",
            self.out
        )
    }
}

/// A round step (1, 2 or 5 times a power of ten) that divides `0..=max` into at most `ticks`
/// parts; 1 where `max` is not a positive finite number.
pub fn axis_step(max: f64, ticks: u32) -> f64 {
    if !(max.is_finite() && max > 0.0) || ticks == 0 {
        return 1.0;
    }
    let rough = max / f64::from(ticks);
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= rough)
        .unwrap_or(10.0 * power)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_in_text() {
        assert_eq!(
            escape(r#"a<b & "c" 'd'>"#),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;"
        );
        let mut svg = Svg::new(10.0, 10.0);
        svg.text(1.0, 2.0, Anchor::Start, "", "<script>");
        let doc = svg.finish();
        assert!(doc.contains("&lt;script&gt;"), "{doc}");
        assert!(!doc.contains("<script>"), "{doc}");
    }

    #[test]
    fn non_finite_coordinates_are_written_as_zero() {
        let mut svg = Svg::new(f64::NAN, 10.0);
        svg.rect((f64::INFINITY, 1.0), (f64::NAN, -3.0), "");
        svg.line((f64::NAN, 0.0), (1.0, f64::NEG_INFINITY), "");
        svg.polyline([(f64::NAN, 2.0)], "red");
        let doc = svg.finish();
        assert!(!doc.contains("NaN") && !doc.contains("inf"), "{doc}");
        assert!(doc.contains("width=\"0.0\" height=\"0.0\""), "{doc}");
    }

    #[test]
    fn axis_steps_are_round_and_cover_the_range() {
        assert!((axis_step(87_000.0, 5) - 20_000.0).abs() < 1e-9);
        assert!((axis_step(1.0, 5) - 0.2).abs() < 1e-9);
        assert!((axis_step(3.2, 4) - 1.0).abs() < 1e-9);
        assert!((axis_step(0.0, 5) - 1.0).abs() < 1e-9);
        assert!((axis_step(f64::NAN, 5) - 1.0).abs() < 1e-9);
        for max in [0.013, 7.0, 99.0, 101.0, 123_456.0] {
            let step = axis_step(max, 5);
            // At most 5 parts, and never coarser than one 1-2-5 notch above max / 5.
            assert!(
                step * 5.0 >= max && step * 5.0 <= max * 2.5 * 1.000_001,
                "{max} -> {step}"
            );
        }
    }
}
