//! Figures over repeated runs, targets beside them, and the Markdown report.

use std::fmt::Write as _;
use std::time::Duration;

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Unit {
    /// A duration, stored in seconds.
    Time,
    /// Things per second.
    PerSecond,
    /// Bytes.
    Bytes,
    /// A plain ratio (`×`).
    Times,
    /// A share (stored as a fraction, shown as a percentage).
    Share,
}

/// A target a figure is held to, judged on its median.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// At most this much.
    AtMost(f64),
    /// At least this much.
    AtLeast(f64),
}

/// One figure: its value in each run.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Figure {
    /// What it is.
    pub name: String,
    /// Its unit.
    pub unit: Unit,
    /// The value of each run.
    pub runs: Vec<f64>,
    /// The target, if the issue names one.
    pub target: Option<Target>,
}

impl Figure {
    /// A figure without a target.
    pub fn new(name: impl Into<String>, unit: Unit, runs: Vec<f64>) -> Self {
        assert!(!runs.is_empty(), "a figure needs at least one run");
        Self {
            name: name.into(),
            unit,
            runs,
            target: None,
        }
    }

    /// A figure of durations.
    pub fn times(name: impl Into<String>, runs: &[Duration]) -> Self {
        Self::new(
            name,
            Unit::Time,
            runs.iter().map(Duration::as_secs_f64).collect(),
        )
    }

    /// The same figure, held to `target`.
    #[must_use]
    pub fn target(mut self, target: Target) -> Self {
        self.target = Some(target);
        self
    }

    fn sorted(&self) -> Vec<f64> {
        let mut runs = self.runs.clone();
        runs.sort_by(f64::total_cmp);
        runs
    }

    /// The smallest run.
    pub fn min(&self) -> f64 {
        self.sorted()[0]
    }

    /// The median run.
    pub fn median(&self) -> f64 {
        let sorted = self.sorted();
        sorted[sorted.len() / 2]
    }

    /// The largest run.
    pub fn max(&self) -> f64 {
        self.sorted()[self.runs.len() - 1]
    }

    /// How the median stands against the target: `met`, or by how much it missed.
    pub fn verdict(&self) -> Option<String> {
        let median = self.median();
        self.target.map(|target| match target {
            Target::AtMost(limit) if median <= limit => "met".to_owned(),
            Target::AtLeast(floor) if median >= floor => "met".to_owned(),
            Target::AtMost(limit) => {
                format!("**missed** by {:.0}%", (median / limit - 1.0) * 100.0)
            }
            Target::AtLeast(floor) => {
                format!("**missed** by {:.0}%", (1.0 - median / floor) * 100.0)
            }
        })
    }

    /// The target, for people: `≤ 1.00 µs`.
    pub fn target_text(&self) -> String {
        match self.target {
            Some(Target::AtMost(v)) => format!("≤ {}", self.show(v)),
            Some(Target::AtLeast(v)) => format!("≥ {}", self.show(v)),
            None => String::new(),
        }
    }

    /// A value in this figure's unit, for people.
    pub fn show(&self, value: f64) -> String {
        show(self.unit, value)
    }
}

/// A value in `unit`, for people.
pub fn show(unit: Unit, value: f64) -> String {
    match unit {
        Unit::Time if value >= 1.0 => format!("{value:.2} s"),
        Unit::Time if value >= 1e-3 => format!("{:.2} ms", value * 1e3),
        Unit::Time if value >= 1e-6 => format!("{:.2} µs", value * 1e6),
        Unit::Time => format!("{:.0} ns", value * 1e9),
        Unit::PerSecond => format!("{} /s", thousands(value)),
        Unit::Bytes if value >= 10.0 * 1024.0 * 1024.0 => {
            format!("{} MiB", thousands(value / (1024.0 * 1024.0)))
        }
        Unit::Bytes => format!("{} B", thousands(value)),
        Unit::Times if value >= 100.0 => format!("{}×", thousands(value)),
        Unit::Times => format!("{value:.1}×"),
        Unit::Share => format!("{:.0}%", value * 100.0),
    }
}

