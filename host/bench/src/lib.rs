//! Siteward's benchmark suite: each figure beside what a user would pick instead, measured in
//! the same run on the same machine, and written to `BENCHMARKS.md`.
//!
//! - [`permissions`]: the permission index against Cedar (`cedar-policy`) on one fixed-seed
//!   world, asked the same questions, which both must answer alike;
//! - [`http`]: the `/v1/check` endpoint against a bare axum handler under `wrk`;
//! - [`plugins`]: a WebAssembly renderer against the host's native renderer;
//! - [`storage`]: bulk invitations through the product against a raw SurrealQL batch of the
//!   same rows on `surrealkv://`, and email delivery to a local SMTP server;
//! - [`console`]: console pages against the JSON endpoints that list the same rows;
//! - [`scaling`]: the requests that read a partner's members, at 100 to 100,000 members;
//! - [`start`]: a host starting on a database of 100,000 and 1,000,000 assignments;
//! - [`shared`]: the check endpoint on a SurrealDB server (`ws://`) beside the embedded engine.
//!
//! Nothing here asserts a speed: a missed target is reported with by how much. What fails a
//! run is a wrong answer — the engines disagreeing, a request failing, an email missing.

pub mod cedar;
pub mod console;
pub mod host;
pub mod http;
pub mod permissions;
pub mod plugins;
pub mod report;
pub mod scaling;
pub mod shared;
pub mod start;
pub mod storage;
pub mod world;

use std::time::Instant;

use report::{Report, Section};
use world::Size;

/// How much work each part does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Effort {
    /// Repeated runs of each figure (min / median / max are over these).
    pub rounds: usize,
    /// Questions asked of Siteward's index per round (and all checked for agreement).
    pub questions: usize,
    /// Of those, how many Cedar is timed on one by one per round.
    pub cedar_questions: usize,
    /// Technicians whose accessible sites are listed per round.
    pub lists: usize,
    /// Seconds of load per `wrk` run of the console figures.
    pub http_seconds: u32,
    /// `wrk` runs per server for the check endpoint against bare axum, the two servers' runs
    /// alternating: many short pairs rather than a few long ones, so that the two runs of a
    /// pair share the machine's conditions and a burst of other load spoils one pair, not
    /// the median.
    pub check_runs: usize,
    /// Seconds of load per such run.
    pub check_seconds: u32,
    /// Calls per plugin figure per round.
    pub plugin_calls: usize,
    /// Invitations in the bulk comparison (in requests of 1,000).
    pub invitations: usize,
    /// Emails delivered to the SMTP server.
    pub emails: usize,
    /// Sites (and technicians, at ten sites each) of the console pages' partner.
    pub console_sites: u64,
    /// The partners' sizes (members) the scaling table compares, smallest first.
    pub scaling_members: &'static [u64],
    /// Requests of each kind per size in the scaling table.
    pub scaling_requests: usize,
    /// The databases a host starts on, as sites (with as many technicians, ten assignments
    /// each).
    pub start_sites: &'static [u64],
    /// Checks per round and host in the shared-storage figures.
    pub shared_checks: usize,
}

impl Effort {
    /// The full run: figures worth publishing.
    pub const FULL: Self = Self {
        rounds: 5,
        questions: 200_000,
        cedar_questions: 20_000,
        lists: 200,
        http_seconds: 10,
        check_runs: 25,
        check_seconds: 2,
        plugin_calls: 20_000,
        invitations: 10_000,
        emails: 1_000,
        console_sites: 10_000,
        scaling_members: &[100, 10_000, 100_000],
        scaling_requests: 21,
        start_sites: &[10_000, 100_000],
        shared_checks: 20_000,
    };

    /// The smoke run CI makes: everything runs and every answer is checked, briefly.
    pub const SMOKE: Self = Self {
        rounds: 1,
        questions: 5_000,
        cedar_questions: 2_000,
        lists: 10,
        http_seconds: 1,
        check_runs: 1,
        check_seconds: 1,
        plugin_calls: 200,
        invitations: 2_000,
        emails: 50,
        console_sites: 200,
        scaling_members: &[100, 1_000],
        scaling_requests: 2,
        start_sites: &[100],
        shared_checks: 320,
    };
}

/// A part of the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Permission checks against Cedar.
    Permissions,
    /// The HTTP check endpoint against bare axum.
    Http,
    /// Plugin rendering against native rendering.
    Plugins,
    /// Bulk invitations against raw SurrealQL, and email delivery.
    Storage,
    /// Console pages against the JSON endpoints that list the same rows.
    Console,
    /// The requests that read a partner's members, at 100 to 100,000 members.
    Scaling,
    /// Starting on a large database.
    Start,
    /// The check endpoint on a SurrealDB server beside the embedded engine.
    Shared,
}

impl Part {
    /// Every part, in the order the suite runs them.
    pub const ALL: [Self; 8] = [
        Self::Permissions,
        Self::Http,
        Self::Plugins,
        Self::Storage,
        Self::Console,
        Self::Scaling,
        Self::Start,
        Self::Shared,
    ];

