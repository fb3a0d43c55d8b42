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

use super::probe::{self, find_plugin, free_port, install, TempDirs};
use super::report::{self, Goal, Machine};
use super::MongoArgs;
use anyhow::{bail, Context};
use futures_util::StreamExt;
use hdrhistogram::Histogram;
use mongodb::bson::{doc, Bson, Document};
use mongodb::options::ClientOptions;
use mongodb::{Client, Collection, Database, IndexModel};
use robofleet::feed::{self, FeedError, FeedOptions, FeedSource, FeedStats, SyntheticConfig};
use robofleet::gateway::LatencySummary;
use robofleet::gateway::{spawn_gateway, GatewayConfig, GatewayHandle, GatewayStats};
use robofleet::robot::{RobotShared, RobotState};
use robofleet::server::{self, zmq_context, ServeConfig, ServerHandle};
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::{Order, OrderFilter, RobotUpdate, StatusChange, Store, Trade};
use robofleet_api::{OrderStatus, OrderType, Side};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The probe's robot name (from its `RobotInfo`) and the symbol it trades.
const PROBE: &str = probe::ROBOT;
const SYMBOL: &str = "BENCH";
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
const SUBSCRIBER_WAIT: Duration = Duration::from_secs(10);
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
    let load = report::loadavg();
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
        print_table(&rep);
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
    Ok(())
}

/// `PREFIX_<unix seconds>_<pid>`, within MongoDB's 63 bytes for a database name.
fn fresh_db_name(prefix: &str) -> String {
    let prefix: String = prefix.chars().take(36).collect();
    format!(
        "{prefix}_{}_{}",
        robofleet::clock::wall_ns() / 1_000_000_000,
        std::process::id()
    )
}

/// The URI with `db` as its database (`mongodb://hosts/DB?options`).
fn with_db(uri: &str, db: &str) -> anyhow::Result<String> {
    let (head, query) = match uri.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (uri, String::new()),
    };
    let scheme_end = head
        .find("://")
        .map(|i| i + 3)
        .context("the --store URI has no `://`")?;
    let hosts_end = head[scheme_end..]
        .find('/')
        .map_or(head.len(), |i| i + scheme_end);
    Ok(format!("{}/{db}{query}", &head[..hosts_end]))
}

async fn server_version(db: &Database) -> anyhow::Result<String> {
    let info = db.run_command(doc! {"buildInfo": 1}).await?;
    Ok(info.get_str("version").unwrap_or("unknown").to_string())
}

/// Drops the run's database at the end, unless asked to keep it.
struct DropDb<'a> {
    rt: &'a tokio::runtime::Runtime,
    db: Database,
    keep: bool,
}

impl DropDb<'_> {
    /// Returns whether the database was dropped.
    fn drop_now(&mut self) -> bool {
        if self.keep {
            return false;
        }
        self.keep = true;
        match self.rt.block_on(async { self.db.drop().await }) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("cannot drop the bench database {}: {e}", self.db.name());
                false
            }
        }
    }
}

impl Drop for DropDb<'_> {
    fn drop(&mut self) {
        self.drop_now();
    }
}

fn histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant digits is a valid histogram precision")
}

