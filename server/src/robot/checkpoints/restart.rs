//! Where a restart starts: the latest usable trusted checkpoint of the robot's current run,
//! or the run's `Begin` when it has none; and, while the rest is replayed, confirming the
//! checkpoints taken since the trusted one.

use crate::journal::checkpoint::{self, CheckpointData};
use crate::journal::format::{self, CheckpointRecord};
use crate::journal::{history, JournalError, JournalReader};
use crate::plugin::{LoadedPlugin, RobotInstance};
use std::path::Path;
use std::sync::Arc;

/// Where to rebuild the robot from.
pub enum StartPoint {
    /// Restored from checkpoint `no`; the journal from segment `no` on is replayed after it.
    Checkpoint {
        no: u64,
        data: Box<CheckpointData>,
        instance: RobotInstance,
    },
    /// The run replayed from its `Begin`, reading the journal from segment `from` on.
    Begin { from: u64 },
}

/// The start point, and what was passed over on the way there (for the log and status).
pub fn find(
    plugin: &Arc<LoadedPlugin>,
    reader: &JournalReader,
) -> Result<(StartPoint, Vec<String>), JournalError> {
    let dir = reader.dir();
    let checkpoints = checkpoint::list(dir)?;
    let mut notes = Vec::new();
    let Some(&(latest, _)) = checkpoints.last() else {
        return Ok((StartPoint::Begin { from: 0 }, notes));
    };
    // A run begun after the latest checkpoint has none of its own.
    let (begin_after, _) = history::last_begin(&reader.between(latest, u64::MAX))?;
    if begin_after.is_some() {
        return Ok((StartPoint::Begin { from: latest }, notes));
    }
    let trusted = checkpoint::trusted(dir);
    for (no, rec) in checkpoints.iter().rev() {
        // Not confirmed yet: the replay from an earlier one passes it and checks it.
        if *no > trusted {
            continue;
        }
        match usable(plugin, dir, *no, rec) {
            Ok((data, instance)) => {
                let start = StartPoint::Checkpoint {
                    no: *no,
                    data: Box::new(data),
                    instance,
                };
                return Ok((start, notes));
            }
            Err((why, bad)) => {
                notes.push(format!("checkpoint {no:08} unusable ({why})"));
                if bad {
                    checkpoint::set_aside(dir, *no);
                }
            }
        }
    }
    Ok((StartPoint::Begin { from: 0 }, notes))
}

/// Checkpoint `no` read and restored; `Err((why, whether it is bad for any build))`.
pub(super) fn usable(
    plugin: &Arc<LoadedPlugin>,
    dir: &Path,
    no: u64,
    rec: &CheckpointRecord,
) -> Result<(CheckpointData, RobotInstance), (String, bool)> {
    let data = checkpoint::read_file(dir, no).map_err(|e| (e, true))?;
    if data.record != *rec {
        return Err(("its file does not match its journal record".into(), true));
    }
    // A new build may restore an old build's state and write it back otherwise: only the
    // build that took it must reproduce its hash exactly.
    let same_build = data.build == plugin.build_label();
    let instance = RobotInstance::restore(plugin.clone(), &data.begin.args, &data.snapshot)
        .map_err(|e| (format!("restore failed: {e}"), same_build))?;
    if same_build {
        let hash = instance
            .snapshot_bytes()
            .map(|s| format::state_hash(&s))
            .map_err(|e| (format!("snapshot of the restored robot failed: {e}"), true))?;
        if hash != rec.state_hash {
            return Err((
                format!(
                    "restores to state {}, the journal recorded {}",
                    format::hex(&hash[..8]),
                    format::hex(&rec.state_hash[..8])
                ),
                true,
            ));
        }
    }
    Ok((data, instance))
}

/// Checkpoints after the start point that are not trusted yet: each is confirmed as the
/// replay passes it (its hash reproduced and its file restoring to it), or set aside.
pub struct Unconfirmed {
    dir: std::path::PathBuf,
    plugin: Arc<LoadedPlugin>,
    /// `(segment number, record)`, oldest first.
    pending: Vec<(u64, CheckpointRecord)>,
    pub notes: Vec<String>,
    /// The newest checkpoint confirmed here.
    pub confirmed: Option<u64>,
}

impl Unconfirmed {
    pub fn after(plugin: &Arc<LoadedPlugin>, dir: &Path, from: u64) -> Self {
        let trusted = checkpoint::trusted(dir);
        let pending = checkpoint::list(dir)
            .unwrap_or_default()
            .into_iter()
            .filter(|(no, _)| *no > from.max(trusted))
            .collect();
        Unconfirmed {
            dir: dir.to_path_buf(),
            plugin: plugin.clone(),
            pending,
            notes: Vec::new(),
            confirmed: None,
        }
    }

    /// The replay reached `rec` with the rebuilt state hashing to `rebuilt`.
    pub fn reached(&mut self, rec: &CheckpointRecord, rebuilt: Option<[u8; 32]>) {
        let Some(at) = self.pending.iter().position(|(_, r)| r == rec) else {
            return;
        };
        let (no, rec) = self.pending.remove(at);
        let checked = if rebuilt != Some(rec.state_hash) {
            Err("a replay from the one before does not reproduce its state".to_string())
        } else {
            usable(&self.plugin, &self.dir, no, &rec).map_err(|(why, _)| why)
        };
        match checked {
            Ok(_) => match checkpoint::set_trusted(&self.dir, no) {
                Ok(()) => self.confirmed = Some(no),
                Err(e) => self.notes.push(format!("checkpoint {no:08}: {e}")),
            },
            Err(why) => {
                self.notes
                    .push(format!("checkpoint {no:08} set aside ({why})"));
                checkpoint::set_aside(&self.dir, no);
            }
        }
    }
}
