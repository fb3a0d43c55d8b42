//! The replay engine: a robot's journal through a plugin build, event by event, comparing
//! what the robot does now with what it did then. The same engine rebuilds a live robot's
//! state at restart and runs `robofleet replay`.

use super::event_ref::EventRef;
use crate::journal::format::{
    self, BeginRecord, CheckpointRecord, EndRecord, FailedRecord, RecordKind,
};
use crate::journal::{JournalError, JournalReader, RawRecord, WalkSummary};
use crate::plugin::{CallError, LoadedPlugin, RobotInstance};
use robofleet_api::abi::{RfLevel, RfMarket};
use robofleet_api::Event;

// Market records, batched: many to the robot per call.
#[path = "batch.rs"]
mod batch;
use std::ops::ControlFlow;
use std::sync::Arc;

/// What a robot did with one event: its actions (postcard bytes) or a failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Actions(Vec<u8>),
    Failed(String),
}

impl Outcome {
    /// Number of actions (postcard's length prefix), 0 for a failure.
    pub fn action_count(&self) -> u64 {
        match self {
            Outcome::Actions(b) => b.first().map_or(0, |_| leading_varint(b)),
            Outcome::Failed(_) => 0,
        }
    }

    /// Both failed, or both produced the very same bytes.
    fn same_as(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Failed(_), Outcome::Failed(_)) => true,
            (a, b) => a == b,
        }
    }
}

/// One replayed event, as the observer sees it.
pub struct Replayed<'a> {
    pub seq: u64,
    pub ts: i64,
    /// The event as journaled.
    pub event: EventRef<'a>,
    pub recorded: &'a Outcome,
    pub produced: &'a Outcome,
    pub matched: bool,
    /// The last event in the journal with actions but no record of them: the process died
    /// before it carried them out, so they are not a divergence.
    pub unrecorded_tail: bool,
    /// The rebuilt robot (for snapshots): right after this event when the observer's
    /// [`ReplayObserver::batch_limit`] is 1, else after the batch of market records this
    /// event was handed over in.
    pub instance: Option<&'a RobotInstance>,
}

