//! The robot core's pre-trade checks: the [`RiskEngine`] is fed the same inputs the robot
//! gets, at their event times, and asked about each action before it leaves the robot.

use super::core::RobotCore;
use crate::market::symbols;
use crate::risk::{Denial, RiskEngine, StateChange};
use robofleet_api::abi::{RfLevel, RfMarket, MD_DEPTH, MD_QUOTE};
use robofleet_api::{Action, EventKind, Price};
use std::sync::Arc;

/// The engine and what it needs beside the core.
pub struct CoreRisk {
    pub engine: RiskEngine,
    /// Symbol names by id, as market records name them.
    names: Vec<Option<Arc<str>>>,
    /// Data time of the latest input: the time the robot's actions are checked at.
    now: i64,
}

impl CoreRisk {
    pub fn new(engine: RiskEngine) -> Self {
        CoreRisk {
            engine,
            names: Vec::new(),
            now: i64::MIN,
        }
    }

    /// Data time of the latest input.
    pub fn now(&self) -> i64 {
        self.now
    }

    fn name(&mut self, id: u32) -> Option<Arc<str>> {
        let at = id as usize;
        if self.names.len() <= at {
            self.names.resize(at + 1, None);
        }
        if self.names[at].is_none() {
            self.names[at] = symbols::name(id);
        }
        self.names[at].clone()
    }

    /// An event before the robot gets it.
    pub fn on_event(&mut self, ts: i64, kind: &EventKind) -> Option<StateChange> {
        self.now = self.now.max(ts);
        match kind {
            EventKind::Fill(f) => self.engine.on_fill(f, ts),
            EventKind::OrderUpdate(u) => {
                self.engine.on_order_update(u);
                None
            }
            EventKind::Quote(q) => self.engine.on_quote(&q.symbol, q.bid, q.ask, ts),
            EventKind::Depth(d) => match d.best() {
                (Some(b), Some(a)) => self.engine.on_quote(&d.symbol, b.price, a.price, ts),
                _ => None,
            },
            EventKind::Instrument(spec) => {
                self.engine.on_instrument(spec.clone());
                None
            }
            _ => None,
        }
    }

    /// A market record before the robot gets it.
    pub fn on_market(&mut self, rec: &RfMarket, levels: &[RfLevel]) -> Option<StateChange> {
        self.now = self.now.max(rec.ts);
        let (bid, ask) = match rec.kind {
            MD_QUOTE => (rec.px[0], rec.px[1]),
            MD_DEPTH => {
                let (first, _) = rec.level_span()?;
                let bids = usize::try_from(rec.qty[0]).ok()?;
                let asks = usize::try_from(rec.qty[1]).ok()?;
                if bids == 0 || asks == 0 {
                    return None;
                }
                (levels.get(first)?.price, levels.get(first + bids)?.price)
            }
            _ => return None,
        };
        let name = self.name(rec.symbol)?;
        self.engine
            .on_quote(&name, Price::from_raw(bid), Price::from_raw(ask), rec.ts)
    }

    /// An action on its way out: `Err` for an order or amend the checks deny. Cancels always
    /// pass (counted against their rate); a cancel-all and log lines are not checked.
    pub fn vet(&mut self, action: &Action) -> Result<(), Denial> {
        match action {
            Action::Submit(req) => self.engine.check_submit(req, self.now),
            Action::Amend {
                client_id,
                price,
                qty,
            } => self.engine.check_amend(client_id, *price, *qty, self.now),
            Action::Cancel { .. } => {
                self.engine.on_cancel(self.now);
                Ok(())
            }
            Action::CancelAll { .. } | Action::Log { .. } => Ok(()),
        }
    }
}

impl RobotCore {
    /// Check this robot's actions with `engine` from now on.
    pub fn with_risk(mut self, engine: RiskEngine) -> Self {
        self.risk = Some(CoreRisk::new(engine));
        self
    }

    /// No checks from now on.
    pub fn drop_risk(&mut self) {
        self.risk = None;
    }

    /// The checks, when the robot has them.
    pub fn risk(&mut self) -> Option<&mut CoreRisk> {
        self.risk.as_mut()
    }

    /// Check one of the robot's actions (everything passes without checks).
    pub fn vet(&mut self, action: &Action) -> Result<(), Denial> {
        match self.risk.as_mut() {
            Some(r) => r.vet(action),
            None => Ok(()),
        }
    }
}
