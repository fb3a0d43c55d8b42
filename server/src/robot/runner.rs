use super::core::{Processed, RobotCore};
use super::recovery::{self, JournalSpec, Resumed};
use super::{reconcile, ControlMsg, Inbound, RobotShared, RobotState};
use crate::clock;
use crate::journal::format::RiskChange;
use crate::plugin::LoadedPlugin;
use crate::store::{Order, OrderFilter, Store};
use robofleet_api::{
    Action, CreateArgs, EventKind, LogLevel, OrderRequest, OrderStatus, OrderUpdate, Params,
};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a robot is started from.
pub struct RobotSpec {
    pub name: String,
    pub plugin: Arc<LoadedPlugin>,
    pub params: Params,
    pub symbols: Vec<String>,
    pub seed: u64,
    pub timer_ms: Option<u64>,
    /// Deliver only the newest of a symbol's quotes (and books) waiting together.
    pub conflate: bool,
    /// Journal every event here, and rebuild from it at start; `None`: no journal.
    pub journal: Option<JournalSpec>,
    /// The specs of its symbols, every version: delivered right after `Start`.
    pub instruments: Vec<robofleet_api::Instrument>,
    /// Its pre-trade limits (`None`: its orders are not checked).
    pub risk: Option<crate::risk::RobotLimits>,
    /// Set when the fleet's kill switch is engaged as it starts: why.
    pub fleet_halt: Option<String>,
    /// The server's accounts: a robot whose limits name one reports to it here.
    pub accounts: Option<Arc<crate::risk::account::AccountBook>>,
}

/// Put the robot on the fleet's worker pool: its start (create, or rebuild from its journal)
/// is its first turn. `on_exit` runs on a worker after the robot is destroyed.
pub fn spawn_robot(
    pool: &super::pool::Pool,
    spec: RobotSpec,
    store: Arc<dyn Store>,
    shared: Arc<RobotShared>,
    on_exit: impl FnOnce() + Send + 'static,
) -> (super::pool::RobotInbox, super::pool::RobotHandle) {
    let robot = RobotLoop::new(spec, store, shared.clone());
    pool.spawn(robot, shared, Box::new(on_exit))
}

mod account_gate;
mod turn;
use turn::HandleSamples;
mod risk_gate;

/// Where an order came from, for latency instrumentation.
#[derive(Clone, Copy, Default)]
struct Origin {
    recv_mono_ns: Option<u64>,
    sent_ns: Option<i64>,
}

pub(crate) struct RobotLoop {
    spec: RobotSpec,
    started: bool,
    /// Its timer's period, and when it is next due.
    timer: Option<Duration>,
    next_timer: Option<Instant>,
    /// Journal records wait in the buffer: when they go to the OS at the latest.
    flush_due: Option<Instant>,
    /// Time in the plugin of its latest events, for its status histogram.
    handle_ns: HandleSamples,
    store: Arc<dyn Store>,
    shared: Arc<RobotShared>,
    core: Option<RobotCore>,
    /// Set when the state was rebuilt from the journal: what to reconcile with the store.
    resumed: Option<Resumed>,
    paused: bool,
    /// Inputs the loop itself produced (e.g. a refused order), delivered before the next message.
    pending: VecDeque<(i64, EventKind)>,
    /// The kill switch is engaged (why): no order or amend leaves this robot.
    fleet_halt: Option<String>,
    /// Its account's state version last taken, and what it last reported to it.
    account_seen: u64,
    account_reported: Option<crate::risk::account::Exposure>,
    account_spare: crate::risk::account::Exposure,
    /// The groups it counts towards (its account, the fleet) and their book.
    groups: Option<(Arc<[String]>, Arc<crate::risk::account::AccountBook>)>,
    /// The book's change count last seen, and when (monotonic ns) it last reported.
    account_changes: u64,
    account_report_ts: i64,
    /// Its checkpoints (journaled robots with checkpoints on).
    checkpointing: Option<super::checkpoints::Checkpointing>,
}

