//! Invitation rendering by a WebAssembly plugin (`plugins/hello-renderer`, built here)
//! against the host's native built-in renderer, on the same invitation.
//!
//! - cycle: one render as the host makes it — a fresh store and instance from the
//!   `InstancePre`, the call, drop;
//! - warm: a render on an instance kept alive (what the cycle costs beyond instantiating);
//! - native: `BuiltinRenderer`;
//! - and what install and restart cost: compiling the component, loading its artifact;
//! - a deadline under load: `plugins/test-hostile` spinning until its 100 ms deadline while
//!   busy threads (twice the cores) keep the machine saturated; how far past it the call ends,
//!   and how many of those calls the runtime judged starved (the host's fault) — then again
//!   with eight times the cores busy, where starving is the rule.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use siteward_core::mail::{BuiltinRenderer, InvitationContext, InvitationRenderer};
use siteward_plugins::worlds::{renderer, v0_1};
use siteward_plugins::{Limits, Runtime, RuntimeConfig, World};
use wasmtime::component::{Component, Linker};

use crate::Effort;
use crate::report::{Figure, Section, Target, Unit, quantile};

fn invitation() -> renderer::InvitationContext {
    siteward_plugins::testing::sample_invitation()
}

/// wasmtime's errors, for `?`.
fn wasm(error: wasmtime::Error) -> anyhow::Error {
    anyhow::anyhow!("{error:?}")
}

/// Times `f` `n` times, one by one; returns (p50, p99).
fn sample(
    n: usize,
    mut f: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<(Duration, Duration)> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        f()?;
        times.push(started.elapsed());
    }
    times.sort_unstable();
    Ok((quantile(&times, 0.5), quantile(&times, 0.99)))
}

