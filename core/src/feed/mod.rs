//! `robofleet feed`: a ZeroMQ market data publisher (see `docs/feed.md`).
//!
//! It replays a CSV of recorded ticks ([`FeedSource::Csv`]) or generates a seeded random walk
//! ([`FeedSource::Synthetic`]) and publishes each message in the [`crate::market::wire`] format
//! on an XPUB socket. A slow subscriber never makes us drop messages silently: the socket runs
//! with `ZMQ_XPUB_NODROP`, so a full queue is visible and counted in [`FeedStats::dropped_hwm`].
//!
//! - [`csv`]: the CSV format and its parser.
//! - [`synthetic`]: the deterministic generator.
//! - [`timestamp`]: the CSV `ts` parser.
//! - [`publisher`]: the socket, the pacing loop, [`run_feed`] and [`spawn_feed`].

pub mod csv;
pub mod publisher;
pub mod synthetic;
pub mod timestamp;

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

pub use publisher::{run_feed, spawn_feed};
pub use synthetic::SyntheticConfig;

/// Where the feed binds unless told otherwise.
pub const DEFAULT_ENDPOINT: &str = "tcp://127.0.0.1:5561";
/// Default send high-water mark (messages queued per subscriber before sends fail).
pub const DEFAULT_SNDHWM: i32 = 100_000;

/// What the feed publishes.
#[derive(Clone, Debug, PartialEq)]
pub enum FeedSource {
    /// Replay a CSV file (format in [`csv`]) paced by its timestamps.
    Csv { path: PathBuf, speed: Speed },
    /// A seeded random walk, paced by `rate_per_sec`.
    Synthetic(SyntheticConfig),
}

/// How fast a CSV replay goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    /// Sleep the recorded time between rows.
    Recorded,
    /// `x` times faster than recorded.
    Accelerated(f64),
    /// No sleeping at all.
    Max,
}

impl Speed {
    /// The divisor applied to recorded gaps, or `None` for no pacing.
    pub fn factor(self) -> Option<f64> {
        match self {
            Speed::Recorded => Some(1.0),
            Speed::Accelerated(x) => Some(x),
            Speed::Max => None,
        }
    }
}

impl FromStr for Speed {
    type Err = FeedError;

    /// Accepts `recorded`, `max`, or a factor such as `10`, `10x`, `0.5x`.
    fn from_str(s: &str) -> Result<Self, FeedError> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "recorded" | "realtime" | "1x" => return Ok(Speed::Recorded),
            "max" => return Ok(Speed::Max),
            _ => {}
        }
        let num = t.strip_suffix('x').unwrap_or(&t);
        match num.parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => Ok(Speed::Accelerated(x)),
            _ => Err(FeedError::InvalidConfig(format!(
                "speed {s:?}: expected `recorded`, `max` or a positive factor like `10x`"
            ))),
        }
    }
}

/// Everything [`run_feed`] needs.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedOptions {
    /// ZeroMQ endpoint to bind, e.g. [`DEFAULT_ENDPOINT`].
    pub endpoint: String,
    pub source: FeedSource,
    /// Per-subscriber queue limit; past it sends fail and are counted as drops.
    pub sndhwm: i32,
    /// Put the wall clock at publish (`sent_ns`) into every message.
    pub stamp_sent: bool,
    /// Start the CSV over when it ends (ignored for synthetic sources).
    pub loop_csv: bool,
    /// Before publishing, wait up to this long for a first subscription (slow-joiner fix).
    pub wait_for_subscriber: Option<Duration>,
}

impl FeedOptions {
    /// Defaults for everything but the source.
    pub fn new(source: FeedSource) -> Self {
        FeedOptions {
            endpoint: DEFAULT_ENDPOINT.to_string(),
            source,
            sndhwm: DEFAULT_SNDHWM,
            stamp_sent: false,
            loop_csv: false,
            wait_for_subscriber: None,
        }
    }
}

/// What a run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct FeedStats {
    /// Messages handed to the socket.
    pub published: u64,
    /// Messages not sent because a subscriber's queue was at the high-water mark.
    pub dropped_hwm: u64,
    /// CSV rows skipped as malformed.
    pub bad_rows: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("invalid feed configuration: {0}")]
    InvalidConfig(String),
    #[error("cannot bind {endpoint}: {source}")]
    Bind {
        endpoint: String,
        #[source]
        source: zmq::Error,
    },
    #[error("zmq {op}: {source}")]
    Zmq {
        op: &'static str,
        #[source]
        source: zmq::Error,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_parses() {
        assert_eq!("max".parse::<Speed>().unwrap(), Speed::Max);
        assert_eq!("Recorded".parse::<Speed>().unwrap(), Speed::Recorded);
        assert_eq!("10x".parse::<Speed>().unwrap(), Speed::Accelerated(10.0));
        assert_eq!("2.5".parse::<Speed>().unwrap(), Speed::Accelerated(2.5));
        assert!("0x".parse::<Speed>().is_err());
        assert!("fast".parse::<Speed>().is_err());
        assert_eq!(Speed::Max.factor(), None);
    }
}
