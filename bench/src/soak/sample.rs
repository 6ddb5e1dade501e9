//! Samples of the process over a soak run (RSS, open file descriptors, open connections,
//! echoes so far), the verdict on memory growth, and the chart (SVG) and table (CSV).

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::Tally;
use crate::svg::{Anchor, Svg};

/// One reading.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    /// Seconds since the run started.
    pub secs: f64,
    /// Resident set size of the whole process (server and clients), KiB.
    pub rss_kib: u64,
    /// Open file descriptors of the process.
    pub fds: usize,
    /// Client connections open.
    pub client_open: usize,
    /// Server connections open.
    pub server_open: usize,
    /// Echoes checked so far.
    pub echoed: u64,
}

/// Samples the process every `every` on a thread of its own until [`Sampler::finish`].
#[derive(Debug)]
pub struct Sampler {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Sample>>,
}

impl Sampler {
    /// Starts sampling now.
    pub fn start(tally: Arc<Tally>, every: Duration) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut samples = Vec::new();
            loop {
                samples.push(Sample {
                    secs: started.elapsed().as_secs_f64(),
                    rss_kib: rss_kib(),
                    fds: open_fds(),
                    client_open: tally.client_open.load(Ordering::Relaxed),
                    server_open: tally.server_open.load(Ordering::Relaxed),
                    echoed: Tally::get(&tally.echoed),
                });
                if flag.load(Ordering::Relaxed) {
                    return samples;
                }
                std::thread::sleep(every);
            }
        });
        Sampler { stop, thread }
    }

    /// Stops sampling (after one last sample) and returns the samples.
    pub fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap_or_default()
    }
}

/// VmRSS of this process from `/proc/self/status`, KiB (0 where there is no procfs).
fn rss_kib() -> u64 {
    crate::cpu::process_rss_kib(None).unwrap_or(0)
}

/// Entries of `/proc/self/fd` (0 where there is no procfs).
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
}

/// The judgement on memory: RSS in the first quarter after the warm-up against RSS in the
/// last quarter of the load (medians, so one allocation burst does not decide).
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    /// Median RSS in the first quarter of the judged window, KiB.
    pub early_kib: u64,
    /// Median RSS in the last quarter of the judged window, KiB.
    pub late_kib: u64,
    /// Highest RSS seen, KiB.
    pub peak_kib: u64,
    /// Whether `late` stays within `early` + 10 % + 8 MiB.
    pub steady: bool,
}

/// Judges the samples taken between `warmup` and `load_end` seconds.
pub fn judge(samples: &[Sample], warmup: f64, load_end: f64) -> Verdict {
    let window: Vec<u64> = samples
        .iter()
        .filter(|s| s.secs >= warmup && s.secs <= load_end)
        .map(|s| s.rss_kib)
        .collect();
    let quarter = (window.len() / 4).max(1);
    let median = |part: &[u64]| {
        let mut part = part.to_vec();
        part.sort_unstable();
        part.get(part.len() / 2).copied().unwrap_or(0)
    };
    let early_kib = median(window.get(..quarter.min(window.len())).unwrap_or_default());
    let late_kib = median(
        window
            .get(window.len().saturating_sub(quarter)..)
            .unwrap_or_default(),
    );
    let peak_kib = samples.iter().map(|s| s.rss_kib).max().unwrap_or(0);
    let allowed = early_kib + early_kib / 10 + 8 * 1024;
    Verdict {
        early_kib,
        late_kib,
        peak_kib,
        steady: window.len() >= 4 && late_kib <= allowed,
    }
}

/// The samples as CSV, one row each.
pub fn csv(samples: &[Sample]) -> String {
    let mut out = String::from("secs,rss_kib,fds,client_open,server_open,echoed\n");
    for s in samples {
        let _ = writeln!(
            out,
            "{:.1},{},{},{},{},{}",
            s.secs, s.rss_kib, s.fds, s.client_open, s.server_open, s.echoed
        );
    }
    out
}

