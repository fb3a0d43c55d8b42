//! What every one-at-a-time measurement of the bench uses: a histogram of nanoseconds and a
//! pacer that holds operations to a rate.

use hdrhistogram::Histogram;
use std::time::{Duration, Instant};

pub(super) fn histogram() -> Histogram<u64> {
    Histogram::new(3).expect("3 significant digits is a valid histogram precision")
}

pub(super) fn record(h: &mut Histogram<u64>, d: Duration) {
    // Auto-resizing: `record` cannot fail for any u64.
    let _ = h.record(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
}

/// Paces one-at-a-time operations at a rate; one that overruns its slot does not cause a burst.
pub(super) struct Pacer {
    period: Duration,
    next: Instant,
}

impl Pacer {
    pub(super) fn new(rate: f64) -> Pacer {
        Pacer {
            period: Duration::from_secs_f64(1.0 / rate),
            next: Instant::now(),
        }
    }

    /// How long to wait before the next operation.
    pub(super) fn wait(&mut self) -> Duration {
        let now = Instant::now();
        let wait = self.next.saturating_duration_since(now);
        self.next = self.next.max(now) + self.period;
        wait
    }
}
