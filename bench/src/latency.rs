//! `robofleet-bench latency`: the real server and the real feed in this process.
//!
//! 1. The floor: a zmq inproc round trip ([`super::floor`]), on a still quiet process.
//! 2. The `latency_probe` plugin goes into a temporary plugin folder, with a
//!    `latency_probe.toml` setting its `cancel_every` unless `--cancel-every 0` (by default
//!    each order is cancelled right after it is placed, so the simulated exchange's book stays
//!    empty instead of growing by one resting order per tick); the server starts on temporary
//!    folders with the gateway on, control on `tcp://127.0.0.1:*` and the feed on a free
//!    loopback port. We wait until the robot runs.
//! 3. The synthetic feed publishes quotes only (one order per tick) for symbol `BENCH` at
//!    `--rate`, stamping `sent_ns`. Once the gateway has seen `--warmup` orders its latency
//!    histograms are reset; once it has seen `--ticks` more, the feed stops.
//! 4. When everything in flight has arrived, the counters must show that nothing was lost:
//!    every tick the market data thread received went to the robot, each produced one order,
//!    and the gateway saw every order. Otherwise the bench fails after printing its report.

use super::probe::{self, find_plugin, free_port, install, TempDirs};
use super::report::{self, Counters, LatencyReport};
use super::thread_cpu;
use super::{floor, LatencyArgs};
use anyhow::{bail, Context};
use robofleet::feed::{FeedError, FeedStats};
use robofleet::gateway::GatewayStats;
use robofleet::robot::RobotShared;
use robofleet::server::{self, zmq_context, ServeConfig, ServerHandle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Ticks of the paced floor (at most; fewer when the run measures fewer).
const PACED_TICKS: u64 = 5_000;
/// How often the bench looks at the counters: rarely enough to stay out of the way.
const POLL: Duration = Duration::from_millis(5);
/// Give up when the gateway sees no new order for this long.
const STALL: Duration = Duration::from_secs(10);
const ROBOT_START_TIMEOUT: Duration = Duration::from_secs(20);
/// After the feed stops: the longest in-flight ticks may take to become orders the gateway
/// saw (while it makes progress; `STALL` without progress ends the wait sooner).
const DRAIN_LIMIT: Duration = Duration::from_secs(300);

pub fn run(args: &LatencyArgs) -> anyhow::Result<()> {
    validate(args)?;
    let plugin = find_plugin(args.plugin.as_deref())?;
    let ctx = zmq_context();
    let load = report::loadavg();

    if !args.json {
        eprintln!(
            "measuring the floor: {} zmq inproc round trips",
            args.floor_trips
        );
    }
    let floor = floor::inproc_one_way(&ctx, args.floor_trips)?;
    let paced_ticks = args.ticks.min(PACED_TICKS);
    if !args.json {
        eprintln!(
            "measuring the paced floor: {paced_ticks} ticks at {}/s through three idle threads",
            args.rate
        );
    }
    let (paced, paced_cpu_ns_per_tick) = super::paced::paced_chain(&ctx, args.rate, paced_ticks)?;

    let dirs = TempDirs::new("robofleet-bench")?;
    install(&plugin, &dirs.plugins, args.cancel_every)?;
    let feed_endpoint = format!("tcp://127.0.0.1:{}", free_port()?);
    if let Some(limits) = &args.risk {
        std::fs::copy(limits, dirs.data.join("risk.toml"))
            .map_err(|e| anyhow::anyhow!("--risk {}: {e}", limits.display()))?;
    }
    let mut cfg = ServeConfig::new(&dirs.plugins, &dirs.data);
    cfg.control_endpoint = "tcp://127.0.0.1:*".into();
    cfg.feed_endpoint = feed_endpoint.clone();
    cfg.gateway = true;
    cfg.sync = args.sync;
    cfg.store_uri = Some(args.store.clone());
    match args.journal.as_str() {
        "off" => cfg.journal_dir = None,
        policy => {
            cfg.journal.sync = policy
                .parse()
                .map_err(|e: String| anyhow::anyhow!("--journal: {e} (or off)"))?
        }
    }
    cfg.settle = Duration::from_millis(100);
    let server = server::start(cfg).context("cannot start the server")?;
    let mut bench = Bench {
        server: Some(server),
        feed_stop: Arc::new(AtomicBool::new(false)),
        feed: None,
    };
    let started = Instant::now();
    let outcome = bench.measure(args, &feed_endpoint);
    bench.stop();
    let measured = outcome?;

    let floors = report::Floors {
        one_way: &floor,
        paced: &paced,
        paced_cpu_ns_per_tick,
    };
    let rep = LatencyReport::new(args, floors, measured, started.elapsed(), &load);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        report::print_table(&rep);
    }
    if !rep.problems.is_empty() {
        bail!(
            "the run lost or refused messages, so its figures do not count: {}",
            rep.problems.join("; ")
        );
    }
    Ok(())
}

