//! `siteward-bench`: runs the benchmark suite and writes the report.
//!
//! ```text
//! cargo run --release -p siteward-bench              # both sizes, writes BENCHMARKS.md
//! cargo run --release -p siteward-bench -- --small   # the small size only
//! cargo run -p siteward-bench -- --smoke --out -     # what CI runs: brief, every answer checked
//! ```

use std::path::PathBuf;

use clap::Parser;
use siteward_bench::world::Size;
use siteward_bench::{Effort, Options, default_plugins_dir};

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
    /// Where to write the report; `-` prints it.
    #[arg(long, default_value = "BENCHMARKS.md")]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let options = Options {
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
    let report = siteward_bench::run(&options, |part| eprintln!("running: {part}"))?;
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