impl Drop for RobotLoop {
    fn drop(&mut self) {
        self.handle_ns.record_into(&self.shared);
    }
}

impl RobotLoop {
    pub(crate) fn new(spec: RobotSpec, store: Arc<dyn Store>, shared: Arc<RobotShared>) -> Self {
        let fleet_halt = spec.fleet_halt.clone();
        RobotLoop {
            spec,
            started: false,
            timer: None,
            next_timer: None,
            flush_due: None,
            handle_ns: HandleSamples::default(),
            store,
            shared,
            core: None,
            resumed: None,
            paused: false,
            pending: VecDeque::new(),
            fleet_halt,
            account_seen: 0,
            account_reported: None,
            account_spare: Default::default(),
            groups: None,
            account_changes: 0,
            account_report_ts: i64::MIN,
            checkpointing: None,
        }
    }

    fn fail(&self, why: String) {
        tracing::error!(robot = %self.spec.name, "robot failed: {why}");
        self.shared.set_state(RobotState::Failed(why));
    }

    /// Its first turn: create the robot or rebuild it from the journal, then `Start`, changed
    /// params and its instruments. False when it failed.
    fn start(&mut self) -> bool {
        let first_order_seq = match self.store.next_order_seq(&self.spec.name) {
            Ok(n) => n,
            Err(e) => {
                self.fail(format!("cannot read order sequence from store: {e}"));
                return false;
            }
        };
        let args = CreateArgs {
            name: self.spec.name.clone(),
            params: self.spec.params.clone(),
            symbols: self.spec.symbols.clone(),
            seed: self.spec.seed,
            first_order_seq,
        };
        let started = match recovery::start(
            &self.spec.plugin,
            args,
            self.spec.journal.as_ref(),
            clock::wall_ns(),
        ) {
            Ok(s) => s,
            Err(e) => {
                self.fail(e);
                return false;
            }
        };
        self.core = Some(started.core);
        if let (Some(spec), Some(begin)) = (self.spec.journal.as_ref(), started.begin) {
            let from_seq = started
                .resumed
                .as_ref()
                .and_then(|r| r.checkpoint)
                .map_or(0, |(_, seq)| seq);
            self.checkpointing = super::checkpoints::Checkpointing::new(
                spec.opts.checkpoint.clone(),
                spec.dir.clone(),
                begin,
                self.spec.plugin.clone(),
                self.shared.clone(),
                from_seq,
            );
        }
        if let Err(e) = self.attach_risk() {
            {
                self.fail(e);
                return false;
            }
        }
        self.refresh_groups();
        // What the checks decide by, from the start: in the journal before any input.
        let limits = self.spec.risk.as_ref().map(|l| l.to_json());
        let mut risk_inputs = vec![RiskChange::Limits(limits)];
        if let Some(why) = &self.fleet_halt {
            risk_inputs.push(RiskChange::FleetHalt(why.clone()));
            self.note_trading_state(true);
        }
        for change in risk_inputs {
            if !self.journal_risk(change) {
                return false;
            }
        }
        if let Some(resumed) = started.resumed {
            if !self.resume(resumed, first_order_seq) {
                return false;
            }
        } else {
            self.set_recovery("fresh".into());
        }
        self.shared.set_state(RobotState::Running);
        if !self.deliver(clock::wall_ns(), EventKind::Start, Origin::default()) {
            return false;
        }
        let changed = self
            .resumed
            .as_ref()
            .is_some_and(|r| r.params != self.spec.params);
        if changed {
            // Configured parameters differ from the rebuilt ones: the robot hears of it, and
            // status shows what it now runs on.
            let params = self.spec.params.clone();
            *self.shared.params.lock().unwrap_or_else(|e| e.into_inner()) = params.clone();
            if !self.deliver(
                clock::wall_ns(),
                EventKind::Params(params),
                Origin::default(),
            ) {
                return false;
            }
        }
        // The specs of its symbols: inputs like any other, so journaled and replayed.
        for spec in self.spec.instruments.clone() {
            if !self.deliver(
                clock::wall_ns(),
                EventKind::Instrument(spec),
                Origin::default(),
            ) {
                return false;
            }
        }
        self.timer = self
            .spec
            .timer_ms
            .map(|ms| Duration::from_millis(ms.max(1)));
        self.next_timer = self.timer.map(|t| Instant::now() + t);
        true
    }

