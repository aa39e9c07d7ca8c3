//! The engine, loading components, and the precompiled artifacts that make a restart cheap.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::{Component, Linker, Resource, ResourceType};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, StoreContextMut,
};

use crate::gate::Gate;
use crate::limits::{LimitError, Limits};
use crate::sandbox::{Failure, Outcome, Sandbox};
use crate::worlds::{Prepared, World};

/// Core instances (and tables) the pool keeps per concurrent call.
const CORE_INSTANCES_PER_SLOT: u32 = 16;
/// Linear memories the pool keeps per concurrent call.
const MEMORIES_PER_SLOT: u32 = 4;

/// How the runtime is set up.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// How many calls may run at once: the pooling allocator keeps this many instance slots.
    pub concurrency: u32,
    /// How many of those slots one tenant's calls may hold at once; `None` is a quarter of
    /// them (at least one). A call waits for a slot at most as long as its deadline.
    pub per_tenant: Option<u32>,
    /// The most any plugin may be allowed (the pool's slots are sized for it).
    pub ceiling: Limits,
    /// Where precompiled artifacts are kept; `None` compiles at every load.
    pub artifacts: Option<PathBuf>,
    /// How often the epoch ticker ticks: deadlines are exact to one tick.
    pub tick: Duration,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            concurrency: 16,
            per_tenant: None,
            ceiling: Limits::ceiling(),
            artifacts: None,
            tick: Duration::from_millis(5),
        }
    }
}

/// A version of the WIT package a component was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WitVersion {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
}

impl WitVersion {
    /// The versions this host loads.
    pub const SUPPORTED: &'static [Self] = &[
        Self {
            major: 0,
            minor: 1,
            patch: 0,
        },
        Self {
            major: 0,
            minor: 2,
            patch: 0,
        },
    ];

    /// Parses `MAJOR.MINOR.PATCH`.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
        let version = Self {
            major: parts.next()??,
            minor: parts.next()??,
            patch: parts.next()??,
        };
        parts.next().is_none().then_some(version)
    }

    /// Whether a component built against `self` can be loaded as `supported` (semver: the
    /// same major, and for 0.x the same minor).
    fn compatible_with(self, supported: Self) -> bool {
        self.major == supported.major && (self.major > 0 || self.minor == supported.minor)
    }
}

impl std::fmt::Display for WitVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Why a component cannot be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The bytes are not a valid WebAssembly component.
    #[error("not a valid WebAssembly component: {0}")]
    Invalid(String),
    /// The component exports none of the `siteward:plugin` worlds.
    #[error(
        "the component exports no siteward:plugin interface (renderer, hook, exporter or policy)"
    )]
    NoWorld,
    /// The component was built against a WIT version this host does not load.
    #[error("the component is built against siteward:plugin@{found}; this host loads {supported}")]
    UnsupportedVersion {
        /// The version found.
        found: String,
        /// The versions supported.
        supported: String,
    },
    /// The component does not fit its world (missing or mistyped exports, unknown imports).
    #[error("the component does not fit the {world} world: {reason}")]
    Link {
        /// The world.
        world: &'static str,
        /// Why.
        reason: String,
    },
    /// The plugin's limits exceed the operator's ceiling.
    #[error(transparent)]
    Limits(#[from] LimitError),
    /// The artifact folder could not be written.
    #[error("the precompiled artifact could not be stored: {0}")]
    Artifact(#[from] std::io::Error),
    /// The component imports an interface no host offers, so it could only trap.
    #[error(
        "the component imports {name}, which no Siteward host offers (plugins may import WASI \
         interfaces and siteward:plugin's own types only; what they need arrives as input)"
    )]
    UnknownImport {
        /// The import's name.
        name: String,
    },
}

/// An interface a component imports, and whether this host answers it. WASI interfaces it
/// does not answer are linked to trap when called: a plugin may import them (the standard
/// library of most languages does) as long as it does not call them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// Its name, `wasi:random/random@0.2.6` for example.
    pub name: String,
    /// Whether the host answers it; otherwise each call traps.
    pub answered: bool,
}

/// The WASI interfaces the host answers (see `pure_wasi`), by name up to the version's patch.
const ENVIRONMENT: &str = "wasi:cli/environment@0.2.";
const RANDOM: &str = "wasi:random/random@0.2.";
const INSECURE_SEED: &str = "wasi:random/insecure-seed@0.2.";
const STREAMS: &str = "wasi:io/streams@0.2.";
const POLL: &str = "wasi:io/poll@0.2.";
const STDERR: &str = "wasi:cli/stderr@0.2.";
const STDOUT: &str = "wasi:cli/stdout@0.2.";

