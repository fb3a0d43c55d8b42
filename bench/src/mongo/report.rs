//! The report of a run: its figures, the ratios to the baselines, the goal, and the no-loss
//! checks (any problem fails the command after the report is printed).

use super::baseline::{Baseline, BaselineSummary};
use super::span1::{Span1, Span1Counters};
use super::span2::{Span2, Span2Counters};
use super::{op_rate, EVENT_TIMEOUT, GOAL_SPAN1_P50_US, KEPT_UP_SECS};
use crate::report::{cpu_model, ratio, us, Goal, Machine};
use crate::MongoArgs;
use robofleet::gateway::LatencySummary;
use serde::Serialize;
use std::time::Duration;

/// The database a run measured.
#[derive(Clone, Debug, Serialize)]
pub struct DbInfo {
    pub hosts: String,
    /// `buildInfo.version` as the server reports it.
    pub server_version: String,
    /// This run's fresh database.
    pub database: String,
    pub dropped_after: bool,
}

/// A run's figures, settings and problems: printed as JSON with `--json`, else as a table.
#[derive(Clone, Debug, Serialize)]
pub struct MongoReport {
    pub machine: Machine,
    pub database: DbInfo,
    pub rate_per_sec: f64,
    pub warmup: u64,
    pub ticks: u64,
    pub cancel_every: u64,
    pub trades: u64,
    pub trade_warmup: u64,
    pub op_rate_per_sec: f64,
    pub baseline_samples: u64,
    pub duration_secs: f64,
    /// Span 1: market data thread receives the tick -> the gateway receives the order, ns.
    pub span1_ns: LatencySummary,
    /// Feed publish (wall clock) -> the gateway receives the order, ns.
    pub span1_wire_ns: LatencySummary,
    /// Span 2: just before `insert_trade` -> the trade on the robot's channel, ns.
    pub span2_ns: LatencySummary,
    /// The `insert_trade` call alone (read the order, insert the trade), ns.
    pub span2_insert_call_ns: LatencySummary,
    /// What the database costs, measured just before span 1 (ratios of span 1 are to it).
    pub baseline_before_span1: BaselineSummary,
    /// ... and just before span 2, after span 1's writes (ratios of span 2 are to it).
    pub baseline_before_span2: BaselineSummary,
    pub span1_p50_over_insert: f64,
    pub span1_p50_over_change_stream: f64,
    /// Span 1 over the order-document insert -> change stream baseline.
    pub span1_p50_over_order_change_stream: f64,
    pub span2_p50_over_insert: f64,
    pub span2_p50_over_change_stream: f64,
    pub robot_handle_ns_p50: u64,
    pub robot_handle_ns_p99: u64,
    pub not_subscribed_yet: u64,
    pub backlog_at_stop: u64,
    pub kept_up: bool,
    pub goal: Goal,
    pub span1_counters: Span1Counters,
    pub span2_counters: Span2Counters,
    /// Losses or refusals: any makes the run fail.
    pub problems: Vec<String>,
}

impl MongoReport {
    pub(super) fn new(
        args: &MongoArgs,
        database: DbInfo,
        baselines: [Baseline; 2],
        s1: Span1,
        s2: Span2,
        took: Duration,
        loadavg_at_start: &str,
    ) -> MongoReport {
        let span1_ns = LatencySummary::of(&s1.inside);
        let span2_ns = LatencySummary::of(&s2.total);
        let [b1, b2] = baselines.map(|b| BaselineSummary::of(&b));
        let c1 = &s1.counters;
        let not_subscribed_yet = c1.feed_published.saturating_sub(c1.md_received);
        let mut problems = span1_problems(args, &s1, &span1_ns, not_subscribed_yet);
        problems.extend(span2_problems(args, &s2.counters, &span2_ns));
        for (b, when) in [(&b1, "before span 1"), (&b2, "before span 2")] {
            if b.change_events_lost > 0 {
                problems.push(format!(
                    "baseline {when}: {} inserts whose change event did not arrive within \
                     {EVENT_TIMEOUT:?}",
                    b.change_events_lost
                ));
            }
        }
        let kept_up = kept_up(args, &s1);
        MongoReport {
            machine: Machine {
                cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
                cpu_model: cpu_model(),
                loadavg_at_start: loadavg_at_start.to_string(),
            },
            database,
            rate_per_sec: args.rate,
            warmup: args.warmup,
            ticks: args.ticks,
            cancel_every: args.cancel_every,
            trades: args.trades,
            trade_warmup: args.trade_warmup,
            op_rate_per_sec: op_rate(args),
            baseline_samples: args.baseline,
            duration_secs: took.as_secs_f64(),
            span1_p50_over_insert: ratio(span1_ns.p50, b1.insert_ns.p50),
            span1_p50_over_change_stream: ratio(span1_ns.p50, b1.change_stream_ns.p50),
            span1_p50_over_order_change_stream: ratio(span1_ns.p50, b1.order_change_stream_ns.p50),
            span2_p50_over_insert: ratio(span2_ns.p50, b2.insert_ns.p50),
            span2_p50_over_change_stream: ratio(span2_ns.p50, b2.change_stream_ns.p50),
            goal: Goal {
                what: "span 1 p50",
                limit_us: GOAL_SPAN1_P50_US,
                actual_us: us(span1_ns.p50),
                met: span1_ns.count > 0 && us(span1_ns.p50) <= GOAL_SPAN1_P50_US,
            },
            span1_ns,
            span1_wire_ns: LatencySummary::of(&s1.wire),
            span2_ns,
            span2_insert_call_ns: LatencySummary::of(&s2.insert_call),
            baseline_before_span1: b1,
            baseline_before_span2: b2,
            robot_handle_ns_p50: s1.robot_handle_ns_p50,
            robot_handle_ns_p99: s1.robot_handle_ns_p99,
            not_subscribed_yet,
            backlog_at_stop: s1.backlog_at_stop,
            kept_up,
            span1_counters: s1.counters,
            span2_counters: s2.counters,
            problems,
        }
    }
}

