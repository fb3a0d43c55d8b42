//! What the throughput benches (`journal`, `replay`) share: rates over several rounds, the
//! machine they ran on, and a temporary folder on the real disk.

use anyhow::Context;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Events per second over the rounds of one measurement.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Spread {
    /// One per round, in the order measured.
    pub per_sec: Vec<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn new(per_sec: Vec<f64>) -> Spread {
        let mut sorted = per_sec.clone();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = match n {
            0 => 0.0,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
        Spread {
            median,
            min: sorted.first().copied().unwrap_or(0.0),
            max: sorted.last().copied().unwrap_or(0.0),
            per_sec,
        }
    }

    /// `median (min-max)`: in millions per second (`8.13 M (8.02-8.20)`) from 100,000/s up.
    pub fn show(&self) -> String {
        if self.median >= 1e5 {
            let m = |v: f64| v / 1e6;
            format!(
                "{:.2} M ({:.2}-{:.2})",
                m(self.median),
                m(self.min),
                m(self.max)
            )
        } else {
            format!("{:.0} ({:.0}-{:.0})", self.median, self.min, self.max)
        }
    }

    /// Nanoseconds per event at the median rate.
    pub fn ns_each(&self) -> f64 {
        if self.median > 0.0 {
            1e9 / self.median
        } else {
            f64::INFINITY
        }
    }
}

pub fn per_sec(count: u64, took: Duration) -> f64 {
    count as f64 / took.as_secs_f64().max(1e-9)
}

/// The machine and how busy it was: other work on two vCPUs moves these figures.
#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub loadavg_at_start: String,
    pub loadavg_at_end: String,
    /// The filesystem the files were written to (`/proc/mounts` line of its mount point).
    pub filesystem: String,
}

impl Machine {
    pub fn at_start(dir: &Path) -> Machine {
        Machine {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            loadavg_at_start: super::report::loadavg(),
            loadavg_at_end: String::new(),
            filesystem: filesystem_of(dir),
        }
    }

    pub fn finish(&mut self) {
        self.loadavg_at_end = super::report::loadavg();
    }

    pub fn line(&self) -> String {
        format!(
            "{} CPUs; load {} at start, {} at end; files on {}",
            self.cpus, self.loadavg_at_start, self.loadavg_at_end, self.filesystem
        )
    }
}

/// `device fstype` of the longest mount point that holds `dir`.
fn filesystem_of(dir: &Path) -> String {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 3 && dir.starts_with(f[1]))
                .then(|| (f[1].len(), format!("{} {}", f[0], f[2])))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "unknown".into(), |(_, fs)| fs)
}

/// A fresh folder for one run, removed on drop.
pub struct TempRoot(pub PathBuf);

impl TempRoot {
    pub fn new(parent: Option<&Path>, what: &str) -> anyhow::Result<TempRoot> {
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let root = parent.join(format!(
            "robofleet-bench-{what}-{}-{}",
            std::process::id(),
            robofleet::clock::wall_ns()
        ));
        std::fs::create_dir_all(&root)
            .with_context(|| format!("cannot create {}", root.display()))?;
        Ok(TempRoot(root))
    }
}

impl Drop for TempRoot {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!("cannot remove {}: {e}", self.0.display());
        }
    }
}