/// Sees the replay as it goes. Every method has a do-nothing default.
pub trait ReplayObserver {
    fn on_begin(&mut self, _begin: &BeginRecord) {}
    fn on_event(&mut self, _event: &Replayed<'_>) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
    /// A recorded graceful end and the hash of the rebuilt state at that point.
    fn on_end(&mut self, _end: &EndRecord, _rebuilt: Option<[u8; 32]>) {}
    /// A checkpoint record and the hash of the rebuilt state at that point. Breaking stops
    /// the replay there.
    fn on_checkpoint(
        &mut self,
        _checkpoint: &CheckpointRecord,
        _rebuilt: Option<[u8; 32]>,
    ) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
    /// Journal bytes read so far, every few thousand records (for a progress bar).
    fn on_progress(&mut self, _bytes: u64) {}
    /// The most market records handed to the robot in one call. Their events are seen after
    /// the call: an observer that looks at the robot after given events, or stops the replay
    /// at one, asks for 1.
    fn batch_limit(&self) -> usize {
        DEFAULT_BATCH
    }
}

/// Market records per call by default: enough to make the call's own cost vanish, few
/// enough to stay in the cache.
pub const DEFAULT_BATCH: usize = 256;

impl ReplayObserver for () {}

#[derive(Clone, Debug, PartialEq)]
pub struct Divergence {
    pub seq: u64,
    pub ts: i64,
    /// The event, decoded (`None` if it could not be).
    pub event: Option<Event>,
    pub recorded: Outcome,
    pub produced: Outcome,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplayStats {
    pub runs: u64,
    pub events: u64,
    pub actions: u64,
    pub divergent_events: u64,
    pub first_divergence: Option<Divergence>,
    /// Graceful ends whose recorded state hash was checked, and how many differed.
    pub ends_checked: u64,
    pub end_mismatches: u64,
    /// Checkpoints passed whose recorded state hash was checked, and how many differed.
    pub checkpoints_checked: u64,
    pub checkpoint_mismatches: u64,
    /// The rebuilt robot failed (with this message) and the replay stopped there.
    pub failed: Option<(u64, String)>,
    pub last_seq: u64,
    /// `Risk` records passed (limits, resumes, the kill switch).
    pub risk_records: u64,
    pub walk: WalkSummary,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("journal {0}: undecodable {1} record: {2}")]
    Record(String, &'static str, String),
    #[error("cannot create the robot from its journaled args: {0}")]
    Create(CallError),
    #[error("the journal has events before any Begin record")]
    NoBegin,
    #[error("the rebuilt robot refused symbol id {0}: {1}")]
    Symbol(u32, CallError),
}

/// The last replayed event, until the record of what it did then settles it. Its buffers
/// are reused from event to event: no allocation per event.
struct Pending {
    live: bool,
    seq: u64,
    ts: i64,
    /// A market record, or else the postcard event in `event`.
    market: Option<RfMarket>,
    event: Vec<u8>,
    produced: Outcome,
}

/// Replays the runs of a journal from the `skip_begins`-th Begin record on.
pub struct Replayer<O: ReplayObserver> {
    plugin: Arc<LoadedPlugin>,
    instance: Option<RobotInstance>,
    pending: Pending,
    /// What the journal recorded for the pending event (buffer reused likewise).
    recorded: Outcome,
    /// Market records read but not yet handed to the robot, and their books' levels.
    batch: Vec<RfMarket>,
    batch_levels: Vec<RfLevel>,
    /// The pending event's levels, when it is a book.
    pending_levels: Vec<RfLevel>,
    /// Symbol names by id, as the journal's Symbol records named them.
    symbols: Vec<String>,
    /// `Actions([0])`: what an event that did nothing produced and recorded.
    empty: Outcome,
    pub observer: O,
    pub stats: ReplayStats,
    stop: bool,
    error: Option<ReplayError>,
}

impl<O: ReplayObserver> Replayer<O> {
    pub fn new(plugin: Arc<LoadedPlugin>, observer: O) -> Self {
        Replayer {
            plugin,
            instance: None,
            pending: Pending {
                live: false,
                seq: 0,
                ts: 0,
                market: None,
                event: Vec::new(),
                produced: Outcome::Actions(Vec::new()),
            },
            recorded: Outcome::Actions(Vec::new()),
            batch: Vec::with_capacity(DEFAULT_BATCH),
            batch_levels: Vec::new(),
            pending_levels: Vec::new(),
            symbols: Vec::new(),
            empty: Outcome::Actions(format::EMPTY_ACTIONS.to_vec()),
            observer,
            stats: ReplayStats::default(),
            stop: false,
            error: None,
        }
    }

    /// Replay every run from the `skip_begins`-th Begin (0: the first) to the end.
    pub fn run(&mut self, reader: &JournalReader, skip_begins: u64) -> Result<(), ReplayError> {
        // Started from a restored robot: its run's Begin is behind the journal being run.
        let mut begins_seen = u64::from(self.instance.is_some());
        let (mut records, mut bytes) = (0u64, 0u64);
        // Read and checked on another core, ahead of the robot.
        let walk = reader.walk_ahead(|rec| {
            records += 1;
            bytes += (rec.body.len() + 1 + format::RECORD_HEADER_LEN) as u64;
            if records % 4096 == 0 {
                self.observer.on_progress(bytes);
            }
            if rec.kind == RecordKind::Begin {
                begins_seen += 1;
            }
            if begins_seen <= skip_begins {
                return ControlFlow::Continue(());
            }
            self.on_record(rec);
            if self.stop || self.error.is_some() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })?;
        self.flush_batch();
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.settle_with(|o| set_actions(o, format::EMPTY_ACTIONS), true);
        self.stats.walk = walk;
        Ok(())
    }

