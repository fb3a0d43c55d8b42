//! The XPUB socket and the publish loop.
//!
//! XPUB rather than PUB for two reasons: it hands us subscriptions (so we can wait for the
//! first subscriber instead of losing the first messages to the slow-joiner problem), and it
//! supports `ZMQ_XPUB_NODROP`, which turns PUB's silent drop at the high-water mark into an
//! `EAGAIN` we count in [`FeedStats::dropped_hwm`].

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::csv::CsvReader;
use super::synthetic::Generator;
use super::{FeedError, FeedOptions, FeedSource, FeedStats};
use crate::clock::wall_ns;
use crate::market::{encode, MarketData};

/// The longest we sleep before looking at the shutdown flag again.
const SHUTDOWN_POLL: Duration = Duration::from_millis(100);
/// Below this much time left we yield instead of sleeping: sleep overshoots by about this.
const SPIN_BELOW: Duration = Duration::from_micros(50);
/// How often subscription messages are drained while publishing flat out.
const DRAIN_EVERY: Duration = Duration::from_millis(10);
/// How long closing the socket may keep trying to deliver what is still queued.
const LINGER_MS: i32 = 1000;

/// Run the feed on the calling thread until the source ends or `shutdown` is set.
pub fn run_feed(
    ctx: &zmq::Context,
    opts: &FeedOptions,
    shutdown: &AtomicBool,
) -> Result<FeedStats, FeedError> {
    // Open the source first so a bad path or config fails before anything is bound.
    let mut source = match &opts.source {
        FeedSource::Csv { path, speed } => {
            if speed.factor().is_some_and(|f| !(f.is_finite() && f > 0.0)) {
                return Err(FeedError::InvalidConfig(format!("bad speed {speed:?}")));
            }
            Source::Csv(CsvReader::open(path)?)
        }
        FeedSource::Synthetic(cfg) => {
            Source::Synthetic(Generator::new(cfg, cfg.start_ts.unwrap_or_else(wall_ns))?)
        }
    };
    let mut pacer = Pacer::new(match &opts.source {
        FeedSource::Csv { speed, .. } => speed.factor(),
        // The generator spaces ts by 1 / rate, so replaying them in real time paces the rate.
        FeedSource::Synthetic(cfg) if cfg.rate_per_sec.is_finite() => Some(1.0),
        FeedSource::Synthetic(_) => None,
    });
    let socket = open_xpub(ctx, &opts.endpoint, opts.sndhwm)?;
    tracing::info!(endpoint = %opts.endpoint, sndhwm = opts.sndhwm, "feed bound");

    let mut stats = FeedStats::default();
    if let Some(timeout) = opts.wait_for_subscriber {
        wait_for_subscriber(&socket, timeout, shutdown)?;
    }
    if let (Source::Synthetic(g), FeedSource::Synthetic(cfg)) = (&mut source, &opts.source) {
        // After any wait, so synthetic ts track the wall clock from the first message.
        g.start_at(cfg.start_ts.unwrap_or_else(wall_ns));
    }
    let mut last_drain = Instant::now();
    let mut pass_published = 0u64;
    while !shutdown.load(Ordering::Relaxed) {
        let Some(mut md) = source.next_message()? else {
            if let Source::Csv(r) = &mut source {
                // A pass with nothing to publish would otherwise loop hot forever.
                if opts.loop_csv && pass_published > 0 {
                    r.rewind()?;
                    pass_published = 0;
                    continue;
                }
                if opts.loop_csv {
                    tracing::warn!("CSV has no valid rows; not looping");
                }
            }
            break;
        };
        if let Some(due) = pacer.due(md.ts) {
            if !sleep_until(&socket, due, shutdown)? {
                break;
            }
        }
        // Also when paced: a feed running behind schedule never actually sleeps.
        if last_drain.elapsed() >= DRAIN_EVERY {
            drain_subscriptions(&socket)?;
            last_drain = Instant::now();
        }
        if opts.stamp_sent {
            md.sent_ns = Some(wall_ns());
        }
        pass_published += 1;
        publish(&socket, &md, &mut stats)?;
    }
    stats.bad_rows = source.bad_rows();
    tracing::info!(?stats, "feed finished");
    Ok(stats)
}

