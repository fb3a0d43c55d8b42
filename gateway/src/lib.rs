//! The order gateway: takes new orders and cancels from the store to the simulated
//! exchange and writes its order changes and fills back.
//!
//! Two plain threads: one receives the feed on a ZeroMQ SUB socket (`feed_sub`), one
//! owns the [`exchange::SimExchange`] and selects over order requests, market data and
//! shutdown (`runner`). [`GatewayHandle::shutdown`] (or dropping the handle) stops and
//! joins both.

// The shared parts, under the names the gateway's modules use.
#[cfg(test)]
pub(crate) use robofleet_core::instruments;
pub(crate) use robofleet_core::{clock, market, store};

pub mod conflate;
pub mod exchange;
pub mod feed_sub;
mod runner;
pub mod stats;
pub mod throttle;
pub mod venue;
mod writes;

#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crossbeam_channel::{bounded, unbounded, Sender};

use crate::store::{Store, StoreError};
pub use exchange::{ExchangeInput, ExchangeOutput, SimExchange};
pub use feed_sub::FEED_RCVHWM;
pub use stats::{GatewayStats, GatewayStatsSnapshot, LatencySummary};
pub use venue::{LaterAnswer, Venue};

/// Market data waiting for the gateway thread. Bounded so a stuck gateway holds memory
/// steady: once full, the feed thread waits and ZeroMQ's high-water mark drops instead.
const MD_QUEUE: usize = 65_536;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayConfig {
    /// Where the feed publishes, e.g. `tcp://127.0.0.1:5561`.
    pub feed_endpoint: String,
    /// The venue session's message rate (`None`: not limited).
    pub session_rate: Option<throttle::SessionRate>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            feed_endpoint: "tcp://127.0.0.1:5561".to_string(),
            session_rate: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("zmq: cannot {what}: {source}")]
    Zmq {
        what: &'static str,
        source: zmq::Error,
    },
    #[error("cannot connect to the feed at {endpoint}: {source}")]
    Connect {
        endpoint: String,
        source: zmq::Error,
    },
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("cannot spawn the {name} thread: {source}")]
    Spawn {
        name: &'static str,
        source: std::io::Error,
    },
}

/// The running gateway. Dropping it stops it too; `shutdown` says so explicitly.
pub struct GatewayHandle {
    shutdown: Option<Sender<()>>,
    stop_feed: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
    /// Told when the gateway has stopped (it gives back a MongoDB gateway lease).
    store: Option<Arc<dyn Store>>,
}

impl GatewayHandle {
    /// Stop both threads and wait for them.
    pub fn shutdown(self) {
        drop(self);
    }

    fn stop(&mut self) {
        self.stop_feed.store(true, Ordering::Relaxed);
        if let Some(tx) = self.shutdown.take() {
            // The gateway thread may be gone already; dropping the sender wakes it anyway.
            let _ = tx.send(());
        }
        for t in self.threads.drain(..) {
            let name = t.thread().name().unwrap_or("gateway").to_string();
            if t.join().is_err() {
                tracing::error!(thread = %name, "gateway thread panicked");
            }
        }
        if let Some(store) = self.store.take() {
            store.gateway_stopped();
        }
    }
}

impl Drop for GatewayHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

fn spawn_named(
    name: &'static str,
    f: impl FnOnce() + Send + 'static,
) -> Result<JoinHandle<()>, GatewayError> {
    thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .map_err(|source| GatewayError::Spawn { name, source })
}

/// Start the gateway: connect to the feed, watch the store's order requests, and serve
/// them against a fresh simulated exchange.
///
/// Open orders the store replays first (after a restart) go back into the exchange as
/// they are, with what their stored trades filled (a gateway stopped between writing a fill
/// and the change that reports it left the order's record behind); exec ids continue after
/// the highest `SIM-<n>` already stored.
pub fn spawn_gateway(
    ctx: zmq::Context,
    store: Arc<dyn Store>,
    cfg: GatewayConfig,
    stats: Arc<GatewayStats>,
) -> Result<GatewayHandle, GatewayError> {
    let trades = store.trades(None)?;
    let next_exec = exchange::next_exec_seq_after(trades.iter().map(|t| t.exec_id.as_str()));
    let exchange = SimExchange::with_next_exec_seq(next_exec);
    tracing::debug!(next_exec, "simulated exchange");
    start(ctx, store, cfg, stats, Box::new(exchange), &trades)
}

/// Start the gateway on `venue` (the simulated exchange: [`spawn_gateway`]).
pub fn spawn_gateway_on(
    ctx: zmq::Context,
    store: Arc<dyn Store>,
    cfg: GatewayConfig,
    stats: Arc<GatewayStats>,
    venue: Box<dyn Venue>,
) -> Result<GatewayHandle, GatewayError> {
    let trades = store.trades(None)?;
    start(ctx, store, cfg, stats, venue, &trades)
}

fn start(
    ctx: zmq::Context,
    store: Arc<dyn Store>,
    cfg: GatewayConfig,
    stats: Arc<GatewayStats>,
    mut venue: Box<dyn Venue>,
    trades: &[crate::store::Trade],
) -> Result<GatewayHandle, GatewayError> {
    let stored_fills = runner::StoredFills::of_open_orders(store.as_ref(), trades)?;
    let sock = feed_sub::connect(&ctx, &cfg.feed_endpoint)?;

    let (req_tx, req_rx) = unbounded();
    let (md_tx, md_rx) = bounded(MD_QUEUE);
    let (shutdown_tx, shutdown_rx) = bounded(1);
    // From here on, an early return drops the handle, which stops what was started.
    let mut handle = GatewayHandle {
        shutdown: Some(shutdown_tx),
        stop_feed: Arc::new(AtomicBool::new(false)),
        threads: Vec::new(),
        store: None,
    };
    store.watch_order_requests(req_tx)?;
    handle.store = Some(Arc::clone(&store));

    let instruments = store.instruments()?;
    if instruments.is_empty() {
        tracing::warn!("the store holds no instrument registry: every order will be refused");
    }
    venue.set_instruments(instruments.iter().cloned().collect());
    venue.attach_stats(Arc::clone(&stats));
    let name = venue.name().to_string();
    let runner = runner::Runner {
        store,
        stats: Arc::clone(&stats),
        venue,
        answers: Vec::new(),
        instruments,
        unknown_symbol_read: None,
        md_batch: Vec::new(),
        unwritten: Vec::new(),
        stored_fills,
        clock: runner::OrderClock::default(),
        throttle: cfg.session_rate.map(|r| {
            throttle::SessionThrottle::new(r, i64::try_from(crate::clock::mono_ns()).unwrap_or(0))
        }),
    };
    handle.threads.push(spawn_named("gateway", move || {
        runner.run(req_rx, md_rx, shutdown_rx)
    })?);
    let stop = Arc::clone(&handle.stop_feed);
    handle.threads.push(spawn_named("gateway-feed", move || {
        feed_sub::run(sock, md_tx, stats, stop)
    })?);
    match cfg.session_rate {
        Some(r) => {
            tracing::info!(feed = %cfg.feed_endpoint, venue = name, "gateway started: venue session limited to {}/s (burst {})", r.rate, r.burst)
        }
        None => tracing::info!(feed = %cfg.feed_endpoint, venue = name, "gateway started"),
    }
    Ok(handle)
}