/// A chart of RSS (MiB, left scale) and of open fds and connections (right scale) over
/// time, with the end of the warm-up and of the load marked.
#[allow(clippy::cast_precision_loss)]
pub fn svg(title: &str, samples: &[Sample], warmup: f64, load_end: f64) -> String {
    const W: f64 = 900.0;
    const H: f64 = 420.0;
    const LEFT: f64 = 70.0;
    const RIGHT: f64 = 70.0;
    const TOP: f64 = 40.0;
    const BOTTOM: f64 = 50.0;
    let (plot_w, plot_h) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let t_max = samples.last().map_or(1.0, |s| s.secs).max(1.0);
    let rss_max =
        (samples.iter().map(|s| s.rss_kib).max().unwrap_or(1) as f64 / 1024.0).max(1.0) * 1.1;
    let count_max = samples
        .iter()
        .map(|s| s.fds.max(s.client_open).max(s.server_open))
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.1;
    let x = |t: f64| LEFT + t / t_max * plot_w;
    let y_rss = |kib: u64| TOP + plot_h - (kib as f64 / 1024.0) / rss_max * plot_h;
    let y_count = |n: usize| TOP + plot_h - n as f64 / count_max * plot_h;
    let mut chart = Svg::new(W, H);
    chart.text(LEFT, 22.0, Anchor::Start, "font-size=\"15\"", title);
    chart.rect(
        (LEFT, TOP),
        (plot_w, plot_h),
        "fill=\"none\" stroke=\"#888\"",
    );
    for (mark, label) in [(warmup, "warm-up ends"), (load_end, "load ends")] {
        let mx = x(mark.min(t_max));
        chart.line(
            (mx, TOP),
            (mx, TOP + plot_h),
            "stroke=\"#bbb\" stroke-dasharray=\"4 4\"",
        );
        chart.text(mx + 4.0, TOP + 14.0, Anchor::Start, "fill=\"#777\"", label);
    }
    for i in 0..=4 {
        let frac = f64::from(i) / 4.0;
        let py = TOP + plot_h - frac * plot_h;
        let rss_tick = format!("{:.0} MiB", frac * rss_max);
        chart.text(LEFT - 6.0, py, Anchor::End, "fill=\"#c0392b\"", &rss_tick);
        let count_tick = format!("{:.0}", frac * count_max);
        chart.text(
            W - RIGHT + 6.0,
            py,
            Anchor::Start,
            "fill=\"#2c3e50\"",
            &count_tick,
        );
        let time_tick = format!("{:.0} s", frac * t_max);
        chart.text(
            LEFT + frac * plot_w,
            TOP + plot_h + 18.0,
            Anchor::Middle,
            "",
            &time_tick,
        );
    }
    chart.polyline(
        samples.iter().map(|s| (x(s.secs), y_rss(s.rss_kib))),
        "#c0392b",
    );
    chart.polyline(
        samples.iter().map(|s| (x(s.secs), y_count(s.fds))),
        "#2c3e50",
    );
    chart.polyline(
        samples.iter().map(|s| (x(s.secs), y_count(s.server_open))),
        "#27ae60",
    );
    chart.spans(
        LEFT,
        H - 12.0,
        &[
            ("#c0392b", "RSS (MiB, left)  "),
            ("#2c3e50", "open fds (right)  "),
            ("#27ae60", "server connections open (right)"),
        ],
    );
    chart.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(secs: f64, rss_kib: u64, fds: usize) -> Sample {
        Sample {
            secs,
            rss_kib,
            fds,
            client_open: fds / 2,
            server_open: fds / 2,
            echoed: 0,
        }
    }

    #[test]
    fn the_chart_draws_each_series_through_every_sample_under_an_escaped_title() {
        let samples = [
            sample(0.0, 1024, 10),
            sample(5.0, 2048, 40),
            sample(10.0, 1024, 20),
        ];
        let chart = svg("soak <tokio> & more", &samples, 2.0, 8.0);
        assert!(chart.contains("soak &lt;tokio&gt; &amp; more"), "{chart}");
        let lines: Vec<&str> = chart
            .lines()
            .filter(|l| l.starts_with("<polyline"))
            .collect();
        assert_eq!(lines.len(), 3, "{chart}");
        for line in lines {
            assert_eq!(line.matches(',').count(), samples.len(), "{line}");
        }
        // 1 MiB, 2 MiB, 1 MiB over 10 s on a scale to 2.2 MiB, plotted 760 × 330 from (70, 40).
        assert!(
            chart.contains("stroke=\"#c0392b\" stroke-width=\"1.5\" points=\"70.0,220.0 450.0,70.0 830.0,220.0\""),
            "{chart}"
        );
    }
}
