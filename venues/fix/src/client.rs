//! The gateway's FIX venue: a QuickFIX initiator session to a broker or exchange.
//!
//! The gateway's thread calls [`FixVenue`] (a [`Venue`]) for each request; it sends the
//! FIX message at once while the session is logged on, and holds it otherwise, sending what
//! it holds, in order, at the next logon. What the venue answers arrives on QuickFIX's
//! threads, is read ([`crate::inbound`]) and goes to the gateway through
//! [`Venue::later_answers`]. An exec id seen before (a PossDup resend, or a venue that
//! repeats itself) is dropped. No message is sent while our lock is held: QuickFIX's
//! session lock is taken on its threads around our callbacks.

use crate::engine::{self, Engine, EngineError, Handler, Role, SessionKey};
use crate::inbound::{self, Inbound};
use crate::{ids, outbound, FixMapError};
use crossbeam_channel::{Receiver, Sender};
use quickfix::{Message, MsgFromAppError};
use robofleet_api::{Instruments, OrderStatus, Price};
use robofleet_core::clock;
use robofleet_core::store::{AmendRequest, Order, OrderChange};
use robofleet_gateway::{ExchangeInput, ExchangeOutput, GatewayStats, LaterAnswer, Venue};
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A request waiting for the session.
#[derive(Clone, Debug)]
enum Outgoing {
    New(String),
    /// OrderStatusRequest: what the venue has of an order (at logon, and before sending an
    /// order a gateway before us may have sent).
    Status(String),
    Cancel(String),
    Amend(String, AmendRequest),
}

#[derive(Default)]
struct State {
    /// Open orders, by client id.
    orders: HashMap<String, Order>,
    /// The ClOrdID in force at the venue for each open order (changes with each replace).
    current: HashMap<String, String>,
    cancels: HashMap<String, u32>,
    /// The last status, filled quantity and average price the venue reported.
    last: HashMap<String, (OrderStatus, i64, Price)>,
    held: VecDeque<Outgoing>,
    seen: HashSet<String>,
    /// Orders asked about before they are sent: sent if the venue does not know them.
    probing: HashSet<String>,
    /// The logon (its number) each order was sent in, or first heard of: a logon asks the
    /// venue only about orders from before it (one sent meanwhile may not be there yet).
    sent_in: HashMap<String, u64>,
}

struct Shared {
    session: SessionKey,
    /// When this venue started: a `New` order created before then may have been sent by
    /// the gateway before this one, so the venue is asked first.
    started_ns: i64,
    logged_on: AtomicBool,
    /// Logons so far.
    epoch: AtomicU64,
    held: AtomicU64,
    state: Mutex<State>,
    answers: Sender<LaterAnswer>,
    /// Wakes the thread that sends what was held, at each logon.
    logon: Sender<()>,
    /// The gateway's counters: the session's state and what is held, per robot.
    stats: std::sync::OnceLock<Arc<GatewayStats>>,
}

pub struct FixVenue {
    shared: Arc<Shared>,
    answers: Receiver<LaterAnswer>,
    engine: Option<Engine>,
    flusher: Option<JoinHandle<()>>,
    stop_flusher: Option<Sender<()>>,
    name: String,
}

impl FixVenue {
    /// Start the initiator of the QuickFIX settings at `settings`, for its one session
    /// `session` (ours as SenderCompID, the venue's as TargetCompID).
    pub fn start(settings: &Path, session: SessionKey) -> Result<FixVenue, EngineError> {
        let (answers_tx, answers) = crossbeam_channel::unbounded();
        let (logon_tx, logon_rx) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            session: session.clone(),
            started_ns: clock::wall_ns(),
            logged_on: AtomicBool::new(false),
            epoch: AtomicU64::new(0),
            held: AtomicU64::new(0),
            state: Mutex::new(State::default()),
            answers: answers_tx,
            logon: logon_tx,
            stats: std::sync::OnceLock::new(),
        });
        let s = shared.clone();
        let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
        let flusher = std::thread::Builder::new()
            .name("fix-flush".into())
            .spawn(move || loop {
                crossbeam_channel::select! {
                    recv(logon_rx) -> _ => s.reconcile(),
                    recv(stop_rx) -> _ => return,
                }
            })
            .map_err(EngineError::Spawn)?;
        let engine = Engine::start(
            settings,
            Role::Initiator,
            Arc::new(Callbacks(shared.clone())),
        )?;
        Ok(FixVenue {
            shared,
            answers,
            engine: Some(engine),
            flusher: Some(flusher),
            stop_flusher: Some(stop_tx),
            name: format!("fix:{}->{}", session.sender, session.target),
        })
    }

    /// Start the initiator of the one session the settings file at `settings` describes.
    pub fn open(settings: &Path) -> Result<FixVenue, EngineError> {
        let session =
            crate::settings::session_of(settings).map_err(|error| EngineError::Settings {
                path: settings.to_path_buf(),
                error,
            })?;
        FixVenue::start(settings, session)
    }

    pub fn logged_on(&self) -> bool {
        self.shared.logged_on.load(Ordering::Acquire)
    }

    /// Requests held until the session is back.
    pub fn held(&self) -> u64 {
        self.shared.held.load(Ordering::Relaxed)
    }
}