/// The host's own package: a world's shared types, which the host answers.
const SITEWARD: &str = "siteward:plugin/";

/// What a component imports, refusing what no host offers: anything but WASI and the host's
/// own types.
fn imports_of(engine: &Engine, component: &Component) -> Result<Vec<Import>, InstallError> {
    component
        .component_type()
        .imports(engine)
        .map(|(name, _)| {
            if !name.starts_with("wasi:") && !name.starts_with(SITEWARD) {
                return Err(InstallError::UnknownImport {
                    name: name.to_owned(),
                });
            }
            Ok(Import {
                name: name.to_owned(),
                answered: [
                    SITEWARD,
                    ENVIRONMENT,
                    RANDOM,
                    INSECURE_SEED,
                    STDERR,
                    STDOUT,
                    POLL,
                ]
                .iter()
                .any(|answered| name.starts_with(answered)),
            })
        })
        .collect()
}

#[derive(Debug)]
struct Inner {
    engine: Engine,
    config: RuntimeConfig,
    gate: Gate,
    stop: Arc<AtomicBool>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The plugin runtime: one engine for the process. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Runtime(Arc<Inner>);

impl Runtime {
    /// Builds the engine and starts the epoch ticker, which runs until the runtime and every
    /// plugin loaded from it are dropped.
    pub fn new(config: RuntimeConfig) -> wasmtime::Result<Self> {
        let ceiling = config.ceiling;
        let slots = config.concurrency.max(1);
        // A component is several core instances, memories and tables: a Rust one about four
        // instances, a Python one (componentize-py) a dozen. Each slot of the pool has room
        // for that; a single component may use up to the ceiling's counts.
        let per_slot = u32::try_from(ceiling.instances).unwrap_or(u32::MAX);
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(slots)
            .total_core_instances(slots.saturating_mul(CORE_INSTANCES_PER_SLOT))
            .total_memories(slots.saturating_mul(MEMORIES_PER_SLOT))
            .total_tables(slots.saturating_mul(CORE_INSTANCES_PER_SLOT))
            .max_core_instances_per_component(per_slot)
            .max_memories_per_component(per_slot)
            .max_tables_per_component(u32::try_from(ceiling.tables).unwrap_or(u32::MAX))
            .table_elements(ceiling.table_elements)
            .max_memory_size(ceiling.memory_bytes);
        let mut wasm = Config::new();
        wasm.strategy(wasmtime::Strategy::Cranelift)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
            .epoch_interruption(true)
            .consume_fuel(true)
            .max_wasm_stack(512 * 1024)
            .concurrency_support(false);
        let engine = Engine::new(&wasm)?;
        let stop = Arc::new(AtomicBool::new(false));
        let ticker = (engine.clone(), stop.clone(), config.tick);
        std::thread::Builder::new()
            .name("plugin-epoch".to_owned())
            .spawn(move || {
                let (engine, stop, tick) = ticker;
                tick_on_the_clock(&engine, &stop, tick);
            })?;
        let per_tenant = config.per_tenant.unwrap_or(slots.div_ceil(4));
        Ok(Self(Arc::new(Inner {
            engine,
            gate: Gate::new(slots, per_tenant),
            config,
            stop,
        })))
    }

    /// The instance pool's slots, and how often and how long calls waited for one.
    pub fn pool(&self) -> crate::gate::PoolStats {
        self.0.gate.stats()
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }

    /// Loads a component: reads its world and WIT version from its exports (refusing an
    /// unknown version), compiles it or loads its precompiled artifact, links it with every
    /// import denied, and prepares it for calls under `limits`.
    pub fn load(&self, bytes: &[u8], limits: Limits) -> Result<Plugin, InstallError> {
        let limits = limits.within(&self.0.config.ceiling)?;
        let content_hash = data_encoding::HEXLOWER.encode(&Sha256::digest(bytes));
        let (component, from_artifact) = self.compile(bytes, &content_hash)?;
        let imports = imports_of(&self.0.engine, &component)?;
        let (world, version) = self.world_of(&component)?;
        let mut linker: Linker<Sandbox> = Linker::new(&self.0.engine);
        // No ambient authority: the environment is empty, "random" is a fixed stream, and
        // every other import (clocks, files, sockets, …) traps when called. What a plugin
        // needs arrives as input.
        pure_wasi(&mut linker, &component)
            .and_then(|()| linker.define_unknown_imports_as_traps(&component))
            .and_then(|()| linker.instantiate_pre(&component))
            .and_then(|pre| Prepared::new(world, version, pre))
            .map(|prepared| Plugin {
                runtime: self.clone(),
                world,
                version,
                content_hash,
                from_artifact,
                limits,
                prepared,
                imports,
            })
            .map_err(|e| InstallError::Link {
                world: world.name(),
                reason: format!("{e:#}"),
            })
    }

