//! # latency_probe: a robot for benchmarking the server
//!
//! On every quote of a traded symbol it submits one buy limit order for 1 lot at price 1,
//! far below any real market, so the order rests and never fills: each quote costs the server
//! exactly one order round trip. Every `cancel_every` orders it also cancels the oldest order it
//! still tracks, to exercise the cancel path.
//!
//! It is kept as cheap as possible per event, so that what a benchmark measures is the
//! server: one symbol comparison, one order, and an id kept only when cancels are on.
//! Terminal updates are only checked against the oldest tracked order (an O(1) check), so an
//! order rejected out of turn may later be cancelled again; the venue just refuses that cancel.
//!
//! ## Params
//! | name | type | default | meaning |
//! | --- | --- | --- | --- |
//! | `cancel_every` | int | 0 | cancel the oldest order after every N orders; 0 = never (>= 0) |
//!
//! A `Params` event changes `cancel_every`; setting it to 0 stops tracking (and so cancelling)
//! the orders already placed.
//!
//! Default symbols: `["BENCH"]`.

use robofleet_api::{
    Actions, CreateArgs, Event, EventKind, LogLevel, Params, Price, Robot, RobotInfo,
};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Far below any market, so the order never fills.
pub const PROBE_PRICE: Price = Price::units(1);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyProbe {
    symbols: Vec<String>,
    cancel_every: u64,
    submitted: u64,
    /// Client ids of live orders, oldest first; empty when `cancel_every` is 0.
    live: VecDeque<String>,
}

fn cancel_every(p: &Params) -> Result<u64, String> {
    match p.get("cancel_every") {
        None => Ok(0),
        Some(_) => p
            .i64("cancel_every")
            .and_then(|n| u64::try_from(n).ok())
            .ok_or_else(|| "`cancel_every` must be an integer >= 0".to_string()),
    }
}

impl LatencyProbe {
    /// Orders submitted so far.
    pub fn submitted(&self) -> u64 {
        self.submitted
    }

    /// Orders tracked for a later cancel.
    pub fn tracked(&self) -> usize {
        self.live.len()
    }
}

impl Robot for LatencyProbe {
    fn info() -> RobotInfo {
        RobotInfo {
            name: "latency_probe".into(),
            description: "Benchmark robot: one never-filling buy limit per quote.".into(),
            default_params: Params::new().with("cancel_every", 0),
            default_symbols: vec!["BENCH".into()],
            timer_ms: None,
            feeds: robofleet_api::Feeds::QUOTES,
        }
    }

    fn create(args: &CreateArgs) -> Result<Self, String> {
        Ok(LatencyProbe {
            symbols: args.symbols.clone(),
            cancel_every: cancel_every(&args.params)?,
            submitted: 0,
            live: VecDeque::new(),
        })
    }

    fn on_event(&mut self, event: &Event, out: &mut Actions) {
        match &event.kind {
            EventKind::Quote(q) => {
                if !self.symbols.contains(&q.symbol) {
                    return;
                }
                let id = out.buy_limit(&q.symbol, 1, PROBE_PRICE);
                self.submitted += 1;
                if self.cancel_every > 0 {
                    self.live.push_back(id);
                    if self.submitted.is_multiple_of(self.cancel_every) {
                        if let Some(oldest) = self.live.pop_front() {
                            out.cancel(&oldest);
                        }
                    }
                }
            }
            EventKind::OrderUpdate(u) => {
                if u.status.is_terminal() && self.live.front() == Some(&u.client_id) {
                    self.live.pop_front();
                }
            }
            EventKind::Params(p) => match cancel_every(p) {
                Ok(n) => {
                    self.cancel_every = n;
                    if n == 0 {
                        self.live.clear();
                    }
                }
                Err(e) => out.log(LogLevel::Warn, format!("params ignored: {e}")),
            },
            EventKind::Start
            | EventKind::Stop
            | EventKind::Trade(_)
            | EventKind::Bar(_)
            | EventKind::Command { .. }
            | EventKind::Fill(_)
            | EventKind::Timer { .. }
            | EventKind::Instrument(_)
            | EventKind::Depth(_) => {}
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// The snapshot is the whole robot: restoring is decoding it.
    fn restore(_args: &CreateArgs, snapshot: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(snapshot).map_err(|e| format!("bad snapshot: {e}"))
    }
}

robofleet_api::export_robot!(LatencyProbe);

#[cfg(test)]
mod tests {
    use super::*;
    use robofleet_api::testing::{cancels, px, submits, Harness};
    use robofleet_api::{OrderStatus, OrderType, Side};

    #[test]
    fn one_far_buy_per_quote_and_never_cancels_by_default() {
        let mut h = Harness::<LatencyProbe>::new().expect("defaults are valid");
        for i in 1..=50u64 {
            let a = h.quote("BENCH", px("100"), px("101"));
            assert_eq!(a.len(), 1, "exactly one action per quote");
            let o = submits(&a)[0];
            assert_eq!(o.client_id, format!("latency_probe-{i}"));
            assert_eq!((o.side, o.qty), (Side::Buy, 1));
            assert_eq!(o.order_type, OrderType::Limit { price: PROBE_PRICE });
        }
        assert_eq!(h.robot.submitted(), 50);
        assert_eq!(h.robot.tracked(), 0, "nothing kept when cancels are off");
    }

    #[test]
    fn cancels_the_oldest_every_n_orders() {
        let params = Params::new().with("cancel_every", 3);
        let mut h = Harness::<LatencyProbe>::with_params(params).expect("valid");
        let mut cancelled = Vec::new();
        for _ in 0..6 {
            let a = h.quote("BENCH", px("100"), px("101"));
            cancelled.extend(cancels(&a).into_iter().map(String::from));
        }
        assert_eq!(cancelled, vec!["latency_probe-1", "latency_probe-2"]);
        // A terminal update for the oldest forgets it: the next cancel skips it.
        h.order_update("latency_probe-3", "BENCH", OrderStatus::Rejected, 0, 1);
        for _ in 0..3 {
            cancelled.extend(
                cancels(&h.quote("BENCH", px("100"), px("101")))
                    .into_iter()
                    .map(String::from),
            );
        }
        assert_eq!(cancelled[2], "latency_probe-4");
        h.params(Params::new().with("cancel_every", 0));
        assert_eq!(h.robot.tracked(), 0);
        assert!(cancels(&h.quote("BENCH", px("100"), px("101"))).is_empty());
        // Restored from a snapshot at any point, it acts as the original on the rest.
        assert_eq!(h.check_restore(), Ok(()));
    }

    #[test]
    fn ignores_other_symbols_bad_params_and_strays() {
        let mut h = Harness::<LatencyProbe>::new().expect("defaults are valid");
        assert!(h.quote("Si", px("100000"), px("100001")).is_empty());
        assert!(h.fill("x-1", "BENCH", Side::Buy, 1, px("1")).is_empty());
        assert!(h
            .order_update("x-2", "BENCH", OrderStatus::Filled, 1, 0)
            .is_empty());
        assert_eq!(h.params(Params::new().with("cancel_every", -1)).len(), 1);
        assert!(
            Harness::<LatencyProbe>::with_params(Params::new().with("cancel_every", 1.5)).is_err()
        );
        h.quote("BENCH", px("0"), px("0"));
        let back: LatencyProbe = postcard::from_bytes(&h.robot.snapshot()).expect("decodes");
        assert_eq!(back, h.robot);
        assert_eq!(back.submitted(), 1);
    }
}
