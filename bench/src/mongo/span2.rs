//! Span 2, trade insert -> robot event: a "server side" `MongoStore` (consumer
//! `server:bench-trades`) writes one order per trade through its write queue and watches the
//! robot (`watch_robot`); a "gateway side" `MongoStore` then inserts the trades one at a time
//! (`insert_trade`: it reads the order, then inserts the trade), each timed from just before
//! `insert_trade` to the trade on the robot's channel, on this process's monotonic clock.

use super::pace::{histogram, record, Pacer};
use super::{
    op_rate, EVENT_TIMEOUT, QUIET, STALL, SYMBOL, TRADES_GATEWAY_CONSUMER, TRADES_SERVER_CONSUMER,
    TRADE_ROBOT,
};
use crate::MongoArgs;
use anyhow::{bail, Context};
use hdrhistogram::Histogram;
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::{Order, RobotUpdate, StatusChange, Store, Trade};
use robofleet_api::{OrderStatus, OrderType, Price, Side};
use serde::Serialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Every counter span 2's no-loss checks look at.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Span2Counters {
    /// Orders the server side wrote first, one per trade.
    pub orders_written: u64,
    pub orders_failed: u64,
    pub trades_inserted: u64,
    /// `insert_trade` errors, and exec ids it reported as already stored.
    pub insert_errors: u64,
    pub insert_already_stored: u64,
    /// Distinct trades the robot's channel delivered, and deliveries beyond the first.
    pub trades_received: u64,
    pub trades_repeated: u64,
    /// Trades that did not arrive within the timeout (some may have come later).
    pub trades_late: u64,
    /// Deliveries of exec ids this run never inserted, and order updates (none are written).
    pub unexpected: u64,
}

/// What span 2 measured, before the report judges it.
pub struct Span2 {
    /// Just before `insert_trade` -> the trade on the robot's channel.
    pub(super) total: Histogram<u64>,
    /// The `insert_trade` call alone.
    pub(super) insert_call: Histogram<u64>,
    pub(super) counters: Span2Counters,
}

/// A new buy limit of `robot`, as a robot writes it; `stamped` adds the tick stamps the probe's
/// orders carry.
pub(super) fn order_for(robot: &str, seq: u64, stamped: bool) -> Order {
    let now = robofleet::clock::wall_ns();
    Order {
        client_id: format!("{robot}-{seq}"),
        robot: robot.into(),
        order_seq: seq,
        symbol: SYMBOL.into(),
        side: Side::Buy,
        order_type: OrderType::Limit {
            price: Price::units(100),
        },
        tif: robofleet_api::TimeInForce::Day,
        qty: 1,
        status: OrderStatus::New,
        filled_qty: 0,
        avg_price: Price::ZERO,
        reason: None,
        cancel_requested: false,
        amend_request: None,
        amends: 0,
        created_ns: now,
        updated_ns: now,
        history: vec![StatusChange {
            status: OrderStatus::New,
            ts_ns: now,
            reason: None,
        }],
        tick_recv_mono_ns: stamped.then(robofleet::clock::mono_ns),
        tick_sent_ns: stamped.then_some(now),
        venue_order_id: None,
    }
}

fn exec_id(seq: u64) -> String {
    format!("BENCH-X-{seq}")
}