    /// Compiles `bytes`, or loads the artifact a previous compile of the same bytes by a
    /// compatible engine left; returns whether it came from an artifact.
    fn compile(&self, bytes: &[u8], content_hash: &str) -> Result<(Component, bool), InstallError> {
        let invalid = |e: wasmtime::Error| InstallError::Invalid(format!("{e:#}"));
        let Some(dir) = &self.0.config.artifacts else {
            return Ok((
                Component::new(&self.0.engine, bytes).map_err(invalid)?,
                false,
            ));
        };
        let mut engine_hash = std::hash::DefaultHasher::new();
        self.0
            .engine
            .precompile_compatibility_hash()
            .hash(&mut engine_hash);
        let path = dir.join(format!(
            "{content_hash}-{:016x}.cwasm",
            engine_hash.finish()
        ));
        if path.exists() {
            match load_artifact(&self.0.engine, &path) {
                Ok(component) => return Ok((component, true)),
                Err(error) => tracing::warn!(
                    path = %path.display(),
                    error = %format!("{error:#}"),
                    "precompiled plugin artifact unusable; compiling again"
                ),
            }
        }
        let component = Component::new(&self.0.engine, bytes).map_err(invalid)?;
        let artifact = component.serialize().map_err(invalid)?;
        std::fs::create_dir_all(dir)?;
        let partial = path.with_extension("partial");
        std::fs::write(&partial, artifact)?;
        std::fs::rename(&partial, &path)?;
        Ok((component, false))
    }

