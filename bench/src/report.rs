//! The latency bench's results: judged (goals, losses), printed as a table or JSON.

use super::latency::Measured;
use super::LatencyArgs;
use hdrhistogram::Histogram;
use robofleet::gateway::LatencySummary;
use robofleet::store::embedded::SyncPolicy;
use serde::Serialize;
use std::time::Duration;

/// Goals from the issue, in µs.
const GOAL_INSIDE_P50_US: f64 = 25.0;
const GOAL_INSIDE_P99_US: f64 = 150.0;
const GOAL_WIRE_P50_US: f64 = 75.0;
/// A backlog of more than this many seconds of ticks at the stop means the server fell behind.
const KEPT_UP_SECS: f64 = 0.05;

/// Every counter the no-loss checks look at, after the run drained.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counters {
    pub feed_published: u64,
    pub feed_dropped_hwm: u64,
    /// Feed messages the market data thread received.
    pub md_received: u64,
    /// ... and pushed to the robot.
    pub md_delivered: u64,
    pub md_dropped: u64,
    pub md_garbage: u64,
    pub md_unrouted: u64,
    pub robot_events: u64,
    pub robot_orders_sent: u64,
    pub robot_cancels_sent: u64,
    pub robot_md_dropped: u64,
    pub robot_store_errors: u64,
    pub gateway_orders_seen: u64,
    pub gateway_cancels_seen: u64,
    pub gateway_md_messages: u64,
    pub gateway_rejects: u64,
    pub gateway_fills: u64,
    pub gateway_store_errors: u64,
    pub gateway_feed_garbage: u64,
    /// Market data the gateway's exchange dropped because it fell behind.
    pub gateway_md_dropped: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Goal {
    pub what: &'static str,
    pub limit_us: f64,
    pub actual_us: f64,
    pub met: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct Machine {
    pub cpus: usize,
    pub cpu_model: String,
    /// `/proc/loadavg` when the run started: other work on the machine skews the figures.
    pub loadavg_at_start: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct LatencyReport {
    pub machine: Machine,
    pub sync: String,
    pub sync_meaning: String,
    /// The robot's journal sync policy, or `off`.
    pub journal: String,
    pub rate_per_sec: f64,
    pub warmup: u64,
    pub ticks: u64,
    pub cancel_every: u64,
    pub duration_secs: f64,
    /// zmq inproc one-way (round trip / 2), ns.
    pub floor_ns: LatencySummary,
    /// The same three-thread chain as the path (market data -> robot -> gateway, inproc),
    /// paced at the tick rate and doing nothing, ns: what two wakeups of sleeping threads
    /// cost at this rate.
    pub paced_floor_ns: LatencySummary,
    /// Market data thread receive -> gateway, ns.
    pub inside_ns: LatencySummary,
    /// Feed publish (wall clock) -> gateway, ns.
    pub wire_ns: LatencySummary,
    pub inside_p50_over_floor: f64,
    pub wire_p50_over_floor: f64,
    pub inside_p50_over_paced_floor: f64,
    /// CPU time the path's three threads (market data, robot, gateway) ran while the
    /// measured ticks went through, per order the gateway saw, ns (a mean, and all the
    /// threads' work: with `--cancel-every 1` each tick also brings a cancel and its updates).
    pub path_cpu_ns_per_tick: f64,
    /// The same by thread name, ns over the whole measurement.
    pub path_cpu_ns: std::collections::BTreeMap<String, u64>,
    /// CPU the paced floor's three idle threads used per tick, ns (a mean): what waking and
    /// handing on costs with no work; the path's own work is roughly the difference.
    pub paced_floor_cpu_ns_per_tick: f64,
    /// Time in the plugin per event (all events of the run, warmup included), ns.
    pub robot_handle_ns_p50: u64,
    pub robot_handle_ns_p99: u64,
    /// Published before the server's subscription reached the feed (slow joiner).
    pub not_subscribed_yet: u64,
    /// Ticks delivered to the robot but not yet seen by the gateway when the feed stopped.
    pub backlog_at_stop: u64,
    /// The server kept up with the feed: the backlog at the stop was under 50 ms of ticks.
    pub kept_up: bool,
    pub goals: Vec<Goal>,
    pub counters: Counters,
    /// Losses or refusals: any makes the run fail.
    pub problems: Vec<String>,
}

/// Nanoseconds as microseconds, as the tables show them.
pub(crate) fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

/// `a / b`, or 0 when there is no `b` to compare with.
pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

pub fn sync_meaning(p: SyncPolicy) -> String {
    match p {
        SyncPolicy::Never => "no fsync: records reach the page cache only".into(),
        SyncPolicy::EveryWrite => "fdatasync after every record, in the writer's path".into(),
        SyncPolicy::IntervalMs(ms) => {
            format!("fdatasync every {ms} ms on a background thread (not in the order path)")
        }
        SyncPolicy::Group => {
            "group commit: one fdatasync on a background thread for every write before it; notifications wait for it".into()
        }
    }
}

/// The first three fields of `/proc/loadavg` (1, 5 and 15 minute load), or "unknown".
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The CPU's model name from `/proc/cpuinfo`, or "unknown".
pub(crate) fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The floors measured in the same run.
pub struct Floors<'a> {
    pub one_way: &'a Histogram<u64>,
    pub paced: &'a Histogram<u64>,
    /// CPU the paced chain's three threads used per tick, ns.
    pub paced_cpu_ns_per_tick: f64,
}

impl LatencyReport {
    pub fn new(
        args: &LatencyArgs,
        floors: Floors<'_>,
        m: Measured,
        took: Duration,
        loadavg_at_start: &str,
    ) -> LatencyReport {
        let floor_ns = LatencySummary::of(floors.one_way);
        let paced_floor_ns = LatencySummary::of(floors.paced);
        let inside_ns = LatencySummary::of(&m.inside);
        let wire_ns = LatencySummary::of(&m.wire);
        let goal = |what, limit_us: f64, ns| Goal {
            what,
            limit_us,
            actual_us: us(ns),
            met: us(ns) <= limit_us,
        };
        let goals = vec![
            goal("inside p50", GOAL_INSIDE_P50_US, inside_ns.p50),
            goal("inside p99", GOAL_INSIDE_P99_US, inside_ns.p99),
            goal("wire p50", GOAL_WIRE_P50_US, wire_ns.p50),
        ];
        let c = &m.counters;
        let not_subscribed_yet = c.feed_published.saturating_sub(c.md_received);
        let mut problems = problems(args, c, &inside_ns, &wire_ns, not_subscribed_yet);
        if !m.drained {
            problems.insert(
                0,
                "the orders still in flight when the feed stopped did not all reach the \
                 gateway (the counts below may be a backlog, not a loss)"
                    .to_string(),
            );
        }
        let kept_up = (m.backlog_at_stop as f64) < (args.rate * KEPT_UP_SECS).max(10.0);
        LatencyReport {
            machine: Machine {
                cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
                cpu_model: cpu_model(),
                loadavg_at_start: loadavg_at_start.to_string(),
            },
            sync: args.sync.to_string(),
            sync_meaning: sync_meaning(args.sync),
            journal: args.journal.clone(),
            rate_per_sec: args.rate,
            warmup: args.warmup,
            ticks: args.ticks,
            cancel_every: args.cancel_every,
            duration_secs: took.as_secs_f64(),
            inside_p50_over_floor: ratio(inside_ns.p50, floor_ns.p50),
            wire_p50_over_floor: ratio(wire_ns.p50, floor_ns.p50),
            inside_p50_over_paced_floor: ratio(inside_ns.p50, paced_floor_ns.p50),
            floor_ns,
            paced_floor_ns,
            inside_ns,
            wire_ns,
            path_cpu_ns_per_tick: m.path_cpu_ns.values().sum::<u64>() as f64
                / m.measured_orders.max(1) as f64,
            path_cpu_ns: m.path_cpu_ns.clone(),
            paced_floor_cpu_ns_per_tick: floors.paced_cpu_ns_per_tick,
            robot_handle_ns_p50: m.robot_handle_ns_p50,
            robot_handle_ns_p99: m.robot_handle_ns_p99,
            not_subscribed_yet,
            backlog_at_stop: m.backlog_at_stop,
            kept_up,
            goals,
            counters: m.counters,
            problems,
        }
    }
}

/// Everything that shows a message lost or refused between the feed and the gateway.
fn problems(
    args: &LatencyArgs,
    c: &Counters,
    inside: &LatencySummary,
    wire: &LatencySummary,
    not_subscribed_yet: u64,
) -> Vec<String> {
    let mut p = Vec::new();
    let mut nonzero = |n: u64, what: &str| {
        if n > 0 {
            p.push(format!("{n} {what}"));
        }
    };
    nonzero(c.feed_dropped_hwm, "feed messages dropped at the send HWM");
    nonzero(
        c.md_dropped,
        "ticks dropped by the market data thread (robot queue full)",
    );
    nonzero(c.robot_md_dropped, "ticks dropped on the robot's queue");
    nonzero(
        c.md_garbage,
        "undecodable feed messages (market data thread)",
    );
    nonzero(
        c.gateway_feed_garbage,
        "undecodable feed messages (gateway)",
    );
    nonzero(c.md_unrouted, "ticks with no robot to route to");
    nonzero(c.robot_store_errors, "orders or cancels the store refused");
    nonzero(c.gateway_rejects, "orders the exchange rejected");
    nonzero(c.gateway_store_errors, "gateway store writes that failed");
    if c.md_received != c.md_delivered + c.md_dropped + c.md_garbage + c.md_unrouted {
        p.push(format!(
            "market data thread received {} ticks but accounts for {}",
            c.md_received,
            c.md_delivered + c.md_dropped + c.md_garbage + c.md_unrouted
        ));
    }
    if c.robot_orders_sent != c.md_delivered {
        p.push(format!(
            "{} ticks delivered to the robot but it sent {} orders",
            c.md_delivered, c.robot_orders_sent
        ));
    }
    if c.gateway_orders_seen != c.robot_orders_sent {
        p.push(format!(
            "the robot sent {} orders but the gateway saw {}",
            c.robot_orders_sent, c.gateway_orders_seen
        ));
    }
    if inside.count < args.ticks {
        p.push(format!(
            "{} inside samples, fewer than the {} asked for",
            inside.count, args.ticks
        ));
    }
    if wire.count != inside.count {
        p.push(format!(
            "{} wire samples but {} inside samples (an order without a feed stamp?)",
            wire.count, inside.count
        ));
    }
    // Pub/sub loses what is published before a subscription arrives; over an established
    // TCP connection with XPUB_NODROP nothing is lost later. More than the warmup cannot be
    // explained by that alone.
    if not_subscribed_yet > args.warmup {
        p.push(format!(
            "{not_subscribed_yet} published ticks never reached the market data thread \
             (more than the {} warmup ticks a late subscription could explain)",
            args.warmup
        ));
    }
    p
}

pub fn print_table(r: &LatencyReport) {
    println!(
        "robofleet bench latency: {} ticks at {}/s after {} warmup orders ({:.1} s)",
        r.ticks, r.rate_per_sec, r.warmup, r.duration_secs
    );
    println!(
        "machine: {} CPUs, {}; load average at start {}; probe cancel_every = {}",
        r.machine.cpus, r.machine.cpu_model, r.machine.loadavg_at_start, r.cancel_every
    );
    println!("store sync: {} ({})", r.sync, r.sync_meaning);
    println!("robot journal: {}", r.journal);
    println!();
    println!(
        "{:<44} {:>7} {:>8} {:>8} {:>8} {:>8} {:>10}",
        "span (µs)", "count", "p50", "p99", "p99.9", "max", "p50/floor"
    );
    let row = |name: &str, s: &LatencySummary, r: Option<f64>| {
        println!(
            "{:<44} {:>7} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>10}",
            name,
            s.count,
            us(s.p50),
            us(s.p99),
            us(s.p999),
            us(s.max),
            r.map_or_else(|| "1.0x".to_string(), |r| format!("{r:.1}x"))
        )
    };
    row(
        "inside: md thread recv -> gateway",
        &r.inside_ns,
        Some(r.inside_p50_over_floor),
    );
    row(
        "wire: feed publish (tcp) -> gateway",
        &r.wire_ns,
        Some(r.wire_p50_over_floor),
    );
    row("floor: zmq inproc one-way (RTT/2)", &r.floor_ns, None);
    row(
        "paced floor: md -> robot -> gateway, idle",
        &r.paced_floor_ns,
        Some(ratio(r.paced_floor_ns.p50, r.floor_ns.p50)),
    );
    println!(
        "inside p50 / paced floor p50: {:.2}x",
        r.inside_p50_over_paced_floor
    );
    println!(
        "paced floor CPU per tick (mean, its three idle threads): {:.1} µs",
        r.paced_floor_cpu_ns_per_tick / 1e3
    );
    println!(
        "path CPU per tick (mean, its three threads): {:.1} µs ({})",
        r.path_cpu_ns_per_tick / 1e3,
        r.path_cpu_ns
            .iter()
            .map(|(name, ns)| format!("{name} {:.1} µs", *ns as f64 / 1e3 / r.ticks.max(1) as f64))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "(store sync {}; plugin call p50 {:.1} µs, p99 {:.1} µs)",
        r.sync,
        us(r.robot_handle_ns_p50),
        us(r.robot_handle_ns_p99)
    );
    println!();
    for g in &r.goals {
        println!(
            "goal {:<11} <= {:>5.0} µs: {:>7.1} µs  {}",
            g.what,
            g.limit_us,
            g.actual_us,
            if g.met { "met" } else { "MISSED" }
        );
    }
    let c = &r.counters;
    println!();
    println!(
        "counts: feed published {} (dropped at HWM {}), before the subscription {}; \
         md received {}, delivered {}, dropped {}; robot orders {}, cancels {}; \
         gateway orders {}, cancels {}, rejects {}, store errors {}, md dropped {}",
        c.feed_published,
        c.feed_dropped_hwm,
        r.not_subscribed_yet,
        c.md_received,
        c.md_delivered,
        c.md_dropped,
        c.robot_orders_sent,
        c.robot_cancels_sent,
        c.gateway_orders_seen,
        c.gateway_cancels_seen,
        c.gateway_rejects,
        c.gateway_store_errors,
        c.gateway_md_dropped
    );
    if !r.kept_up {
        println!(
            "NOT KEPT UP: {} ticks were still queued when the feed stopped: the server cannot \
             sustain {}/s with this configuration, so the latencies above are mostly queueing",
            r.backlog_at_stop, r.rate_per_sec
        );
    }
    if r.problems.is_empty() {
        println!("nothing lost: every tick received became an order the gateway saw");
    } else {
        for p in &r.problems {
            println!("LOST: {p}");
        }
    }
}
