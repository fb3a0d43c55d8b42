//! One replay run of one robot's journal through one plugin build, as `robofleet replay`
//! does it: optional time range, results to a sink, a report at the end.

use super::engine::{Outcome, ReplayError, ReplayObserver, Replayed, Replayer};
use super::sink::{ReplaySink, SinkError};
use crate::journal::format::{self, BeginRecord, EndRecord};
use crate::journal::{checkpoint, JournalReader};
use crate::plugin::{LoadedPlugin, RobotInstance};
use robofleet_api::{Action, Event};
use serde::Serialize;
use serde_json::{json, Value};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub run_id: String,
    /// Only events with `from <= ts <= to` are reported and written; earlier ones are still
    /// replayed, since the state grows from the start of the run.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Also snapshot the state every this many events (0: only the last).
    pub snapshot_every: u64,
}

/// The first event where the robot did something else than it did live.
#[derive(Clone, Debug, Serialize)]
pub struct DivergenceReport {
    pub seq: u64,
    pub ts: i64,
    pub event: Value,
    pub recorded: Value,
    pub produced: Value,
}

#[derive(Clone, Debug, Serialize)]
pub struct RunReport {
    pub run_id: String,
    pub robot: String,
    pub build: String,
    pub journal: String,
    pub recorded_builds: Vec<String>,
    pub runs: u64,
    pub events_replayed: u64,
    pub events_in_range: u64,
    pub actions: u64,
    /// Every action the same as recorded, every recorded end state rebuilt exactly.
    pub identical: bool,
    pub divergent_events: u64,
    pub first_divergence: Option<DivergenceReport>,
    pub ends_checked: u64,
    pub end_mismatches: u64,
    /// Checkpoints passed whose recorded state the replay checked, and how many differed.
    pub checkpoints_checked: u64,
    pub checkpoint_mismatches: u64,
    /// The checkpoint the replay started from, when retention deleted the journal before it.
    pub started_from_checkpoint: Option<u64>,
    pub final_seq: u64,
    pub final_state_hash: Option<String>,
    pub failed: Option<String>,
    pub torn_tail: Option<String>,
    pub output: Option<String>,
}

struct Tool<'s> {
    opts: &'s RunOptions,
    robot: String,
    sink: Option<Box<dyn ReplaySink>>,
    batch: Vec<Value>,
    builds: Vec<String>,
    in_range: u64,
    since_snapshot: u64,
    progress: Box<dyn FnMut(u64)>,
    error: Option<SinkError>,
}

impl Tool<'_> {
    fn in_range(&self, ts: i64) -> bool {
        self.opts.from.is_none_or(|f| ts >= f) && self.opts.to.is_none_or(|t| ts <= t)
    }

    fn snapshot(&mut self, seq: u64, ts: i64, why: &str, state: &[u8]) {
        let doc = json!({
            "_id": format!("{}:{seq}:{why}", self.opts.run_id),
            "run": self.opts.run_id, "robot": self.robot, "seq": seq, "ts": ts, "why": why,
            "state_hash": format::hex(&format::state_hash(state)),
            "state": format::hex(state),
        });
        if let Some(sink) = self.sink.as_deref_mut() {
            if let Err(e) = sink.snapshot(&doc) {
                self.error.get_or_insert(e);
            }
        }
    }

    fn flush(&mut self) {
        if let Some(sink) = self.sink.as_deref_mut() {
            if let Err(e) = sink.actions(&self.batch) {
                self.error.get_or_insert(e);
            }
        }
        self.batch.clear();
    }
}

impl ReplayObserver for Tool<'_> {
    /// Snapshots are of the robot right after their event, and a replay that stops at
    /// `--to` must leave the robot there: one market record a call then.
    fn batch_limit(&self) -> usize {
        if self.opts.to.is_some() || self.opts.snapshot_every > 0 {
            1
        } else {
            super::engine::DEFAULT_BATCH
        }
    }

    fn on_begin(&mut self, begin: &BeginRecord) {
        self.builds.push(begin.build.clone());
    }

    fn on_event(&mut self, r: &Replayed<'_>) -> ControlFlow<()> {
        if self.opts.to.is_some_and(|t| r.ts > t) {
            return ControlFlow::Break(());
        }
        if !self.in_range(r.ts) {
            return ControlFlow::Continue(());
        }
        self.in_range += 1;
        if self.sink.is_some() && (r.produced.action_count() > 0 || !r.matched) {
            let event = event_json(r.event.decode().as_ref());
            let mut doc = json!({
                "_id": format!("{}:{}", self.opts.run_id, r.seq),
                "run": self.opts.run_id, "robot": self.robot, "seq": r.seq, "ts": r.ts,
                "event_kind": event.get("kind").and_then(kind_name),
                "actions": outcome_json(r.produced), "matched": r.matched,
            });
            if !r.matched {
                doc["recorded"] = outcome_json(r.recorded);
                doc["event"] = event;
            }
            self.batch.push(doc);
            if self.batch.len() >= 1000 {
                self.flush();
            }
        }
        self.since_snapshot += 1;
        if self.opts.snapshot_every > 0 && self.since_snapshot >= self.opts.snapshot_every {
            self.since_snapshot = 0;
            if let Some(state) = r.instance.and_then(|i| i.snapshot_bytes().ok()) {
                self.snapshot(r.seq, r.ts, "every", &state);
            }
        }
        if self.error.is_some() {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    fn on_end(&mut self, end: &EndRecord, _rebuilt: Option<[u8; 32]>) {
        let _ = end;
    }

    fn on_progress(&mut self, bytes: u64) {
        (self.progress)(bytes);
    }
}

/// The event as JSON for reports (`null` if it cannot be decoded).
pub fn event_json(event: Option<&Event>) -> Value {
    event
        .and_then(|e| serde_json::to_value(e).ok())
        .unwrap_or(Value::Null)
}

pub fn outcome_json(outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Actions(bytes) => postcard::from_bytes::<Vec<Action>>(bytes)
            .ok()
            .and_then(|a| serde_json::to_value(a).ok())
            .unwrap_or(Value::Null),
        Outcome::Failed(msg) => json!({ "failed": msg }),
    }
}

