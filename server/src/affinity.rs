//! Optional CPU isolation for the tick -> robot -> order -> gateway path.
//!
//! On a machine where waking a thread on another CPU is expensive (a VM without halt-polling
//! pays an inter-processor interrupt and a VM exit per wake-up), keeping the market data
//! thread, the robot threads and the gateway thread on one CPU turns each hand-off into a
//! local wake-up. Off by default: set `ROBOFLEET_HOT_CPU=N` (or [`set_hot_cpu`]) to use it.

use std::sync::OnceLock;

static HOT_CPU: OnceLock<Option<usize>> = OnceLock::new();

/// Choose the hot-path CPU for this process (before the server starts).
pub fn set_hot_cpu(cpu: Option<usize>) {
    let _ = HOT_CPU.set(cpu);
}

/// The hot-path CPU, if one was chosen (by `set_hot_cpu` or `ROBOFLEET_HOT_CPU`).
pub fn hot_cpu() -> Option<usize> {
    *HOT_CPU.get_or_init(|| {
        std::env::var("ROBOFLEET_HOT_CPU")
            .ok()
            .and_then(|v| v.trim().parse().ok())
    })
}

/// Pin the calling thread to the hot-path CPU, if one was chosen. A failure (a CPU that does
/// not exist, a restricted container) is logged once per thread and otherwise ignored.
pub fn pin_hot_path_thread() {
    let Some(cpu) = hot_cpu() else {
        return;
    };
    // SAFETY: a zeroed cpu_set_t is the empty set; CPU_SET and sched_setaffinity only read
    // and write that local set.
    let ok = unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    };
    if !ok {
        tracing::warn!("cannot pin the hot path to CPU {cpu}: {}", std::io::Error::last_os_error());
    }
}
