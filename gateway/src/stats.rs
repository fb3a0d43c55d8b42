//! Counters and latency histograms of the gateway, shared with whoever reports them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard};

use hdrhistogram::Histogram;
use serde::Serialize;

use robofleet_api::OrderStatus;

use crate::clock;
use crate::store::Order;

/// Significant digits of the latency histograms.
const SIGFIG: u8 = 3;

fn new_histogram() -> Histogram<u64> {
    // Auto-resizing with 3 significant digits: the only way this fails is a sigfig > 5.
    Histogram::new(SIGFIG).expect("3 significant digits is a valid histogram precision")
}

/// Poisoning only means another thread panicked mid-record; the histogram is still usable.
fn lock(m: &Mutex<Histogram<u64>>) -> MutexGuard<'_, Histogram<u64>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug)]
pub struct GatewayStats {
    /// `GatewayRequest::New` received.
    pub orders_seen: AtomicU64,
    pub cancels_seen: AtomicU64,
    pub fills: AtomicU64,
    pub rejects: AtomicU64,
    /// Market data messages fed to the exchange.
    pub md_messages: AtomicU64,
    /// Feed messages that did not decode (dropped).
    pub feed_garbage: AtomicU64,
    /// Depth updates out of sequence (the book then waits for its next snapshot).
    pub depth_gaps: AtomicU64,
    pub store_errors: AtomicU64,
    /// Market data dropped because the gateway fell behind (its own queue was full).
    pub md_dropped: AtomicU64,
    /// Quotes and books skipped because a newer one of the same symbol was already waiting.
    pub md_conflated: AtomicU64,
    /// Market data messages and order requests waiting for the gateway thread, as it last
    /// looked (its back-pressure).
    pub md_queued: AtomicU64,
    pub requests_queued: AtomicU64,
    /// Requests that had to wait for the venue session's message rate.
    pub session_throttled: AtomicU64,
    /// Requests waiting for it now.
    pub session_waiting: AtomicU64,
    /// The longest any request waited for it, ns.
    pub session_wait_max_ns: AtomicU64,
    /// The venue's session: [`SESSION_SIM`], [`SESSION_UP`] or [`SESSION_DOWN`].
    venue_session: AtomicU8,
    /// Requests held while the venue's session is down, per robot.
    held: Mutex<HashMap<String, u64>>,
    /// Orders created before this (wall ns) are replays from an earlier run: no latency sample.
    since_wall_ns: i64,
    /// Tick received by the server -> order received by the gateway (monotonic ns).
    latency_inside: Mutex<Histogram<u64>>,
    /// Tick published by the feed -> order received by the gateway (wall clock ns).
    latency_wire: Mutex<Histogram<u64>>,
}

impl Default for GatewayStats {
    fn default() -> Self {
        GatewayStats {
            orders_seen: AtomicU64::new(0),
            cancels_seen: AtomicU64::new(0),
            fills: AtomicU64::new(0),
            rejects: AtomicU64::new(0),
            md_messages: AtomicU64::new(0),
            feed_garbage: AtomicU64::new(0),
            depth_gaps: AtomicU64::new(0),
            store_errors: AtomicU64::new(0),
            md_dropped: AtomicU64::new(0),
            md_conflated: AtomicU64::new(0),
            md_queued: AtomicU64::new(0),
            requests_queued: AtomicU64::new(0),
            session_throttled: AtomicU64::new(0),
            session_waiting: AtomicU64::new(0),
            session_wait_max_ns: AtomicU64::new(0),
            venue_session: AtomicU8::new(SESSION_SIM),
            held: Mutex::new(HashMap::new()),
            since_wall_ns: clock::wall_ns(),
            latency_inside: Mutex::new(new_histogram()),
            latency_wire: Mutex::new(new_histogram()),
        }
    }
}

/// Percentiles of one latency histogram, in ns.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    pub count: u64,
    pub min: u64,
    pub p50: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub mean: f64,
}

