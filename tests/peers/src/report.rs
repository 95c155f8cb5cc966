//! The tables (on the terminal and as Markdown) and the SVG bar charts.

use std::fmt::Write as _;
use std::path::Path;

use peers_native::{Measurement, Seconds};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// What one peer measured for one program, summarised.
pub struct Stats {
    /// Loading (and compiling) the program, where the peer has that step.
    pub load: Option<Seconds>,
    /// The median time per call of `run`.
    pub median: Seconds,
    /// The fastest sample.
    pub min: Seconds,
    /// The slowest sample.
    pub max: Seconds,
}

impl Stats {
    /// Summarises the measurements of all rounds (`None` if there are no samples): the
    /// samples pooled, and the median load time.
    pub fn new(measurements: &[Measurement]) -> Option<Stats> {
        let mut samples: Vec<Seconds> = measurements.iter().flat_map(|m| m.samples.iter().copied()).collect();
        samples.sort_by(f64::total_cmp);
        let mut loads: Vec<Seconds> = measurements.iter().filter_map(|m| m.load).collect();
        loads.sort_by(f64::total_cmp);
        Some(Stats {
            load: loads.get(loads.len() / 2).copied(),
            median: *samples.get(samples.len() / 2)?,
            min: *samples.first()?,
            max: *samples.last()?,
        })
    }
}

/// One row: a peer, and its figures or why it has none.
pub struct Row {
    /// The peer's name.
    pub peer: String,
    /// The figures, or the reason the peer did not run the program (or got a result
    /// other than the native one).
    pub outcome: Result<Stats, String>,
}

/// The table of one program, with the two references the ratios divide by.
pub struct Table {
    /// The program's name.
    pub program: &'static str,
    /// One row per peer, in peer order.
    pub rows: Vec<Row>,
    /// The native x86-64 median.
    pub native: Option<Seconds>,
    /// Our interpreter's median (Latest64).
    pub ours_interpreter: Option<Seconds>,
}

/// The column headers, in order.
const HEADERS: [&str; 6] = ["peer", "load/compile", "run (median)", "spread (min - max)", "x native", "x ours int"];

