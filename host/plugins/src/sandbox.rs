//! One call's sandbox: a fresh store with its limiter, deadline and fuel, and the typed
//! failure a call can end in.

use std::time::{Duration, Instant};

use wasmtime::{ResourceLimiter, Store, Trap};

use crate::limits::Limits;

/// How a call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The plugin reported an error.
    #[error("the plugin reported {code}: {message}")]
    Plugin {
        /// Its stable code.
        code: String,
        /// Its message.
        message: String,
    },
    /// The plugin trapped (a panic, an out-of-bounds access, a call to a denied import, …).
    #[error("the plugin trapped: {0}")]
    Trap(String),
    /// The call ran past its wall deadline.
    #[error("the plugin ran past its deadline")]
    Deadline,
    /// The call reached its wall deadline having run on a processor for less than a quarter
    /// of it: the machine was saturated and the plugin was mostly waiting, not working. Not the
    /// plugin's fault.
    #[error("the host was too busy to run the plugin: it ran {ran:?} of its {deadline:?} deadline")]
    Starved {
        /// Processor time the call had.
        ran: Duration,
        /// Its deadline.
        deadline: Duration,
    },
    /// The call wanted more memory, tables or instances than its limits allow.
    #[error("the plugin ran out of memory")]
    Memory,
    /// The call used up its fuel.
    #[error("the plugin used up its fuel")]
    Fuel,
    /// The input was larger than the plugin's input cap; the plugin was not called.
    #[error("the input is {actual} bytes, more than the limit of {limit}")]
    InputTooLarge {
        /// The cap.
        limit: usize,
        /// The input's size.
        actual: usize,
    },
    /// No instance slot was free for the call's tenant within the call's deadline (the
    /// runtime is busy, or the tenant already holds its share); the plugin was not called.
    #[error("no plugin slot was free for {waited:?}; the plugin was not called")]
    Busy {
        /// How long the call waited.
        waited: Duration,
    },
    /// The output is not what its place takes (a subject of two lines, a content type that is
    /// no media type); it was dropped.
    #[error("the plugin's output was refused: {0}")]
    InvalidOutput(String),
    /// The input cannot be written in the WIT version the plugin was built against (a
    /// site-admin invitation for a 0.1.0 renderer); the plugin was not called.
    #[error("{0}; the plugin was not called")]
    Unsupported(String),
    /// The host refused what the plugin asked for (a notification hook writing to someone
    /// outside its partner, or beyond its volume limits); the request was dropped.
    #[error("the host refused what the plugin asked for: {0}")]
    Refused(String),
    /// The output was larger than the plugin's output cap; it was dropped.
    #[error("the output is {}, more than the limit of {limit}", match actual {
        Some(actual) => format!("{actual} bytes"),
        None => format!("over {} bytes (refused before the host copied it)", copy_budget(*limit)),
    })]
    OutputTooLarge {
        /// The cap.
        limit: usize,
        /// The output's size, or `None` when it was refused before the host copied it (it
        /// was larger than [`copy_budget`] of the cap).
        actual: Option<usize>,
    },
}

impl Failure {
    /// Whether the plugin itself failed, as opposed to the host finding no slot for it: only its own failures count toward quarantine.
    pub fn is_the_plugins(&self) -> bool {
        !matches!(
            self,
            Self::Busy { .. } | Self::Starved { .. } | Self::Unsupported(_)
        )
    }

    /// A stable code for logs, audit events and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Plugin { .. } => "plugin_error",
            Self::Trap(_) => "trap",
            Self::Deadline => "deadline",
            Self::Starved { .. } => "starved",
            Self::Memory => "memory",
            Self::Fuel => "fuel",
            Self::InputTooLarge { .. } => "input_too_large",
            Self::Busy { .. } => "busy",
            Self::OutputTooLarge { .. } => "output_too_large",
            Self::InvalidOutput(_) => "invalid_output",
            Self::Unsupported(_) => "unsupported",
            Self::Refused(_) => "refused",
        }
    }
}

/// What a call produced and what it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<T> {
    /// The value, or how the call failed.
    pub result: Result<T, Failure>,
    /// Fuel used (roughly, instructions executed).
    pub fuel_used: u64,
    /// Wall time of the call, instantiation included.
    pub elapsed: Duration,
}