/// [`run_feed`] on its own thread.
pub fn spawn_feed(
    ctx: zmq::Context,
    opts: FeedOptions,
    shutdown: Arc<AtomicBool>,
) -> JoinHandle<Result<FeedStats, FeedError>> {
    std::thread::spawn(move || run_feed(&ctx, &opts, &shutdown))
}

enum Source {
    Csv(CsvReader),
    Synthetic(Generator),
}

impl Source {
    fn next_message(&mut self) -> Result<Option<MarketData>, FeedError> {
        match self {
            Source::Csv(r) => r.next_message(),
            Source::Synthetic(g) => Ok(g.next()),
        }
    }

    fn bad_rows(&self) -> u64 {
        match self {
            Source::Csv(r) => r.bad_rows(),
            Source::Synthetic(_) => 0,
        }
    }
}

/// Maps message timestamps to publish instants: `ts` gaps divided by `factor`.
struct Pacer {
    factor: Option<f64>,
    anchor: Option<(Instant, i64)>,
}

impl Pacer {
    fn new(factor: Option<f64>) -> Self {
        Pacer {
            factor,
            anchor: None,
        }
    }

    /// When to publish a message stamped `ts`; `None` means now.
    fn due(&mut self, ts: i64) -> Option<Instant> {
        let factor = self.factor?;
        if let Some((at, ts0)) = self.anchor {
            if ts >= ts0 {
                // Measured from a fixed anchor, not the previous message, so errors don't add up.
                let gap = Duration::from_secs_f64((ts - ts0) as f64 / factor / 1e9);
                if gap > Duration::from_secs(10) {
                    tracing::debug!(?gap, "long recorded gap");
                }
                // An absurd gap (bad ts) overflows Instant: re-anchor rather than panic.
                if let Some(due) = at.checked_add(gap) {
                    return Some(due);
                }
            }
        }
        // First message, a CSV loop, or time going backwards: publish now and re-anchor.
        self.anchor = Some((Instant::now(), ts));
        None
    }
}

fn zmq_err(op: &'static str) -> impl FnOnce(zmq::Error) -> FeedError {
    move |source| FeedError::Zmq { op, source }
}

/// The feed's XPUB socket bound at `endpoint`: `sndhwm` per subscriber, a full queue an
/// error [`publish`] counts rather than a silent drop. Other publishers of the wire format
/// (`robofleet feed --fix`) use it too.
pub fn open_xpub(
    ctx: &zmq::Context,
    endpoint: &str,
    sndhwm: i32,
) -> Result<zmq::Socket, FeedError> {
    if endpoint.contains('\0') || endpoint.is_empty() {
        // zmq's bind() would panic on an interior NUL.
        return Err(FeedError::InvalidConfig(format!(
            "bad endpoint {endpoint:?}"
        )));
    }
    let mut socket = ctx.socket(zmq::XPUB).map_err(zmq_err("socket"))?;
    socket.set_sndhwm(sndhwm).map_err(zmq_err("set SNDHWM"))?;
    socket
        .set_linger(LINGER_MS)
        .map_err(zmq_err("set LINGER"))?;
    set_xpub_nodrop(&mut socket)?;
    socket.bind(endpoint).map_err(|source| FeedError::Bind {
        endpoint: endpoint.to_string(),
        source,
    })?;
    Ok(socket)
}

