use hdrhistogram::Histogram;
use robofleet_api::Params;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "detail")]
pub enum RobotState {
    Starting,
    Running,
    Paused,
    Stopping,
    Stopped,
    Failed(String),
}

/// What the robot's loop (on whichever worker runs it), the stream threads and the control
/// socket share about one robot.
/// Counters are atomics; the rest is behind small mutexes read only by status requests.
pub struct RobotShared {
    pub name: String,
    pub plugin_file: PathBuf,
    pub build_id: String,
    pub symbols: Vec<String>,
    pub seed: u64,
    /// A fleet-wide start counter: higher means started later (a restart gets a new one).
    pub generation: u64,
    pub state: Mutex<RobotState>,
    pub params: Mutex<Params>,
    pub events: AtomicU64,
    pub fills_received: AtomicU64,
    pub order_updates_received: AtomicU64,
    pub orders_sent: AtomicU64,
    pub cancels_sent: AtomicU64,
    pub store_errors: AtomicU64,
    /// Orders and amends the pre-trade checks denied.
    pub orders_denied: AtomicU64,
    /// The pre-trade checks' trading state (`None`: the robot has no checks).
    pub trading_state: Mutex<Option<crate::risk::TradingState>>,
    /// Market data messages dropped because this robot's queue was full.
    pub md_dropped: AtomicU64,
    /// Its inbox, once it runs on the pool: what `md_queued` reads (never a second count
    /// kept at every push on the market data thread's path).
    pub inbox: std::sync::OnceLock<crate::robot::pool::WeakInbox>,
    /// Quotes and books it never saw because a newer one of the symbol waited with them
    /// (only with `conflate = true`).
    pub md_conflated: AtomicU64,
    /// Market data and timers skipped while paused.
    pub skipped_paused: AtomicU64,
    /// Order updates and fills dropped because the robot had already seen them.
    pub duplicates_dropped: AtomicU64,
    /// How this run started: "fresh", or how the state was rebuilt from the journal.
    pub recovery: Mutex<String>,
    /// Time inside the plugin per event, ns.
    pub handle_ns: Mutex<Histogram<u64>>,
    /// Its checkpoints in this run (written by its loop and the checkpoint thread).
    pub checkpoints: CheckpointCounters,
}

/// Checkpoints taken, confirmed and failed (see `docs/journal.md`).
#[derive(Default)]
pub struct CheckpointCounters {
    pub taken: AtomicU64,
    /// The last event of the newest trusted checkpoint, plus one (0: none).
    pub trusted_seq_plus_one: AtomicU64,
    pub failed: AtomicU64,
    pub last_failure: Mutex<Option<String>>,
}

impl CheckpointCounters {
    pub fn trusted(&self, seq: u64) {
        self.trusted_seq_plus_one
            .fetch_max(seq + 1, Ordering::Relaxed);
    }

    pub fn failure(&self, why: String) {
        self.failed.fetch_add(1, Ordering::Relaxed);
        *self.last_failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
    }

    fn status(&self) -> CheckpointStatus {
        CheckpointStatus {
            taken: self.taken.load(Ordering::Relaxed),
            trusted_seq: self
                .trusted_seq_plus_one
                .load(Ordering::Relaxed)
                .checked_sub(1),
            failed: self.failed.load(Ordering::Relaxed),
            last_failure: self
                .last_failure
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        }
    }
}

/// A robot's checkpoints as status reports them.
#[derive(Clone, Debug, Serialize)]
pub struct CheckpointStatus {
    /// Taken by this run of the robot.
    pub taken: u64,
    /// The last event of the newest checkpoint confirmed by a replay, if any.
    pub trusted_seq: Option<u64>,
    /// Checkpoints that could not be written or were not confirmed (set aside).
    pub failed: u64,
    pub last_failure: Option<String>,
}

impl RobotShared {
    pub fn new(
        name: &str,
        plugin_file: PathBuf,
        build_id: &str,
        symbols: Vec<String>,
        seed: u64,
        generation: u64,
        params: Params,
    ) -> Self {
        RobotShared {
            name: name.to_string(),
            plugin_file,
            build_id: build_id.to_string(),
            symbols,
            seed,
            generation,
            state: Mutex::new(RobotState::Starting),
            params: Mutex::new(params),
            events: AtomicU64::new(0),
            fills_received: AtomicU64::new(0),
            order_updates_received: AtomicU64::new(0),
            orders_sent: AtomicU64::new(0),
            cancels_sent: AtomicU64::new(0),
            store_errors: AtomicU64::new(0),
            orders_denied: AtomicU64::new(0),
            trading_state: Mutex::new(None),
            md_dropped: AtomicU64::new(0),
            inbox: std::sync::OnceLock::new(),
            md_conflated: AtomicU64::new(0),
            skipped_paused: AtomicU64::new(0),
            duplicates_dropped: AtomicU64::new(0),
            recovery: Mutex::new(String::new()),
            handle_ns: Mutex::new(new_histogram()),
            checkpoints: CheckpointCounters::default(),
        }
    }