/// Span 2 from start to end: the orders first, then one trade at a time, each waited for at
/// the robot, then listening [`QUIET`] for late or repeated deliveries.
pub(super) fn span2(args: &MongoArgs, uri: &str) -> anyhow::Result<Span2> {
    let n = args.trade_warmup + args.trades;
    let gateway_side = MongoStore::open(&MongoOptions::new(uri, TRADES_GATEWAY_CONSUMER))
        .context("cannot open the gateway side's MongoDB store")?;
    let server_side = MongoStore::open(&MongoOptions::new(uri, TRADES_SERVER_CONSUMER))
        .context("cannot open the server side's MongoDB store")?;
    let (tx, rx) = crossbeam_channel::unbounded();
    server_side
        .watch_robot(TRADE_ROBOT, tx)
        .context("cannot watch the robot's updates")?;

    if !args.json {
        eprintln!(
            "span 2: writing {n} orders, then one trade each at {}/s",
            op_rate(args)
        );
    }
    for seq in 1..=n {
        server_side
            .insert_order(&order_for(TRADE_ROBOT, seq, false))
            .context("cannot queue an order")?;
    }
    wait_writes(&server_side)?;
    let mut c = Span2Counters {
        orders_written: n,
        orders_failed: server_side.health().failed_writes,
        ..Span2Counters::default()
    };

    let mut total = histogram();
    let mut insert_call = histogram();
    let mut received: HashMap<String, u64> = HashMap::new();
    let mut pace = Pacer::new(op_rate(args));
    for seq in 1..=n {
        std::thread::sleep(pace.wait());
        let id = exec_id(seq);
        let trade = Trade {
            exec_id: id.clone(),
            client_id: format!("{TRADE_ROBOT}-{seq}"),
            robot: TRADE_ROBOT.into(),
            symbol: SYMBOL.into(),
            side: Side::Buy,
            qty: 1,
            price: Price::units(100),
            ts_ns: robofleet::clock::wall_ns(),
            venue_ts_ns: None,
            fee: robofleet_api::Money::ZERO,
            currency: None,
        };
        let t0 = Instant::now();
        let inserted = gateway_side.insert_trade(&trade);
        let returned = t0.elapsed();
        match inserted {
            Ok(true) => c.trades_inserted += 1,
            Ok(false) => {
                c.insert_already_stored += 1;
                continue;
            }
            Err(e) => {
                tracing::error!("insert_trade {id}: {e}");
                c.insert_errors += 1;
                continue;
            }
        }
        let deadline = t0 + EVENT_TIMEOUT;
        let mut arrived = None;
        while arrived.is_none() {
            match rx.recv_deadline(deadline) {
                Ok(RobotUpdate::Trade(t)) if t.exec_id == id => {
                    arrived = Some(Instant::now());
                    *received.entry(t.exec_id).or_default() += 1;
                }
                Ok(other) => note(other, &mut received, &mut c),
                Err(_) => break,
            }
        }
        if arrived.is_none() {
            c.trades_late += 1;
        }
        if seq <= args.trade_warmup {
            continue;
        }
        record(&mut insert_call, returned);
        if let Some(at) = arrived {
            record(&mut total, at.saturating_duration_since(t0));
        }
    }
    // Late or repeated deliveries.
    while let Ok(u) = rx.recv_timeout(QUIET) {
        note(u, &mut received, &mut c);
    }
    for (id, times) in &received {
        let ours = id
            .strip_prefix("BENCH-X-")
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|s| (1..=n).contains(&s));
        if !ours {
            c.unexpected += times;
            continue;
        }
        c.trades_received += 1;
        c.trades_repeated += times - 1;
    }
    Ok(Span2 {
        total,
        insert_call,
        counters: c,
    })
}

/// Count a delivery other than the trade being waited for.
fn note(u: RobotUpdate, received: &mut HashMap<String, u64>, c: &mut Span2Counters) {
    match u {
        RobotUpdate::Trade(t) => *received.entry(t.exec_id).or_default() += 1,
        RobotUpdate::Order(_) => c.unexpected += 1,
    }
}

/// Wait until a store's write queue is empty (while it progresses).
fn wait_writes(store: &MongoStore) -> anyhow::Result<()> {
    let mut last = store.health().pending_writes;
    let mut last_progress = Instant::now();
    loop {
        let pending = store.health().pending_writes;
        if pending == 0 {
            return Ok(());
        }
        if pending != last {
            last = pending;
            last_progress = Instant::now();
        } else if last_progress.elapsed() >= STALL {
            bail!(
                "the order writes stalled with {pending} pending ({:?})",
                store.health().last_error
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