/// `ZMQ_XPUB_NODROP` (69): a full queue fails the send with EAGAIN instead of dropping.
fn set_xpub_nodrop(socket: &mut zmq::Socket) -> Result<(), FeedError> {
    let one: c_int = 1;
    // SAFETY: the socket pointer is live for the duration of the call (we hold `&mut` to the
    // socket), and optval points at a c_int of exactly the length we pass.
    let rc = unsafe {
        zmq_sys::zmq_setsockopt(
            socket.as_mut_ptr(),
            zmq_sys::ZMQ_XPUB_NODROP as c_int,
            &one as *const c_int as *const c_void,
            std::mem::size_of::<c_int>(),
        )
    };
    if rc == 0 {
        return Ok(());
    }
    // SAFETY: zmq_errno only reads the calling thread's errno.
    let errno = unsafe { zmq_sys::zmq_errno() };
    Err(FeedError::Zmq {
        op: "set XPUB_NODROP",
        source: zmq::Error::from_raw(errno),
    })
}

/// Read and discard subscription messages; returns whether any was a subscribe.
pub fn drain_subscriptions(socket: &zmq::Socket) -> Result<bool, FeedError> {
    let mut subscribed = false;
    loop {
        match socket.recv_bytes(zmq::DONTWAIT) {
            Ok(msg) => {
                // First byte 1 = subscribe, 0 = unsubscribe; the rest is the topic.
                let (on, topic) = msg
                    .split_first()
                    .map_or((false, &[][..]), |(b, t)| (*b == 1, t));
                let topic = String::from_utf8_lossy(topic);
                tracing::debug!(subscribe = on, %topic, "subscription change");
                subscribed |= on;
            }
            Err(zmq::Error::EAGAIN) => return Ok(subscribed),
            Err(zmq::Error::EINTR) => continue,
            Err(e) => return Err(zmq_err("recv subscription")(e)),
        }
    }
}

/// Block (in `SHUTDOWN_POLL` slices) until a subscribe arrives, the timeout, or shutdown.
fn wait_for_subscriber(
    socket: &zmq::Socket,
    timeout: Duration,
    shutdown: &AtomicBool,
) -> Result<(), FeedError> {
    let deadline = Instant::now() + timeout;
    while !shutdown.load(Ordering::Relaxed) {
        if drain_subscriptions(socket)? {
            tracing::info!("subscriber connected");
            return Ok(());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            tracing::warn!(?timeout, "no subscriber yet; publishing anyway");
            return Ok(());
        }
        let ms = left.min(SHUTDOWN_POLL).as_millis().max(1) as i64;
        match socket.poll(zmq::POLLIN, ms) {
            Ok(_) | Err(zmq::Error::EINTR) => {}
            Err(e) => return Err(zmq_err("poll")(e)),
        }
    }
    Ok(())
}

/// Sleep until `due`, draining subscriptions; returns false if shutdown was requested.
fn sleep_until(
    socket: &zmq::Socket,
    due: Instant,
    shutdown: &AtomicBool,
) -> Result<bool, FeedError> {
    loop {
        if shutdown.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let left = due.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(true);
        }
        if left > SPIN_BELOW {
            drain_subscriptions(socket)?;
            std::thread::sleep((left - SPIN_BELOW).min(SHUTDOWN_POLL));
        } else {
            std::thread::yield_now();
        }
    }
}

/// Publish `md` on an [`open_xpub`] socket, counting it in `stats` as published or dropped.
pub fn publish(
    socket: &zmq::Socket,
    md: &MarketData,
    stats: &mut FeedStats,
) -> Result<(), FeedError> {
    // No EINTR retry: a DONTWAIT send never blocks, and retrying after a partly sent
    // multipart message would corrupt the framing.
    match socket.send_multipart(encode(md), zmq::DONTWAIT) {
        Ok(()) => stats.published += 1,
        Err(zmq::Error::EAGAIN) => {
            // XPUB_NODROP: some subscriber's queue is at SNDHWM. Count it, never hide it.
            stats.dropped_hwm += 1;
            let n = stats.dropped_hwm;
            if n == 1 || n.is_multiple_of(1000) {
                tracing::warn!(
                    dropped = n,
                    "subscriber queue full (SNDHWM); dropping messages"
                );
            }
        }
        Err(e) => return Err(zmq_err("send")(e)),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
