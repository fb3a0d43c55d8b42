//! Replies on the control ROUTER: never waiting, and every one not sent counted and logged.

use crate::stats::FleetStats;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sends replies on the ROUTER (set to ZMQ_ROUTER_MANDATORY, so a reply that cannot be
/// queued is an error here, not a silent drop) and counts and logs every one not sent.
pub(super) struct Replier {
    /// The control socket itself: requests are read from it too.
    pub(super) router: zmq::Socket,
    stats: Arc<FleetStats>,
    drops: DropLog,
}

impl Replier {
    pub(super) fn new(router: zmq::Socket, stats: Arc<FleetStats>) -> Self {
        Replier {
            router,
            stats,
            drops: DropLog::default(),
        }
    }

    pub(super) fn send(&mut self, mut envelope: Vec<Vec<u8>>, reply: Vec<u8>) {
        envelope.push(reply);
        // Never wait: one client that does not read its replies must not stall the others.
        let (counter, why) = match self.router.send_multipart(envelope, zmq::DONTWAIT) {
            Ok(()) => return,
            Err(zmq::Error::EAGAIN) => (
                &self.stats.control_replies_dropped,
                "the client's reply queue is full (it sends faster than it reads)",
            ),
            Err(zmq::Error::EHOSTUNREACH) => (
                &self.stats.control_replies_unroutable,
                "the client has gone",
            ),
            Err(_) => (
                &self.stats.control_replies_unroutable,
                "the socket refused it",
            ),
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.drops.note(why);
    }
}

/// Logs dropped replies at most once a second, with how many since the last line.
#[derive(Default)]
struct DropLog {
    last: Option<Instant>,
    unlogged: u64,
}

impl DropLog {
    fn note(&mut self, why: &str) {
        self.unlogged += 1;
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        tracing::warn!(
            "{} control repl{} not sent: {why} (counted in stats.control)",
            self.unlogged,
            if self.unlogged == 1 { "y" } else { "ies" }
        );
        self.last = Some(Instant::now());
        self.unlogged = 0;
    }
}
