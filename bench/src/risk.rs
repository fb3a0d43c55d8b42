//! `robofleet-bench risk`: what the pre-trade checks cost per tick, against the same tick
//! flow through an engine with no limits, measured in the same run.
//!
//! Each tick is what the `latency_probe` robot's path gives the checks: a quote (its mid is
//! the reference price and marks the position), an order near the mid, its `Working`
//! update, a cancel and the `Cancelled` update. The limits are
//! `bench/data/risk_all_limits.toml`: every check runs, none is reached. A fourth variant
//! adds what a robot in an account and a `[fleet]` does per tick: take both groups' state,
//! check the order against both notional limits, and report its holdings to both.

use crate::RiskArgs;
use hdrhistogram::Histogram;
use robofleet::risk::account::{AccountBook, Exposure, MARK_REPORT_NS};
use robofleet::risk::{RiskEngine, RiskFile};
use robofleet_api::{
    Instruments, OrderRequest, OrderStatus, OrderType, OrderUpdate, Price, Side, TimeInForce,
};
use std::time::Instant;

const LIMITS: &str = include_str!("../data/risk_all_limits.toml");
const T0: i64 = 1_793_613_600_000_000_000;
/// An account and a fleet over the probe, with limits it never reaches.
const GROUPS: &str = "\n[accounts.desk]\nrobots = [\"latency_probe\"]\nmax_notional = \"1000000000000\"\ndaily_loss = { reduce = \"1000000000\", halt = \"2000000000\" }\n[fleet]\nmax_notional = \"1000000000000\"\ndaily_loss = { halt = \"2000000000\" }\n";
const GROUP_NAMES: [&str; 2] = ["desk", "fleet"];

fn engine(limits: &str) -> anyhow::Result<RiskEngine> {
    let file = RiskFile::parse(limits).map_err(anyhow::Error::msg)?;
    let specs: Instruments = robofleet::instruments::parse(robofleet::instruments::SHIPPED)?
        .into_iter()
        .collect();
    let limits = file.for_robot("latency_probe");
    let grouped = limits.account.is_some() || limits.fleet;
    let mut e = RiskEngine::new("latency_probe", limits, specs);
    if grouped {
        e.track_day();
    }
    Ok(e)
}

fn book(limits: &str) -> anyhow::Result<AccountBook> {
    let file = RiskFile::parse(limits).map_err(anyhow::Error::msg)?;
    Ok(AccountBook::new(Some(&file)))
}

/// Per-tick time (ns) of `ticks` ticks through `e` (`None`: the clock reads alone, the
/// floor), after `warmup` ticks.
fn ticks(
    mut e: Option<&mut RiskEngine>,
    groups: Option<&AccountBook>,
    ticks: u64,
    warmup: u64,
) -> anyhow::Result<(Histogram<u64>, u64)> {
    let mut h = Histogram::<u64>::new_with_bounds(1, 10_000_000, 3)?;
    let mut denied = 0;
    let (mut last, mut spare) = (Exposure::default(), Exposure::default());
    let (mut seen_changes, mut last_ts) = (u64::MAX, i64::MIN);
    for i in 0..warmup + ticks {
        let ts = T0 + i as i64 * 500_000;
        let mid = 100_000 + (i % 7) as i64;
        let (bid, ask) = (Price::units(mid), Price::units(mid + 1));
        let req = OrderRequest {
            client_id: format!("latency_probe-{}", i + 1),
            order_seq: i + 1,
            symbol: "Si".into(),
            side: Side::Buy,
            qty: 1,
            order_type: OrderType::Limit {
                // Under the mid, and never the same price twice in a row (no duplicate).
                price: Price::units(99_000 + (i % 1000) as i64),
            },
            tif: TimeInForce::Day,
        };
        let mut update = OrderUpdate {
            client_id: req.client_id.clone(),
            symbol: "Si".into(),
            status: OrderStatus::Working,
            filled_qty: 0,
            remaining_qty: 1,
            reason: None,
            amends: 0,
        };
        let start = Instant::now();
        if let Some(e) = e.as_deref_mut() {
            // As the robot loop does: the groups' state before each input, the order
            // against their notional after its own checks, its holdings after each input.
            let mut state = |e: &mut RiskEngine| {
                if let Some(b) = groups {
                    // One atomic read; the versions only when something changed.
                    let changes = b.changes();
                    if changes != seen_changes {
                        seen_changes = changes;
                        std::hint::black_box(b.combined(&GROUP_NAMES));
                    }
                    std::hint::black_box(e.effective_state());
                }
            };
            let mut report = |e: &RiskEngine, marks_only: bool| {
                if let Some(b) = groups {
                    // The robot loop reports marks at most every MARK_REPORT_NS of the
                    // server's clock; these ticks come back to back, so that clock is
                    // modelled by event time (ticks 0.5 ms apart: a 2,000 ticks/s market).
                    if marks_only && ts.saturating_sub(last_ts) < MARK_REPORT_NS {
                        return;
                    }
                    last_ts = ts;
                    // As the robot loop does: into a reused buffer, reported when it moved.
                    e.exposure_into(ts, &mut spare);
                    if last != spare {
                        b.report_to(&GROUP_NAMES, "latency_probe", &spare);
                        std::mem::swap(&mut last, &mut spare);
                    }
                }
            };
            state(e);
            e.on_quote("Si", bid, ask, ts);
            report(e, true);
            let mut verdict = e.check_submit(&req, ts);
            if let (Ok(()), Some(b)) = (&verdict, groups) {
                if let Some((currency, add)) = e.order_notional(&req, ts) {
                    verdict =
                        verdict.and_then(|()| b.check_notional_in(&GROUP_NAMES, currency, add));
                }
            }
            if let Err(d) = verdict {
                if denied == 0 {
                    eprintln!("first denial, tick {i}: {d}");
                }
                denied += 1;
            }
            state(e);
            e.on_order_update(&update);
            report(e, false);
            e.on_cancel(ts);
            update.status = OrderStatus::Cancelled;
            state(e);
            e.on_order_update(&update);
            report(e, false);
        }
        let ns = start.elapsed().as_nanos() as u64;
        std::hint::black_box(&update);
        if i >= warmup {
            h.record(ns.max(1))?;
        }
    }
    Ok((h, denied))
}