/// Builds the renderer and measures it beside the native one.
pub fn run(plugins_dir: &Path, effort: Effort) -> anyhow::Result<Section> {
    let built = siteward_plugins::testing::build(plugins_dir, "hello-renderer");
    let bytes = std::fs::read(&built)?;
    let limits = Limits::for_world(World::InvitationRenderer);
    let artifacts = tempfile::tempdir()?;
    let config = || RuntimeConfig {
        concurrency: 4,
        artifacts: Some(artifacts.path().to_owned()),
        ..RuntimeConfig::default()
    };
    let runtime = Runtime::new(config()).map_err(wasm)?;
    let plugin = runtime.load(&bytes, limits)?;
    let context = invitation();
    let native_context = InvitationContext {
        branding: Default::default(),
        invitee_email: context.invitee_email.clone(),
        inviter_name: context.inviter_name.clone(),
        partner_name: context.branding.display_name.clone(),
        site_name: context.site_name.clone(),
        role: None,
        level: context.level.clone(),
        accept_link: context.accept_link.clone(),
        expires_at: chrono::Utc::now(),
        locale: "en".to_owned(),
    };
    let settings: Vec<(String, String)> = Vec::new();
    // The two renderers write the same email for the same invitation.
    let ours = plugin.render("bench", &settings, &context).result?;
    let native = BuiltinRenderer.render(&native_context)?;
    anyhow::ensure!(
        !ours.subject.is_empty() && !native.subject.is_empty(),
        "an email without a subject"
    );

    let (mut compile, mut artifact) = (Vec::new(), Vec::new());
    let (mut cycle50, mut cycle99, mut warm50, mut native50) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let calls = effort.plugin_calls;
    for _ in 0..effort.rounds {
        let started = Instant::now();
        black_box(Component::new(runtime.engine(), &bytes).map_err(wasm)?);
        compile.push(started.elapsed());

        // A restart: a new engine with the same settings finds the artifact.
        let restarted = Runtime::new(config()).map_err(wasm)?;
        let started = Instant::now();
        let loaded = restarted.load(&bytes, limits)?;
        artifact.push(started.elapsed());
        anyhow::ensure!(
            loaded.from_artifact(),
            "a restart compiled again instead of loading the artifact"
        );

        let (p50, p99) = sample(calls, || {
            black_box(plugin.render("bench", &settings, &context).result?);
            Ok(())
        })?;
        cycle50.push(p50);
        cycle99.push(p99);

        // Warm: one instance, many calls, on the same engine (fuel and epochs metered).
        let component = Component::new(runtime.engine(), &bytes).map_err(wasm)?;
        let mut linker: Linker<()> = Linker::new(runtime.engine());
        linker
            .define_unknown_imports_as_traps(&component)
            .map_err(wasm)?;
        let mut store = wasmtime::Store::new(runtime.engine(), ());
        store.set_epoch_deadline(u64::MAX / 2);
        store.set_fuel(u64::MAX).map_err(wasm)?;
        // hello-renderer speaks WIT 0.1.0: its own bindings, its own record.
        let instance =
            v0_1::renderer::InvitationRenderer::instantiate(&mut store, &component, &linker)
                .map_err(wasm)?;
        let old_context: v0_1::renderer::InvitationContext =
            serde_json::from_value(serde_json::to_value(&context)?)?;
        let (p50, _) = sample(calls, || {
            let email = instance
                .siteward_plugin_renderer()
                .call_render(&mut store, &settings, &old_context)
                .map_err(wasm)?;
            black_box(email.map_err(|e| anyhow::anyhow!("{e:?}"))?);
            Ok(())
        })?;
        warm50.push(p50);

        let (p50, _) = sample(calls, || {
            black_box(BuiltinRenderer.render(&native_context)?);
            Ok(())
        })?;
        native50.push(p50);
    }

    let mut section = Section::new("Invitation rendering — WebAssembly plugin vs native");
    section.note(format!(
        "`plugins/hello-renderer` ({} KB component) through the production runtime (pooling \
         allocator, fuel metered, epoch deadline) beside the host's built-in renderer, {} \
         calls per figure per round. The last figure: `plugins/test-hostile` spinning to its \
         100 ms deadline, five calls per round, while busy threads (twice the cores) saturate \
         the machine.",
        bytes.len() / 1024,
        crate::report::thousands(calls as f64)
    ));
    let ratio = |a: &[Duration], b: &[Duration]| -> Vec<f64> {
        a.iter()
            .zip(b)
            .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
            .collect()
    };
    section.add(
        Figure::times(
            "full cycle p50 (instantiate + render + drop) — plugin",
            &cycle50,
        )
        .target(Target::AtMost(30e-6)),
    );
    section.add(Figure::times("full cycle p99 — plugin", &cycle99));
    section.add(Figure::times("warm render p50 — plugin", &warm50));
    section.add(Figure::times("render p50 — native built-in", &native50));
    section.add(Figure::new(
        "full cycle ÷ native render",
        Unit::Times,
        ratio(&cycle50, &native50),
    ));
    section.add(Figure::new(
        "warm render ÷ native render",
        Unit::Times,
        ratio(&warm50, &native50),
    ));
    section.add(Figure::times("compile at install", &compile));
    section.add(Figure::times("artifact load at restart", &artifact));

    let hostile = built.with_file_name("test_hostile.wasm");
    let (overshoot, starved) = deadline_under_load(&runtime, &hostile, effort, 2)?;
    section.add(Figure::times(
        "a spinning call's end past its 100 ms deadline, machine saturated (longest per round)",
        &overshoot,
    ));
    section.add(Figure::new(
        "of those calls, judged starved (the host's fault, not counted against the plugin)",
        Unit::Share,
        starved,
    ));
    let (_, starved) = deadline_under_load(&runtime, &hostile, effort, 8)?;
    section.add(Figure::new(
        "spinning calls judged starved with busy threads at eight times the cores",
        Unit::Share,
        starved,
    ));
    Ok(section)
}

/// Per round, the longest time past its deadline that a spinning plugin's call ended, and
/// the share of its calls judged starved (less than a quarter of the deadline on a processor),
/// with busy threads (`load` times the cores) competing for the CPUs.
fn deadline_under_load(
    runtime: &Runtime,
    hostile: &Path,
    effort: Effort,
    load: usize,
) -> anyhow::Result<(Vec<Duration>, Vec<f64>)> {
    let bytes = std::fs::read(hostile)?;
    let limits = Limits::for_world(World::InvitationRenderer);
    let plugin = runtime.load(&bytes, limits)?;
    let spin = vec![("mode".to_owned(), "spin".to_owned())];
    let context = invitation();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let burners: Vec<_> = (0..cores * load)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0_u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
                }
            })
        })
        .collect();
    let mut longest = Vec::new();
    let mut starved = Vec::new();
    let measured = (|| {
        for _ in 0..effort.rounds {
            let mut worst = Duration::ZERO;
            let mut starving = 0;
            for _ in 0..5 {
                let started = Instant::now();
                let outcome = plugin.render("bench", &spin, &context);
                let took = started.elapsed();
                match outcome.result {
                    Err(siteward_plugins::Failure::Deadline) => {}
                    Err(siteward_plugins::Failure::Starved { .. }) => starving += 1,
                    other => anyhow::bail!("a spinning plugin ended with {:?}", other.err()),
                }
                worst = worst.max(took.saturating_sub(limits.deadline));
            }
            longest.push(worst);
            starved.push(f64::from(starving) / 5.0);
        }
        Ok(())
    })();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for burner in burners {
        burner.join().ok();
    }
    measured.map(|()| (longest, starved))
}