    pub fn set_state(&self, state: RobotState) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
    }

    pub fn state(&self) -> RobotState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn params(&self) -> Params {
        self.params
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Market data waiting in its inbox now (0 before it runs and after it has ended).
    pub fn md_queued(&self) -> u64 {
        self.inbox.get().map_or(0, |i| i.md_queued())
    }

    pub fn record_handle_ns(&self, samples: &[u32]) {
        let mut h = self.handle_ns.lock().unwrap_or_else(|e| e.into_inner());
        for ns in samples {
            let _ = h.record(u64::from(*ns).max(1));
        }
    }

    pub fn status(&self) -> RobotStatus {
        let h = self.handle_ns.lock().unwrap_or_else(|e| e.into_inner());
        let q = |p: f64| {
            if h.is_empty() {
                0
            } else {
                h.value_at_quantile(p)
            }
        };
        RobotStatus {
            name: self.name.clone(),
            state: self.state(),
            plugin_file: self.plugin_file.display().to_string(),
            build_id: self.build_id.clone(),
            symbols: self.symbols.clone(),
            params: crate::control::params_to_json(&self.params()),
            generation: self.generation,
            seed: self.seed,
            events: self.events.load(Ordering::Relaxed),
            fills_received: self.fills_received.load(Ordering::Relaxed),
            order_updates_received: self.order_updates_received.load(Ordering::Relaxed),
            orders_sent: self.orders_sent.load(Ordering::Relaxed),
            cancels_sent: self.cancels_sent.load(Ordering::Relaxed),
            store_errors: self.store_errors.load(Ordering::Relaxed),
            orders_denied: self.orders_denied.load(Ordering::Relaxed),
            trading_state: self
                .trading_state
                .lock()
                .map_or(None, |s| s.map(crate::risk::TradingState::as_str)),
            md_dropped: self.md_dropped.load(Ordering::Relaxed),
            md_queued: self.md_queued(),
            md_conflated: self.md_conflated.load(Ordering::Relaxed),
            skipped_paused: self.skipped_paused.load(Ordering::Relaxed),
            duplicates_dropped: self.duplicates_dropped.load(Ordering::Relaxed),
            recovery: self
                .recovery
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            handle_ns_p50: q(0.5),
            handle_ns_p99: q(0.99),
            handle_ns_max: h.max(),
            checkpoints: self.checkpoints.status(),
        }
    }
}

pub fn new_histogram() -> Histogram<u64> {
    // 1 ns .. 60 s at 2 significant digits (1%): 30 KB. At 3 digits each was 220 KB, two a
    // robot, and recording an event into them was a cache miss that took 30% of a fleet's
    // time at 1,000 robots (cannot fail for these constants).
    Histogram::new_with_bounds(1, 60_000_000_000, 2).unwrap_or_else(|_| Histogram::new(2).unwrap())
}

/// A robot's status as the control socket reports it.
#[derive(Clone, Debug, Serialize)]
pub struct RobotStatus {
    pub name: String,
    pub state: RobotState,
    pub plugin_file: String,
    pub build_id: String,
    pub symbols: Vec<String>,
    pub params: serde_json::Value,
    pub generation: u64,
    pub seed: u64,
    pub events: u64,
    pub fills_received: u64,
    pub order_updates_received: u64,
    pub orders_sent: u64,
    pub cancels_sent: u64,
    pub store_errors: u64,
    pub orders_denied: u64,
    /// `ACTIVE`, `REDUCING` or `HALTED`; `None` without pre-trade checks.
    pub trading_state: Option<&'static str>,
    pub md_dropped: u64,
    pub md_queued: u64,
    pub md_conflated: u64,
    pub skipped_paused: u64,
    pub duplicates_dropped: u64,
    pub recovery: String,
    pub handle_ns_p50: u64,
    pub handle_ns_p99: u64,
    pub handle_ns_max: u64,
    pub checkpoints: CheckpointStatus,
}