fn validate(args: &LatencyArgs) -> anyhow::Result<()> {
    if args.ticks == 0 {
        bail!("--ticks must be at least 1");
    }
    if !(args.rate.is_finite() && args.rate > 0.0) {
        bail!("--rate must be a positive number of messages per second");
    }
    Ok(())
}

/// What a run measured, before it is judged.
pub struct Measured {
    pub inside: hdrhistogram::Histogram<u64>,
    pub wire: hdrhistogram::Histogram<u64>,
    pub counters: Counters,
    pub robot_handle_ns_p50: u64,
    pub robot_handle_ns_p99: u64,
    /// Ticks delivered to the robot but not yet seen by the gateway when the feed stopped.
    pub backlog_at_stop: u64,
    /// Whether everything in flight arrived before the bench stopped waiting.
    pub drained: bool,
    /// CPU the path's three threads used while the measured ticks went through (ns by
    /// thread name), and the orders the gateway saw meanwhile.
    pub path_cpu_ns: std::collections::BTreeMap<String, u64>,
    pub measured_orders: u64,
}

/// The server and the feed; [`Bench::stop`] (or drop) stops both.
struct Bench {
    server: Option<ServerHandle>,
    feed_stop: Arc<AtomicBool>,
    feed: Option<JoinHandle<Result<FeedStats, FeedError>>>,
}

impl Bench {
    fn server(&self) -> anyhow::Result<&ServerHandle> {
        self.server
            .as_ref()
            .context("the server is already stopped")
    }