fn record(h: &mut Histogram<u64>, d: Duration) {
    // Auto-resizing: `record` cannot fail for any u64.
    let _ = h.record(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
}

/// Paces one-at-a-time operations at a rate; one that overruns its slot does not cause a burst.
struct Pacer {
    period: Duration,
    next: Instant,
}

impl Pacer {
    fn new(rate: f64) -> Pacer {
        Pacer {
            period: Duration::from_secs_f64(1.0 / rate),
            next: Instant::now(),
        }
    }

    /// How long to wait before the next operation.
    fn wait(&mut self) -> Duration {
        let now = Instant::now();
        let wait = self.next.saturating_duration_since(now);
        self.next = self.next.max(now) + self.period;
        wait
    }
}

// ---------------------------------------------------------------------------------------------
// Baselines

/// What the database itself costs, measured with the driver directly.
pub struct Baseline {
    /// `ping` command round trip.
    ping: Histogram<u64>,
    /// `insert_one` of a tiny document, round trip.
    insert: Histogram<u64>,
    /// `find_one` by `_id`, round trip.
    find: Histogram<u64>,
    /// Tiny documents into a watched collection.
    tiny: Watched,
    /// Order documents into an orders-shaped collection, watched as the gateway does.
    order: Watched,
}

/// The baselines, in collections named after `tag`.
/// A [`Baseline`]'s percentiles.
#[derive(Clone, Debug, Serialize)]
pub struct BaselineSummary {
    /// `ping` command round trip, ns.
    pub ping_ns: LatencySummary,
    /// Plain `insert_one` round trip of a tiny document, ns.
    pub insert_ns: LatencySummary,
    /// `find_one` by `_id` round trip, ns.
    pub find_ns: LatencySummary,
    /// `insert_one` -> its event on a change stream watching the collection, ns.
    pub change_stream_ns: LatencySummary,
    /// The `insert_one` round trip while the collection is watched, ns.
    pub watched_insert_ns: LatencySummary,
    /// `insert_one` of an order document (the store's indexes, the gateway's pipeline), ns.
    pub order_insert_ns: LatencySummary,
    /// ... -> its change stream event, ns.
    pub order_change_stream_ns: LatencySummary,
    /// Inserts whose change event did not arrive within the timeout.
    pub change_events_lost: u64,
}

impl BaselineSummary {
    fn of(b: &Baseline) -> BaselineSummary {
        BaselineSummary {
            ping_ns: LatencySummary::of(&b.ping),
            insert_ns: LatencySummary::of(&b.insert),
            find_ns: LatencySummary::of(&b.find),
            change_stream_ns: LatencySummary::of(&b.tiny.event),
            watched_insert_ns: LatencySummary::of(&b.tiny.ack),
            order_insert_ns: LatencySummary::of(&b.order.ack),
            order_change_stream_ns: LatencySummary::of(&b.order.event),
            change_events_lost: b.tiny.lost + b.order.lost,
        }
    }
}

async fn baseline(
    db: &Database,
    tag: &str,
    rate: f64,
    args: &MongoArgs,
) -> anyhow::Result<Baseline> {
    let n = args.baseline;
    if !args.json {
        eprintln!(
            "baseline {tag}: {n} insert_one, ping and find_one round trips, then {n} insert_one \
             -> change stream events, one at a time at {rate}/s"
        );
    }
    let plain = db.collection::<Document>(&format!("baseline_{tag}_insert"));
    let mut insert = histogram();
    let mut pace = Pacer::new(rate);
    for i in 0..BASELINE_WARMUP + n {
        tokio::time::sleep(pace.wait()).await;
        let t0 = Instant::now();
        plain
            .insert_one(doc! {"_id": i as i64, "n": i as i64})
            .await
            .context("baseline insert_one")?;
        if i >= BASELINE_WARMUP {
            record(&mut insert, t0.elapsed());
        }
    }

    // A `ping` round trip: the protocol and the server's request loop, touching no data.
    let mut ping = histogram();
    let mut pace = Pacer::new(rate);
    for i in 0..BASELINE_WARMUP + n {
        tokio::time::sleep(pace.wait()).await;
        let t0 = Instant::now();
        db.run_command(doc! {"ping": 1})
            .await
            .context("baseline ping")?;
        if i >= BASELINE_WARMUP {
            record(&mut ping, t0.elapsed());
        }
    }
    // `find_one` by `_id` of the documents just inserted (as `insert_trade` reads its order).
    let mut find = histogram();
    let mut pace = Pacer::new(rate);
    for i in 0..BASELINE_WARMUP + n {
        tokio::time::sleep(pace.wait()).await;
        let t0 = Instant::now();
        let found = plain
            .find_one(doc! {"_id": i as i64})
            .await
            .context("baseline find_one")?;
        if found.is_none() {
            bail!("baseline find_one: document {i} is missing");
        }
        if i >= BASELINE_WARMUP {
            record(&mut find, t0.elapsed());
        }
    }

    let tiny = db.collection::<Document>(&format!("baseline_{tag}_stream"));
    let tiny = insert_to_event(&tiny, Vec::new(), n, rate, |i| {
        Ok(doc! {"_id": i as i64, "n": i as i64})
    })
    .await
    .context("baseline insert_one -> change stream")?;

    // The same with what span 1 writes: an order document into a collection with the store's
    // order indexes, watched with the gateway's pipeline.
    let orders = db.collection::<Document>(&format!("baseline_{tag}_orders"));
    let index = |keys: Document| IndexModel::builder().keys(keys).build();
    orders
        .create_indexes([
            index(doc! {"robot": 1, "order_seq": -1}),
            index(doc! {"status": 1, "created_ns": 1}),
        ])
        .await
        .context("cannot index the baseline orders")?;
    let pipeline = vec![doc! {"$match": {"$or": [
        {"operationType": "insert"},
        {"operationType": "update", "updateDescription.updatedFields.cancel_requested": true},
    ]}}];
    let order = insert_to_event(&orders, pipeline, n, rate, |i| {
        let o = order_for("baseline", i + 1, true);
        let mut d = mongodb::bson::to_document(&o).context("an order does not encode")?;
        d.insert("_id", o.client_id);
        Ok(d)
    })
    .await
    .context("baseline order insert_one -> change stream")?;
    Ok(Baseline {
        ping,
        insert,
        find,
        tiny,
        order,
    })
}

/// Inserts into a watched collection: each insert's round trip and its change event's arrival.
pub struct Watched {
    ack: Histogram<u64>,
    event: Histogram<u64>,
    /// Inserts whose change event did not arrive within `EVENT_TIMEOUT`.
    lost: u64,
}

/// `BASELINE_WARMUP + n` paced inserts of `make(i)` into `coll`, watched with `pipeline` by a
/// task that polls the stream all the time (as the store's streams do: an unpolled change
/// stream asks the server for nothing).
async fn insert_to_event(
    coll: &Collection<Document>,
    pipeline: Vec<Document>,
    n: u64,
    rate: f64,
    make: impl Fn(u64) -> anyhow::Result<Document>,
) -> anyhow::Result<Watched> {
    let mut stream = coll
        .watch()
        .pipeline(pipeline)
        .await
        .context("cannot open a change stream")?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(Bson, Instant)>();
    let reader = tokio::spawn(async move {
        while let Some(ev) = stream.next().await {
            let at = Instant::now();
            let Ok(ev) = ev else { break };
            if let Some(id) = ev.document_key.and_then(|mut k| k.remove("_id")) {
                if tx.send((id, at)).is_err() {
                    break;
                }
            }
        }
    });
    let mut w = Watched {
        ack: histogram(),
        event: histogram(),
        lost: 0,
    };
    let mut pace = Pacer::new(rate);
    for i in 0..BASELINE_WARMUP + n {
        let d = make(i)?;
        let id = d
            .get("_id")
            .cloned()
            .context("a baseline document has no _id")?;
        tokio::time::sleep(pace.wait()).await;
        let t0 = Instant::now();
        coll.insert_one(d).await?;
        let ack = t0.elapsed();
        let deadline = tokio::time::Instant::from_std(t0 + EVENT_TIMEOUT);
        let arrived = loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some((got, at))) if got == id => break Some(at),
                // A late event of an insert already counted as lost.
                Ok(Some(_)) => continue,
                Ok(None) | Err(_) => break None,
            }
        };
        if i < BASELINE_WARMUP {
            continue;
        }
        record(&mut w.ack, ack);
        match arrived {
            Some(at) => record(&mut w.event, at.saturating_duration_since(t0)),
            None => w.lost += 1,
        }
    }
    reader.abort();
    Ok(w)
}

