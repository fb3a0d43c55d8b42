//! The market-data thread: a ZeroMQ SUB socket on the feed, decoded messages out over a
//! channel to the gateway thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Sender, TrySendError};

use super::stats::GatewayStats;
use super::GatewayError;
use crate::market::book::Rebuilt;
use crate::market::{self, MarketData};

/// How many messages ZeroMQ may queue for us before it drops. Set on purpose rather than
/// left at the library default (1000), which a burst of quotes overflows at once.
pub const FEED_RCVHWM: i32 = 100_000;

/// How long a blocking receive or send waits before looking at the stop flag again.
const POLL_MS: i32 = 50;

/// At most one warning about garbage per this interval, so a broken feed cannot flood
/// the log.
const GARBAGE_WARN_EVERY: Duration = Duration::from_secs(5);

/// Make the SUB socket here, on the caller's thread, so a bad endpoint is an error from
/// `spawn_gateway` rather than a log line from a thread.
pub fn connect(ctx: &zmq::Context, endpoint: &str) -> Result<zmq::Socket, GatewayError> {
    let zmq_err = |what: &'static str| move |e| GatewayError::Zmq { what, source: e };
    let sock = ctx.socket(zmq::SUB).map_err(zmq_err("create SUB socket"))?;
    sock.set_rcvhwm(FEED_RCVHWM)
        .map_err(zmq_err("set RCVHWM"))?;
    sock.set_rcvtimeo(POLL_MS)
        .map_err(zmq_err("set RCVTIMEO"))?;
    // Never let a leftover socket hold up context termination.
    sock.set_linger(0).map_err(zmq_err("set LINGER"))?;
    sock.connect(endpoint).map_err(|e| GatewayError::Connect {
        endpoint: endpoint.to_string(),
        source: e,
    })?;
    sock.set_subscribe(b"").map_err(zmq_err("subscribe"))?;
    Ok(sock)
}

/// Receive until `stop` is set or the gateway thread is gone.
pub fn run(
    sock: zmq::Socket,
    out: Sender<MarketData>,
    stats: Arc<GatewayStats>,
    stop: Arc<AtomicBool>,
) {
    let mut garbage = GarbageWarner::default();
    // The exchange is handed whole books: depth updates are applied here (gaps counted).
    let mut books = crate::market::book::Books::default();
    while !stop.load(Ordering::Relaxed) {
        let frames = match sock.recv_multipart(0) {
            Ok(f) => f,
            Err(zmq::Error::EAGAIN) | Err(zmq::Error::EINTR) => continue,
            Err(zmq::Error::ETERM) => break,
            Err(e) => {
                tracing::error!(error = %e, "feed receive failed; market data thread stops");
                break;
            }
        };
        let md = match market::decode(&frames) {
            Ok(md) => md,
            Err(e) => {
                GatewayStats::bump(&stats.feed_garbage);
                garbage.warn(&e);
                continue;
            }
        };
        let md = match books.rebuild(md) {
            Rebuilt::Data(md) => md,
            // The exchange stops trading against the old book until the next snapshot.
            Rebuilt::Gap(emptied) => {
                GatewayStats::bump(&stats.depth_gaps);
                emptied
            }
            Rebuilt::Stale => continue,
        };
        if !forward(&out, md, &stats) {
            break;
        }
    }
    tracing::debug!("market data thread stopped");
}

/// Hand market data to the gateway without ever blocking: if the gateway has fallen a whole
/// queue behind, drop here and count it. Blocking instead would push back through TCP to the
/// feed, which (publishing with NODROP) would then drop for every robot too. False: stop.
fn forward(out: &Sender<MarketData>, md: MarketData, stats: &GatewayStats) -> bool {
    match out.try_send(md) {
        Ok(()) => true,
        Err(TrySendError::Full(_)) => {
            let n = stats.md_dropped.fetch_add(1, Ordering::Relaxed) + 1;
            if n.is_power_of_two() {
                tracing::warn!("gateway is behind the feed: {n} market data messages dropped");
            }
            true
        }
        Err(TrySendError::Disconnected(_)) => false,
    }
}

#[derive(Default)]
struct GarbageWarner {
    last: Option<Instant>,
    suppressed: u64,
}

impl GarbageWarner {
    fn warn(&mut self, err: &market::WireError) {
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < GARBAGE_WARN_EVERY)
        {
            self.suppressed += 1;
            return;
        }
        tracing::warn!(
            error = %err,
            suppressed = self.suppressed,
            "dropped a malformed feed message"
        );
        self.last = Some(now);
        self.suppressed = 0;
    }
}