    fn measure(&mut self, args: &LatencyArgs, feed_endpoint: &str) -> anyhow::Result<Measured> {
        let gw = self
            .server()?
            .gateway_stats()
            .context("the server runs no gateway")?;
        let robot = self.wait_robot_running()?;

        self.feed = Some(probe::spawn_quote_feed(
            feed_endpoint,
            args.rate,
            self.feed_stop.clone(),
        ));

        if !args.json {
            eprintln!(
                "warming up: {} orders at {}/s; then measuring {} ticks (about {:.0} s)",
                args.warmup,
                args.rate,
                args.ticks,
                (args.warmup + args.ticks) as f64 / args.rate
            );
        }
        self.wait_orders(&gw, args.warmup, "the warmup")?;
        gw.reset_latency();
        let start = gw.orders_seen.load(Ordering::Relaxed);
        let cpu_before = thread_cpu::snapshot();
        self.wait_orders(&gw, start.saturating_add(args.ticks), "the measurement")?;
        let cpu_used = thread_cpu::used(&cpu_before, &thread_cpu::snapshot());
        let measured_orders = gw.orders_seen.load(Ordering::Relaxed).saturating_sub(start);
        // The tick's path: market-data thread, the robot pool's threads (`robot-worker-<n>`,
        // `robot-timers`, `robot-watchdog`), the gateway thread.
        let path_cpu_ns = cpu_used
            .into_iter()
            .filter(|(name, _)| {
                name == "market-data" || name == "gateway" || name.starts_with("robot-")
            })
            .collect();

        self.feed_stop.store(true, Ordering::Relaxed);
        // Ticks the robot has but the gateway has not seen as orders yet: more than a few
        // means the server did not keep up with the rate, and latency includes queueing.
        let backlog_at_stop = self
            .server()?
            .stats
            .market
            .delivered
            .load(Ordering::Relaxed)
            .saturating_sub(gw.orders_seen.load(Ordering::Relaxed));
        let feed_stats = match self.feed.take().map(JoinHandle::join) {
            Some(Ok(Ok(stats))) => stats,
            Some(Ok(Err(e))) => bail!("the feed failed: {e}"),
            Some(Err(_)) => bail!("the feed thread panicked"),
            None => bail!("the feed was not running"),
        };
        if !args.json {
            eprintln!("measured; waiting for the orders still in flight ({backlog_at_stop})");
        }
        let drained = self.drain(&gw, &robot);

        let market = self.server()?.stats.market.snapshot();
        let g = gw.snapshot();
        let status = robot.status();
        let counters = Counters {
            feed_published: feed_stats.published,
            feed_dropped_hwm: feed_stats.dropped_hwm,
            md_received: market.messages,
            md_delivered: market.delivered,
            md_dropped: market.dropped,
            md_garbage: market.garbage,
            md_unrouted: market.unrouted,
            robot_events: status.events,
            robot_orders_sent: status.orders_sent,
            robot_cancels_sent: status.cancels_sent,
            robot_md_dropped: status.md_dropped,
            robot_store_errors: status.store_errors,
            gateway_orders_seen: g.orders_seen,
            gateway_cancels_seen: g.cancels_seen,
            gateway_md_messages: g.md_messages,
            gateway_rejects: g.rejects,
            gateway_fills: g.fills,
            gateway_store_errors: g.store_errors,
            gateway_feed_garbage: g.feed_garbage,
            gateway_md_dropped: g.md_dropped,
        };
        Ok(Measured {
            inside: gw.latency_inside(),
            wire: gw.latency_wire(),
            counters,
            robot_handle_ns_p50: status.handle_ns_p50,
            robot_handle_ns_p99: status.handle_ns_p99,
            backlog_at_stop,
            drained,
            path_cpu_ns,
            measured_orders,
        })
    }

    fn wait_robot_running(&self) -> anyhow::Result<Arc<RobotShared>> {
        crate::probe::wait_running(self.server()?, ROBOT_START_TIMEOUT)
    }

    /// Wait until the gateway has seen `target` orders; fail on a stall or a dead feed.
    fn wait_orders(&self, gw: &GatewayStats, target: u64, phase: &str) -> anyhow::Result<()> {
        let mut last = gw.orders_seen.load(Ordering::Relaxed);
        let mut last_progress = Instant::now();
        loop {
            let seen = gw.orders_seen.load(Ordering::Relaxed);
            if seen >= target {
                return Ok(());
            }
            if seen != last {
                last = seen;
                last_progress = Instant::now();
            } else if last_progress.elapsed() >= STALL {
                let market = self.server()?.stats.market.snapshot();
                bail!(
                    "{phase} stalled: the gateway saw no new order for {STALL:?} \
                     ({seen} of {target}; market data received {}, delivered {})",
                    market.messages,
                    market.delivered
                );
            }
            if self.feed.as_ref().is_some_and(JoinHandle::is_finished) {
                bail!("the feed stopped during {phase} ({seen} of {target} orders seen)");
            }
            std::thread::sleep(POLL);
        }
    }

    /// After the feed stops: wait until every delivered tick has become an order the gateway
    /// saw and the counters stay still. A server that fell behind may take a while to catch
    /// up, so this waits as long as the gateway makes progress (up to `DRAIN_LIMIT`); if it
    /// gives up, the checks then tell what is missing. Returns whether it settled.
    fn drain(&self, gw: &GatewayStats, robot: &RobotShared) -> bool {
        let Ok(server) = self.server() else {
            return false;
        };
        let limit = Instant::now() + DRAIN_LIMIT;
        let read = || {
            (
                server.stats.market.messages.load(Ordering::Relaxed),
                server.stats.market.delivered.load(Ordering::Relaxed),
                robot.orders_sent.load(Ordering::Relaxed),
                gw.orders_seen.load(Ordering::Relaxed),
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
            let settled = now.1 == now.2 && now.2 == now.3;
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
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        self.stop();
    }
}
