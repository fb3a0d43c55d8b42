//! `robofleet-bench mongo --sustain R1,R2,...`: the highest order rate the fleet sustains on
//! MongoDB, as a share of what the database itself can do, measured in one run (issue 12's
//! goal: at least half).
//!
//! First the database's own capacity: order documents inserted one at a time, each waited
//! for on a change stream with the gateway's pipeline, back to back (the baseline of
//! [`super::baseline`] unpaced): `1 s / p50` of insert -> change event is how many orders a
//! second one writer and one reader get through it in sequence. Then the database work of
//! one order, back to back ([`super::order_path`]): the fleet's best case on this database,
//! reported as a second share (the goal compares an order, which costs the database
//! two inserts, an update and two change events, with one insert and one event). Then span 1 (tick -> robot
//! -> order in MongoDB -> gateway) at each rate in turn, each on a fresh database with a new
//! server and gateway, measuring `rate x --sustain-secs` ticks. A rate is *sustained* when
//! the fleet kept up (less than 50 ms of ticks still on their way when the feed stopped),
//! span 1's p99 is under [`LAG_P99_LIMIT_MS`], and nothing was lost or refused. The search
//! stops at the first rate not sustained.

use super::baseline::{baseline, BaselineSummary};
use super::db::{fresh_db_name, with_db, DropDb};
use super::order_path::order_path;
use super::report::{kept_up, span1_problems};
use super::span1::span1;
use crate::report::Machine;
use crate::MongoArgs;
use anyhow::bail;
use mongodb::{Client, Database};
use robofleet::gateway::LatencySummary;
use serde::Serialize;
use std::path::Path;

/// The gateway's lag bound: span 1 p99 under this, ms.
pub const LAG_P99_LIMIT_MS: f64 = 100.0;
/// The goal: the highest sustained rate over the database's capacity.
pub const GOAL_SHARE: f64 = 0.5;

/// One rate tried.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    pub rate_per_sec: f64,
    pub ticks: u64,
    /// Span 1: market data thread receives the tick -> the gateway receives the order, ns.
    pub span1_ns: LatencySummary,
    pub backlog_at_stop: u64,
    pub kept_up: bool,
    pub sustained: bool,
    /// Losses or refusals (any makes the command fail).
    pub problems: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SustainReport {
    pub machine: Machine,
    /// The capacity baseline: order inserts -> change events, back to back.
    pub capacity_baseline: BaselineSummary,
    /// `1 s / p50` of the order insert -> change event.
    pub capacity_per_sec: f64,
    /// The database work of one order, back to back ([`super::order_path`]), ns.
    pub order_path_ns: LatencySummary,
    /// `1 s / p50` of it: the fleet's best case on this database.
    pub order_path_per_sec: f64,
    pub steps: Vec<Step>,
    /// The highest rate sustained, orders a second (0 if none).
    pub sustained_per_sec: f64,
    /// `sustained_per_sec / capacity_per_sec`.
    pub share: f64,
    /// `sustained_per_sec / order_path_per_sec`.
    pub share_of_order_path: f64,
    pub goal_share: f64,
    pub goal_met: bool,
}

/// The search, on `db` (the capacity baseline) and one fresh database per rate.
pub(super) fn search(
    args: &MongoArgs,
    plugin: &Path,
    rt: &tokio::runtime::Runtime,
    client: &Client,
    db: &Database,
    prefix: &str,
    load: &str,
) -> anyhow::Result<SustainReport> {
    let b = rt.block_on(baseline(db, "capacity", f64::INFINITY, args))?;
    let capacity_baseline = BaselineSummary::of(&b);
    if capacity_baseline.change_events_lost > 0 {
        bail!("the capacity baseline lost change events");
    }
    let capacity_per_sec = per_sec(capacity_baseline.order_change_stream_ns.p50);
    if !args.json {
        eprintln!("capacity: {capacity_per_sec:.0} order inserts -> change events a second");
    }
    let order_path_ns = LatencySummary::of(&rt.block_on(order_path(db, args.baseline))?);
    let order_path_per_sec = per_sec(order_path_ns.p50);
    if !args.json {
        eprintln!("order path: {order_path_per_sec:.0} orders a second, back to back");
    }
    let mut steps = Vec::new();
    for &rate in &args.sustain {
        let step = try_rate(args, plugin, rt, client, prefix, rate)?;
        if !args.json {
            eprintln!(
                "rate {rate}/s: span 1 p50 {:.1} ms, p99 {:.1} ms, kept up {}, sustained {}",
                step.span1_ns.p50 as f64 / 1e6,
                step.span1_ns.p99 as f64 / 1e6,
                step.kept_up,
                step.sustained
            );
        }
        let go_on = step.sustained;
        steps.push(step);
        if !go_on {
            break;
        }
    }
    let sustained_per_sec = steps
        .iter()
        .filter(|s| s.sustained)
        .map(|s| s.rate_per_sec)
        .fold(0.0, f64::max);
    let share = share_of(sustained_per_sec, capacity_per_sec);
    let share_of_order_path = share_of(sustained_per_sec, order_path_per_sec);
    Ok(SustainReport {
        machine: Machine {
            cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
            cpu_model: crate::report::cpu_model(),
            loadavg_at_start: load.to_string(),
        },
        capacity_baseline,
        capacity_per_sec,
        order_path_ns,
        order_path_per_sec,
        steps,
        sustained_per_sec,
        share,
        share_of_order_path,
        goal_share: GOAL_SHARE,
        goal_met: share >= GOAL_SHARE,
    })
}