/// A whole number with thousands separated: `1,234,567`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 { format!("-{out}") } else { out }
}

/// A part of the report: a heading, what was measured, the figures.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Section {
    /// The heading.
    pub title: String,
    /// Paragraphs before the table.
    pub notes: Vec<String>,
    /// The figures.
    pub figures: Vec<Figure>,
}

impl Section {
    /// An empty section.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            ..Self::default()
        }
    }

    /// Adds a paragraph.
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    /// Adds a figure.
    pub fn add(&mut self, figure: Figure) {
        self.figures.push(figure);
    }

    fn markdown(&self, out: &mut String) {
        let _ = writeln!(out, "## {}\n", self.title);
        for note in &self.notes {
            let _ = writeln!(out, "{note}\n");
        }
        if self.figures.is_empty() {
            return;
        }
        let _ = writeln!(out, "| figure | min | median | max | target | |");
        let _ = writeln!(out, "|---|---:|---:|---:|---|---|");
        for f in &self.figures {
            let target = f.target_text();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {target} | {} |",
                f.name,
                f.show(f.min()),
                f.show(f.median()),
                f.show(f.max()),
                f.verdict().unwrap_or_default()
            );
        }
        out.push('\n');
    }
}

/// The whole report.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Lines about the machine and the versions.
    pub header: Vec<String>,
    /// The parts.
    pub sections: Vec<Section>,
}

impl Report {
    /// Every figure that has a target, with its section.
    pub fn targets(&self) -> impl Iterator<Item = (&Section, &Figure)> {
        self.sections
            .iter()
            .flat_map(|s| s.figures.iter().map(move |f| (s, f)))
            .filter(|(_, f)| f.target.is_some())
    }

    /// The report as Markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::from("# Benchmarks\n\n");
        out.push_str(
            "Written by `siteward-bench` (see README, *Benchmarks*). Each step (a part, at a \
             size) runs in a process of its own; every figure is over repeated rounds within it: \
             min, median and max of the rounds; a target is judged on the median.\n\n",
        );
        for line in &self.header {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
        let _ = writeln!(out, "## Targets\n");
        let _ = writeln!(out, "| section | figure | median | target | |");
        let _ = writeln!(out, "|---|---|---:|---|---|");
        for (section, f) in self.targets() {
            let target = f.target_text();
            let _ = writeln!(
                out,
                "| {} | {} | {} | {target} | {} |",
                section.title,
                f.name,
                f.show(f.median()),
                f.verdict().unwrap_or_default()
            );
        }
        out.push('\n');
        for section in &self.sections {
            section.markdown(&mut out);
        }
        out
    }
}

/// The value at quantile `q` of sorted samples.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let last = sorted.len() - 1;
    sorted[((last as f64 * q).round() as usize).min(last)]
}

/// Resident memory of this process, from `/proc/self/statm` (0 where there is none).
pub fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_say_by_how_much_a_target_was_missed() {
        let met =
            Figure::new("x", Unit::Time, vec![0.9e-6, 1.0e-6, 3.0e-6]).target(Target::AtMost(1e-6));
        assert_eq!(met.verdict().as_deref(), Some("met"));
        let missed = Figure::new("x", Unit::PerSecond, vec![6_000.0, 7_000.0, 9_000.0])
            .target(Target::AtLeast(10_000.0));
        assert_eq!(missed.verdict().as_deref(), Some("**missed** by 30%"));
        assert_eq!(show(Unit::PerSecond, 1_234_567.0), "1,234,567 /s");
        assert_eq!(show(Unit::Time, 31.1e-6), "31.10 µs");
        assert_eq!(show(Unit::Bytes, 1_391.0), "1,391 B");
        assert_eq!(show(Unit::Bytes, 555.0 * 1024.0 * 1024.0), "555 MiB");
    }
}