// ---------------------------------------------------------------------------------------------
// Span 1: robot -> order in MongoDB -> gateway

/// Every counter span 1's no-loss checks look at, after the run drained.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Span1Counters {
    pub feed_published: u64,
    pub feed_dropped_hwm: u64,
    pub md_received: u64,
    pub md_delivered: u64,
    pub md_dropped: u64,
    pub md_garbage: u64,
    pub md_unrouted: u64,
    pub robot_orders_sent: u64,
    pub robot_cancels_sent: u64,
    pub robot_md_dropped: u64,
    pub robot_store_errors: u64,
    /// Robot writes the server's store could not land (each is a `Rejected` to the robot).
    pub server_store_failed_writes: u64,
    pub server_store_pending_writes: u64,
    /// The probe's orders in the database after the run.
    pub orders_in_db: u64,
    pub gateway_orders_seen: u64,
    pub gateway_cancels_seen: u64,
    pub gateway_rejects: u64,
    pub gateway_store_errors: u64,
    pub gateway_md_dropped: u64,
}

pub struct Span1 {
    inside: Histogram<u64>,
    wire: Histogram<u64>,
    counters: Span1Counters,
    backlog_at_stop: u64,
    drained: bool,
    robot_handle_ns_p50: u64,
    robot_handle_ns_p99: u64,
}