impl Drop for FixVenue {
    fn drop(&mut self) {
        if let Some(e) = self.engine.take() {
            e.stop();
        }
        self.stop_flusher.take();
        if let Some(t) = self.flusher.take() {
            let _ = t.join();
        }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Send `out` now if the session is up, else hold it.
    fn request(&self, out: Outgoing) {
        if !self.logged_on.load(Ordering::Acquire) {
            let robot = self.robot_of(&out);
            if let Some(stats) = self.stats.get() {
                stats.hold(&robot);
            }
            self.lock().held.push_back(out);
            let n = self.held.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::warn!(session = %self.session.target, held = n, "FIX session down: request held until the next logon");
            return;
        }
        let msg = self.build(&out);
        self.send(msg, &out);
    }

    /// The robot whose request `out` is.
    fn robot_of(&self, out: &Outgoing) -> String {
        let id = match out {
            Outgoing::New(id) | Outgoing::Status(id) | Outgoing::Cancel(id) => id,
            Outgoing::Amend(id, _) => id,
        };
        match self.lock().orders.get(id) {
            Some(o) => o.robot.clone(),
            None => id
                .rsplit_once('-')
                .map_or(id.as_str(), |(r, _)| r)
                .to_string(),
        }
    }

    fn set_up(&self, up: bool) {
        self.logged_on.store(up, Ordering::Release);
        if let Some(stats) = self.stats.get() {
            stats.set_session_up(up);
        }
    }

    /// At each logon: ask the venue about every open order it should have (the session's
    /// resend brings what we missed; a status says what it has now, and an order it does not
    /// know any more is finished), then send what was held.
    fn reconcile(&self) {
        let now = self.epoch.load(Ordering::Acquire);
        let ask: Vec<String> = {
            let st = self.lock();
            let waiting: HashSet<&String> = st
                .held
                .iter()
                .filter_map(|o| match o {
                    Outgoing::New(id) | Outgoing::Status(id) => Some(id),
                    _ => None,
                })
                .collect();
            st.orders
                .keys()
                .filter(|id| st.sent_in.get(*id).is_some_and(|e| *e < now))
                .filter(|id| !waiting.contains(id) && !st.probing.contains(*id))
                .cloned()
                .collect()
        };
        if !ask.is_empty() {
            tracing::info!(venue = %self.session.target, orders = ask.len(), "FIX logon: asking the venue about our open orders");
        }
        for id in ask {
            let out = Outgoing::Status(id);
            let msg = self.build(&out);
            self.send(msg, &out);
        }
        self.flush();
    }

    /// Everything held, in order, while the session stays up.
    fn flush(&self) {
        loop {
            if !self.logged_on.load(Ordering::Acquire) {
                return;
            }
            let Some(out) = self.lock().held.pop_front() else {
                return;
            };
            self.held.fetch_sub(1, Ordering::Relaxed);
            if let Some(stats) = self.stats.get() {
                stats.release(&self.robot_of(&out));
            }
            let msg = self.build(&out);
            self.send(msg, &out);
        }
    }

    /// The message for `out`, built under the lock (sent after it is released).
    fn build(&self, out: &Outgoing) -> Result<Message, FixMapError> {
        let now = clock::wall_ns();
        let mut st = self.lock();
        let missing = |id: &str| FixMapError::Unexpected(format!("no open order {id}"));
        match out {
            Outgoing::New(id) => {
                outbound::new_order_single(st.orders.get(id).ok_or_else(|| missing(id))?, now)
            }
            Outgoing::Status(id) => {
                let current = st.current.get(id).cloned().unwrap_or_else(|| id.clone());
                outbound::status_request(st.orders.get(id).ok_or_else(|| missing(id))?, &current)
            }
            Outgoing::Cancel(id) => {
                let n = st.cancels.entry(id.clone()).or_insert(0);
                *n += 1;
                let n = *n;
                let current = st.current.get(id).cloned().unwrap_or_else(|| id.clone());
                outbound::cancel_request(
                    st.orders.get(id).ok_or_else(|| missing(id))?,
                    &current,
                    n,
                    now,
                )
            }
            Outgoing::Amend(id, amend) => {
                let current = st.current.get(id).cloned().unwrap_or_else(|| id.clone());
                outbound::replace_request(
                    st.orders.get(id).ok_or_else(|| missing(id))?,
                    &current,
                    amend,
                    now,
                )
            }
        }
    }

    fn send(&self, msg: Result<Message, FixMapError>, out: &Outgoing) {
        match msg.and_then(|m| engine::send(m, &self.session)) {
            Ok(()) => {
                if let Outgoing::New(id) = out {
                    let epoch = self.epoch.load(Ordering::Acquire);
                    self.lock().sent_in.insert(id.clone(), epoch);
                }
            }
            Err(e) => {
                tracing::error!(session = %self.session.target, "FIX request not sent ({out:?}): {e}")
            }
        }
    }

    /// Hand `outputs` to the gateway and wait until they are in the store: QuickFIX counts
    /// the message received when our callback returns, so a gateway killed before the
    /// write must not have returned (the venue then sends it again after the restart).
    fn deliver(&self, outputs: Vec<ExchangeOutput>) {
        if outputs.is_empty() {
            return;
        }
        let (written, done) = crossbeam_channel::bounded(1);
        let answer = LaterAnswer {
            outputs,
            written: Some(written),
        };
        if self.answers.send(answer).is_err() || done.recv().is_err() {
            tracing::error!(venue = %self.session.target, "FIX: an answer came while the gateway was stopping: not written");
        }
    }

    /// An answer from the venue: into the gateway, once per exec id.
    fn on_inbound(&self, inbound: Inbound) {
        match inbound {
            Inbound::Report(r) => {
                let mut st = self.lock();
                if !st.seen.insert(r.exec_id.clone()) {
                    tracing::debug!(exec_id = %r.exec_id, "FIX: a report seen before, dropped");
                    return;
                }
                let id = r.client_id.clone();
                if r.exec_type == '5' {
                    st.current.insert(id.clone(), r.cl_ord_id.clone());
                }
                let probed = st.probing.remove(&id);
                let known = !(r.exec_type == 'I' && r.ord_status == '8');
                if known && st.orders.contains_key(&id) {
                    // The venue has it: later logons ask about it.
                    let epoch = self.epoch.load(Ordering::Acquire);
                    st.sent_in.entry(id.clone()).or_insert(epoch);
                }
                if !known {
                    // The venue does not know the order.
                    if probed {
                        // Never reached it: send it now.
                        drop(st);
                        return self.request(Outgoing::New(id));
                    }
                    if !st.orders.contains_key(&id) {
                        return;
                    }
                    if !st.sent_in.contains_key(&id) {
                        // Asked before we sent it (not expected): nothing to finish.
                        return;
                    }
                    let (_, filled, avg) =
                        st.last
                            .get(&id)
                            .copied()
                            .unwrap_or((OrderStatus::Working, 0, Price::ZERO));
                    st.orders.remove(&id);
                    st.current.remove(&id);
                    st.cancels.remove(&id);
                    st.sent_in.remove(&id);
                    st.last.remove(&id);
                    drop(st);
                    tracing::warn!(client_id = %id, "FIX: the venue does not know an open order of ours: cancelled");
                    self.deliver(vec![ExchangeOutput::Change(OrderChange {
                        client_id: id,
                        status: OrderStatus::Cancelled,
                        filled_qty: filled,
                        avg_price: avg,
                        reason: Some(format!(
                            "the venue does not know this order: {}",
                            r.text.as_deref().unwrap_or("unknown order")
                        )),
                        ts_ns: 0,
                        amends: None,
                        qty: None,
                        price: None,
                        venue_order_id: None,
                    })]);
                    return;
                }
                let robot = match st.orders.get(&id) {
                    Some(o) => o.robot.clone(),
                    None => id
                        .rsplit_once('-')
                        .map_or(id.as_str(), |(r, _)| r)
                        .to_string(),
                };
                if let Some(s) = inbound::status_of(r.ord_status) {
                    st.last.insert(id.clone(), (s, r.cum_qty, r.avg_px));
                    if s.is_terminal() {
                        st.orders.remove(&id);
                        st.current.remove(&id);
                        st.cancels.remove(&id);
                        st.sent_in.remove(&id);
                        st.last.remove(&id);
                    }
                }
                drop(st);
                self.deliver(r.answers(&robot));
            }
            Inbound::CancelReject(c) => {
                let why = c.text.clone().unwrap_or_default();
                tracing::warn!(client_id = %c.client_id, "FIX: venue refused a {}: {why}", if c.response_to == '2' { "replace" } else { "cancel" });
                if c.unknown_order {
                    // Ask what the venue has of it: the answer finishes it here if nothing.
                    return self.request(Outgoing::Status(c.client_id));
                }
                // A refused amend is answered to the robot; a refused cancel leaves the
                // order as it is (its next report says how it ended).
                let Some(seq) = ids::amend_seq_of(&c.cl_ord_id).filter(|_| c.response_to == '2')
                else {
                    return;
                };
                let st = self.lock();
                let Some((status, filled, avg)) = st.last.get(&c.client_id).copied() else {
                    return;
                };
                drop(st);
                self.deliver(vec![ExchangeOutput::Change(OrderChange {
                    client_id: c.client_id,
                    status,
                    filled_qty: filled,
                    avg_price: avg,
                    reason: Some(format!("amend refused: {why}")),
                    ts_ns: 0,
                    amends: Some(seq),
                    qty: None,
                    price: None,
                    venue_order_id: None,
                })]);
            }
        }
    }
}

struct Callbacks(Arc<Shared>);

impl Handler for Callbacks {
    fn logon(&self, session: &SessionKey) {
        tracing::info!(venue = %session.target, "FIX session logged on");
        self.0.epoch.fetch_add(1, Ordering::AcqRel);
        self.0.set_up(true);
        let _ = self.0.logon.send(());
    }