/// Whether the fleet kept up with the feed: less than [`KEPT_UP_SECS`] of ticks (at least
/// 10) still on their way to the gateway when the feed stopped.
pub(super) fn kept_up(args: &MongoArgs, s1: &Span1) -> bool {
    (s1.backlog_at_stop as f64) < (args.rate * KEPT_UP_SECS).max(10.0)
}

/// Everything that shows a tick or an order lost or refused on the way to the gateway.
pub(super) fn span1_problems(
    args: &MongoArgs,
    s1: &Span1,
    inside: &LatencySummary,
    not_subscribed_yet: u64,
) -> Vec<String> {
    let c = &s1.counters;
    let mut p = Vec::new();
    if !s1.drained {
        p.push(
            "span 1: the orders in flight when the feed stopped did not all reach the gateway \
             (the counts below may be a backlog, not a loss)"
                .to_string(),
        );
    }
    let mut nonzero = |n: u64, what: &str| {
        if n > 0 {
            p.push(format!("span 1: {n} {what}"));
        }
    };
    nonzero(c.feed_dropped_hwm, "feed messages dropped at the send HWM");
    nonzero(c.md_dropped, "ticks dropped by the market data thread");
    nonzero(c.robot_md_dropped, "ticks dropped on the robot's queue");
    nonzero(c.md_garbage, "undecodable feed messages");
    nonzero(c.md_unrouted, "ticks with no robot to route to");
    nonzero(c.robot_store_errors, "orders or cancels the store refused");
    nonzero(
        c.server_store_failed_writes,
        "robot writes MongoDB did not take",
    );
    nonzero(c.server_store_pending_writes, "robot writes still queued");
    nonzero(c.gateway_rejects, "orders the exchange rejected");
    nonzero(c.gateway_store_errors, "gateway store writes that failed");
    if c.md_received != c.md_delivered + c.md_dropped + c.md_garbage + c.md_unrouted {
        p.push(format!(
            "span 1: market data thread received {} ticks but accounts for {}",
            c.md_received,
            c.md_delivered + c.md_dropped + c.md_garbage + c.md_unrouted
        ));
    }
    if c.robot_orders_sent != c.md_delivered {
        p.push(format!(
            "span 1: {} ticks reached the robot but it sent {} orders",
            c.md_delivered, c.robot_orders_sent
        ));
    }
    if c.orders_in_db != c.robot_orders_sent {
        p.push(format!(
            "span 1: the robot sent {} orders but MongoDB holds {}",
            c.robot_orders_sent, c.orders_in_db
        ));
    }
    if c.gateway_orders_seen != c.robot_orders_sent {
        p.push(format!(
            "span 1: the robot sent {} orders but the gateway saw {}",
            c.robot_orders_sent, c.gateway_orders_seen
        ));
    }
    if inside.count < args.ticks {
        p.push(format!(
            "span 1: {} samples, fewer than the {} asked for",
            inside.count, args.ticks
        ));
    }
    if not_subscribed_yet > args.warmup {
        p.push(format!(
            "span 1: {not_subscribed_yet} published ticks never reached the market data thread \
             (more than the {} warmup ticks a late subscription could explain)",
            args.warmup
        ));
    }
    p
}

/// Everything that shows a trade lost, doubled or refused on the way to the robot.
fn span2_problems(args: &MongoArgs, c: &Span2Counters, total: &LatencySummary) -> Vec<String> {
    let n = args.trade_warmup + args.trades;
    let mut p = Vec::new();
    let mut nonzero = |v: u64, what: &str| {
        if v > 0 {
            p.push(format!("span 2: {v} {what}"));
        }
    };
    nonzero(c.orders_failed, "orders MongoDB did not take");
    nonzero(c.insert_errors, "insert_trade errors");
    nonzero(
        c.insert_already_stored,
        "trades insert_trade reported as already stored",
    );
    nonzero(
        c.trades_repeated,
        "trades delivered to the robot more than once",
    );
    nonzero(c.unexpected, "unexpected deliveries to the robot");
    nonzero(
        c.trades_late,
        "trades that took longer than the timeout to reach the robot",
    );
    if c.trades_received != n {
        p.push(format!(
            "span 2: {n} trades inserted but the robot received {}",
            c.trades_received
        ));
    }
    if total.count < args.trades {
        p.push(format!(
            "span 2: {} samples, fewer than the {} asked for",
            total.count, args.trades
        ));
    }
    p
}