    /// Go on from `instance`, a robot restored from the checkpoint the journal to be run
    /// starts with (its run's `Begin` is behind it).
    pub fn start_from(&mut self, instance: RobotInstance, seq: u64) {
        self.instance = Some(instance);
        self.stats.runs += 1;
        self.stats.last_seq = seq;
    }

    /// The rebuilt robot, ready to go on live (None if the journal had no run).
    pub fn into_instance(self) -> (Option<RobotInstance>, ReplayStats, O) {
        (self.instance, self.stats, self.observer)
    }

    fn on_record(&mut self, rec: RawRecord<'_>) {
        let dir = || String::new();
        if rec.kind == RecordKind::Market {
            return self.on_market(rec.body);
        }
        // Whatever follows a batch of market records settles it first.
        self.flush_batch();
        if self.stop {
            return;
        }
        match rec.kind {
            RecordKind::Begin => {
                self.settle_with(|o| set_actions(o, format::EMPTY_ACTIONS), true);
                let begin: BeginRecord = match rec.decode() {
                    Ok(b) => b,
                    Err(e) => return self.fail(ReplayError::Record(dir(), "Begin", e.to_string())),
                };
                // The old instance goes first: its state ends here.
                self.instance = None;
                self.symbols.clear();
                match RobotInstance::create(self.plugin.clone(), &begin.args) {
                    Ok(i) => self.instance = Some(i),
                    Err(e) => return self.fail(ReplayError::Create(e)),
                }
                self.stats.runs += 1;
                self.observer.on_begin(&begin);
            }
            // A Resume (or a Begin) right after an event means the process died there:
            // actions with no record were never carried out, which is no divergence.
            RecordKind::Resume => self.settle_with(|o| set_actions(o, format::EMPTY_ACTIONS), true),
            RecordKind::Symbol => {
                self.settle_empty();
                let Some((id, name)) = format::read_symbol(rec.body) else {
                    return self.fail(ReplayError::Record(dir(), "Symbol", "bad body".into()));
                };
                let Some(instance) = self.instance.as_mut() else {
                    return self.fail(ReplayError::NoBegin);
                };
                if let Err(e) = instance.define_symbol(id, name) {
                    return self.fail(ReplayError::Symbol(id, e));
                }
                let at = id as usize;
                if self.symbols.len() <= at {
                    self.symbols.resize(at + 1, String::new());
                }
                self.symbols[at] = name.to_string();
            }
            RecordKind::Event => {
                self.settle_empty();
                if self.stop {
                    return;
                }
                let Some(instance) = self.instance.as_mut() else {
                    return self.fail(ReplayError::NoBegin);
                };
                let Some((seq, ts)) = format::event_header(rec.body) else {
                    return self.fail(ReplayError::Record(dir(), "Event", "no header".into()));
                };
                let p = &mut self.pending;
                if let Err(e) = instance.handle_bytes(rec.body, |b| set_actions(&mut p.produced, b))
                {
                    p.produced = Outcome::Failed(e.to_string());
                }
                p.event.clear();
                p.event.extend_from_slice(rec.body);
                (p.seq, p.ts, p.live, p.market) = (seq, ts, true, None);
                self.stats.events += 1;
                self.stats.last_seq = seq;
            }
            RecordKind::Actions => self.settle_with(|o| set_actions(o, rec.body), false),
            RecordKind::Failed => {
                let msg = rec
                    .decode::<FailedRecord>()
                    .map(|f| f.message)
                    .unwrap_or_else(|e| format!("undecodable failure record: {e}"));
                self.settle_with(|o| *o = Outcome::Failed(msg), false);
            }
            RecordKind::End => {
                self.settle_empty();
                let end: EndRecord = match rec.decode() {
                    Ok(e) => e,
                    Err(e) => return self.fail(ReplayError::Record(dir(), "End", e.to_string())),
                };
                let rebuilt = self
                    .instance
                    .as_ref()
                    .and_then(|i| i.snapshot_bytes().ok())
                    .map(|s| format::state_hash(&s));
                self.stats.ends_checked += 1;
                if rebuilt != Some(end.state_hash) {
                    self.stats.end_mismatches += 1;
                }
                self.observer.on_end(&end, rebuilt);
            }
            RecordKind::Checkpoint => {
                self.settle_empty();
                let cp: CheckpointRecord = match rec.decode() {
                    Ok(c) => c,
                    Err(e) => {
                        return self.fail(ReplayError::Record(dir(), "Checkpoint", e.to_string()))
                    }
                };
                let rebuilt = self
                    .instance
                    .as_ref()
                    .and_then(|i| i.snapshot_bytes().ok())
                    .map(|s| format::state_hash(&s));
                self.stats.checkpoints_checked += 1;
                if rebuilt != Some(cp.state_hash) {
                    self.stats.checkpoint_mismatches += 1;
                }
                if self.observer.on_checkpoint(&cp, rebuilt).is_break() {
                    self.stop = true;
                }
            }
            RecordKind::Market => {}
            // The robot never saw it: its denials come as the order updates that follow.
            RecordKind::Risk => {
                self.settle_empty();
                self.stats.risk_records += 1;
            }
        }
    }

