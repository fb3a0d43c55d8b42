//! The fleet span 1 runs: the in-process server with the probe, the gateway beside it and the
//! paced synthetic feed; waiting for the robot, for orders at the gateway and for what is in
//! flight after the stop, and reading every counter the no-loss checks need.

use super::span1::{Span1, Span1Counters};
use super::{DRAIN_LIMIT, GATEWAY_REPLAY_WINDOW, POLL, PROBE, ROBOT_START_TIMEOUT, STALL};
use crate::MongoArgs;
use anyhow::{bail, Context};
use robofleet::feed::{FeedError, FeedStats};
use robofleet::gateway::{GatewayHandle, GatewayStats};
use robofleet::robot::RobotShared;
use robofleet::server::ServerHandle;
use robofleet::store::OrderFilter;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The server, the gateway and the feed; [`Fleet::stop`] (or drop) stops them all.
pub(super) struct Fleet {
    pub(super) server: Option<ServerHandle>,
    pub(super) gateway: Option<GatewayHandle>,
    pub(super) gw: Arc<GatewayStats>,
    /// When the gateway started: span 1 measures only [`GATEWAY_REPLAY_WINDOW`] after it.
    pub(super) gateway_started: Instant,
    pub(super) feed_stop: Arc<AtomicBool>,
    pub(super) feed: Option<JoinHandle<Result<FeedStats, FeedError>>>,
}

impl Fleet {
    fn server(&self) -> anyhow::Result<&ServerHandle> {
        self.server
            .as_ref()
            .context("the server is already stopped")
    }

    pub(super) fn measure(
        &mut self,
        args: &MongoArgs,
        feed_endpoint: &str,
    ) -> anyhow::Result<Span1> {
        let robot = self.wait_robot_running()?;
        self.feed = Some(crate::probe::spawn_quote_feed(
            feed_endpoint,
            args.rate,
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
        crate::probe::wait_running(self.server()?, ROBOT_START_TIMEOUT)
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
    pub(super) fn drain(&self, robot: &RobotShared) -> bool {
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

    pub(super) fn stop(&mut self) {
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