/// The store's data: the limiter, which also remembers whether a limit was hit, so a trap
/// that follows a refused allocation is reported as [`Failure::Memory`].
#[derive(Debug)]
pub(crate) struct Sandbox {
    limits: Limits,
    memory_in_use: usize,
    limit_hit: bool,
    /// The state of the call's deterministic "random" stream (see `runtime::pure_wasi`).
    stream: u64,
    /// What the call wrote to its stderr or stdout (a panic's message), the first
    /// [`OUTPUT_KEPT`] bytes.
    output: Vec<u8>,
    /// Whether it wrote more than was kept.
    output_cut: bool,
}

/// How much of what a call writes to stderr and stdout is kept, to be shown with its trap.
pub(crate) const OUTPUT_KEPT: usize = 4096;

impl Sandbox {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            memory_in_use: 0,
            limit_hit: false,
            stream: 0x5173_e3a4_d000_0001,
            output: Vec::new(),
            output_cut: false,
        }
    }

    /// Keeps what the call wrote to stderr or stdout, up to [`OUTPUT_KEPT`] bytes in all.
    pub(crate) fn write_output(&mut self, bytes: &[u8]) {
        let room = OUTPUT_KEPT - self.output.len();
        self.output
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
        self.output_cut |= bytes.len() > room;
    }

    /// What the call wrote, as text on one line, or `None` when it wrote nothing.
    fn output_text(&self) -> Option<String> {
        let text = String::from_utf8_lossy(&self.output);
        let text: String = text
            .trim()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let cut = if self.output_cut { " …" } else { "" };
        (!text.is_empty()).then(|| format!("{text}{cut}"))
    }

    /// The call's limits.
    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The next value of the call's fixed pseudo-random stream (SplitMix64): the same in
    /// every call, so a plugin's output stays a function of its input.
    pub(crate) fn next_in_stream(&mut self) -> u64 {
        siteward_core::splitmix64(&mut self.stream)
    }

    fn refuse(&mut self) -> wasmtime::Result<bool> {
        self.limit_hit = true;
        Ok(false)
    }
}

impl ResourceLimiter for Sandbox {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let total = self.memory_in_use - current.min(self.memory_in_use) + desired;
        if total > self.limits.memory_bytes {
            return self.refuse();
        }
        self.memory_in_use = total;
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limits.table_elements {
            return self.refuse();
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        self.limits.instances
    }

    fn tables(&self) -> usize {
        self.limits.tables
    }

    fn memories(&self) -> usize {
        self.limits.instances
    }
}

/// The most the host copies out of a plugin's memory in one answer (or one call of an
/// import) before refusing it: the output cap and room for the host's records that hold it (a
/// hook's list of actions is counted at the host's size of an action per entry). Wasmtime
/// meters this as it lifts, before it allocates, so an answer of 100 MB costs the host
/// nothing but the refusal; an answer between the cap and this budget is copied, measured and
/// refused with its exact size.
pub const fn copy_budget(output_bytes: usize) -> usize {
    output_bytes.saturating_add(COPY_ALLOWANCE)
}

/// Room in [`copy_budget`] for the host's records around the strings and bytes of an answer.
const COPY_ALLOWANCE: usize = 256 * 1024;

/// What wasmtime says when a lift exceeds the store's hostcall fuel (its error type is
/// private; this text is tested by the plugin tests' hundred-megabyte answer).
const COPY_BUDGET_SPENT: &str = "fuel allocated for hostcalls has been exhausted";

/// A fresh store for one call with `limits`, where a deadline of `ticks` epoch ticks traps.
pub(crate) fn store(engine: &wasmtime::Engine, limits: Limits, ticks: u64) -> Store<Sandbox> {
    let mut store = Store::new(engine, Sandbox::new(limits));
    store.limiter(|sandbox| sandbox);
    store.set_epoch_deadline(ticks);
    store.epoch_deadline_trap();
    store.set_hostcall_fuel(copy_budget(limits.output_bytes));
    // Fuel is always metered, so what a call used can be reported; without a limit the tank
    // is as large as it gets.
    store
        .set_fuel(limits.fuel.unwrap_or(u64::MAX))
        .expect("the engine meters fuel");
    store
}

/// Fuel a store has used since [`store`] filled it.
pub(crate) fn fuel_used(store: &Store<Sandbox>) -> u64 {
    let tank = store.data().limits.fuel.unwrap_or(u64::MAX);
    tank - store.get_fuel().unwrap_or(0)
}