fn span1(args: &MongoArgs, plugin: &Path, uri: &str) -> anyhow::Result<Span1> {
    let dirs = TempDirs::new("robofleet-bench-mongo")?;
    install(plugin, &dirs.plugins, args.cancel_every)?;
    let feed_endpoint = format!("tcp://127.0.0.1:{}", free_port()?);

    // The gateway first, on its own store: its change stream is open before the first order.
    let gw_store: Arc<dyn Store> = Arc::new(
        MongoStore::open(&MongoOptions::new(uri, GATEWAY_CONSUMER))
            .context("cannot open the gateway's MongoDB store")?,
    );
    let gw_stats = Arc::new(GatewayStats::default());
    let gateway = spawn_gateway(
        zmq_context(),
        gw_store.clone(),
        GatewayConfig {
            feed_endpoint: feed_endpoint.clone(),
        },
        gw_stats.clone(),
    )
    .context("cannot start the gateway")?;
    let gateway_started = Instant::now();

    let mut cfg = ServeConfig::new(&dirs.plugins, &dirs.data);
    cfg.control_endpoint = "tcp://127.0.0.1:*".into();
    cfg.feed_endpoint = feed_endpoint.clone();
    cfg.gateway = false;
    cfg.store_uri = Some(uri.to_string());
    cfg.name = SERVER_NAME.into();
    cfg.settle = Duration::from_millis(100);
    let server = server::start(cfg).context("cannot start the server on MongoDB")?;
    let mut fleet = Fleet {
        server: Some(server),
        gateway: Some(gateway),
        gw: gw_stats,
        gateway_started,
        feed_stop: Arc::new(AtomicBool::new(false)),
        feed: None,
    };
    let measured = fleet.measure(args, &feed_endpoint);
    fleet.stop();
    drop(gw_store);
    measured
}

/// The server, the gateway and the feed; [`Fleet::stop`] (or drop) stops them all.
struct Fleet {
    server: Option<ServerHandle>,
    gateway: Option<GatewayHandle>,
    gw: Arc<GatewayStats>,
    gateway_started: Instant,
    feed_stop: Arc<AtomicBool>,
    feed: Option<JoinHandle<Result<FeedStats, FeedError>>>,
}

impl Fleet {
    fn server(&self) -> anyhow::Result<&ServerHandle> {
        self.server
            .as_ref()
            .context("the server is already stopped")
    }

