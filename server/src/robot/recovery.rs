//! Starting a robot: fresh from its args, or rebuilt by replaying its journal with its
//! actions suppressed (after a restart, a kill, or a new build), then reconciled with the
//! store so no order is sent twice and no fill is missed.

use super::checkpoints::restart::{self, StartPoint, Unconfirmed};
use super::core::RobotCore;
use super::seen::SeenUpdates;
use crate::journal::checkpoint::CheckpointData;
use crate::journal::format::{BeginRecord, CheckpointRecord, RecordKind, ResumeRecord};
use crate::journal::{history, JournalOptions, JournalReader, JournalWriter};
use crate::plugin::{LoadedPlugin, RobotInstance};
use crate::replay::{Outcome, ReplayObserver, Replayed, Replayer};
use robofleet_api::{Action, CreateArgs, EventKind, OrderRequest, Params};
use std::collections::{BTreeMap, HashSet};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a robot's journal goes.
#[derive(Clone, Debug)]
pub struct JournalSpec {
    /// The robot's own directory (`<journal root>/<robot>`).
    pub dir: PathBuf,
    pub opts: JournalOptions,
}

/// What a rebuilt robot still owes the store, and what it has seen of it.
#[derive(Debug, Default)]
pub struct Resumed {
    pub replayed: u64,
    pub first_divergence: Option<u64>,
    pub reason: String,
    /// Orders it sent in its current run (the store may hold older ones under its name).
    pub own_orders: HashSet<String>,
    /// Submits and cancels it made, by client id, to check against the store.
    pub submits: BTreeMap<String, OrderRequest>,
    pub cancels: HashSet<String>,
    /// Its parameters after the replay (Begin's, then every Params event).
    pub params: Params,
    /// The checkpoint it was restored from (segment number, last event), if any, and what
    /// restart passed over or set aside on the way.
    pub checkpoint: Option<(u64, u64)>,
    pub notes: Vec<String>,
}

pub struct Started {
    pub core: RobotCore,
    pub resumed: Option<Resumed>,
    /// The run it is in (what its checkpoints carry); `None` without a journal.
    pub begin: Option<BeginRecord>,
}

/// Collects, while replaying, what the live robot needs to go on.
#[derive(Default)]
struct Collector {
    seen: SeenUpdates,
    resumed: Resumed,
    /// Checkpoints to confirm on the way (after a checkpoint or a Begin).
    unconfirmed: Option<Unconfirmed>,
}

impl Collector {
    /// Going on from a checkpoint: what it had seen and sent, and its parameters.
    fn from_checkpoint(data: &CheckpointData) -> Self {
        let mut c = Collector {
            seen: SeenUpdates::from_parts(data.seen_orders.clone(), data.seen_fills.clone()),
            ..Collector::default()
        };
        c.resumed.params = data.params.clone();
        c.resumed.own_orders = data.own_orders.iter().cloned().collect();
        c
    }
}

use crate::replay::event_ref::{KIND_FILL, KIND_ORDER_UPDATE, KIND_PARAMS};

impl ReplayObserver for Collector {
    fn on_begin(&mut self, begin: &BeginRecord) {
        self.resumed.params = begin.args.params.clone();
    }

    fn on_checkpoint(
        &mut self,
        rec: &CheckpointRecord,
        rebuilt: Option<[u8; 32]>,
    ) -> ControlFlow<()> {
        if let Some(u) = self.unconfirmed.as_mut() {
            u.reached(rec, rebuilt);
        }
        ControlFlow::Continue(())
    }

