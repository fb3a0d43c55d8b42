//! Span 1, robot -> order in MongoDB -> gateway: the real server in-process on the MongoDB
//! store (name `bench`, no gateway of its own) with the `latency_probe` robot, and the gateway
//! beside it on a `MongoStore` of its own (consumer `gateway:bench`), as a separate
//! `robofleet gateway` process would run. The figure is the gateway's `latency_inside`.

use super::fleet::Fleet;
use super::{GATEWAY_CONSUMER, SERVER_NAME};
use crate::probe::{free_port, install, TempDirs};
use crate::MongoArgs;
use anyhow::Context;
use hdrhistogram::Histogram;
use robofleet::gateway::{spawn_gateway, GatewayConfig, GatewayStats};
use robofleet::server::{self, zmq_context, ServeConfig};
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::Store;
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// What span 1 measured, before the report judges it.
pub struct Span1 {
    /// The gateway's `latency_inside`: md thread receives the tick -> gateway has the order.
    pub(super) inside: Histogram<u64>,
    /// The gateway's `latency_wire`: feed publish (wall clock) -> gateway has the order.
    pub(super) wire: Histogram<u64>,
    pub(super) counters: Span1Counters,
    /// Ticks delivered to the robot but not yet seen by the gateway when the feed stopped.
    pub(super) backlog_at_stop: u64,
    /// Whether everything in flight at the stop arrived (see [`Fleet::drain`]).
    pub(super) drained: bool,
    pub(super) robot_handle_ns_p50: u64,
    pub(super) robot_handle_ns_p99: u64,
}

/// Span 1 from start to stop: the gateway on its own store, then the server on MongoDB with
/// the probe, then the paced feed (see [`Fleet::measure`]).
pub(super) fn span1(args: &MongoArgs, plugin: &Path, uri: &str) -> anyhow::Result<Span1> {
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
            ..GatewayConfig::default()
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
