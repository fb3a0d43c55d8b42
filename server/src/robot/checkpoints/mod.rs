//! Checkpoints of a live robot: taken by its loop when it is idle and one is due, written,
//! confirmed and pruned on the checkpoint thread, and used by a restart.
//!
//! # Layout
//! - this file: when one is due, and taking it on the worker running the robot (a snapshot, and the
//!   `Checkpoint` record that starts a new journal segment).
//! - [`worker`]: the one checkpoint thread: the file, the confirming replay, retention.
//! - [`restart`]: where a restart starts, and confirming checkpoints on the way.
//!
//! Why at idle: the loop checks for a due checkpoint only when its inbox is empty after a
//! turn, so a checkpoint never sits between a tick and its order.
//! Why a new segment: every segment before a checkpoint is then history that retention can
//! archive or delete whole, and the symbol ids the segment uses are named inside it.

pub mod restart;
pub mod worker;

use super::core::RobotCore;
use super::status::RobotShared;
use crate::journal::checkpoint::{CheckpointData, CheckpointPolicy};
use crate::journal::format::{self, BeginRecord, CheckpointRecord, RecordKind};
use crate::plugin::LoadedPlugin;
use robofleet_api::Params;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One robot's checkpointing, owned by its loop.
pub struct Checkpointing {
    policy: CheckpointPolicy,
    dir: PathBuf,
    /// The run its checkpoints belong to.
    begin: BeginRecord,
    plugin: Arc<LoadedPlugin>,
    shared: Arc<RobotShared>,
    /// The last event of the latest checkpoint (or where the run's state was rebuilt from).
    last_seq: u64,
    last_at: Instant,
}

impl Checkpointing {
    /// `from_seq`: the last event of the checkpoint the robot was restored from (0: none).
    pub fn new(
        policy: CheckpointPolicy,
        dir: PathBuf,
        begin: BeginRecord,
        plugin: Arc<LoadedPlugin>,
        shared: Arc<RobotShared>,
        from_seq: u64,
    ) -> Option<Self> {
        policy.is_on().then(|| Checkpointing {
            policy,
            dir,
            begin,
            plugin,
            shared,
            last_seq: from_seq,
            last_at: Instant::now(),
        })
    }

    /// Whether one is due after event `seq`: enough events, or enough time and some events.
    pub fn due(&self, seq: u64, now: Instant) -> bool {
        let events = seq.saturating_sub(self.last_seq);
        let p = &self.policy;
        events > 0
            && ((p.every_events > 0 && events >= p.every_events)
                || (p.every_secs > 0
                    && now.saturating_duration_since(self.last_at)
                        >= Duration::from_secs(p.every_secs)))
    }

    /// Take one now: the snapshot, and its record as the first of a new segment; the file,
    /// its confirmation and retention follow on the checkpoint thread. `Err` only when the
    /// journal could not be written (the robot must stop); a snapshot that fails is counted.
    pub fn take(&mut self, core: &mut RobotCore, params: Params) -> Result<(), String> {
        self.last_at = Instant::now();
        let seq = core.seq();
        let snapshot = match core.instance().snapshot_bytes() {
            Ok(s) => s,
            Err(e) => {
                // Not fatal: the robot trades on, restart replays from the previous one.
                self.shared
                    .checkpoints
                    .failure(format!("snapshot at event #{seq}: {e}"));
                self.last_seq = seq;
                return Ok(());
            }
        };
        let record = CheckpointRecord {
            seq,
            state_hash: format::state_hash(&snapshot),
            wall_ns: crate::clock::wall_ns(),
        };
        let body = postcard::to_allocvec(&record).map_err(|e| e.to_string())?;
        let journal = core.journal_mut().ok_or("no journal to checkpoint into")?;
        let no = journal
            .start_segment_with(RecordKind::Checkpoint, &body)
            .map_err(|e| format!("journal write failed, robot stopped: {e}"))?;
        core.rename_symbols();
        let (seen_orders, seen_fills) = core.seen().to_parts();
        let data = CheckpointData {
            record,
            begin: self.begin.clone(),
            build: self.plugin.build_label(),
            snapshot,
            params,
            seen_orders,
            seen_fills,
            own_orders: core.own_orders().iter().cloned().collect(),
        };
        self.shared
            .checkpoints
            .taken
            .fetch_add(1, Ordering::Relaxed);
        self.last_seq = seq;
        worker::submit(worker::Job {
            dir: self.dir.clone(),
            no,
            data,
            plugin: self.plugin.clone(),
            keep: self.policy.keep,
            retention: self.policy.retention,
            shared: self.shared.clone(),
        });
        Ok(())
    }
}