    fn on_event(&mut self, r: &Replayed<'_>) -> ControlFlow<()> {
        let kind = r.event.kind_index();
        if matches!(kind, Some(KIND_PARAMS | KIND_ORDER_UPDATE | KIND_FILL)) {
            if let Some(event) = r.event.decode() {
                if let EventKind::Params(p) = &event.kind {
                    self.resumed.params = p.clone();
                }
                self.seen.admit(&event.kind);
            }
        }
        // What the robot really did is the record; a dead process's last actions are known
        // only from the replay.
        let did = if r.unrecorded_tail {
            r.produced
        } else {
            r.recorded
        };
        if let Outcome::Actions(bytes) = did {
            if bytes.len() > 1 {
                for action in postcard::from_bytes::<Vec<Action>>(bytes).unwrap_or_default() {
                    match action {
                        Action::Submit(req) => {
                            self.resumed.own_orders.insert(req.client_id.clone());
                            self.resumed.submits.insert(req.client_id.clone(), req);
                        }
                        Action::Cancel { client_id } => {
                            self.resumed.cancels.insert(client_id);
                        }
                        // Every order it had sent in this journal (of that symbol) was meant
                        // to be cancelled; reconcile re-sends what the store never got.
                        // An amend the store never got is not re-sent: the robot hears no
                        // answer and decides again on the next event.
                        Action::Amend { .. } => {}
                        Action::CancelAll { symbol } => {
                            let meant = self
                                .resumed
                                .submits
                                .values()
                                .filter(|r| symbol.as_ref().is_none_or(|s| &r.symbol == s))
                                .map(|r| r.client_id.clone());
                            self.resumed.cancels.extend(meant.collect::<Vec<_>>());
                        }
                        Action::Log { .. } => {}
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }
}

/// Open the robot's journal and build the robot: rebuilt when the journal's current run
/// (`args`' name, symbols and seed) goes on, from its latest usable checkpoint or else its
/// `Begin`, then the journal after it replayed; otherwise fresh from `args`.
pub fn start(
    plugin: &Arc<LoadedPlugin>,
    args: CreateArgs,
    journal: Option<&JournalSpec>,
    wall_ns: i64,
) -> Result<Started, String> {
    let Some(spec) = journal else {
        let instance = RobotInstance::create(plugin.clone(), &args)
            .map_err(|e| format!("create failed: {e}"))?;
        return Ok(Started {
            core: RobotCore::new(instance, 0, SeenUpdates::default(), None),
            resumed: None,
            begin: None,
        });
    };
    let (writer, repair) = JournalWriter::open(&spec.dir, spec.opts.clone())
        .map_err(|e| format!("cannot open journal: {e}"))?;
    if repair.cut_bytes > 0 {
        tracing::warn!(
            robot = %args.name,
            "journal: cut a torn tail of {} bytes ({})",
            repair.cut_bytes,
            repair.reason.as_deref().unwrap_or("damaged")
        );
    }
    let reader = JournalReader::open(&spec.dir).map_err(|e| format!("journal: {e}"))?;
    let (point, notes) = restart::find(plugin, &reader).map_err(|e| format!("journal: {e}"))?;
    for note in &notes {
        tracing::warn!(robot = %args.name, "{note}; falling back to an earlier point");
    }
    let same_run = |b: &BeginRecord| {
        b.args.name == args.name && b.args.symbols == args.symbols && b.args.seed == args.seed
    };
    let (reader, mut replayer, begin, skip_begins) = match point {
        StartPoint::Checkpoint { no, data, instance } => {
            if !same_run(&data.begin) {
                tracing::info!(robot = %args.name, "journal run not resumed: symbols or seed changed since {}", data.build);
                drop(instance);
                return fresh(plugin, args, writer, wall_ns);
            }
            let mut collector = Collector::from_checkpoint(&data);
            collector.unconfirmed = Some(Unconfirmed::after(plugin, &spec.dir, no));
            collector.resumed.checkpoint = Some((no, data.record.seq));
            let mut replayer = Replayer::new(plugin.clone(), collector);
            replayer.start_from(instance, data.record.seq);
            (reader.between(no, u64::MAX), replayer, data.begin, 0)
        }
        StartPoint::Begin { from } => {
            let reader = reader.between(from, u64::MAX);
            let (begin, begins) =
                history::last_begin(&reader).map_err(|e| format!("journal: {e}"))?;
            let Some(begin) = begin.clone().filter(same_run) else {
                if let Some(b) = &begin {
                    tracing::info!(robot = %args.name, "journal run not resumed: symbols or seed changed since {}", b.build);
                }
                return fresh(plugin, args, writer, wall_ns);
            };
            let collector = Collector {
                unconfirmed: Some(Unconfirmed::after(plugin, &spec.dir, from)),
                ..Collector::default()
            };
            let replayer = Replayer::new(plugin.clone(), collector);
            (reader, replayer, begin, begins.saturating_sub(1))
        }
    };
    let last_build = last_build(&reader).unwrap_or_else(|| begin.build.clone());
    replayer
        .run(&reader, skip_begins)
        .map_err(|e| format!("rebuilding from the journal failed: {e}"))?;
    let (instance, stats, collector) = replayer.into_instance();
    if let Some((seq, msg)) = stats.failed {
        // Replaying into the same failure would fail forever: the robot starts a new run
        // (its journal keeps the old one for analysis).
        tracing::warn!(robot = %args.name, "the journaled run fails at event #{seq} ({msg}); starting afresh");
        drop(instance);
        return fresh(plugin, args, writer, wall_ns);
    }
    let instance = instance.ok_or("the journal's last run has no robot")?;
    let mut resumed = collector.resumed;
    resumed.notes = notes;
    if let Some(u) = collector.unconfirmed {
        for note in &u.notes {
            tracing::warn!(robot = %args.name, "{note}");
        }
        resumed.notes.extend(u.notes);
    }
    resumed.replayed = stats.events;
    resumed.first_divergence = stats.first_divergence.as_ref().map(|d| d.seq);
    resumed.reason = if last_build == plugin.build_label() {
        "restart".into()
    } else {
        format!("new build (was {last_build})")
    };
    let rec = ResumeRecord {
        build: plugin.build_label(),
        wall_ns,
        reason: resumed.reason.clone(),
        replayed: stats.events,
        first_divergence: resumed.first_divergence,
    };
    let mut writer = writer;
    append(&mut writer, RecordKind::Resume, &rec)?;
    let mut core = RobotCore::new(instance, stats.last_seq, collector.seen, Some(writer));
    core.set_own_orders(resumed.own_orders.clone());
    Ok(Started {
        core,
        resumed: Some(resumed),
        begin: Some(begin),
    })
}

/// A new run from `args`: the state starts here.
fn fresh(
    plugin: &Arc<LoadedPlugin>,
    args: CreateArgs,
    mut writer: JournalWriter,
    wall_ns: i64,
) -> Result<Started, String> {
    let instance =
        RobotInstance::create(plugin.clone(), &args).map_err(|e| format!("create failed: {e}"))?;
    let rec = BeginRecord {
        args,
        build: plugin.build_label(),
        wall_ns,
    };
    append(&mut writer, RecordKind::Begin, &rec)?;
    Ok(Started {
        core: RobotCore::new(instance, 0, SeenUpdates::default(), Some(writer)),
        resumed: None,
        begin: Some(rec),
    })
}

fn append<T: serde::Serialize>(
    writer: &mut JournalWriter,
    kind: RecordKind,
    rec: &T,
) -> Result<(), String> {
    let body = postcard::to_allocvec(rec).map_err(|e| e.to_string())?;
    writer
        .append(kind, &body)
        .and_then(|()| writer.sync_now())
        .map_err(|e| format!("journal: {e}"))
}

/// The build that last ran the robot (last Begin or Resume).
fn last_build(reader: &JournalReader) -> Option<String> {
    let mut build = None;
    let _ = reader.walk(|rec| {
        match rec.kind {
            RecordKind::Begin => build = rec.decode::<BeginRecord>().ok().map(|b| b.build),
            RecordKind::Resume => build = rec.decode::<ResumeRecord>().ok().map(|r| r.build),
            _ => {}
        }
        ControlFlow::Continue(())
    });
    build
}