    /// The world a component implements and the WIT version it was built against, read from
    /// the names of its exports (`siteward:plugin/renderer@0.1.0`).
    fn world_of(&self, component: &Component) -> Result<(World, WitVersion), InstallError> {
        let found = component
            .component_type()
            .exports(&self.0.engine)
            .find_map(|(name, _)| {
                let (interface, version) =
                    name.strip_prefix("siteward:plugin/")?.split_once('@')?;
                Some((World::exporting(interface)?, version.to_owned()))
            });
        let (world, version) = found.ok_or(InstallError::NoWorld)?;
        let supported = || {
            WitVersion::SUPPORTED
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let unsupported = || InstallError::UnsupportedVersion {
            found: version.clone(),
            supported: supported(),
        };
        let parsed = WitVersion::parse(&version).ok_or_else(unsupported)?;
        if !WitVersion::SUPPORTED
            .iter()
            .any(|s| parsed.compatible_with(*s))
        {
            return Err(unsupported());
        }
        Ok((world, parsed))
    }
}

/// Answers the two WASI interfaces language runtimes cannot start without, with nothing
/// from the host: `wasi:cli/environment` (whichever 0.2 version the component imports) has
/// no variables, arguments or working directory, and `wasi:random` is a fixed stream, the
/// same in every call (componentize-py's Python seeds its `random` module from it on the first
/// call). A plugin's output stays a function of its input; it never sees host entropy.
///
/// And `wasi:cli/stderr` and `stdout`: their output stream keeps the first few KiB written
/// in the call's sandbox, shown with a trap — so a Rust plugin's panic message reaches the
/// operator and the author instead of trapping at its first write. Only the output stream's
/// writes and flushes are answered; its other methods trap.
fn pure_wasi(linker: &mut Linker<Sandbox>, component: &Component) -> wasmtime::Result<()> {
    let engine = component.engine().clone();
    let names: Vec<String> = component
        .component_type()
        .imports(&engine)
        .map(|(name, _)| name.to_owned())
        .collect();
    for name in names {
        if name.starts_with(ENVIRONMENT) {
            let mut instance = linker.instance(&name)?;
            instance.func_wrap("get-environment", |_, (): ()| {
                Ok((Vec::<(String, String)>::new(),))
            })?;
            instance.func_wrap("get-arguments", |_, (): ()| Ok((Vec::<String>::new(),)))?;
            instance.func_wrap("initial-cwd", |_, (): ()| Ok((None::<String>,)))?;
        } else if name.starts_with(RANDOM) {
            let mut instance = linker.instance(&name)?;
            instance.func_wrap("get-random-bytes", |mut store, (len,): (u64,)| {
                let sandbox = store.data_mut();
                // Bounded by the call's memory cap: the bytes land in the guest's memory.
                let len = usize::try_from(len)
                    .unwrap_or(usize::MAX)
                    .min(sandbox.limits().memory_bytes);
                let bytes: Vec<u8> =
                    std::iter::repeat_with(|| sandbox.next_in_stream().to_le_bytes())
                        .flatten()
                        .take(len)
                        .collect();
                Ok((bytes,))
            })?;
            instance.func_wrap("get-random-u64", |mut store, (): ()| {
                Ok((store.data_mut().next_in_stream(),))
            })?;
        } else if name.starts_with(STREAMS) {
            let mut instance = linker.instance(&name)?;
            instance.resource("output-stream", ResourceType::host::<()>(), |_, _| Ok(()))?;
            // Resources are typed `()`, as `define_unknown_imports_as_traps` types the ones the
            // host leaves to trap: other interfaces (`wasi:io/error`, clocks' and files'
            // pollables and streams) name the same resource types and must agree.
            instance.resource("error", ResourceType::host::<()>(), |_, _| Ok(()))?;
            let write = |mut store: StoreContextMut<'_, Sandbox>,
                         (_, bytes): (Resource<()>, Vec<u8>)| {
                store.data_mut().write_output(&bytes);
                Ok((Ok::<(), StreamError>(()),))
            };
            instance.func_wrap("[method]output-stream.write", write)?;
            instance.func_wrap("[method]output-stream.blocking-write-and-flush", write)?;
            instance.func_wrap(
                "[method]output-stream.check-write",
                |_, (_,): (Resource<()>,)| {
                    Ok((Ok::<u64, StreamError>(crate::sandbox::OUTPUT_KEPT as u64),))
                },
            )?;
            let flush = |_: StoreContextMut<'_, Sandbox>, (_,): (Resource<()>,)| {
                Ok((Ok::<(), StreamError>(()),))
            };
            instance.func_wrap("[method]output-stream.flush", flush)?;
            instance.func_wrap("[method]output-stream.blocking-flush", flush)?;
            // Writers wait for room through a pollable: there always is.
            instance.resource("pollable", ResourceType::host::<()>(), |_, _| Ok(()))?;
            instance.func_wrap(
                "[method]output-stream.subscribe",
                |_, (_,): (Resource<()>,)| Ok((Resource::<()>::new_own(0),)),
            )?;
        } else if name.starts_with(POLL) {
            let mut instance = linker.instance(&name)?;
            instance.resource("pollable", ResourceType::host::<()>(), |_, _| Ok(()))?;
            instance.func_wrap("[method]pollable.ready", |_, (_,): (Resource<()>,)| {
                Ok((true,))
            })?;
            instance.func_wrap("[method]pollable.block", |_, (_,): (Resource<()>,)| Ok(()))?;
            instance.func_wrap("poll", |_, (all,): (Vec<Resource<()>>,)| {
                Ok(((0..u32::try_from(all.len()).unwrap_or(u32::MAX)).collect::<Vec<u32>>(),))
            })?;
        } else if name.starts_with(STDERR) || name.starts_with(STDOUT) {
            let mut instance = linker.instance(&name)?;
            instance.resource("output-stream", ResourceType::host::<()>(), |_, _| Ok(()))?;
            let getter = if name.starts_with(STDERR) {
                "get-stderr"
            } else {
                "get-stdout"
            };
            instance.func_wrap(getter, |_, (): ()| Ok((Resource::<()>::new_own(0),)))?;
        } else if name.starts_with(INSECURE_SEED) {
            let mut instance = linker.instance(&name)?;
            instance.func_wrap("insecure-seed", |mut store, (): ()| {
                let sandbox = store.data_mut();
                Ok(((sandbox.next_in_stream(), sandbox.next_in_stream()),))
            })?;
        }
    }
    Ok(())
}

/// `wasi:io/streams`' `stream-error`; writes to a captured output never fail.
#[derive(
    wasmtime::component::ComponentType, wasmtime::component::Lift, wasmtime::component::Lower,
)]
#[component(variant)]
enum StreamError {
    #[component(name = "last-operation-failed")]
    LastOperationFailed(Resource<()>),
    #[component(name = "closed")]
    Closed,
}

/// Loads a precompiled artifact. The file is read into memory rather than mapped, so a file
/// changed on disk later cannot change (or fault) code that is running.
#[allow(unsafe_code)]
fn load_artifact(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    let bytes = std::fs::read(path)?;
    // SAFETY: wasmtime requires that the bytes were produced by `serialize` of a compatible
    // engine and not tampered with, because they are machine code it will run. This host
    // writes these files itself, named by the SHA-256 of the component and the engine's
    // compatibility hash, into the operator's artifact folder, which must be writable by the
    // host alone (README: Plugins). wasmtime also checks the engine settings in the header
    // and refuses a mismatch, which `compile` answers by compiling again.
    unsafe { Component::deserialize(engine, bytes) }
}

