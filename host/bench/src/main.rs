//! `siteward-bench`: runs the benchmark suite and writes the report.
//!
//! ```text
//! cargo run --release -p siteward-bench              # both sizes, writes BENCHMARKS.md
//! cargo run --release -p siteward-bench -- --small   # the small size only
//! cargo run --release -p siteward-bench -- --only plugins,storage --out -
//! cargo run -p siteward-bench -- --smoke --out -     # what CI runs: brief, every answer checked
//! ```

use std::path::PathBuf;

use clap::Parser;
use siteward_bench::world::Size;
use siteward_bench::{Effort, Options, Part, Step, default_plugins_dir};

/// Siteward's benchmark suite: Siteward beside Cedar, bare axum, native rendering and raw
/// SurrealQL in one run; writes a Markdown report.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Only the small world (1k technicians, 10k sites): a few minutes on 2 cores.
    #[arg(long)]
    small: bool,
    /// A brief run that checks every answer (the small world, one round, short loads).
    #[arg(long)]
    smoke: bool,
    /// Only these parts: permissions, http, plugins, storage, console, scaling, start, shared
    /// (repeat or separate by commas).
    #[arg(long, value_delimiter = ',', value_parser = part)]
    only: Vec<Part>,
    /// Run every step in this process instead of a child process of its own each.
    #[arg(long)]
    in_process: bool,
    /// (Internal) run one step and write its sections as JSON to `--out`.
    #[arg(long, hide = true)]
    step: Option<String>,
    /// (Internal) start a host on this database and print what it cost as JSON; with
    /// `--seed-sites`, write the database instead.
    #[arg(long, hide = true)]
    start_db: Option<PathBuf>,
    /// (Internal) the sites `--start-db` writes.
    #[arg(long, hide = true, requires = "start_db")]
    seed_sites: Option<u64>,
    /// (Internal) with `--seed-sites`, exit without closing the database, as a host that
    /// crashed does.
    #[arg(long, hide = true, requires = "seed_sites")]
    crash: bool,
    /// Where to write the report; `-` prints it.
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
}

/// The environment `host/server/packaging/siteward.service` gives the host for huge pages;
/// each step runs with it, so the figures are the deployed host's.
const HUGE_PAGES: (&str, &str) = ("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1");

fn part(name: &str) -> Result<Part, String> {
    Part::named(name).ok_or_else(|| {
        let names: Vec<&str> = Part::ALL.iter().map(|p| p.name()).collect();
        format!("one of: {}", names.join(", "))
    })
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(folder) = &args.start_db {
        return match args.seed_sites {
            Some(sites) => siteward_bench::start::write(folder, sites, !args.crash),
            None => {
                let started = siteward_bench::start::open(folder)?;
                println!("{}", serde_json::to_string(&started)?);
                Ok(())
            }
        };
    }
    let options = Options {
        parts: if args.only.is_empty() {
            Part::ALL.to_vec()
        } else {
            args.only
        },
        sizes: if args.small || args.smoke {
            vec![Size::SMALL]
        } else {
            vec![Size::SMALL, Size::LARGE]
        },
        effort: if args.smoke {
            Effort::SMOKE
        } else {
            Effort::FULL
        },
        plugins_dir: default_plugins_dir(),
    };
    if cfg!(debug_assertions) && !args.smoke {
        eprintln!(
            "note: a debug build; use `cargo run --release -p siteward-bench` for figures worth reading"
        );
    }
    if let Some(name) = &args.step {
        let step = Step::named(name).ok_or_else(|| anyhow::anyhow!("no step {name}"))?;
        let sections = step.run(&options)?;
        std::fs::write(&args.out, serde_json::to_vec(&sections)?)?;
        return Ok(());
    }
    let progress = |step: &str| eprintln!("running: {step}");
    let mut report = if args.in_process {
        siteward_bench::run(&options, progress)?
    } else {
        // Each step in a fresh process: no step's threads, heap or page cache state is
        // another's, and resident-memory growth is the step's own.
        let dir = tempfile::tempdir()?;
        siteward_bench::run_with(&options, progress, |step| {
            let out = dir
                .path()
                .join(format!("{}.json", step.name().replace(':', "-")));
            let status = std::process::Command::new(std::env::current_exe()?)
                .env(HUGE_PAGES.0, HUGE_PAGES.1)
                .arg("--step")
                .arg(step.name())
                .args(args.smoke.then_some("--smoke"))
                .arg("--out")
                .arg(&out)
                .status()?;
            anyhow::ensure!(status.success(), "step {} failed ({status})", step.name());
            Ok(serde_json::from_slice(&std::fs::read(&out)?)?)
        })?
    };
    if !args.in_process {
        report.header.push(format!(
            "Each step runs with `{}={}`, as the systemd unit runs the host (transparent huge \
             pages for the allocator's large blocks; the kernel's mode: {}).",
            HUGE_PAGES.0,
            HUGE_PAGES.1,
            std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled")
                .map_or_else(|_| "unknown".to_owned(), |mode| mode.trim().to_owned())
        ));
    }
    let markdown = report.markdown();
    if args.out.as_os_str() == "-" {
        print!("{markdown}");
    } else {
        std::fs::write(&args.out, &markdown)?;
        eprintln!("wrote {}", args.out.display());
    }
    for (section, figure) in report.targets() {
        if let Some(verdict) = figure.verdict() {
            eprintln!(
                "{:>16}  {} — {}",
                verdict.replace("**", ""),
                section.title,
                figure.name
            );
        }
    }
    Ok(())
}