    fn logout(&self, session: &SessionKey) {
        tracing::warn!(venue = %session.target, "FIX session logged out");
        self.0.set_up(false);
    }

    fn app(&self, session: &SessionKey, msg: &Message) -> Result<(), MsgFromAppError> {
        match inbound::read(msg) {
            Ok(inbound) => {
                self.0.on_inbound(inbound);
                Ok(())
            }
            Err(FixMapError::Unexpected(t)) => {
                tracing::debug!(venue = %session.target, "FIX: message type {t} ignored");
                Ok(())
            }
            Err(e) => {
                tracing::error!(venue = %session.target, "FIX: a message from the venue not read: {e}");
                Err(MsgFromAppError::IncorrectDataFormat)
            }
        }
    }
}

impl Venue for FixVenue {
    fn name(&self) -> &str {
        &self.name
    }

    fn process(&mut self, input: ExchangeInput, _out: &mut Vec<ExchangeOutput>) {
        match input {
            ExchangeInput::NewOrder { order, .. } => {
                let id = order.client_id.clone();
                let fresh = order.status == OrderStatus::New;
                let created = order.created_ns;
                {
                    let mut st = self.shared.lock();
                    if order.amends > 0 {
                        st.current
                            .insert(id.clone(), ids::amend_id(&id, order.amends));
                    }
                    if !fresh {
                        // Working at the venue by the store's account: asked at logon.
                        st.sent_in.insert(id.clone(), 0);
                    }
                    st.orders.insert(id.clone(), order);
                }
                if fresh && created < self.shared.started_ns {
                    // Written before this gateway started: the one before may have sent it
                    // and died before the answer. Ask first; sent if the venue has nothing.
                    self.shared.lock().probing.insert(id.clone());
                    self.shared.request(Outgoing::Status(id));
                } else if fresh {
                    self.shared.request(Outgoing::New(id));
                }
            }
            ExchangeInput::Cancel { client_id, .. } => {
                self.shared.request(Outgoing::Cancel(client_id))
            }
            ExchangeInput::Amend {
                client_id, amend, ..
            } => self.shared.request(Outgoing::Amend(client_id, amend)),
            ExchangeInput::Market(_) => {}
        }
    }

    fn set_instruments(&mut self, _instruments: Instruments) {}

    fn later_answers(&self) -> Option<Receiver<LaterAnswer>> {
        Some(self.answers.clone())
    }

    fn attach_stats(&mut self, stats: Arc<GatewayStats>) {
        stats.set_session_up(self.logged_on());
        let _ = self.shared.stats.set(stats);
    }
}
