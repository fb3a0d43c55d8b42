//! The venue session's message rate: a venue allows so many messages a second per login
//! (MOEX: 30 transactions), and a session over it is cut off. Every request to the venue
//! (new order, amend, cancel) takes a token from one bucket; a request that finds none
//! waits in its robot's queue, and the queues are served in turn, one request each, so a
//! robot that floods the session delays only itself. A robot's own requests keep their
//! order (a cancel never overtakes the order it cancels).

use crate::store::GatewayRequest;
use std::collections::{BTreeMap, VecDeque};

/// At most `rate` messages a second on average, `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionRate {
    pub rate: u32,
    pub burst: u32,
}

impl std::str::FromStr for SessionRate {
    type Err = String;

    /// `RATE` or `RATE/BURST` (burst defaults to the rate), both at least 1.
    fn from_str(s: &str) -> Result<Self, String> {
        let (rate, burst) = match s.split_once('/') {
            Some((r, b)) => (r, Some(b)),
            None => (s, None),
        };
        let num = |t: &str| {
            t.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| {
                    format!("{s:?}: expected RATE or RATE/BURST, whole numbers of at least 1")
                })
        };
        let rate = num(rate)?;
        let burst = burst.map(num).transpose()?.unwrap_or(rate);
        Ok(SessionRate { rate, burst })
    }
}

/// Requests waiting for the session's rate, by robot, and the bucket they wait on.
pub struct SessionThrottle {
    limit: SessionRate,
    /// Tokens, in millionths (so a refill of a fraction of a token is kept).
    micro_tokens: u64,
    last_ns: i64,
    queues: BTreeMap<String, VecDeque<(GatewayRequest, i64)>>,
    /// The robot served last: the turn goes on from the next one.
    last_served: Option<String>,
    waiting: usize,
}

const MICRO: u64 = 1_000_000;

/// The robot a request belongs to: client ids are `<robot>-<sequence>`.
pub fn robot_of(req: &GatewayRequest) -> &str {
    let id = match req {
        GatewayRequest::New(o) => return &o.robot,
        GatewayRequest::Amend { client_id, .. } | GatewayRequest::Cancel { client_id } => client_id,
    };
    id.rsplit_once('-').map_or(id.as_str(), |(robot, _)| robot)
}

impl SessionThrottle {
    pub fn new(limit: SessionRate, now_ns: i64) -> Self {
        SessionThrottle {
            limit,
            micro_tokens: u64::from(limit.burst) * MICRO,
            last_ns: now_ns,
            queues: BTreeMap::new(),
            last_served: None,
            waiting: 0,
        }
    }

    fn refill(&mut self, now_ns: i64) {
        let elapsed = u64::try_from(now_ns.saturating_sub(self.last_ns)).unwrap_or(0);
        self.last_ns = self.last_ns.max(now_ns);
        // micro-tokens = ns x rate / 1000 (tokens/s x 10^6 / 10^9).
        let add = (u128::from(elapsed) * u128::from(self.limit.rate) / 1_000) as u64;
        let cap = u64::from(self.limit.burst) * MICRO;
        self.micro_tokens = self.micro_tokens.saturating_add(add).min(cap);
    }

    /// Queue a request that arrived at `now_ns`.
    pub fn push(&mut self, req: GatewayRequest, now_ns: i64) {
        let robot = robot_of(&req).to_string();
        self.queues
            .entry(robot)
            .or_default()
            .push_back((req, now_ns));
        self.waiting += 1;
    }

    pub fn waiting(&self) -> usize {
        self.waiting
    }

    /// The next request the session may send now, with when it arrived: robots in turn.
    pub fn pop(&mut self, now_ns: i64) -> Option<(GatewayRequest, i64)> {
        if self.waiting == 0 {
            return None;
        }
        self.refill(now_ns);
        if self.micro_tokens < MICRO {
            return None;
        }
        let next = match &self.last_served {
            Some(last) => self
                .queues
                .range::<str, _>((
                    std::ops::Bound::Excluded(last.as_str()),
                    std::ops::Bound::Unbounded,
                ))
                .next()
                .or_else(|| self.queues.iter().next()),
            None => self.queues.iter().next(),
        }
        .map(|(robot, _)| robot.clone())?;
        let queue = self.queues.get_mut(&next)?;
        let item = queue.pop_front()?;
        if queue.is_empty() {
            self.queues.remove(&next);
        }
        self.last_served = Some(next);
        self.micro_tokens -= MICRO;
        self.waiting -= 1;
        Some(item)
    }

    /// How long until the next token, when requests wait for one.
    pub fn wait_ns(&mut self, now_ns: i64) -> Option<i64> {
        if self.waiting == 0 {
            return None;
        }
        self.refill(now_ns);
        let short = MICRO.saturating_sub(self.micro_tokens);
        // ns = micro-tokens x 1000 / rate, rounded up.
        let ns = (short * 1_000).div_ceil(u64::from(self.limit.rate));
        Some(i64::try_from(ns).unwrap_or(i64::MAX))
    }
}

#[cfg(test)]
mod tests;
