//! `siteward-plugin`, the plugin author's tool: run a component's cases against their
//! snapshots through the production runtime and limits (`test`), and start a plugin crate that
//! builds to a component, with cases and their snapshots (`new`). It depends on the plugin
//! runtime alone — no database, no web server — so it builds in a few minutes; the host's own
//! `siteward plugin test` is this same code.

use std::path::{Path, PathBuf};

use anyhow::Context;
use siteward_plugins::cases::check_cases;
use siteward_plugins::{Limits, Manifest, Runtime, RuntimeConfig};

pub mod new;

/// Where compiled components are kept between runs when no other folder is given:
/// `$XDG_CACHE_HOME/siteward-plugin`, else `~/.cache/siteward-plugin`.
pub fn default_cache() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("siteward-plugin"))
}

/// `test`'s arguments: the same for `siteward-plugin test` and the host's `siteward plugin
/// test`.
#[derive(Debug, Clone, clap::Args)]
pub struct TestArgs {
    /// The WebAssembly component (`.wasm`).
    pub component: PathBuf,
    /// The folder of `*.json` cases.
    #[arg(long)]
    pub cases: PathBuf,
    /// The manifest, for its limits and setting defaults.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Where snapshots live (default: `<cases>/snapshots`).
    #[arg(long)]
    pub snapshots: Option<PathBuf>,
    /// Write new and changed snapshots as `.snap` directly.
    #[arg(long)]
    pub accept: bool,
    /// Where compiled components are kept between runs (default:
    /// `$XDG_CACHE_HOME/siteward-plugin` or `~/.cache/siteward-plugin`).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Compile the component on every run.
    #[arg(long, conflicts_with = "cache")]
    pub no_cache: bool,
}

impl TestArgs {
    /// Runs [`test`] as asked; whether every case matched.
    pub fn run(&self) -> anyhow::Result<bool> {
        let cache = if self.no_cache {
            None
        } else {
            self.cache.clone().or_else(default_cache)
        };
        test(&TestRun {
            component: &self.component,
            manifest: self.manifest.as_deref(),
            cases: &self.cases,
            snapshots: self.snapshots.as_deref(),
            accept: self.accept,
            cache: cache.as_deref(),
        })
    }
}

/// What `test` is asked to do.
#[derive(Debug, Clone)]
pub struct TestRun<'a> {
    /// The component (`.wasm`).
    pub component: &'a Path,
    /// Its manifest, for its limits and setting defaults.
    pub manifest: Option<&'a Path>,
    /// The folder of `*.json` cases.
    pub cases: &'a Path,
    /// Where snapshots live; `None` is `<cases>/snapshots`.
    pub snapshots: Option<&'a Path>,
    /// Write new and changed snapshots as `.snap` directly.
    pub accept: bool,
    /// Where compiled components are kept, so a run after the first loads instead of
    /// compiling (a Python or JavaScript component takes a minute to compile); `None` compiles
    /// every time.
    pub cache: Option<&'a Path>,
}

/// Runs every case through the production runtime and limits (the manifest's, when given)
/// and checks them against their snapshots, printing a line per case. Returns whether every
/// case matched (with `accept`: whether every case ran).
pub fn test(run: &TestRun<'_>) -> anyhow::Result<bool> {
    let bytes = std::fs::read(run.component)
        .with_context(|| format!("reading {}", run.component.display()))?;
    let manifest = run
        .manifest
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Manifest::from_toml(&text).with_context(|| format!("{}", path.display()))
        })
        .transpose()?;
    let runtime = Runtime::new(RuntimeConfig {
        concurrency: 1,
        artifacts: run.cache.map(Path::to_path_buf),
        ..RuntimeConfig::default()
    })
    .map_err(|e| anyhow::anyhow!("starting the plugin engine: {e:#}"))?;
    let limits = match &manifest {
        Some(manifest) => manifest.limits()?,
        None => Limits::ceiling(),
    };
    let plugin = runtime
        .load(&bytes, limits)
        .with_context(|| format!("{}", run.component.display()))?;
    let plugin = match &manifest {
        Some(manifest) => {
            manifest.matches(&plugin)?;
            plugin
        }
        None => {
            let defaults = Limits::for_world(plugin.world());
            plugin.with_limits(defaults)?
        }
    };
    let snapshots = run
        .snapshots
        .map_or_else(|| run.cases.join("snapshots"), Path::to_path_buf);
    let report = check_cases(
        &plugin,
        manifest.as_ref(),
        run.cases,
        &snapshots,
        run.accept,
    )
    .with_context(|| format!("running the cases in {}", run.cases.display()))?;
    for name in &report.passed {
        println!("ok       {name}");
    }
    let verb = if run.accept {
        "written"
    } else {
        "see .snap.new"
    };
    for name in &report.new {
        println!("new      {name} ({verb})");
    }
    for name in &report.changed {
        println!("changed  {name} ({verb})");
    }
    for (name, error) in &report.broken {
        println!("broken   {name}: {error}");
    }
    println!(
        "{} passed, {} new, {} changed, {} broken",
        report.passed.len(),
        report.new.len(),
        report.changed.len(),
        report.broken.len()
    );
    let pending = !report.new.is_empty() || !report.changed.is_empty();
    if pending && !run.accept {
        println!(
            "compare each .snap.new in {} with its .snap; run again with --accept to keep \
             them (or, with cargo-insta installed, `cargo insta review --workspace-root {}`)",
            snapshots.display(),
            snapshots.display()
        );
    }
    Ok(report.ok() || (run.accept && report.broken.is_empty()))
}