/// A loaded plugin, ready for calls. Each call gets a fresh store.
#[derive(Debug)]
pub struct Plugin {
    runtime: Runtime,
    world: World,
    version: WitVersion,
    content_hash: String,
    from_artifact: bool,
    limits: Limits,
    prepared: Prepared,
    imports: Vec<Import>,
}

impl Plugin {
    /// What it imports, and which of those the host answers (the rest trap when called).
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// The world it implements.
    pub fn world(&self) -> World {
        self.world
    }

    /// The WIT version it was built against.
    pub fn version(&self) -> WitVersion {
        self.version
    }

    /// The SHA-256 of the component, hex.
    pub fn content_hash(&self) -> &str {
        &self.content_hash
    }

    /// Whether it was loaded from a precompiled artifact rather than compiled.
    pub fn from_artifact(&self) -> bool {
        self.from_artifact
    }

    /// The limits its calls run under.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The same plugin under other limits (checked against the operator's ceiling).
    pub fn with_limits(mut self, limits: Limits) -> Result<Self, LimitError> {
        self.limits = limits.within(&self.runtime.0.config.ceiling)?;
        Ok(self)
    }

    pub(crate) fn prepared(&self) -> &Prepared {
        &self.prepared
    }

    /// Runs one call for `tenant` in a fresh store (see [`crate::sandbox::run`]), once the
    /// runtime's gate gives it an instance slot; [`Failure::Busy`] when none came within the
    /// call's deadline.
    pub(crate) fn call<T>(
        &self,
        tenant: &str,
        input_bytes: usize,
        call: impl FnOnce(&mut wasmtime::Store<Sandbox>) -> wasmtime::Result<Result<T, Failure>>,
        output_bytes: impl FnOnce(&T) -> usize,
    ) -> Outcome<T> {
        let span = tracing::info_span!(
            "plugin.call",
            world = self.world.name(),
            wit = %format_args!("{}.{}", self.version.major, self.version.minor),
            sha256 = &self.content_hash[..self.content_hash.len().min(12)],
            tenant,
            outcome = tracing::field::Empty,
            fuel = tracing::field::Empty,
        );
        let _entered = span.enter();
        let outcome = self.call_in_slot(tenant, input_bytes, call, output_bytes);
        span.record(
            "outcome",
            outcome.result.as_ref().err().map_or("ok", Failure::code),
        );
        span.record("fuel", outcome.fuel_used);
        outcome
    }

    fn call_in_slot<T>(
        &self,
        tenant: &str,
        input_bytes: usize,
        call: impl FnOnce(&mut wasmtime::Store<Sandbox>) -> wasmtime::Result<Result<T, Failure>>,
        output_bytes: impl FnOnce(&T) -> usize,
    ) -> Outcome<T> {
        let Some(_slot) = self.runtime.0.gate.enter(tenant, self.limits.deadline) else {
            return Outcome {
                result: Err(Failure::Busy {
                    waited: self.limits.deadline,
                }),
                fuel_used: 0,
                elapsed: std::time::Duration::ZERO,
            };
        };
        let tick = self.runtime.0.config.tick.as_nanos().max(1);
        let ticks = self.limits.deadline.as_nanos().div_ceil(tick);
        let mut store = crate::sandbox::store(
            self.runtime.engine(),
            self.limits,
            u64::try_from(ticks).unwrap_or(u64::MAX).max(1),
        );
        crate::sandbox::run(&mut store, input_bytes, call, output_bytes)
    }
}

/// Advances the engine's epoch once per `tick` of wall-clock time until `stop`: each wake-up
/// sets the epoch to the ticks elapsed since the start, so a ticker that slept late (a busy
/// machine) catches up instead of stretching every deadline by its lateness.
fn tick_on_the_clock(engine: &Engine, stop: &AtomicBool, tick: Duration) {
    let tick_nanos = tick.as_nanos().max(1);
    let started = std::time::Instant::now();
    let mut epoch: u128 = 0;
    while !stop.load(Ordering::Relaxed) {
        let next = u32::try_from(epoch + 1)
            .ok()
            .and_then(|n| tick.checked_mul(n))
            .map(|offset| started + offset);
        match next.and_then(|at| at.checked_duration_since(std::time::Instant::now())) {
            Some(wait) => std::thread::sleep(wait),
            None if next.is_none() => std::thread::sleep(tick),
            None => {}
        }
        let due = started.elapsed().as_nanos() / tick_nanos;
        while epoch < due {
            engine.increment_epoch();
            epoch += 1;
        }
    }
}
