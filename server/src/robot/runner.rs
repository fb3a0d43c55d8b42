use super::{ControlMsg, Inbound, RobotShared, RobotState};
use crate::clock;
use crate::plugin::{LoadedPlugin, RobotInstance};
use crate::store::{Order, Store};
use robofleet_api::{
    Action, CreateArgs, Event, EventKind, LogLevel, OrderRequest, OrderStatus, OrderUpdate, Params,
};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a robot is started from.
pub struct RobotSpec {
    pub name: String,
    pub endpoint: String,
    pub plugin: Arc<LoadedPlugin>,
    pub params: Params,
    pub symbols: Vec<String>,
    pub seed: u64,
    pub timer_ms: Option<u64>,
}

/// Bounded queue for market data on a robot's endpoint; beyond it, drops are counted.
pub const ROBOT_RCVHWM: i32 = 50_000;

/// Bind the robot's endpoint here (so stream threads can connect at once), then run its loop
/// on a new thread. `on_exit` runs on that thread after the robot is destroyed.
pub fn spawn_robot(
    ctx: &zmq::Context,
    spec: RobotSpec,
    store: Arc<dyn Store>,
    shared: Arc<RobotShared>,
    on_exit: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, zmq::Error> {
    let pull = ctx.socket(zmq::PULL)?;
    pull.set_rcvhwm(ROBOT_RCVHWM)?;
    pull.set_linger(0)?;
    pull.bind(&spec.endpoint)?;
    let name = spec.name.clone();
    std::thread::Builder::new()
        .name(format!("robot-{name}"))
        .spawn(move || {
            let mut robot = RobotLoop::new(spec, store, shared.clone());
            robot.run(&pull);
            drop(robot);
            drop(pull);
            on_exit();
        })
        .map_err(|_| zmq::Error::ENOMEM)
}

/// Where an order came from, for latency instrumentation.
#[derive(Clone, Copy, Default)]
struct Origin {
    recv_mono_ns: Option<u64>,
    sent_ns: Option<i64>,
}

struct RobotLoop {
    spec: RobotSpec,
    store: Arc<dyn Store>,
    shared: Arc<RobotShared>,
    instance: Option<RobotInstance>,
    seq: u64,
    paused: bool,
    /// Inputs the loop itself produced (e.g. a refused order), delivered before the next message.
    pending: VecDeque<(i64, EventKind)>,
}

impl RobotLoop {
    fn new(spec: RobotSpec, store: Arc<dyn Store>, shared: Arc<RobotShared>) -> Self {
        RobotLoop {
            spec,
            store,
            shared,
            instance: None,
            seq: 0,
            paused: false,
            pending: VecDeque::new(),
        }
    }

    fn fail(&self, why: String) {
        tracing::error!(robot = %self.spec.name, "robot failed: {why}");
        self.shared.set_state(RobotState::Failed(why));
    }

    fn run(&mut self, pull: &zmq::Socket) {
        let first_order_seq = match self.store.next_order_seq(&self.spec.name) {
            Ok(n) => n,
            Err(e) => return self.fail(format!("cannot read order sequence from store: {e}")),
        };
        let args = CreateArgs {
            name: self.spec.name.clone(),
            params: self.spec.params.clone(),
            symbols: self.spec.symbols.clone(),
            seed: self.spec.seed,
            first_order_seq,
        };
        match RobotInstance::create(self.spec.plugin.clone(), &args) {
            Ok(i) => self.instance = Some(i),
            Err(e) => return self.fail(format!("create failed: {e}")),
        }
        self.shared.set_state(RobotState::Running);
        if !self.deliver(clock::wall_ns(), EventKind::Start, Origin::default()) {
            return;
        }
        let timer = self
            .spec
            .timer_ms
            .map(|ms| Duration::from_millis(ms.max(1)));
        let mut next_timer = timer.map(|t| Instant::now() + t);
        loop {
            while let Some((ts, kind)) = self.pending.pop_front() {
                if !self.deliver(ts, kind, Origin::default()) {
                    return;
                }
            }
            // A due timer goes first, so a steady backlog of messages cannot starve it.
            if let (Some(every), Some(at)) = (timer, next_timer.as_mut()) {
                let now = Instant::now();
                if now >= *at {
                    // After a long stall, fire once and re-anchor rather than burst.
                    *at = (*at + every).max(now);
                    if self.paused {
                        self.shared.skipped_paused.fetch_add(1, Ordering::Relaxed);
                    } else if !self.deliver(
                        clock::wall_ns(),
                        EventKind::Timer { id: 0 },
                        Origin::default(),
                    ) {
                        return;
                    }
                }
            }
            // Block until a message or the next timer: an idle robot uses no CPU.
            let timeout_ms = match next_timer {
                // Round up, so the wait never ends before the timer is due.
                Some(at) => at
                    .saturating_duration_since(Instant::now())
                    .as_micros()
                    .div_ceil(1000) as i64,
                None => -1,
            };
            match pull.poll(zmq::POLLIN, timeout_ms) {
                Ok(0) => continue,
                Ok(_) => {}
                Err(e) => return self.fail(format!("endpoint poll failed: {e}")),
            }
            let msg = match pull.recv_bytes(zmq::DONTWAIT) {
                Ok(m) => m,
                Err(zmq::Error::EAGAIN) => continue,
                Err(e) => return self.fail(format!("endpoint receive failed: {e}")),
            };
            let inbound = match Inbound::decode(&msg) {
                Ok(i) => i,
                Err(e) => {
                    tracing::error!(robot = %self.spec.name, "undecodable inbound message dropped: {e}");
                    continue;
                }
            };
            if !self.on_inbound(inbound) {
                return;
            }
        }
    }

    /// Returns false when the loop must end.
    fn on_inbound(&mut self, inbound: Inbound) -> bool {
        match inbound {
            Inbound::Market {
                ts,
                kind,
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
                self.deliver(ts, kind, origin)
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
            Inbound::Control(ControlMsg::Stop) => {
                self.shared.set_state(RobotState::Stopping);
                if self.deliver(clock::wall_ns(), EventKind::Stop, Origin::default()) {
                    self.shared.set_state(RobotState::Stopped);
                }
                false
            }
        }
    }

    /// Number the event, hand it to the robot, carry out its actions. False on robot failure.
    fn deliver(&mut self, ts: i64, kind: EventKind, origin: Origin) -> bool {
        let Some(instance) = self.instance.as_mut() else {
            return false;
        };
        self.seq += 1;
        let event = Event {
            seq: self.seq,
            ts,
            kind,
        };
        let started = Instant::now();
        let result = instance.handle(&event);
        self.shared
            .record_handle_ns(started.elapsed().as_nanos() as u64);
        self.shared.events.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(actions) => {
                self.execute(actions, origin);
                true
            }
            Err(e) => {
                self.fail(format!(
                    "{e} (at event #{} {})",
                    event.seq,
                    kind_name(&event.kind)
                ));
                false
            }
        }
    }

    fn execute(&mut self, actions: Vec<Action>, origin: Origin) {
        for action in actions {
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
                    }),
                ));
            }
        }
    }
}

fn kind_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Start => "Start",
        EventKind::Stop => "Stop",
        EventKind::Quote(_) => "Quote",
        EventKind::Trade(_) => "Trade",
        EventKind::Bar(_) => "Bar",
        EventKind::Params(_) => "Params",
        EventKind::Command { .. } => "Command",
        EventKind::OrderUpdate(_) => "OrderUpdate",
        EventKind::Fill(_) => "Fill",
        EventKind::Timer { .. } => "Timer",
    }
}