impl Table {
    /// Each row's cells (the reason spans the columns after the name where a peer has
    /// no figures).
    fn cells(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|row| match &row.outcome {
                Ok(stats) => vec![
                    row.peer.clone(),
                    stats.load.map_or_else(|| "-".into(), format_time),
                    format_time(stats.median),
                    format!("{} - {}", format_time(stats.min), format_time(stats.max)),
                    ratio(stats.median, self.native),
                    ratio(stats.median, self.ours_interpreter),
                ],
                Err(reason) => vec![row.peer.clone(), format!("does not run: {reason}")],
            })
            .collect()
    }

    /// The table as aligned text.
    pub fn text(&self) -> String {
        let cells = self.cells();
        let mut widths = HEADERS.map(str::len);
        for row in cells.iter().filter(|row| row.len() == HEADERS.len()) {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let mut text = format!("{}\n", self.program);
        let line = |cells: &[String]| {
            let mut line = String::new();
            for (index, cell) in cells.iter().enumerate() {
                let width = widths[index];
                if index == 0 {
                    let _ = write!(line, "{cell:<width$}");
                } else if cells.len() == HEADERS.len() {
                    let _ = write!(line, "  {cell:>width$}");
                } else {
                    let _ = write!(line, "  {cell}");
                }
            }
            line.trim_end().to_string() + "\n"
        };
        text += &line(&HEADERS.map(String::from));
        for row in &cells {
            text += &line(row);
        }
        text
    }

    /// The table in Markdown.
    pub fn markdown(&self) -> String {
        let mut text = format!("| {} |\n|{}\n", HEADERS.join(" | "), " --- |".repeat(HEADERS.len()));
        for mut row in self.cells() {
            if row.len() < HEADERS.len() {
                row.resize(HEADERS.len(), String::new());
            }
            let _ = writeln!(text, "| {} |", row.join(" | ").replace("| |", "|  |"));
        }
        text
    }

    /// A horizontal bar chart of the medians, log scale, as an SVG file.
    pub fn chart(&self, path: &Path) -> Result<(), String> {
        let bars: Vec<(&str, Seconds)> = self
            .rows
            .iter()
            .filter_map(|row| row.outcome.as_ref().ok().map(|stats| (row.peer.as_str(), stats.median)))
            .collect();
        if bars.is_empty() {
            return Err("no peer ran the program".into());
        }
        let fastest = bars.iter().map(|&(_, time)| time).fold(f64::INFINITY, f64::min);
        let slowest = bars.iter().map(|&(_, time)| time).fold(0.0, f64::max);
        // Whole decades around the figures, so that the axis labels are round numbers.
        let low = 10f64.powf(fastest.log10().floor());
        // Room to the right of the slowest bar for its label.
        let high = 10f64.powf((slowest.log10() + 0.6).ceil()).max(low * 10.0);
        let height = 90 + 28 * u32::try_from(bars.len()).unwrap_or(u32::MAX);
        let root = SVGBackend::new(path, (900, height)).into_drawing_area();
        let error = |error: &dyn std::fmt::Display| format!("cannot draw {}: {error}", path.display());
        root.fill(&WHITE).map_err(|e| error(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{}: median time per call of run (log scale; shorter is faster)", self.program),
                ("sans-serif", 16),
            )
            .margin(10)
            .margin_right(40)
            .x_label_area_size(40)
            .y_label_area_size(250)
            .build_cartesian_2d((low..high).log_scale(), (0..bars.len() - 1).into_segmented())
            .map_err(|e| error(&e))?;
        // Row 0 at the top: the segments count upwards from the bottom (a segmented
        // `0..n` has the `n + 1` segments `0..=n`).
        let segment = |index: usize| bars.len() - 1 - index;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("time per call of run")
            .x_label_formatter(&|&seconds| format_axis_time(seconds))
            .y_label_formatter(&|value| match value {
                SegmentValue::CenterOf(position) | SegmentValue::Exact(position) if *position < bars.len() => {
                    bars[segment(*position)].0.to_string()
                }
                _ => String::new(),
            })
            .y_labels(bars.len())
            .draw()
            .map_err(|e| error(&e))?;
        chart
            .draw_series(bars.iter().enumerate().map(|(index, &(name, median))| {
                let position = segment(index);
                let mut bar = Rectangle::new(
                    [(low, SegmentValue::Exact(position)), (median, SegmentValue::Exact(position + 1))],
                    family_colour(name).filled(),
                );
                bar.set_margin(4, 4, 0, 0);
                bar
            }))
            .map_err(|e| error(&e))?;
        chart
            .draw_series(bars.iter().enumerate().map(|(index, &(_, median))| {
                Text::new(
                    format!(" {}", format_time(median)),
                    (median, SegmentValue::CenterOf(segment(index))),
                    TextStyle::from(("sans-serif", 12).into_font()).pos(Pos::new(HPos::Left, VPos::Center)),
                )
            }))
            .map_err(|e| error(&e))?;
        root.present().map_err(|e| error(&e))
    }
}

/// One table for all programs: per peer, each program's median and its ratio to native
/// x86-64; then, once per reason, why a peer did not run a program.
pub fn summary_markdown(tables: &[Table]) -> String {
    let Some(first) = tables.first() else { return String::new() };
    let mut text = format!(
        "| peer | {} |\n|{}\n",
        tables.iter().map(|table| table.program).collect::<Vec<_>>().join(" | "),
        " --- |".repeat(tables.len() + 1)
    );
    let mut reasons: Vec<String> = Vec::new();
    for (index, row) in first.rows.iter().enumerate() {
        let cells: Vec<String> = tables
            .iter()
            .map(|table| match &table.rows[index].outcome {
                Ok(stats) => format!("{} ({})", format_time(stats.median), ratio(stats.median, table.native)),
                Err(reason) => {
                    let number = reasons.iter().position(|known| known == reason).unwrap_or_else(|| {
                        reasons.push(reason.clone());
                        reasons.len() - 1
                    });
                    format!("does not run [{}]", number + 1)
                }
            })
            .collect();
        let _ = writeln!(text, "| {} | {} |", row.peer, cells.join(" | "));
    }
    for (number, reason) in reasons.iter().enumerate() {
        let _ = write!(text, "\n[{}] {reason}\n", number + 1);
    }
    text
}

/// The bar colour of a peer's family: ours, polkavm, native, the other VMs.
fn family_colour(peer: &str) -> RGBColor {
    if peer.starts_with("ours") {
        RGBColor(31, 119, 180)
    } else if peer.starts_with("polkavm") {
        RGBColor(255, 127, 14)
    } else if peer.starts_with("native") {
        RGBColor(127, 127, 127)
    } else {
        RGBColor(44, 160, 44)
    }
}

/// An axis label: whole decades, so no decimals.
fn format_axis_time(seconds: Seconds) -> String {
    let (value, unit) = if seconds >= 1.0 {
        (seconds, "s")
    } else if seconds >= 1e-3 {
        (seconds * 1e3, "ms")
    } else if seconds >= 1e-6 {
        (seconds * 1e6, "µs")
    } else {
        (seconds * 1e9, "ns")
    };
    format!("{value:.0} {unit}")
}

/// `time / reference`, as a ratio cell (`-` without a reference).
fn ratio(time: Seconds, reference: Option<Seconds>) -> String {
    reference.map_or_else(|| "-".into(), |reference| format!("{:.2}x", time / reference))
}

/// A time with a unit that keeps three or four significant digits.
pub fn format_time(seconds: Seconds) -> String {
    if seconds >= 1.0 {
        format!("{seconds:.2} s")
    } else if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else if seconds >= 1e-6 {
        format!("{:.2} µs", seconds * 1e6)
    } else {
        format!("{:.1} ns", seconds * 1e9)
    }
}