fn kind_name(kind: &Value) -> Option<Value> {
    match kind {
        Value::String(s) => Some(Value::String(s.clone())),
        Value::Object(m) => m.keys().next().map(|k| Value::String(k.clone())),
        _ => None,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Replay(#[from] ReplayError),
    #[error(transparent)]
    Sink(#[from] SinkError),
}

/// Replay `journal_dir` (one robot) through `plugin`, writing to `sink` if given.
pub fn replay_robot(
    journal_dir: &Path,
    plugin: &Arc<LoadedPlugin>,
    opts: &RunOptions,
    sink: Option<Box<dyn ReplaySink>>,
    progress: Box<dyn FnMut(u64)>,
) -> Result<RunReport, RunError> {
    let robot = journal_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let reader = JournalReader::open(journal_dir).map_err(ReplayError::from)?;
    let tool = Tool {
        opts,
        robot: robot.clone(),
        sink,
        batch: Vec::new(),
        builds: Vec::new(),
        in_range: 0,
        since_snapshot: 0,
        progress,
        error: None,
    };
    let mut replayer = Replayer::new(plugin.clone(), tool);
    // A journal whose start was deleted by retention starts from its oldest checkpoint.
    let mut started_from = None;
    if let Some((no, rec)) = checkpoint::journal_starts_with(&reader) {
        let data = checkpoint::read_file(journal_dir, no).map_err(|why| {
            ReplayError::Record(journal_dir.display().to_string(), "Checkpoint", why)
        })?;
        if data.record != rec {
            let why = "its file does not match its journal record".to_string();
            return Err(
                ReplayError::Record(journal_dir.display().to_string(), "Checkpoint", why).into(),
            );
        }
        let instance = RobotInstance::restore(plugin.clone(), &data.begin.args, &data.snapshot)
            .map_err(ReplayError::Create)?;
        replayer.observer.builds.push(data.build.clone());
        replayer.start_from(instance, rec.seq);
        started_from = Some(no);
    }
    replayer.run(&reader, 0)?;
    let (instance, stats, mut tool) = replayer.into_instance();
    tool.flush();
    let final_state = instance.as_ref().and_then(|i| i.snapshot_bytes().ok());
    if let Some(state) = &final_state {
        tool.snapshot(stats.last_seq, 0, "final", state);
    }
    if let Some(e) = tool.error.take() {
        return Err(e.into());
    }
    let identical = stats.divergent_events == 0
        && stats.end_mismatches == 0
        && stats.checkpoint_mismatches == 0;
    let report = RunReport {
        run_id: opts.run_id.clone(),
        robot,
        build: plugin.build_label(),
        journal: journal_dir.display().to_string(),
        recorded_builds: tool.builds.clone(),
        runs: stats.runs,
        events_replayed: stats.events,
        events_in_range: tool.in_range,
        actions: stats.actions,
        identical,
        divergent_events: stats.divergent_events,
        first_divergence: stats.first_divergence.as_ref().map(|d| DivergenceReport {
            seq: d.seq,
            ts: d.ts,
            event: event_json(d.event.as_ref()),
            recorded: outcome_json(&d.recorded),
            produced: outcome_json(&d.produced),
        }),
        ends_checked: stats.ends_checked,
        end_mismatches: stats.end_mismatches,
        checkpoints_checked: stats.checkpoints_checked,
        checkpoint_mismatches: stats.checkpoint_mismatches,
        started_from_checkpoint: started_from,
        final_seq: stats.last_seq,
        final_state_hash: final_state.map(|s| format::hex(&format::state_hash(&s))),
        failed: stats.failed.map(|(seq, m)| format!("event #{seq}: {m}")),
        torn_tail: stats.walk.torn_tail.clone(),
        output: None,
    };
    if let Some(mut sink) = tool.sink.take() {
        // Set before the run document is written, so the stored document says it too.
        let mut report = report;
        report.output = Some(sink.location());
        let mut doc = serde_json::to_value(&report).unwrap_or(Value::Null);
        doc["_id"] = Value::String(opts.run_id.clone());
        sink.finish(&doc)?;
        return Ok(report);
    }
    Ok(report)
}
