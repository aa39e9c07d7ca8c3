//! Who gets the pool's instance slots.
//!
//! The pooling allocator has a fixed number of component-instance slots, shared by every
//! tenant. Without a gate, a call arriving while they are all taken fails at instantiation,
//! so one tenant whose plugin spins to its deadline on every call could make another
//! tenant's well-behaved plugin fail. The gate hands out the slots instead: a call waits for
//! one (at most as long as its own deadline), and one tenant holds at most its share of them
//! at once, so the others always find room.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The slots, and how many each tenant holds.
#[derive(Debug)]
pub(crate) struct Gate {
    total: u32,
    per_tenant: u32,
    held: Mutex<Held>,
    freed: Condvar,
    /// Calls that found no slot free at once.
    waits: AtomicU64,
    /// How long they waited, in all, in nanoseconds.
    waited_nanos: AtomicU64,
}

/// The pool's slots and the waits for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Slots in the pool.
    pub slots: u32,
    /// Slots held by calls now.
    pub in_use: u32,
    /// Calls that found no slot free at once (given one later, or not: `busy`).
    pub waits: u64,
    /// How long those calls waited, in all.
    pub waited: Duration,
}

#[derive(Debug, Default)]
struct Held {
    total: u32,
    by_tenant: HashMap<String, u32>,
}

impl Held {
    fn of(&self, tenant: &str) -> u32 {
        self.by_tenant.get(tenant).copied().unwrap_or(0)
    }
}

/// One slot, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot<'a> {
    gate: &'a Gate,
    tenant: String,
}

impl Gate {
    /// `total` slots (the pool's), at most `per_tenant` of them for any one tenant.
    pub(crate) fn new(total: u32, per_tenant: u32) -> Self {
        Self {
            total: total.max(1),
            per_tenant: per_tenant.clamp(1, total.max(1)),
            held: Mutex::default(),
            freed: Condvar::new(),
            waits: AtomicU64::new(0),
            waited_nanos: AtomicU64::new(0),
        }
    }

    /// The slots and the waits so far.
    pub(crate) fn stats(&self) -> PoolStats {
        PoolStats {
            slots: self.total,
            in_use: self.lock().total,
            waits: self.waits.load(Ordering::Relaxed),
            waited: Duration::from_nanos(self.waited_nanos.load(Ordering::Relaxed)),
        }
    }

    fn waited_since(&self, started: Instant) {
        self.waits.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.waited_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// A slot for `tenant`, waiting at most `wait` for one; `None` when none came.
    pub(crate) fn enter(&self, tenant: &str, wait: Duration) -> Option<Slot<'_>> {
        let started = Instant::now();
        let until = started + wait;
        let mut held = self.lock();
        let mut waited = false;
        while held.total >= self.total || held.of(tenant) >= self.per_tenant {
            waited = true;
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                drop(held);
                self.waited_since(started);
                return None;
            };
            held = self
                .freed
                .wait_timeout(held, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if waited {
            self.waited_since(started);
        }
        held.total += 1;
        *held.by_tenant.entry(tenant.to_owned()).or_default() += 1;
        Some(Slot {
            gate: self,
            tenant: tenant.to_owned(),
        })
    }

    /// The counts are plain integers, right after every change: a panic elsewhere cannot
    /// leave them half-updated, so a poisoned lock is still good.
    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut held = self.gate.lock();
        held.total -= 1;
        if let Some(count) = held.by_tenant.get_mut(&self.tenant) {
            *count -= 1;
            if *count == 0 {
                held.by_tenant.remove(&self.tenant);
            }
        }
        drop(held);
        // Waiters wait on different conditions (the pool, or their tenant's share): wake all.
        self.gate.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Duration = Duration::ZERO;

    #[test]
    fn a_tenant_holds_at_most_its_share_and_the_others_find_room() {
        let gate = Gate::new(4, 2);
        let a1 = gate.enter("a", NOW).unwrap();
        let _a2 = gate.enter("a", NOW).unwrap();
        assert!(gate.enter("a", NOW).is_none(), "a's share is two");
        let _b1 = gate.enter("b", NOW).unwrap();
        let _b2 = gate.enter("b", NOW).unwrap();
        assert!(gate.enter("c", NOW).is_none(), "the pool is full");
        let stats = gate.stats();
        assert_eq!((stats.slots, stats.in_use, stats.waits), (4, 4, 2));
        drop(a1);
        assert!(
            gate.enter("a", NOW).is_some(),
            "a slot given back is free again"
        );
    }

    #[test]
    fn a_waiting_call_gets_the_slot_given_back_within_its_wait() {
        let gate = std::sync::Arc::new(Gate::new(1, 1));
        let held = gate.enter("a", NOW).unwrap();
        let (ready, about_to_wait) = std::sync::mpsc::channel();
        let waiter = {
            let gate = gate.clone();
            std::thread::spawn(move || {
                ready.send(()).unwrap();
                gate.enter("b", Duration::from_secs(30)).is_some()
            })
        };
        // The slot is held for 50 ms from the moment the waiter is about to ask for it: its wait,
        // as counted, is most of that (a waiter kept off the processor that long before it asks
        // is the only way below 20 ms).
        about_to_wait.recv().unwrap();
        std::thread::sleep(Duration::from_millis(50));
        drop(held);
        assert!(waiter.join().unwrap());
        let stats = gate.stats();
        assert_eq!(stats.waits, 1);
        assert!(stats.waited >= Duration::from_millis(20), "{stats:?}");
        assert!(
            gate.enter("c", Duration::from_millis(20)).is_some(),
            "the waiter's slot went back too"
        );
    }

    #[test]
    fn the_share_is_at_least_one_and_at_most_the_pool() {
        let gate = Gate::new(2, 0);
        let _a = gate.enter("a", NOW).unwrap();
        assert!(gate.enter("a", NOW).is_none());
        let gate = Gate::new(2, 10);
        let _a1 = gate.enter("a", NOW).unwrap();
        let _a2 = gate.enter("a", NOW).unwrap();
        assert!(gate.enter("b", NOW).is_none());
    }
}