impl LatencySummary {
    pub fn of(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Self::default();
        }
        LatencySummary {
            count: h.len(),
            min: h.min(),
            p50: h.value_at_quantile(0.5),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
            mean: h.mean(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GatewayStatsSnapshot {
    pub orders_seen: u64,
    pub cancels_seen: u64,
    pub fills: u64,
    pub rejects: u64,
    pub md_messages: u64,
    pub feed_garbage: u64,
    pub depth_gaps: u64,
    pub store_errors: u64,
    pub md_dropped: u64,
    pub md_conflated: u64,
    pub md_queued: u64,
    pub requests_queued: u64,
    pub session_throttled: u64,
    pub session_waiting: u64,
    pub session_wait_max_ns: u64,
    /// `sim` (the simulated exchange: no session), `up` or `down`.
    pub venue_session: &'static str,
    /// Requests held while the session is down (every robot's).
    pub held: u64,
    pub latency_inside_ns: LatencySummary,
    pub latency_wire_ns: LatencySummary,
}

pub const SESSION_SIM: u8 = 0;
pub const SESSION_UP: u8 = 1;
pub const SESSION_DOWN: u8 = 2;

impl GatewayStats {
    pub fn new() -> Self {
        Self::default()
    }

    /// A venue with a session says whether it is logged on.
    pub fn set_session_up(&self, up: bool) {
        let v = if up { SESSION_UP } else { SESSION_DOWN };
        self.venue_session.store(v, Ordering::Relaxed);
    }

    pub fn venue_session(&self) -> &'static str {
        match self.venue_session.load(Ordering::Relaxed) {
            SESSION_UP => "up",
            SESSION_DOWN => "down",
            _ => "sim",
        }
    }

    fn held_map(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One more request of `robot` held for the session.
    pub fn hold(&self, robot: &str) {
        *self.held_map().entry(robot.to_string()).or_insert(0) += 1;
    }

    /// One request of `robot` sent after all.
    pub fn release(&self, robot: &str) {
        let mut held = self.held_map();
        if let Some(n) = held.get_mut(robot) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(robot);
            }
        }
    }

    /// Requests of `robot` held now.
    pub fn held_of(&self, robot: &str) -> u64 {
        self.held_map().get(robot).copied().unwrap_or(0)
    }

    pub(crate) fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Record both latencies of an order the gateway just received. Call it first thing,
    /// so the measurement does not include the gateway's own work.
    ///
    /// Orders already accepted (`Working`/`PartiallyFilled`, replayed after a restart)
    /// are skipped: their timestamps are from another run, and a monotonic clock from
    /// another process means nothing here.
    pub fn record_order_latency(&self, order: &Order) {
        // Replayed orders (already accepted, or written before this gateway started) carry
        // stamps from another run: their age is downtime, not latency.
        if order.status != OrderStatus::New || order.created_ns < self.since_wall_ns {
            return;
        }
        let mono = clock::mono_ns();
        let wall = clock::wall_ns();
        if let Some(d) = order
            .tick_recv_mono_ns
            .and_then(|recv| mono.checked_sub(recv))
        {
            // `record` only fails for values above a fixed maximum; ours auto-resizes.
            let _ = lock(&self.latency_inside).record(d);
        }
        // A negative difference is clock skew between the feed host and us: no sample.
        if let Some(d) = order
            .tick_sent_ns
            .and_then(|sent| u64::try_from(wall.saturating_sub(sent)).ok())
        {
            let _ = lock(&self.latency_wire).record(d);
        }
    }

    /// Tick-to-gateway latency inside the server, ns.
    pub fn latency_inside(&self) -> Histogram<u64> {
        lock(&self.latency_inside).clone()
    }

    /// Feed-publish-to-gateway latency, ns.
    pub fn latency_wire(&self) -> Histogram<u64> {
        lock(&self.latency_wire).clone()
    }

    /// A request waited `ns` for the venue session's rate.
    pub fn record_session_wait(&self, ns: i64) {
        let ns = u64::try_from(ns).unwrap_or(0);
        self.session_wait_max_ns.fetch_max(ns, Ordering::Relaxed);
    }

    pub fn reset_latency(&self) {
        lock(&self.latency_inside).reset();
        lock(&self.latency_wire).reset();
    }

    /// What waits for the gateway thread now: market data and order requests.
    pub fn set_queued(&self, md: usize, requests: usize) {
        self.md_queued.store(md as u64, Ordering::Relaxed);
        self.requests_queued
            .store(requests as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> GatewayStatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        GatewayStatsSnapshot {
            orders_seen: get(&self.orders_seen),
            cancels_seen: get(&self.cancels_seen),
            fills: get(&self.fills),
            rejects: get(&self.rejects),
            md_messages: get(&self.md_messages),
            feed_garbage: get(&self.feed_garbage),
            depth_gaps: get(&self.depth_gaps),
            store_errors: get(&self.store_errors),
            md_dropped: get(&self.md_dropped),
            md_conflated: get(&self.md_conflated),
            md_queued: get(&self.md_queued),
            requests_queued: get(&self.requests_queued),
            session_throttled: get(&self.session_throttled),
            session_waiting: get(&self.session_waiting),
            session_wait_max_ns: get(&self.session_wait_max_ns),
            venue_session: self.venue_session(),
            held: self.held_map().values().sum(),
            latency_inside_ns: LatencySummary::of(&lock(&self.latency_inside)),
            latency_wire_ns: LatencySummary::of(&lock(&self.latency_wire)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_recording_and_reset() {
        let stats = GatewayStats::new();
        let mut o: Order = serde_json::from_value(serde_json::json!({
            "client_id": "a-1", "robot": "a", "order_seq": 1, "symbol": "Si",
            "side": "Buy", "order_type": "Market", "qty": 1, "status": "New",
            "filled_qty": 0, "avg_price": "0", "reason": null, "cancel_requested": false,
            "created_ns": clock::wall_ns() + 1_000_000_000, "updated_ns": 0, "history": []
        }))
        .expect("order json");
        stats.record_order_latency(&o);
        assert_eq!(stats.latency_inside().len(), 0, "no timestamps: no samples");
        o.tick_recv_mono_ns = Some(clock::mono_ns());
        o.tick_sent_ns = Some(clock::wall_ns() - 1_000_000);
        stats.record_order_latency(&o);
        assert_eq!(stats.latency_inside().len(), 1);
        assert_eq!(stats.latency_wire().len(), 1);
        assert!(stats.latency_wire().min() >= 1_000_000 - 1_000);
        // From the future: skew, not a sample.
        o.tick_sent_ns = Some(clock::wall_ns() + 1_000_000_000);
        stats.record_order_latency(&o);
        assert_eq!(stats.latency_wire().len(), 1);
        let snap = stats.snapshot();
        assert_eq!(snap.latency_wire_ns.count, 1);
        assert!(serde_json::to_string(&snap).is_ok());
        stats.reset_latency();
        assert_eq!(
            stats.snapshot().latency_inside_ns,
            LatencySummary::default()
        );
    }
}
