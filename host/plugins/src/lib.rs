//! The WebAssembly plugin runtime.
//!
//! Plugins are components of the `siteward:plugin` WIT package (`wit/`). The host stays in
//! charge: a plugin receives everything it knows as input and returns what should happen;
//! the host does it. A plugin can be slow, buggy or hostile, so every call runs in a fresh
//! sandbox with hard limits, and every way it can fail is a typed [`Failure`].
//!
//! - [`Runtime`]: one wasmtime `Engine` for the process (Cranelift, the pooling allocator
//!   sized for the configured concurrency, epoch interruption driven by a ticker thread, fuel
//!   metering, component-model concurrency off while the worlds are synchronous) and the
//!   folder of precompiled artifacts.
//! - [`Runtime::load`] reads the component's WIT package version and world from its exports
//!   before anything is instantiated, refuses an unknown version, then compiles it once — or
//!   loads the precompiled artifact kept from the last time — and prepares an `InstancePre`.
//! - [`Plugin`] calls, each on behalf of a tenant: a slot of the pool first (a tenant holds at
//!   most its share of them, so a spinning plugin cannot starve another tenant's), then a
//!   fresh `Store` per call, with a wall deadline, a memory cap counting
//!   every memory, table and instance caps, input and output size caps and optional fuel.
//! - [`Limits`]: per-world defaults, configurable per plugin under the operator's ceiling.
//!
//! Permission checks never come here; they stay in native code.

pub mod cases;
mod gate;
mod limits;
pub mod manifest;
pub mod outputs;
mod runtime;
mod sandbox;
pub mod worlds;

#[cfg(feature = "testing")]
pub mod testing;

pub use gate::PoolStats;
pub use limits::{LimitError, Limits};
pub use manifest::{Manifest, ManifestError};
pub use runtime::{Import, InstallError, Plugin, Runtime, RuntimeConfig, WitVersion};
pub use sandbox::{Failure, Outcome, copy_budget};
pub use worlds::World;
