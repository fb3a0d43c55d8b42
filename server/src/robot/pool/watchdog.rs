//! The watchdog: a robot that blocks in its handler holds its worker, and if every worker is
//! held so while robots wait, another worker is started, so the others keep their turns.

use super::{spawn_worker, Inner, MAX_EXTRA, STALL};
use crate::clock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Weak;
use std::time::Duration;

/// Lets the watchdog sleep while no robot is running: an idle fleet then wakes no thread.
#[derive(Default)]
pub(super) struct WatchdogWake {
    pub(super) parked: AtomicBool,
    pub(super) thread: std::sync::OnceLock<std::thread::Thread>,
}

impl WatchdogWake {
    /// A turn has started: wake the watchdog if it sleeps.
    pub(super) fn turn_started(&self) {
        if self.parked.load(Ordering::SeqCst) && self.parked.swap(false, Ordering::SeqCst) {
            if let Some(t) = self.thread.get() {
                t.unpark();
            }
        }
    }
}

/// Every 10 ms while any robot runs (asleep otherwise): if robots wait on the run queue while every worker has been inside one
/// robot's turn longer than [`STALL`], start another worker (up to [`MAX_EXTRA`] more).
/// Added workers end once idle, so a robot that sleeps in its handler costs the others a
/// thread, never their turns.
pub(super) fn watchdog(inner: Weak<Inner>) {
    loop {
        std::thread::sleep(Duration::from_millis(10));
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if inner.stopping.load(Ordering::Relaxed) {
            return;
        }
        if !any_busy(&inner) {
            // Nothing runs: sleep until a turn starts (checked again after saying so, so a
            // turn starting meanwhile is not missed).
            inner.watchdog.parked.store(true, Ordering::SeqCst);
            if !any_busy(&inner) && !inner.stopping.load(Ordering::Relaxed) {
                let wake = inner.watchdog.clone();
                drop(inner);
                std::thread::park();
                wake.parked.store(false, Ordering::SeqCst);
                continue;
            }
            inner.watchdog.parked.store(false, Ordering::SeqCst);
        }
        if inner.run_rx.is_empty() || inner.extra.load(Ordering::Relaxed) >= MAX_EXTRA {
            continue;
        }
        let now = clock::mono_ns();
        let stalled = {
            let slots = inner.slots.lock().unwrap_or_else(|e| e.into_inner());
            slots.iter().all(|s| {
                let since = s.busy_since.load(Ordering::Relaxed);
                since != 0 && now.saturating_sub(since) > STALL.as_nanos() as u64
            })
        };
        if !stalled {
            continue;
        }
        let n = inner.extra.fetch_add(1, Ordering::Relaxed) + 1;
        inner.added.fetch_add(1, Ordering::Relaxed);
        tracing::warn!("every robot worker is held by a robot for over {STALL:?} with robots waiting: adding a worker ({n} added now)");
        if let Err(e) = spawn_worker(&inner, 1000 + n, true) {
            inner.extra.fetch_sub(1, Ordering::Relaxed);
            tracing::error!("cannot add a robot worker: {e}");
        }
    }
}

fn any_busy(inner: &Inner) -> bool {
    let slots = inner.slots.lock().unwrap_or_else(|e| e.into_inner());
    slots
        .iter()
        .any(|s| s.busy_since.load(Ordering::SeqCst) != 0)
}