/// Events a second of one at a time taking `p50_ns` each.
fn per_sec(p50_ns: u64) -> f64 {
    if p50_ns > 0 {
        1e9 / p50_ns as f64
    } else {
        0.0
    }
}

fn share_of(rate: f64, capacity: f64) -> f64 {
    if capacity > 0.0 {
        rate / capacity
    } else {
        0.0
    }
}

/// Span 1 at `rate` on a fresh database, dropped after.
fn try_rate(
    args: &MongoArgs,
    plugin: &Path,
    rt: &tokio::runtime::Runtime,
    client: &Client,
    prefix: &str,
    rate: f64,
) -> anyhow::Result<Step> {
    let name = format!("{}_{}", fresh_db_name(prefix), rate as u64);
    let uri = with_db(&args.store, &name)?;
    let _drop = DropDb {
        rt,
        db: client.database(&name),
        keep: args.keep_db,
    };
    let mut at = args.clone();
    at.rate = rate;
    at.ticks = ((rate * args.sustain_secs).round() as u64).max(1);
    let s1 = span1(&at, plugin, &uri)?;
    let span1_ns = LatencySummary::of(&s1.inside);
    let c = &s1.counters;
    let not_subscribed_yet = c.feed_published.saturating_sub(c.md_received);
    let problems = span1_problems(&at, &s1, &span1_ns, not_subscribed_yet);
    let kept_up = kept_up(&at, &s1);
    let sustained =
        kept_up && problems.is_empty() && (span1_ns.p99 as f64) < LAG_P99_LIMIT_MS * 1e6;
    Ok(Step {
        rate_per_sec: rate,
        ticks: at.ticks,
        span1_ns,
        backlog_at_stop: s1.backlog_at_stop,
        kept_up,
        sustained,
        problems,
    })
}

/// The report as a table.
pub(super) fn print_table(r: &SustainReport) {
    println!(
        "capacity (order insert -> change event, back to back): p50 {:.2} ms = {:.0}/s",
        r.capacity_baseline.order_change_stream_ns.p50 as f64 / 1e6,
        r.capacity_per_sec
    );
    println!(
        "order path (insert -> event -> update -> insert -> event, back to back): p50 {:.2} ms = {:.0}/s",
        r.order_path_ns.p50 as f64 / 1e6,
        r.order_path_per_sec
    );
    println!("| rate (orders/s) | span 1 p50 ms | p99 ms | backlog at stop | sustained |");
    println!("| ---: | ---: | ---: | ---: | --- |");
    for s in &r.steps {
        println!(
            "| {} | {:.1} | {:.1} | {} | {} |",
            s.rate_per_sec,
            s.span1_ns.p50 as f64 / 1e6,
            s.span1_ns.p99 as f64 / 1e6,
            s.backlog_at_stop,
            if s.sustained { "yes" } else { "**no**" }
        );
        for p in &s.problems {
            println!("|  | {p} | | | |");
        }
    }
    println!(
        "highest sustained: {}/s = {:.0}% of capacity (goal >= {:.0}%): {}",
        r.sustained_per_sec,
        r.share * 100.0,
        r.goal_share * 100.0,
        if r.goal_met { "PASS" } else { "MISSED" }
    );
    println!(
        "highest sustained / order path: {:.0}%",
        r.share_of_order_path * 100.0
    );
    println!(
        "machine: {} cpus, {}, load average at start {}",
        r.machine.cpus, r.machine.cpu_model, r.machine.loadavg_at_start
    );
}
