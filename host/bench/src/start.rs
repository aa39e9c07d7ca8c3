//! What starting costs: a host opening a `surrealkv://` database of 100,000 and 1,000,000 site
//! assignments, and the memory it needs to.
//!
//! Each database is written by a process of its own (a partner's sites, as many technicians,
//! ten assignments each, as rows; see [`crate::console`]), which then exits as a stopped host
//! does, closing the database. Each start is another fresh process that opens it as `serve`
//! does — the store and its migrations, the permission index read from storage, the plugins —
//! and reports how long that took, its peak resident memory (`VmHWM`) and its resident memory a
//! second later. At the first size, a second database is written by a process that exits
//! without closing it, as a crashed host does, and started the same way: the engine replays its
//! write-ahead log first.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::Effort;
use crate::host::Host;
use crate::report::{Figure, Section, Target, Unit, thousands};

/// What one start measured.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Started {
    /// From opening the store to a host ready to serve.
    pub seconds: f64,
    /// The process's peak resident memory by then.
    pub peak_bytes: u64,
    /// Its resident memory a second later.
    pub settled_bytes: u64,
    /// The assignments its permission index holds.
    pub assignments: usize,
}

/// Runs every size in `effort.start_sites` (sites; ten assignments each).
pub fn run(effort: Effort) -> anyhow::Result<Section> {
    let mut section = Section::new("Starting on a large database");
    let mut notes = Vec::new();
    for (n, &sites) in effort.start_sites.iter().enumerate() {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("db");
        let started = Instant::now();
        seed(&db, sites, false)?;
        let seeded = started.elapsed();
        let starts = start_each(&db, sites, effort.rounds)?;
        let size = thousands(starts[0].assignments as f64);
        if n == 0 {
            let crashed = dir.path().join("crashed");
            seed(&crashed, sites, true)?;
            let restarts = start_each(&crashed, sites, effort.rounds)?;
            section.add(Figure::new(
                format!("start after a crash (the log replayed) — {size} assignments"),
                Unit::Time,
                restarts.iter().map(|s| s.seconds).collect(),
            ));
        }
        notes.push(format!(
            "{size} assignments ({} sites and technicians; written in {seeded:.0?}, {} on disk)",
            thousands(sites as f64),
            crate::report::show(Unit::Bytes, folder_bytes(&db) as f64),
        ));
        let each = |f: fn(&Started) -> f64| starts.iter().map(f).collect::<Vec<_>>();
        section.add(Figure::new(
            format!("start — {size} assignments"),
            Unit::Time,
            each(|s| s.seconds),
        ));
        section.add(
            Figure::new(
                format!("start per 100,000 assignments — {size} assignments"),
                Unit::Time,
                each(|s| s.seconds * 100_000.0 / s.assignments.max(1) as f64),
            )
            .target(Target::AtMost(1.0)),
        );
        section.add(Figure::new(
            format!("peak resident memory — {size} assignments"),
            Unit::Bytes,
            each(|s| s.peak_bytes as f64),
        ));
        section.add(Figure::new(
            format!("resident memory a second after start — {size} assignments"),
            Unit::Bytes,
            each(|s| s.settled_bytes as f64),
        ));
        section.add(
            Figure::new(
                format!("peak over settled memory — {size} assignments"),
                Unit::Times,
                each(|s| s.peak_bytes as f64 / s.settled_bytes.max(1) as f64),
            )
            .target(Target::AtMost(1.10)),
        );
    }
    section.note(format!(
        "Databases of {}, each written by a process of its own that then exits as a stopped \
         host does, closing the database (the engine writes its in-memory table to its sorted \
         tables); at the first size another is written by a process that exits without \
         closing it, as a crashed host does, so its starts replay the engine's write-ahead log \
         first. Starts of each: {}, every one a fresh process opening the database as \
         `serve` does (store and migrations, the permission index read a page of 10,000 rows \
         at a time, plugins). Memory is the process's resident set: its peak (`VmHWM`) by the \
         time it is ready, and a second later.",
        notes.join("; "),
        effort.rounds,
    ));
    Ok(section)
}

/// Writes a database of `sites` sites in `db` in a process of its own, which exits as a stopped
/// host does or, with `crash`, without closing the database.
fn seed(db: &Path, sites: u64, crash: bool) -> anyhow::Result<()> {
    let sites = sites.to_string();
    let mut args = vec![
        "--start-db".as_ref(),
        db.as_os_str(),
        "--seed-sites".as_ref(),
        sites.as_ref(),
    ];
    if crash {
        args.push("--crash".as_ref());
    }
    child(&args)?;
    Ok(())
}

/// `rounds` starts on `db`, each a fresh process; checks each holds every assignment.
fn start_each(db: &Path, sites: u64, rounds: usize) -> anyhow::Result<Vec<Started>> {
    let mut starts = Vec::new();
    for _ in 0..rounds {
        let output = child(&["--start-db".as_ref(), db.as_os_str()])?;
        let started = serde_json::from_slice::<Started>(&output)?;
        anyhow::ensure!(
            started.assignments as u64 == sites * crate::console::SITES_EACH,
            "the index holds {} assignments of {}",
            started.assignments,
            sites * crate::console::SITES_EACH
        );
        starts.push(started);
    }
    Ok(starts)
}

/// Runs this executable with `args`; its standard output.
fn child(args: &[&std::ffi::OsStr]) -> anyhow::Result<Vec<u8>> {
    let output = std::process::Command::new(std::env::current_exe()?)
        .args(args)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(output.status.success(), "{args:?}: {}", output.status);
    Ok(output.stdout)
}

/// Writes a database of `sites` sites, as many technicians and ten assignments each in
/// `folder` (`--start-db FOLDER --seed-sites N`); with `close`, closes it as a stopping host
/// does (without: `--crash`).
pub fn write(folder: &Path, sites: u64, close: bool) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let host = Host::start(folder).await?;
        let customer = host.customer().await?;
        crate::console::seed(&host.state.store, &host.partner, &customer, sites).await?;
        if close {
            // As `serve` stops: every handle let go, the database closed.
            let closed = host.state.store.closed();
            drop(host);
            anyhow::ensure!(
                closed.wait(Duration::from_secs(600)).await,
                "the database did not close"
            );
        } else {
            // As a crash: the handles are never let go, so the engine is never told to close.
            std::mem::forget(host);
        }
        Ok(())
    })
}

/// Starts a host on `folder` and measures it (`--start-db FOLDER`).
pub fn open(folder: &Path) -> anyhow::Result<Started> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let started = Instant::now();
        let state = Host::open(folder).await?;
        let seconds = started.elapsed().as_secs_f64();
        let peak_bytes = status_bytes("VmHWM");
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(Started {
            seconds,
            peak_bytes,
            settled_bytes: status_bytes("VmRSS"),
            assignments: state.permissions.read().stats().assignments,
        })
    })
}

/// A `/proc/self/status` line's value (`VmHWM`, `VmRSS`) in bytes; 0 where there is none.
fn status_bytes(name: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| {
            let value = line.strip_prefix(name)?.strip_prefix(':')?;
            value.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()
        })
        .map_or(0, |kib| kib * 1024)
}

/// The bytes of the files under `folder`.
fn folder_bytes(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => folder_bytes(&entry.path()),
            _ => entry.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}