    fn measure(&mut self, args: &MongoArgs, feed_endpoint: &str) -> anyhow::Result<Span1> {
        let robot = self.wait_robot_running()?;
        let mut opts = FeedOptions::new(FeedSource::Synthetic(SyntheticConfig {
            symbols: vec![SYMBOL.to_string()],
            rate_per_sec: args.rate,
            seed: 1,
            // Quotes only: the probe places one order per quote.
            trade_ratio: 0.0,
            limit: None,
        }));
        opts.endpoint = feed_endpoint.to_string();
        opts.stamp_sent = true;
        opts.wait_for_subscriber = Some(SUBSCRIBER_WAIT);
        self.feed = Some(feed::spawn_feed(
            zmq_context(),
            opts,
            self.feed_stop.clone(),
        ));
        if !args.json {
            eprintln!(
                "span 1: warming up with {} orders at {}/s, then measuring {} (about {:.0} s)",
                args.warmup,
                args.rate,
                args.ticks,
                (args.warmup + args.ticks) as f64 / args.rate
            );
        }
        self.wait_orders(args.warmup, "the warmup")?;
        let replays_checked = self.gateway_started + GATEWAY_REPLAY_WINDOW;
        std::thread::sleep(replays_checked.saturating_duration_since(Instant::now()));
        self.gw.reset_latency();
        let start = self.gw.orders_seen.load(Ordering::Relaxed);
        self.wait_orders(start.saturating_add(args.ticks), "the measurement")?;

        self.feed_stop.store(true, Ordering::Relaxed);
        let server = self.server()?;
        let backlog_at_stop = server
            .stats
            .market
            .delivered
            .load(Ordering::Relaxed)
            .saturating_sub(self.gw.orders_seen.load(Ordering::Relaxed));
        let feed_stats = match self.feed.take().map(JoinHandle::join) {
            Some(Ok(Ok(stats))) => stats,
            Some(Ok(Err(e))) => bail!("the feed failed: {e}"),
            Some(Err(_)) => bail!("the feed thread panicked"),
            None => bail!("the feed was not running"),
        };
        if !args.json {
            eprintln!(
                "span 1 measured; waiting for the orders still in flight ({backlog_at_stop})"
            );
        }
        let drained = self.drain(&robot);

        let server = self.server()?;
        let market = server.stats.market.snapshot();
        let g = self.gw.snapshot();
        let status = robot.status();
        let health = server.store.health();
        let orders_in_db = server
            .store
            .orders(&OrderFilter {
                robot: Some(PROBE.into()),
                open_only: false,
            })
            .context("cannot read the probe's orders back")?
            .len() as u64;
        let counters = Span1Counters {
            feed_published: feed_stats.published,
            feed_dropped_hwm: feed_stats.dropped_hwm,
            md_received: market.messages,
            md_delivered: market.delivered,
            md_dropped: market.dropped,
            md_garbage: market.garbage,
            md_unrouted: market.unrouted,
            robot_orders_sent: status.orders_sent,
            robot_cancels_sent: status.cancels_sent,
            robot_md_dropped: status.md_dropped,
            robot_store_errors: status.store_errors,
            server_store_failed_writes: health.failed_writes,
            server_store_pending_writes: health.pending_writes,
            orders_in_db,
            gateway_orders_seen: g.orders_seen,
            gateway_cancels_seen: g.cancels_seen,
            gateway_rejects: g.rejects,
            gateway_store_errors: g.store_errors,
            gateway_md_dropped: g.md_dropped,
        };
        Ok(Span1 {
            inside: self.gw.latency_inside(),
            wire: self.gw.latency_wire(),
            counters,
            backlog_at_stop,
            drained,
            robot_handle_ns_p50: status.handle_ns_p50,
            robot_handle_ns_p99: status.handle_ns_p99,
        })
    }

