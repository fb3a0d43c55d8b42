//! The checkpoint thread: one for the process, off every robot's path. For each checkpoint
//! a robot took it writes the file, confirms it by a replay from the trusted checkpoint
//! before it (or the run's `Begin`) on its own instance of the robot, marks it trusted, and
//! applies retention. A checkpoint that fails its check is set aside and counted.

use crate::journal::checkpoint::{self, CheckpointData};
use crate::journal::format::CheckpointRecord;
use crate::journal::retention::{self, Retention};
use crate::journal::{history, JournalReader};
use crate::plugin::{LoadedPlugin, RobotInstance};
use crate::replay::{ReplayObserver, Replayer};
use crate::robot::status::RobotShared;
use crossbeam_channel::{unbounded, Sender};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub struct Job {
    pub dir: PathBuf,
    pub no: u64,
    pub data: CheckpointData,
    pub plugin: Arc<LoadedPlugin>,
    pub keep: usize,
    pub retention: Retention,
    pub shared: Arc<RobotShared>,
}

/// Jobs handed over and not finished yet.
static PENDING: AtomicU64 = AtomicU64::new(0);

fn queue() -> &'static Sender<Job> {
    static QUEUE: OnceLock<Sender<Job>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (tx, rx) = unbounded::<Job>();
        let spawned = std::thread::Builder::new()
            .name("checkpoints".into())
            .spawn(move || {
                for job in rx {
                    handle(&job);
                    PENDING.fetch_sub(1, Ordering::SeqCst);
                }
            });
        if let Err(e) = spawned {
            tracing::error!("cannot start the checkpoint thread: {e}");
        }
        tx
    })
}

pub fn submit(job: Job) {
    PENDING.fetch_add(1, Ordering::SeqCst);
    if let Err(e) = queue().send(job) {
        PENDING.fetch_sub(1, Ordering::SeqCst);
        let job = e.into_inner();
        job.shared
            .checkpoints
            .failure("the checkpoint thread is gone".into());
    }
}

/// Wait (at most `limit`) for every checkpoint handed over to be written and checked: at a
/// graceful shutdown, so the next start finds them. True if all were.
pub fn drain(limit: Duration) -> bool {
    let until = Instant::now() + limit;
    while PENDING.load(Ordering::SeqCst) > 0 {
        if Instant::now() >= until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    true
}

fn handle(job: &Job) {
    let robot = &job.shared.name;
    let counters = &job.shared.checkpoints;
    if let Err(e) = checkpoint::write_file(&job.dir, job.no, &job.data) {
        tracing::warn!(robot = %robot, "checkpoint {:08} not written: {e}", job.no);
        return counters.failure(format!("checkpoint {:08} not written: {e}", job.no));
    }
    match confirm(job) {
        Ok(()) => {
            if let Err(e) = checkpoint::set_trusted(&job.dir, job.no) {
                return counters.failure(format!("checkpoint {:08}: {e}", job.no));
            }
            counters.trusted(job.data.record.seq);
            tracing::debug!(robot = %robot, "checkpoint {:08} at event #{} confirmed", job.no, job.data.record.seq);
            retain(&job.dir, job.keep, job.retention, robot);
        }
        Err(why) => {
            tracing::warn!(robot = %robot, "checkpoint {:08} set aside: {why}", job.no);
            checkpoint::set_aside(&job.dir, job.no);
            counters.failure(format!("checkpoint {:08} set aside: {why}", job.no));
        }
    }
}

/// Stops the confirming replay at the checkpoint being confirmed, with its rebuilt hash.
struct UpTo {
    target: CheckpointRecord,
    rebuilt: Option<Option<[u8; 32]>>,
}

impl ReplayObserver for UpTo {
    fn on_checkpoint(
        &mut self,
        rec: &CheckpointRecord,
        rebuilt: Option<[u8; 32]>,
    ) -> ControlFlow<()> {
        if *rec == self.target {
            self.rebuilt = Some(rebuilt);
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// A replay from the trusted checkpoint before it (or the run's Begin) reproduces its hash,
/// and its file, read back, restores to it.
fn confirm(job: &Job) -> Result<(), String> {
    let dir = &job.dir;
    let target = &job.data.record;
    let reader = JournalReader::open(dir).map_err(|e| e.to_string())?;
    let observer = UpTo {
        target: target.clone(),
        rebuilt: None,
    };
    let mut replayer = Replayer::new(job.plugin.clone(), observer);
    let trusted = checkpoint::trusted(dir);
    let from_trusted = (trusted > 0 && trusted < job.no)
        .then(|| checkpoint::read_file(dir, trusted).ok())
        .flatten()
        .filter(|d| d.begin == job.data.begin)
        .and_then(|d| {
            let i = RobotInstance::restore(job.plugin.clone(), &d.begin.args, &d.snapshot).ok()?;
            Some((d.record.seq, i))
        });
    let (span, skip) = match from_trusted {
        Some((seq, instance)) => {
            replayer.start_from(instance, seq);
            (reader.between(trusted, job.no), 0)
        }
        None => {
            let span = reader.between(0, job.no);
            let (_, begins) = history::last_begin(&span).map_err(|e| e.to_string())?;
            (span, begins.saturating_sub(1))
        }
    };
    replayer.run(&span, skip).map_err(|e| e.to_string())?;
    let (_, stats, observer) = replayer.into_instance();
    match observer.rebuilt {
        None => {
            let why = stats
                .failed
                .map_or("the replay did not reach it".to_string(), |(seq, m)| {
                    format!("the replay failed at event #{seq}: {m}")
                });
            return Err(why);
        }
        Some(rebuilt) if rebuilt != Some(target.state_hash) => {
            return Err("a replay from the one before does not reproduce its state".into());
        }
        Some(_) => {}
    }
    // Its file, read back, matches the record and restores to the same state.
    super::restart::usable(&job.plugin, dir, job.no, target).map_err(|(why, _)| why)?;
    Ok(())
}

/// Keep the newest `keep` trusted checkpoints; what is before the oldest of them goes.
fn retain(dir: &Path, keep: usize, policy: Retention, robot: &str) {
    if policy == Retention::Keep || keep == 0 {
        return;
    }
    let trusted = checkpoint::trusted(dir);
    let kept: Vec<u64> = checkpoint::list(dir)
        .unwrap_or_default()
        .into_iter()
        .map(|(no, _)| no)
        .filter(|no| *no <= trusted && checkpoint::file_path(dir, *no).is_file())
        .collect();
    let Some(&oldest_kept) = kept.len().checked_sub(keep).and_then(|at| kept.get(at)) else {
        return;
    };
    match retention::apply(dir, oldest_kept, policy) {
        Ok(done) if done.archived + done.deleted > 0 => tracing::info!(
            robot = %robot,
            "journal retention: {} segments archived, {} deleted ({} -> {} bytes)",
            done.archived, done.deleted, done.bytes_before, done.bytes_after
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(robot = %robot, "journal retention failed: {e}"),
    }
}