pub fn run(args: &RiskArgs) -> anyhow::Result<()> {
    let new = || Histogram::<u64>::new_with_bounds(1, 10_000_000, 3);
    // The clock alone, an engine with no limits, every limit: in turn, each round, so the
    // drifts of a shared machine hit all three.
    let (mut floor, mut bare, mut full, mut grouped) = (new()?, new()?, new()?, new()?);
    let mut rounds = Vec::new();
    let mut denied = 0;
    let with_groups = format!("{LIMITS}{GROUPS}");
    for _ in 0..args.rounds {
        let (f, _) = ticks(None, None, args.ticks, args.warmup)?;
        let (b, _) = ticks(Some(&mut engine("")?), None, args.ticks, args.warmup)?;
        let (a, d) = ticks(Some(&mut engine(LIMITS)?), None, args.ticks, args.warmup)?;
        let book = book(&with_groups)?;
        let mut e = engine(&with_groups)?;
        let (g, dg) = ticks(Some(&mut e), Some(&book), args.ticks, args.warmup)?;
        denied += d + dg;
        let p50 = |h: &Histogram<u64>| h.value_at_quantile(0.5);
        rounds.push([p50(&f), p50(&b), p50(&a), p50(&g)]);
        floor.add(&f)?;
        bare.add(&b)?;
        full.add(&a)?;
        grouped.add(&g)?;
    }
    anyhow::ensure!(
        denied == 0,
        "{denied} orders denied: the limits should pass everything"
    );
    let q = |h: &Histogram<u64>, p: f64| h.value_at_quantile(p);
    // With the checks off the server runs no engine at all: all of it is what they add.
    let added = q(&full, 0.5).saturating_sub(q(&floor, 0.5));
    let added_grouped = q(&grouped, 0.5).saturating_sub(q(&floor, 0.5));
    if args.json {
        let v = serde_json::json!({
            "ticks": args.ticks,
            "rounds": args.rounds,
            "floor_p50_ns": q(&floor, 0.5),
            "no_limits_p50_ns": q(&bare, 0.5),
            "no_limits_p99_ns": q(&bare, 0.99),
            "every_limit_p50_ns": q(&full, 0.5),
            "every_limit_p99_ns": q(&full, 0.99),
            "account_and_fleet_p50_ns": q(&grouped, 0.5),
            "account_and_fleet_p99_ns": q(&grouped, 0.99),
            "added_p50_ns": added,
            "added_with_account_and_fleet_p50_ns": added_grouped,
            "rounds_p50_ns": rounds,
        });
        println!("{v}");
        return Ok(());
    }
    println!("pre-trade checks per tick (quote, order, Working, cancel, Cancelled), ns:");
    println!("| measured | p50 | p99 |");
    println!("| --- | ---: | ---: |");
    println!(
        "| the clock alone (floor) | {} | {} |",
        q(&floor, 0.5),
        q(&floor, 0.99)
    );
    println!(
        "| engine, no limits set | {} | {} |",
        q(&bare, 0.5),
        q(&bare, 0.99)
    );
    println!(
        "| engine, every limit | {} | {} |",
        q(&full, 0.5),
        q(&full, 0.99)
    );
    println!(
        "| engine, every limit, in an account and the fleet | {} | {} |",
        q(&grouped, 0.5),
        q(&grouped, 0.99)
    );
    println!("added by the checks at p50 (every limit - floor): {added} ns (goal: <= 1000)");
    println!("  in an account and the fleet as well: {added_grouped} ns");
    for (i, [f, b, a, g]) in rounds.iter().enumerate() {
        println!(
            "  round {}: floor {f}, no limits {b}, every limit {a}, with account and fleet {g} ns",
            i + 1
        );
    }
    Ok(())
}
