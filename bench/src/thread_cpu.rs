//! CPU time of this process's threads by name, from `/proc/self/task/*/schedstat` (its first
//! field: ns spent running). Two snapshots around a run give each thread's CPU in it.

use std::collections::BTreeMap;

/// ns of CPU per thread name (threads of the same name summed). Empty where `/proc` is not.
pub fn snapshot() -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let dir = task.path();
        let name = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        let ran = std::fs::read_to_string(dir.join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
        if let Some(ns) = ran {
            *out.entry(name.trim().to_string()).or_default() += ns;
        }
    }
    out
}

/// ns of CPU the calling thread has used so far (0 where `/proc` is not).
pub fn this_thread_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// CPU each named thread used between two snapshots (a thread gone by `after` counts 0).
pub fn used(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(name, ns)| {
            (
                name.clone(),
                ns.saturating_sub(*before.get(name).unwrap_or(&0)),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_busy_thread_shows_its_cpu() {
        let before = super::snapshot();
        let t = std::thread::Builder::new()
            .name("cpu-probe-test".into())
            .spawn(|| {
                let started = std::time::Instant::now();
                let mut x = 0u64;
                while started.elapsed() < std::time::Duration::from_millis(50) {
                    x = x.wrapping_add(std::hint::black_box(1));
                }
                (x, super::snapshot())
            })
            .unwrap();
        let (_, during) = t.join().unwrap();
        let used = super::used(&before, &during);
        let ns = used.get("cpu-probe-test").copied().unwrap_or(0);
        assert!(ns > 10_000_000, "{used:?}");
    }
}
