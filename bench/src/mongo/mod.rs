//! `robofleet-bench mongo --store URI`: the MongoDB store's two latencies, measured in one run
//! against what the database itself costs.
//!
//! 1. A baseline, with the mongodb driver directly (the same driver and database), one
//!    operation at a time at span 1's pace (`--rate`): `ping`, `insert_one` of a tiny document,
//!    `find_one` by `_id`, then `insert_one` -> its event on a change stream watching the
//!    collection (read by a task that polls it all the time), for a tiny document and for an
//!    order document into a collection with the store's order indexes watched with the
//!    gateway's pipeline. The pace matters: a database that idles between requests may answer
//!    each slower (SecantusDB on a 2-vCPU VM takes about twice as long at 20/s as at 200/s).
//! 2. Span 1, robot -> order in MongoDB -> gateway: the real server runs in-process on the
//!    MongoDB store (name `bench`, no gateway of its own) with the `latency_probe` robot, and the
//!    gateway runs beside it on a `MongoStore` of its own (consumer `gateway:bench`), as a
//!    separate `robofleet gateway` process would. The synthetic feed publishes quotes at a
//!    paced `--rate`; once the gateway has seen `--warmup` orders (and at least
//!    [`GATEWAY_REPLAY_WINDOW`] after it started) its histograms are reset, and after `--ticks`
//!    more the feed stops. The figure is the gateway's `latency_inside`: the
//!    market data thread receives the tick -> the gateway receives the order from its change
//!    stream (robot, write queue, insert, change stream, in between).
//! 3. The baseline again, at span 2's pace (`--op-rate`, default `--rate`): the database after
//!    span 1's writes (some servers slow down as they take writes; each span's ratios are to
//!    the baseline just before it).
//! 4. Span 2, trade insert -> robot event: a "server side" `MongoStore` (consumer
//!    `server:bench-trades`) writes one order per trade through its write queue and watches
//!    the robot (`watch_robot`); a "gateway side" `MongoStore` then inserts the trades one at
//!    a time (`insert_trade`: it reads the order, then inserts the trade), each timed from just
//!    before `insert_trade` to the trade on the robot's channel, on this process's monotonic
//!    clock.
//!
//! Every run uses a fresh database named after the one in the URI (default `robofleet_bench`)
//! plus the time and process id, so no earlier run's orders or stream positions get in the way,
//! and drops it at the end (`--keep-db` keeps it). Nothing may be lost: every tick that reached
//! the robot became an order in MongoDB that the gateway saw, and every trade reached the
//! robot exactly once; otherwise the bench fails after printing its report. The goal (span 1
//! p50 <= 1 ms) is reported as PASS or MISSED; missing it does not fail the command.
//!
//! # Layout
//! - `mod.rs`: the run, in the order above; the bench's settings (timeouts, names, the goal).
//! - `db.rs`: the run's fresh database: its name, its URI, its server version, dropping it.
//! - `pace.rs`: histograms and the pacer every one-at-a-time measurement uses.
//! - `baseline.rs`: 1 and 3, the database measured with the driver directly.
//! - `span1.rs`: 2, robot -> order in MongoDB -> gateway; `fleet.rs`: the server, gateway
//!   and feed it runs, and how it waits for them.
//! - `span2.rs`: 4, trade insert -> robot event.
//! - `sustain.rs`: `--sustain`, the highest order rate span 1 sustains, instead of 1-4;
//!   `order_path.rs`: the database work of one order, back to back, its best case.
//! - `report.rs`: the report (JSON) and its no-loss checks; `table.rs`: the report as a table.

mod baseline;
mod db;
mod fleet;
mod order_path;
mod pace;
mod report;
mod span1;
mod span2;
mod sustain;
mod table;

use self::baseline::baseline;
use self::db::{fresh_db_name, server_version, with_db, DropDb};
use self::report::{DbInfo, MongoReport};
use self::span1::span1;
use self::span2::span2;
use super::probe::{self, find_plugin};
use super::MongoArgs;
use anyhow::{bail, Context};
use mongodb::options::ClientOptions;
use mongodb::Client;
use std::time::{Duration, Instant};

/// The probe's robot name (from its `RobotInfo`) and the symbol it trades.
const PROBE: &str = probe::ROBOT;
const SYMBOL: &str = probe::SYMBOL;
/// Span 2's robot (no plugin: the bench holds its channel).
const TRADE_ROBOT: &str = "bench_trades";
/// This server's name on the store (consumer `server:bench`) and the gateway's consumer.
const SERVER_NAME: &str = "bench";
const GATEWAY_CONSUMER: &str = "gateway:bench";
const TRADES_GATEWAY_CONSUMER: &str = "gateway:bench-trades";
const TRADES_SERVER_CONSUMER: &str = "server:bench-trades";
/// The goal for span 1, µs.
const GOAL_SPAN1_P50_US: f64 = 1000.0;
/// Baseline operations run and thrown away before measuring (connections, first pages).
const BASELINE_WARMUP: u64 = 20;
/// The gateway re-reads every inserted order created within 5 s of its stream opening (one
/// `find` each: it may be a replay of a finished order); span 1 measures only after that.
const GATEWAY_REPLAY_WINDOW: Duration = Duration::from_secs(7);
const POLL: Duration = Duration::from_millis(5);
/// Give up when nothing progresses for this long.
const STALL: Duration = Duration::from_secs(15);
const ROBOT_START_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest the bench waits for what is in flight after the feed stops, while it progresses.
const DRAIN_LIMIT: Duration = Duration::from_secs(300);
/// How long one trade or one baseline change event may take before it counts as lost.
const EVENT_TIMEOUT: Duration = Duration::from_secs(10);
/// After the last trade: how long to keep listening for late or repeated deliveries.
const QUIET: Duration = Duration::from_secs(1);
/// A backlog of more than this many seconds of ticks at the stop means the fleet fell behind.
const KEPT_UP_SECS: f64 = 0.05;