    /// The part named `name` (`permissions`, `http`, `plugins`, `storage`).
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Permissions => "permissions",
            Self::Http => "http",
            Self::Plugins => "plugins",
            Self::Storage => "storage",
            Self::Console => "console",
            Self::Scaling => "scaling",
            Self::Start => "start",
            Self::Shared => "shared",
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The parts to run.
    pub parts: Vec<Part>,
    /// The world sizes for the permission comparison.
    pub sizes: Vec<Size>,
    /// How much work.
    pub effort: Effort,
    /// Where the plugins' sources are (`plugins/`).
    pub plugins_dir: std::path::PathBuf,
}

impl Options {
    /// The smoke run: the small size, briefly.
    pub fn smoke() -> Self {
        Self {
            parts: Part::ALL.to_vec(),
            sizes: vec![Size::SMALL],
            effort: Effort::SMOKE,
            plugins_dir: default_plugins_dir(),
        }
    }
}

/// The workspace's `plugins/` folder.
pub fn default_plugins_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins")
}

/// One piece of work: a part, at a size for the permission comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// The part.
    pub part: Part,
    /// The world size (permission checks only).
    pub size: Option<Size>,
}

impl Step {
    /// The steps `options` asks for, in order.
    pub fn all(options: &Options) -> Vec<Self> {
        let mut steps = Vec::new();
        for part in Part::ALL.into_iter().filter(|p| options.parts.contains(p)) {
            if part == Part::Permissions {
                steps.extend(options.sizes.iter().map(|s| Self {
                    part,
                    size: Some(*s),
                }));
            } else {
                steps.push(Self { part, size: None });
            }
        }
        steps
    }

    /// What it is called on the command line (`permissions:small`, `http`).
    pub fn name(self) -> String {
        match self.size {
            Some(size) => format!("{}:{}", self.part.name(), size.name),
            None => self.part.name().to_owned(),
        }
    }

    /// The step named `name`.
    pub fn named(name: &str) -> Option<Self> {
        let (part, size) = match name.split_once(':') {
            Some((part, size)) => (part, Some(size)),
            None => (name, None),
        };
        let part = Part::named(part)?;
        let size = match size {
            None => None,
            Some(size) => Some(
                [Size::SMALL, Size::LARGE]
                    .into_iter()
                    .find(|s| s.name == size)?,
            ),
        };
        (size.is_some() == (part == Part::Permissions)).then_some(Self { part, size })
    }

    /// Runs the step here, in this process.
    pub fn run(self, options: &Options) -> anyhow::Result<Vec<Section>> {
        Ok(match (self.part, self.size) {
            (Part::Permissions, Some(size)) => vec![permissions::run(size, options.effort)?],
            (Part::Permissions, None) => anyhow::bail!("permission checks need a size"),
            (Part::Http, _) => vec![http::run(options.effort)?],
            (Part::Plugins, _) => vec![plugins::run(&options.plugins_dir, options.effort)?],
            (Part::Storage, _) => storage::run(options.effort)?,
            (Part::Console, _) => vec![console::run(options.effort)?],
            (Part::Scaling, _) => vec![scaling::run(options.effort)?],
            (Part::Start, _) => vec![start::run(options.effort)?],
            (Part::Shared, _) => vec![shared::run(options.effort)?],
        })
    }
}

/// Runs the suite, each step by `step` (in this process, or in a child of its own);
/// `progress` hears each step as it starts.
pub fn run_with(
    options: &Options,
    mut progress: impl FnMut(&str),
    mut step: impl FnMut(Step) -> anyhow::Result<Vec<Section>>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut report = Report {
        header: machine(),
        sections: Vec::new(),
    };
    report.header.push(format!(
        "Effort: {} rounds; {} questions per size; `wrk` {} s per console run, {} pairs of {} s \
         runs for the check endpoint.",
        options.effort.rounds,
        report::thousands(options.effort.questions as f64),
        options.effort.http_seconds,
        options.effort.check_runs,
        options.effort.check_seconds
    ));
    for s in Step::all(options) {
        progress(&s.name());
        report.sections.extend(step(s)?);
    }
    report
        .header
        .push(format!("Whole run: {:.0?}.", started.elapsed()));
    Ok(report)
}

/// Runs the suite in this process.
pub fn run(options: &Options, progress: impl FnMut(&str)) -> anyhow::Result<Report> {
    run_with(options, progress, |step| step.run(options))
}

/// The machine and the versions measured.
fn machine() -> Vec<String> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or("unknown".to_owned(), |kib| {
            format!("{:.0} GiB", kib as f64 / (1 << 20) as f64)
        });
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let rustc = std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let profile = if cfg!(debug_assertions) {
        "debug build (figures are not representative)"
    } else {
        "release build"
    };
    vec![
        format!("Machine: {cores} cores ({cpu}), {memory} memory; {profile}; {rustc}."),
        format!(
            "Versions: siteward {}; {}.",
            env!("CARGO_PKG_VERSION"),
            [
                "cedar-policy",
                "wasmtime",
                "surrealdb",
                "axum",
                "tokio",
                "lettre"
            ]
            .map(|name| format!("{name} {}", locked_version(name)))
            .join(", ")
        ),
    ]
}

/// The version of `name` in the workspace's `Cargo.lock`.
pub(crate) fn locked_version(name: &str) -> String {
    let lock = include_str!("../../../Cargo.lock");
    let needle = format!("name = \"{name}\"\nversion = \"");
    lock.find(&needle)
        .and_then(|at| lock[at + needle.len()..].split('"').next())
        .unwrap_or("?")
        .to_owned()
}
