//! Fleet-wide counters, reported by the control socket's `stats`.

use crate::fleet::Registry;
use crate::gateway::GatewayStats;
use crate::streams::market::MarketStats;
use crate::streams::trades::TradeStats;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub struct FleetStats {
    pub started: Instant,
    pub market: Arc<MarketStats>,
    pub trades: Arc<TradeStats>,
    pub gateway: Mutex<Option<Arc<GatewayStats>>>,
    /// The robot workers (set once the server has started them).
    pub workers: Mutex<Option<Arc<crate::robot::pool::Pool>>>,
    pub control_requests: AtomicU64,
    pub control_errors: AtomicU64,
    /// Requests refused because the client's role was too small.
    pub control_forbidden: AtomicU64,
    /// CURVE handshakes the ZAP handler refused (a key not on the allow-list).
    pub control_auth_refused: Arc<AtomicU64>,
    /// Requests refused because their audit entry could not be written ahead, and entries
    /// the store refused for good (logged, each).
    pub control_audit_failed: AtomicU64,
    /// Audit entries written ahead but not yet in the store.
    pub control_audit_pending: AtomicU64,
    /// Replies not sent because the client's queue was full (it was not reading them).
    pub control_replies_dropped: AtomicU64,
    /// Replies not sent because the client had gone.
    pub control_replies_unroutable: AtomicU64,
}

impl Default for FleetStats {
    fn default() -> Self {
        FleetStats {
            started: Instant::now(),
            market: Arc::default(),
            trades: Arc::default(),
            gateway: Mutex::new(None),
            workers: Mutex::new(None),
            control_requests: AtomicU64::new(0),
            control_errors: AtomicU64::new(0),
            control_forbidden: AtomicU64::new(0),
            control_auth_refused: Arc::new(AtomicU64::new(0)),
            control_audit_failed: AtomicU64::new(0),
            control_audit_pending: AtomicU64::new(0),
            control_replies_dropped: AtomicU64::new(0),
            control_replies_unroutable: AtomicU64::new(0),
        }
    }
}

impl FleetStats {
    pub fn to_json(&self, registry: &Registry, store: &crate::store::StoreHealth) -> Value {
        let robots: Vec<Value> = registry
            .all()
            .iter()
            .map(|r| {
                let s = r.status();
                json!({"name": s.name, "events": s.events, "orders_sent": s.orders_sent,
                       "md_dropped": s.md_dropped, "store_errors": s.store_errors,
                       "handle_ns_p50": s.handle_ns_p50, "handle_ns_p99": s.handle_ns_p99})
            })
            .collect();
        let gateway = self
            .gateway
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|g| serde_json::to_value(g.snapshot()).unwrap_or(Value::Null));
        let workers = self
            .workers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|p| {
                let wait = p.md_wait();
                let q = |q: f64| {
                    if wait.is_empty() {
                        0
                    } else {
                        wait.value_at_quantile(q)
                    }
                };
                json!({"count": p.workers(), "added": p.workers_added(),
                       "tick_to_robot_ns_p50": q(0.5), "tick_to_robot_ns_p99": q(0.99)})
            });
        json!({
            "uptime_secs": self.started.elapsed().as_secs_f64(),
            "market_data": self.market.snapshot(),
            "workers": workers,
            "trade_updates": {
                "delivered": self.trades.delivered.load(Ordering::Relaxed),
                "undeliverable": self.trades.undeliverable.load(Ordering::Relaxed),
            },
            "gateway": gateway,
            "store": store,
            "control": {
                "requests": self.control_requests.load(Ordering::Relaxed),
                "errors": self.control_errors.load(Ordering::Relaxed),
                "forbidden": self.control_forbidden.load(Ordering::Relaxed),
                "auth_refused": self.control_auth_refused.load(Ordering::Relaxed),
                "audit_failed": self.control_audit_failed.load(Ordering::Relaxed),
                "audit_pending": self.control_audit_pending.load(Ordering::Relaxed),
                "replies_dropped": self.control_replies_dropped.load(Ordering::Relaxed),
                "replies_unroutable": self.control_replies_unroutable.load(Ordering::Relaxed),
            },
            "robots": robots,
        })
    }
}
