//! The limits of one plugin call.

use std::time::Duration;

use crate::worlds::World;

/// What one call may use. A plugin's limits never exceed the operator's ceiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock time, measured in ticks of the runtime's epoch ticker (so exact to a tick).
    pub deadline: Duration,
    /// Bytes of linear memory, counted over every memory of the component.
    pub memory_bytes: usize,
    /// Core and component instances.
    pub instances: usize,
    /// Tables.
    pub tables: usize,
    /// Elements of any one table.
    pub table_elements: usize,
    /// Bytes of input (the sum of every string and byte list passed in).
    pub input_bytes: usize,
    /// Bytes of output (the sum of every string and byte list returned).
    pub output_bytes: usize,
    /// Fuel (roughly, WebAssembly instructions); `None` meters without a limit.
    pub fuel: Option<u64>,
}

/// A limit above the operator's ceiling.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{limit} may be at most {ceiling} (the operator's ceiling), not {asked}")]
pub struct LimitError {
    /// Which limit.
    pub limit: &'static str,
    /// What the operator allows.
    pub ceiling: String,
    /// What was asked.
    pub asked: String,
}

const MIB: usize = 1 << 20;

impl Limits {
    /// The defaults of a world: renderers and policies answer while a person waits (100 ms),
    /// hooks and exporters work in the background (1 s); 32 MiB of memory.
    pub fn for_world(world: World) -> Self {
        let (deadline, output_bytes) = match world {
            World::InvitationRenderer => (Duration::from_millis(100), MIB),
            World::InvitationPolicy => (Duration::from_millis(100), 64 * 1024),
            World::NotificationHook => (Duration::from_secs(1), MIB),
            World::AuditExporter => (Duration::from_secs(1), 16 * MIB),
        };
        Self {
            deadline,
            memory_bytes: 32 * MIB,
            instances: 32,
            tables: 32,
            table_elements: 20_000,
            input_bytes: if world == World::AuditExporter {
                16 * MIB
            } else {
                256 * 1024
            },
            output_bytes,
            fuel: None,
        }
    }

    /// The most an operator lets any plugin use (the pooling allocator is sized for it).
    pub fn ceiling() -> Self {
        Self {
            deadline: Duration::from_secs(5),
            memory_bytes: 128 * MIB,
            instances: 64,
            tables: 64,
            table_elements: 100_000,
            input_bytes: 64 * MIB,
            output_bytes: 64 * MIB,
            fuel: None,
        }
    }

    /// These limits, checked against `ceiling`.
    pub fn within(self, ceiling: &Self) -> Result<Self, LimitError> {
        fn check<T: PartialOrd + std::fmt::Debug>(
            limit: &'static str,
            asked: T,
            ceiling: T,
        ) -> Result<(), LimitError> {
            if asked > ceiling {
                return Err(LimitError {
                    limit,
                    ceiling: format!("{ceiling:?}"),
                    asked: format!("{asked:?}"),
                });
            }
            Ok(())
        }
        check("deadline", self.deadline, ceiling.deadline)?;
        check("memory_bytes", self.memory_bytes, ceiling.memory_bytes)?;
        check("instances", self.instances, ceiling.instances)?;
        check("tables", self.tables, ceiling.tables)?;
        check(
            "table_elements",
            self.table_elements,
            ceiling.table_elements,
        )?;
        check("input_bytes", self.input_bytes, ceiling.input_bytes)?;
        check("output_bytes", self.output_bytes, ceiling.output_bytes)?;
        if let Some(ceiling_fuel) = ceiling.fuel {
            check("fuel", self.fuel.unwrap_or(u64::MAX), ceiling_fuel)?;
        }
        Ok(self)
    }
}