pub fn run(args: &MongoArgs) -> anyhow::Result<()> {
    validate(args)?;
    let plugin = find_plugin(args.plugin.as_deref())?;
    let load = crate::report::loadavg();
    let started = Instant::now();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-mongodb")
        .enable_all()
        .build()
        .context("cannot start a tokio runtime")?;
    let mut opts = rt
        .block_on(async { ClientOptions::parse(&args.store).await })
        .context("bad --store URI")?;
    let prefix = opts
        .default_database
        .clone()
        .unwrap_or_else(|| "robofleet_bench".to_string());
    let db_name = fresh_db_name(&prefix);
    let uri = with_db(&args.store, &db_name)?;
    let hosts = opts
        .hosts
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    opts.default_database = Some(db_name.clone());
    opts.server_selection_timeout
        .get_or_insert(Duration::from_secs(3));
    opts.app_name
        .get_or_insert_with(|| "robofleet-bench".into());
    // The driver starts its monitors on the current runtime.
    let client = rt
        .block_on(async { Client::with_options(opts) })
        .context("cannot make a MongoDB client")?;
    let db = client.database(&db_name);
    let server_version = rt
        .block_on(server_version(&db))
        .with_context(|| format!("cannot reach MongoDB at {hosts}"))?;
    let existing = rt
        .block_on(async { db.list_collection_names().await })
        .context("cannot list collections")?;
    if !existing.is_empty() {
        bail!("database {db_name} is not empty ({existing:?}); the bench needs a fresh one");
    }
    let mut cleanup = DropDb {
        rt: &rt,
        db: db.clone(),
        keep: args.keep_db,
    };
    if !args.json {
        eprintln!("MongoDB {server_version} at {hosts}; this run's database: {db_name}");
    }

    if !args.sustain.is_empty() {
        let rep = sustain::search(args, &plugin, &rt, &client, &db, &prefix, &load);
        cleanup.drop_now();
        let rep = rep?;
        if args.json {
            println!("{}", serde_json::to_string_pretty(&rep)?);
        } else {
            sustain::print_table(&rep);
        }
        if rep.steps.iter().any(|s| !s.problems.is_empty()) {
            bail!("a rate lost or refused messages, so its figures do not count");
        }
        return Ok(());
    }

    let outcome = (|| -> anyhow::Result<_> {
        // Each baseline runs at its span's pace: this database answers slower when it idles.
        let baseline1 = rt.block_on(baseline(&db, "before_span1", args.rate, args))?;
        let span1 = span1(args, &plugin, &uri)?;
        let baseline2 = rt.block_on(baseline(&db, "before_span2", op_rate(args), args))?;
        let span2 = span2(args, &uri)?;
        Ok(([baseline1, baseline2], span1, span2))
    })();
    let dropped = cleanup.drop_now();
    let (baselines, span1, span2) = outcome?;

    let rep = MongoReport::new(
        args,
        DbInfo {
            hosts,
            server_version,
            database: db_name,
            dropped_after: dropped,
        },
        baselines,
        span1,
        span2,
        started.elapsed(),
        &load,
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        table::print_table(&rep);
    }
    if !rep.problems.is_empty() {
        bail!(
            "the run lost or refused messages, so its figures do not count: {}",
            rep.problems.join("; ")
        );
    }
    Ok(())
}

/// The pace of span 2 and its baseline: `--op-rate`, or `--rate`.
fn op_rate(args: &MongoArgs) -> f64 {
    args.op_rate.unwrap_or(args.rate)
}

fn validate(args: &MongoArgs) -> anyhow::Result<()> {
    if !args.store.starts_with("mongodb") {
        bail!("--store must be a mongodb:// URI");
    }
    if args.ticks == 0 || args.trades == 0 || args.baseline == 0 {
        bail!("--ticks, --trades and --baseline must be at least 1");
    }
    for (name, r) in [("--rate", args.rate), ("--op-rate", op_rate(args))] {
        if !(r.is_finite() && r > 0.0) {
            bail!("{name} must be a positive number per second");
        }
    }
    if args.sustain.iter().any(|r| !(r.is_finite() && *r > 0.0))
        || args.sustain.windows(2).any(|w| w[1] <= w[0])
    {
        bail!("--sustain takes rising positive rates per second, e.g. 20,40,80");
    }
    if !(args.sustain_secs.is_finite() && args.sustain_secs > 0.0) {
        bail!("--sustain-secs must be a positive number of seconds");
    }
    Ok(())
}