    fn wait_robot_running(&self) -> anyhow::Result<Arc<RobotShared>> {
        let server = self.server()?;
        let deadline = Instant::now() + ROBOT_START_TIMEOUT;
        loop {
            if let Some(robot) = server.registry.get(PROBE) {
                match robot.state() {
                    RobotState::Running => return Ok(robot),
                    RobotState::Failed(why) => bail!("the {PROBE} robot failed: {why}"),
                    _ => {}
                }
            }
            if let Some((file, why)) = server.registry.refused().into_iter().next() {
                bail!("the server refused the plugin {file}: {why}");
            }
            if Instant::now() >= deadline {
                bail!("the {PROBE} robot was not running after {ROBOT_START_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Wait until the gateway has seen `target` orders; fail on a stall or a dead feed.
    fn wait_orders(&self, target: u64, phase: &str) -> anyhow::Result<()> {
        let mut last = self.gw.orders_seen.load(Ordering::Relaxed);
        let mut last_progress = Instant::now();
        loop {
            let seen = self.gw.orders_seen.load(Ordering::Relaxed);
            if seen >= target {
                return Ok(());
            }
            if seen != last {
                last = seen;
                last_progress = Instant::now();
            } else if last_progress.elapsed() >= STALL {
                let server = self.server()?;
                let market = server.stats.market.snapshot();
                let health = server.store.health();
                bail!(
                    "{phase} stalled: the gateway saw no new order for {STALL:?} ({seen} of \
                     {target}; market data received {}, delivered {}; server store pending \
                     writes {}, failed {}, last error {:?})",
                    market.messages,
                    market.delivered,
                    health.pending_writes,
                    health.failed_writes,
                    health.last_error
                );
            }
            if self.feed.as_ref().is_some_and(JoinHandle::is_finished) {
                bail!("the feed stopped during {phase} ({seen} of {target} orders seen)");
            }
            std::thread::sleep(POLL);
        }
    }

    /// After the feed stops: wait until every delivered tick is an order the gateway saw, the
    /// write queue is empty and the counters stay still. Returns whether it settled.
    fn drain(&self, robot: &RobotShared) -> bool {
        let Ok(server) = self.server() else {
            return false;
        };
        let limit = Instant::now() + DRAIN_LIMIT;
        let read = || {
            (
                server.stats.market.delivered.load(Ordering::Relaxed),
                robot.orders_sent.load(Ordering::Relaxed),
                self.gw.orders_seen.load(Ordering::Relaxed),
                server.store.health().pending_writes,
            )
        };
        let mut prev = read();
        let mut still = 0;
        let mut last_progress = Instant::now();
        while Instant::now() < limit && last_progress.elapsed() < STALL {
            std::thread::sleep(Duration::from_millis(50));
            let now = read();
            if now != prev {
                last_progress = Instant::now();
            }
            let settled = now.0 == now.1 && now.1 == now.2 && now.3 == 0;
            still = if now == prev && settled { still + 1 } else { 0 };
            if still >= 4 {
                return true;
            }
            prev = now;
        }
        false
    }

    fn stop(&mut self) {
        self.feed_stop.store(true, Ordering::Relaxed);
        if let Some(f) = self.feed.take() {
            let _ = f.join();
        }
        if let Some(s) = self.server.take() {
            s.shutdown();
        }
        if let Some(g) = self.gateway.take() {
            g.shutdown();
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------------------------
// Span 2: trade insert -> robot event

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

pub struct Span2 {
    total: Histogram<u64>,
    insert_call: Histogram<u64>,
    counters: Span2Counters,
}

/// A new buy limit of `robot`, as a robot writes it; `stamped` adds the tick stamps the probe's
/// orders carry.
fn order_for(robot: &str, seq: u64, stamped: bool) -> Order {
    let now = robofleet::clock::wall_ns();
    Order {
        client_id: format!("{robot}-{seq}"),
        robot: robot.into(),
        order_seq: seq,
        symbol: SYMBOL.into(),
        side: Side::Buy,
        order_type: OrderType::Limit { price: 100.0 },
        qty: 1,
        status: OrderStatus::New,
        filled_qty: 0,
        avg_price: 0.0,
        reason: None,
        cancel_requested: false,
        created_ns: now,
        updated_ns: now,
        history: vec![StatusChange {
            status: OrderStatus::New,
            ts_ns: now,
            reason: None,
        }],
        tick_recv_mono_ns: stamped.then(robofleet::clock::mono_ns),
        tick_sent_ns: stamped.then_some(now),
    }
}

fn exec_id(seq: u64) -> String {
    format!("BENCH-X-{seq}")
}

fn span2(args: &MongoArgs, uri: &str) -> anyhow::Result<Span2> {
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
            price: 100.0,
            ts_ns: robofleet::clock::wall_ns(),
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

// ---------------------------------------------------------------------------------------------
// The report

#[derive(Clone, Debug, Serialize)]
pub struct DbInfo {
    pub hosts: String,
    /// `buildInfo.version` as the server reports it.
    pub server_version: String,
    /// This run's fresh database.
    pub database: String,
    pub dropped_after: bool,
}

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

fn us(ns: u64) -> f64 {
    ns as f64 / 1000.0
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn cpu_model() -> String {
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

impl MongoReport {
    fn new(
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
        let kept_up = (s1.backlog_at_stop as f64) < (args.rate * KEPT_UP_SECS).max(10.0);
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

/// Everything that shows a tick or an order lost or refused on the way to the gateway.
fn span1_problems(
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

fn print_table(r: &MongoReport) {
    println!(
        "robofleet bench mongo: MongoDB {} at {} (database {}, {}) in {:.1} s",
        r.database.server_version,
        r.database.hosts,
        r.database.database,
        if r.database.dropped_after {
            "dropped after"
        } else {
            "kept"
        },
        r.duration_secs
    );
    println!(
        "machine: {} CPUs, {}; load average at start {}",
        r.machine.cpus, r.machine.cpu_model, r.machine.loadavg_at_start
    );
    println!(
        "span 1: {} ticks at {}/s after {} warmup orders, probe cancel_every = {}; span 2: {} \
         trades after {} warmup; baselines {} each; one at a time at {}/s",
        r.ticks,
        r.rate_per_sec,
        r.warmup,
        r.cancel_every,
        r.trades,
        r.trade_warmup,
        r.baseline_samples,
        r.op_rate_per_sec
    );
    println!(
        "ratios: a span's p50 over the p50 of the baseline just before it (insert_one; \
         insert_one -> change stream event)"
    );
    println!();
    println!(
        "{:<46} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "(µs)", "count", "p50", "p99", "p99.9", "max", "/insert", "/ins->cs"
    );
    let row = |name: &str, s: &LatencySummary, ratios: Option<(f64, f64)>| {
        let (a, b) = ratios.map_or((String::new(), String::new()), |(a, b)| {
            (format!("{a:.1}x"), format!("{b:.1}x"))
        });
        println!(
            "{:<46} {:>6} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>8} {:>8}",
            name,
            s.count,
            us(s.p50),
            us(s.p99),
            us(s.p999),
            us(s.max),
            a,
            b
        )
    };
    let baseline_rows = |b: &BaselineSummary| {
        row("   ping round trip", &b.ping_ns, None);
        row(
            "   insert_one round trip (tiny document)",
            &b.insert_ns,
            None,
        );
        row("   find_one by _id round trip", &b.find_ns, None);
        row(
            "   insert_one -> change stream event",
            &b.change_stream_ns,
            None,
        );
        row(
            "   insert_one round trip, watched",
            &b.watched_insert_ns,
            None,
        );
        row(
            "   order insert_one round trip, watched",
            &b.order_insert_ns,
            None,
        );
        row(
            "   order insert_one -> change stream event",
            &b.order_change_stream_ns,
            None,
        );
    };
    println!("baseline before span 1 (driver direct)");
    baseline_rows(&r.baseline_before_span1);
    row(
        "1: md recv -> robot -> MongoDB -> gateway",
        &r.span1_ns,
        Some((r.span1_p50_over_insert, r.span1_p50_over_change_stream)),
    );
    row("   feed publish (tcp) -> gateway", &r.span1_wire_ns, None);
    println!(
        "   (span 1 p50 over the order insert_one -> change stream baseline: {:.1}x)",
        r.span1_p50_over_order_change_stream
    );
    println!("baseline before span 2 (driver direct)");
    baseline_rows(&r.baseline_before_span2);
    row(
        "2: insert_trade -> robot's channel",
        &r.span2_ns,
        Some((r.span2_p50_over_insert, r.span2_p50_over_change_stream)),
    );
    row(
        "   the insert_trade call (find + insert)",
        &r.span2_insert_call_ns,
        None,
    );
    println!(
        "(plugin call p50 {:.1} µs, p99 {:.1} µs)",
        us(r.robot_handle_ns_p50),
        us(r.robot_handle_ns_p99)
    );
    println!();
    let (b1, b2) = (
        r.baseline_before_span1.insert_ns.p50,
        r.baseline_before_span2.insert_ns.p50,
    );
    println!(
        "database drift: insert_one p50 {:.1} µs before span 1, {:.1} µs before span 2 ({:.1}x{})",
        us(b1),
        us(b2),
        ratio(b2, b1),
        if r.op_rate_per_sec == r.rate_per_sec {
            ""
        } else {
            "; the two baselines ran at different paces"
        }
    );
    println!(
        "goal {} <= {:.0} µs: {:.1} µs  {}",
        r.goal.what,
        r.goal.limit_us,
        r.goal.actual_us,
        if r.goal.met { "PASS" } else { "MISSED" }
    );
    let c = &r.span1_counters;
    println!();
    println!(
        "span 1 counts: feed published {} (dropped at HWM {}), before the subscription {}; md \
         received {}, delivered {}, dropped {}; robot orders {}, cancels {}, store errors {}; \
         write queue failed {}, pending {}; orders in MongoDB {}; gateway orders {}, cancels {}, \
         rejects {}, store errors {}",
        c.feed_published,
        c.feed_dropped_hwm,
        r.not_subscribed_yet,
        c.md_received,
        c.md_delivered,
        c.md_dropped,
        c.robot_orders_sent,
        c.robot_cancels_sent,
        c.robot_store_errors,
        c.server_store_failed_writes,
        c.server_store_pending_writes,
        c.orders_in_db,
        c.gateway_orders_seen,
        c.gateway_cancels_seen,
        c.gateway_rejects,
        c.gateway_store_errors
    );
    let t = &r.span2_counters;
    println!(
        "span 2 counts: orders written {} (failed {}); trades inserted {} (errors {}, already \
         stored {}); received {} distinct, {} repeated, {} late, {} unexpected",
        t.orders_written,
        t.orders_failed,
        t.trades_inserted,
        t.insert_errors,
        t.insert_already_stored,
        t.trades_received,
        t.trades_repeated,
        t.trades_late,
        t.unexpected
    );
    if !r.kept_up {
        println!(
            "NOT KEPT UP: {} ticks were still on their way when the feed stopped: the fleet \
             cannot sustain {}/s on this database, so span 1 above is mostly queueing",
            r.backlog_at_stop, r.rate_per_sec
        );
    }
    if r.problems.is_empty() {
        println!(
            "nothing lost: every tick that reached the robot became an order in MongoDB the \
             gateway saw; every trade reached the robot exactly once"
        );
    } else {
        for p in &r.problems {
            println!("LOST: {p}");
        }
    }
}