/// What a wasmtime error in `store` means for the caller.
pub(crate) fn classify(error: &wasmtime::Error, store: &Store<Sandbox>) -> Failure {
    match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => Failure::Deadline,
        Some(Trap::OutOfFuel) => Failure::Fuel,
        _ if store.data().limit_hit => Failure::Memory,
        _ if error
            .chain()
            .any(|cause| cause.to_string().contains(COPY_BUDGET_SPENT)) =>
        {
            Failure::OutputTooLarge {
                limit: store.data().limits.output_bytes,
                actual: None,
            }
        }
        Some(trap) => Failure::Trap(with_output(trap.to_string(), store)),
        None => Failure::Trap(with_output(format!("{error:#}"), store)),
    }
}

/// A trap's text with what the call wrote before it (a Rust panic's message, for one).
fn with_output(trap: String, store: &Store<Sandbox>) -> String {
    match store.data().output_text() {
        Some(output) => format!("{trap}; it wrote: {output}"),
        None => trap,
    }
}

/// The processor time this thread has used, where the system tells it.
fn thread_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
        Some(Duration::new(
            u64::try_from(now.tv_sec).ok()?,
            u32::try_from(now.tv_nsec).ok()?,
        ))
    }
    #[cfg(not(unix))]
    None
}

/// A missed deadline, or [`Failure::Starved`] when the call had less than a quarter of it on
/// a processor (a call runs on one thread from start to end and never blocks: the rest of the
/// time it was waiting for the machine). A quarter, not "most": a call that had a fair share
/// of a machine running four times as many threads as it has cores used its deadline.
fn starved(deadline: Duration, before: Option<Duration>, after: Option<Duration>) -> Failure {
    match before.zip(after) {
        Some((before, after)) if after.saturating_sub(before) < deadline / 4 => Failure::Starved {
            ran: after.saturating_sub(before),
            deadline,
        },
        _ => Failure::Deadline,
    }
}

/// Runs one call: checks the input's size, calls, classifies failures, checks the output's
/// size, and measures the call.
pub(crate) fn run<T>(
    store: &mut Store<Sandbox>,
    input_bytes: usize,
    call: impl FnOnce(&mut Store<Sandbox>) -> wasmtime::Result<Result<T, Failure>>,
    output_bytes: impl FnOnce(&T) -> usize,
) -> Outcome<T> {
    let started = Instant::now();
    let cpu_started = thread_cpu_time();
    let limits = store.data().limits;
    let result = if input_bytes > limits.input_bytes {
        Err(Failure::InputTooLarge {
            limit: limits.input_bytes,
            actual: input_bytes,
        })
    } else {
        match call(store) {
            Ok(Ok(value)) => {
                let actual = output_bytes(&value);
                if actual > limits.output_bytes {
                    Err(Failure::OutputTooLarge {
                        limit: limits.output_bytes,
                        actual: Some(actual),
                    })
                } else {
                    Ok(value)
                }
            }
            Ok(Err(failure)) => Err(failure),
            Err(error) => Err(match classify(&error, store) {
                Failure::Deadline => starved(limits.deadline, cpu_started, thread_cpu_time()),
                failure => failure,
            }),
        }
    };
    Outcome {
        result,
        fuel_used: fuel_used(store),
        elapsed: started.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_is_the_plugins_unless_it_had_less_than_a_quarter_of_it_on_a_processor() {
        let deadline = Duration::from_millis(100);
        let at = |ms| Some(Duration::from_millis(ms));
        assert_eq!(starved(deadline, at(1_000), at(1_090)), Failure::Deadline);
        assert_eq!(starved(deadline, at(1_000), at(1_025)), Failure::Deadline);
        let starving = starved(deadline, at(1_000), at(1_010));
        assert_eq!(
            starving,
            Failure::Starved {
                ran: Duration::from_millis(10),
                deadline
            }
        );
        assert!(!starving.is_the_plugins());
        assert_eq!(starving.code(), "starved");
        // Where the system cannot tell, the deadline is the plugin's.
        assert_eq!(starved(deadline, None, at(1_010)), Failure::Deadline);
    }

    #[test]
    fn this_threads_processor_time_is_read_and_grows_with_work() {
        let before = thread_cpu_time().expect("a unix system tells");
        let mut n: u64 = 0;
        while thread_cpu_time().unwrap() - before < Duration::from_millis(5) {
            n = std::hint::black_box(n + 1);
        }
        assert!(n > 0);
    }
}