    fn settle_empty(&mut self) {
        self.settle_with(|o| set_actions(o, format::EMPTY_ACTIONS), false);
    }

    /// Settle the pending event, if any, with the recorded outcome `record` writes into the
    /// reused buffer.
    fn settle_with(&mut self, record: impl FnOnce(&mut Outcome), at_end: bool) {
        if !self.pending.live {
            return;
        }
        let mut recorded = std::mem::replace(&mut self.recorded, Outcome::Actions(Vec::new()));
        record(&mut recorded);
        self.settle(&recorded, at_end);
        self.recorded = recorded;
    }

    /// `at_end`: nothing of this run follows (end of journal, or a restart after a crash).
    fn settle(&mut self, recorded: &Outcome, at_end: bool) {
        if !self.pending.live {
            return;
        }
        self.pending.live = false;
        let p = &self.pending;
        let event = match &p.market {
            Some(rec) => {
                let name = self
                    .symbols
                    .get(rec.symbol as usize)
                    .map_or("", String::as_str);
                EventRef::Market(rec, name, &self.pending_levels)
            }
            None => EventRef::Encoded(&p.event),
        };
        let matched = p.produced.same_as(recorded);
        let unrecorded_tail = at_end && !matched && recorded.action_count() == 0;
        self.stats.actions += p.produced.action_count();
        if !matched && !unrecorded_tail {
            self.stats.divergent_events += 1;
            if self.stats.first_divergence.is_none() {
                self.stats.first_divergence = Some(Divergence {
                    seq: p.seq,
                    ts: p.ts,
                    event: event.decode(),
                    recorded: recorded.clone(),
                    produced: p.produced.clone(),
                });
            }
        }
        let replayed = Replayed {
            seq: p.seq,
            ts: p.ts,
            event,
            recorded,
            produced: &p.produced,
            matched,
            unrecorded_tail,
            instance: self.instance.as_ref(),
        };
        if self.observer.on_event(&replayed).is_break() {
            self.stop = true;
        }
        if let Outcome::Failed(msg) = &p.produced {
            // A robot that failed is in no state to go on, here as live.
            self.stats.failed = Some((p.seq, msg.clone()));
            self.stop = true;
        }
    }

    fn fail(&mut self, e: ReplayError) {
        self.error = Some(e);
    }
}

/// `o` becomes `Actions(bytes)`, reusing its buffer.
fn set_actions(o: &mut Outcome, bytes: &[u8]) {
    match o {
        Outcome::Actions(v) => {
            v.clear();
            v.extend_from_slice(bytes);
        }
        Outcome::Failed(_) => *o = Outcome::Actions(bytes.to_vec()),
    }
}

fn leading_varint(bytes: &[u8]) -> u64 {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            break;
        }
    }
    value
}