    /// Returns false when the loop must end.
    fn on_inbound(&mut self, inbound: Inbound) -> bool {
        match inbound {
            Inbound::Market {
                rec,
                levels,
                recv_mono_ns,
                sent_ns,
            } => {
                if self.paused {
                    self.shared.skipped_paused.fetch_add(1, Ordering::Relaxed);
                    return true;
                }
                let origin = Origin {
                    recv_mono_ns: Some(recv_mono_ns),
                    sent_ns,
                };
                let name = match rec.kind {
                    robofleet_api::abi::MD_QUOTE => "Quote",
                    robofleet_api::abi::MD_TRADE => "Trade",
                    robofleet_api::abi::MD_DEPTH => "Depth",
                    _ => "Bar",
                };
                self.deliver_via(name, origin, |core| {
                    core.process_market(rec, levels.as_deref().unwrap_or(&[]))
                })
            }
            Inbound::Update { ts, kind } => {
                let counter = match kind {
                    EventKind::Fill(_) => &self.shared.fills_received,
                    _ => &self.shared.order_updates_received,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                self.deliver(ts, kind, Origin::default())
            }
            Inbound::Control(ControlMsg::Params(p)) => {
                *self.shared.params.lock().unwrap_or_else(|e| e.into_inner()) = p.clone();
                self.deliver(clock::wall_ns(), EventKind::Params(p), Origin::default())
            }
            Inbound::Control(ControlMsg::Command { name, args }) => self.deliver(
                clock::wall_ns(),
                EventKind::Command { name, args },
                Origin::default(),
            ),
            Inbound::Control(ControlMsg::Instrument(spec)) => self.deliver(
                clock::wall_ns(),
                EventKind::Instrument(spec),
                Origin::default(),
            ),
            Inbound::Control(ControlMsg::Pause) => {
                self.paused = true;
                self.shared.set_state(RobotState::Paused);
                true
            }
            Inbound::Control(ControlMsg::Resume) => {
                self.paused = false;
                self.shared.set_state(RobotState::Running);
                true
            }
            Inbound::Control(ControlMsg::ResumeTrading) => self.resume_trading(),
            Inbound::Control(ControlMsg::FleetHalt(reason)) => self.fleet_halt(reason),
            Inbound::Control(ControlMsg::FleetResume) => self.fleet_resume(),
            Inbound::Control(ControlMsg::Limits(json)) => self.apply_limits(json),
            Inbound::Subscribed => {
                let Some(resumed) = self.resumed.as_ref() else {
                    return true;
                };
                match reconcile::missed_updates(
                    &*self.store,
                    &self.spec.name,
                    resumed,
                    self.core.as_ref().map(|c| c.seen()),
                ) {
                    Ok(missed) => {
                        if !missed.is_empty() {
                            tracing::info!(robot = %self.spec.name, "delivering {} order updates and fills missed while down", missed.len());
                        }
                        missed
                            .into_iter()
                            .all(|(ts, kind)| self.deliver(ts, kind, Origin::default()))
                    }
                    Err(e) => {
                        self.fail(format!("cannot read missed fills from the store: {e}"));
                        false
                    }
                }
            }
            Inbound::Control(ControlMsg::Stop) => {
                self.shared.set_state(RobotState::Stopping);
                if self.deliver(clock::wall_ns(), EventKind::Stop, Origin::default()) {
                    self.end();
                }
                false
            }
        }
    }

    /// Number, journal and hand the event to the robot, then carry out its actions.
    /// False on robot failure.
    fn deliver(&mut self, ts: i64, kind: EventKind, origin: Origin) -> bool {
        let name = kind.name();
        self.deliver_via(name, origin, |core| core.process(ts, kind))
    }

    /// [`Self::deliver`] of what `process` hands the robot core (an event, a market record).
    fn deliver_via(
        &mut self,
        name: &'static str,
        origin: Origin,
        process: impl FnOnce(&mut RobotCore) -> Result<Processed, super::core::CoreError>,
    ) -> bool {
        // The account's state is an input: taken (and journaled) before the event.
        if !self.sync_account() {
            return false;
        }
        let Some(core) = self.core.as_mut() else {
            return false;
        };
        let started = Instant::now();
        let result = process(core);
        self.handle_ns.push(started.elapsed().as_nanos() as u64);
        if self.handle_ns.is_full() {
            self.handle_ns.record_into(&self.shared);
        }
        match result {
            Ok(Processed::Actions(actions)) => {
                self.shared.events.fetch_add(1, Ordering::Relaxed);
                // The event may have moved the checks' trading state (a fill, a mark).
                self.note_trading_state(false);
                self.execute(actions, origin);
                self.report_to_account(matches!(name, "Quote" | "Depth" | "Trade" | "Bar"));
                true
            }
            Ok(Processed::Duplicate) => {
                self.shared
                    .duplicates_dropped
                    .fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(e) => {
                let seq = core.seq();
                self.fail(format!("{e} (at event #{seq} {name})"));
                false
            }
        }
    }

    /// Take a checkpoint if one is due. False when the journal failed (the robot stopped).
    fn checkpoint_if_due(&mut self, now: Instant) -> bool {
        let (Some(cp), Some(core)) = (self.checkpointing.as_mut(), self.core.as_mut()) else {
            return true;
        };
        if !cp.due(core.seq(), now) {
            return true;
        }
        match cp.take(core, self.shared.params()) {
            Ok(()) => true,
            Err(e) => {
                self.fail(e);
                false
            }
        }
    }

    /// A graceful end: the state hash goes into the journal.
    fn end(&mut self) {
        let Some(core) = self.core.as_mut() else {
            return;
        };
        match core.end(clock::wall_ns()) {
            Ok(hash) => {
                tracing::info!(robot = %self.spec.name, "stopped at event #{}, state {}", core.seq(), crate::journal::format::hex(&hash[..8]));
                self.shared.set_state(RobotState::Stopped);
            }
            Err(e) => self.fail(format!("could not record the end: {e}")),
        }
    }

    fn set_recovery(&self, what: String) {
        *self
            .shared
            .recovery
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = what;
    }

    /// Go on from a state rebuilt by replay: unique order ids, and what the dead process
    /// decided but never carried out, carried out now (once).
    fn resume(&mut self, resumed: Resumed, first_order_seq: u64) -> bool {
        let raised = match self.core.as_mut() {
            Some(core) => core.instance_mut().raise_order_seq(first_order_seq),
            None => return false,
        };
        if let Err(e) = raised {
            self.fail(format!("cannot set the order sequence: {e}"));
            return false;
        }
        let from = match resumed.checkpoint {
            Some((no, seq)) => format!("checkpoint {no:08} at event #{seq}, then "),
            None => String::new(),
        };
        let mut what = format!(
            "rebuilt from journal ({}): {from}{} events replayed",
            resumed.reason, resumed.replayed
        );
        if let Some(seq) = resumed.first_divergence {
            what += &format!("; actions differ from the recorded ones from event #{seq}");
        }
        if !resumed.notes.is_empty() {
            what += &format!("; {}", resumed.notes.join("; "));
        }
        if resumed.first_divergence.is_some() || !resumed.notes.is_empty() {
            tracing::warn!(robot = %self.spec.name, "{what}");
        } else {
            tracing::info!(robot = %self.spec.name, "{what}");
        }
        self.set_recovery(what);
        *self.shared.params.lock().unwrap_or_else(|e| e.into_inner()) = resumed.params.clone();
        let Some(core) = self.core.as_ref() else {
            return false;
        };
        let owed = match reconcile::unexecuted_actions(
            &*self.store,
            &self.spec.name,
            &resumed,
            core.seen(),
        ) {
            Ok(a) => a,
            Err(e) => {
                self.fail(format!("cannot check the journal against the store: {e}"));
                return false;
            }
        };
        if !owed.is_empty() {
            tracing::info!(robot = %self.spec.name, "carrying out {} journaled actions that never reached the store", owed.len());
        }
        self.execute(owed, Origin::default());
        self.resumed = Some(resumed);
        true
    }

    /// A robot's `CancelAll`: a cancel request for each of its open orders (of `symbol`),
    /// oldest first, as the store holds them now.
    fn cancel_all(&mut self, symbol: Option<&str>) {
        let filter = OrderFilter {
            robot: Some(self.spec.name.clone()),
            open_only: true,
        };
        let mut open = match self.store.orders(&filter) {
            Ok(open) => open,
            Err(e) => {
                self.shared.store_errors.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(robot = %self.spec.name, "cancel-all: open orders unreadable: {e}");
                return;
            }
        };
        open.retain(|o| !o.cancel_requested && symbol.is_none_or(|s| o.symbol == s));
        open.sort_by_key(|o| o.order_seq);
        for o in open {
            self.execute(
                vec![Action::Cancel {
                    client_id: o.client_id,
                }],
                Origin::default(),
            );
        }
    }

    fn execute(&mut self, actions: Vec<Action>, origin: Origin) {
        for action in actions {
            if !self.vetted(&action) {
                continue;
            }
            match action {
                Action::Submit(req) => self.submit(req, origin),
                Action::Cancel { client_id } => {
                    if let Err(e) = self.store.request_cancel(&client_id) {
                        self.shared.store_errors.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(robot = %self.spec.name, "cancel of {client_id} refused: {e}");
                    } else {
                        self.shared.cancels_sent.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Action::CancelAll { symbol } => self.cancel_all(symbol.as_deref()),
                Action::Amend {
                    client_id,
                    price,
                    qty,
                } => {
                    if let Err(e) = self.store.request_amend(&client_id, price, qty) {
                        self.shared.store_errors.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(robot = %self.spec.name, "amend of {client_id} refused: {e}");
                    }
                }
                Action::Log { level, message } => {
                    let robot = &self.spec.name;
                    match level {
                        LogLevel::Debug => tracing::debug!(robot = %robot, "{message}"),
                        LogLevel::Info => tracing::info!(robot = %robot, "{message}"),
                        LogLevel::Warn => tracing::warn!(robot = %robot, "{message}"),
                        LogLevel::Error => tracing::error!(robot = %robot, "{message}"),
                    }
                }
            }
        }
    }

    fn submit(&mut self, req: OrderRequest, origin: Origin) {
        let now = clock::wall_ns();
        let mut order = Order::new_request(&self.spec.name, req, now);
        order.tick_recv_mono_ns = origin.recv_mono_ns;
        order.tick_sent_ns = origin.sent_ns;
        match self.store.insert_order(&order) {
            Ok(()) => {
                self.shared.orders_sent.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                // Never let an order vanish: the robot hears it was rejected, and why.
                self.shared.store_errors.fetch_add(1, Ordering::Relaxed);
                tracing::error!(robot = %self.spec.name, "order {} not stored: {e}", order.client_id);
                self.pending.push_back((
                    now,
                    EventKind::OrderUpdate(OrderUpdate {
                        client_id: order.client_id,
                        symbol: order.symbol,
                        status: OrderStatus::Rejected,
                        filled_qty: 0,
                        remaining_qty: order.qty,
                        reason: Some(format!("store refused the order: {e}")),
                        amends: 0,
                    }),
                ));
            }
        }
    }
}
