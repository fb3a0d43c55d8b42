//! The live loop's side of the pre-trade checks: the robot core checks each action; here a
//! denied one is written to the store as `Denied` (never as live, never to the gateway) and
//! the robot is told at once, before its next message.

use super::RobotLoop;
use crate::clock;
use crate::journal::format::RiskChange;
use crate::risk::{Denial, DenyCode, RiskEngine, RobotLimits, TradingState};
use crate::store::{Order, OrderFilter};
use crate::streams::trades::order_update;
use robofleet_api::{Action, EventKind, OrderUpdate};
use std::sync::atomic::Ordering;

impl RobotLoop {
    /// Give the robot core its checks, starting from what the store holds for this robot:
    /// its positions and its open orders (a restarted robot keeps its limits' state).
    /// Journal a change to what the checks decide by; false (the robot failed) if the
    /// journal would not take it.
    pub(super) fn journal_risk(&mut self, change: RiskChange) -> bool {
        let Some(core) = self.core.as_mut() else {
            return true;
        };
        if let Err(e) = core.journal_risk(change) {
            self.fail(format!("journal write failed, robot stopped: {e}"));
            return false;
        }
        true
    }

    /// An operator's `reload_limits`: this robot's limits from now (`None`: no checks).
    /// False when the robot failed.
    pub(super) fn apply_limits(&mut self, json: Option<String>) -> bool {
        let limits = match json.as_deref().map(RobotLimits::from_json).transpose() {
            Ok(l) => l,
            Err(e) => {
                tracing::error!(robot = %self.spec.name, "new limits ignored: {e}");
                return true;
            }
        };
        self.spec.risk = limits.clone();
        let has_engine = self.core.as_mut().is_some_and(|c| c.risk().is_some());
        match limits {
            None => {
                if let Some(core) = self.core.as_mut() {
                    core.drop_risk();
                }
            }
            Some(l) if has_engine => {
                if let Some(r) = self.core.as_mut().and_then(|c| c.risk()) {
                    if l.account.is_some() || l.fleet {
                        r.engine.track_day();
                    }
                    r.engine.set_limits(l);
                }
            }
            Some(_) => {
                if let Err(e) = self.attach_risk() {
                    self.fail(e);
                    return false;
                }
            }
        }
        self.refresh_groups();
        tracing::info!(robot = %self.spec.name, "risk: limits reloaded ({})", if self.spec.risk.is_some() { "checked" } else { "no checks" });
        let journaled = self.journal_risk(RiskChange::Limits(json));
        self.note_trading_state(true);
        journaled
    }

    pub(super) fn attach_risk(&mut self) -> Result<(), String> {
        let Some(limits) = self.spec.risk.clone() else {
            return Ok(());
        };
        let specs = self.spec.instruments.iter().cloned().collect();
        let in_account = limits.account.is_some() || limits.fleet;
        let mut engine = RiskEngine::new(&self.spec.name, limits, specs);
        if in_account {
            engine.track_day();
        }
        let name = Some(self.spec.name.as_str());
        let positions = self
            .store
            .positions(name)
            .map_err(|e| format!("risk checks: positions unreadable: {e}"))?;
        for p in positions {
            engine.seed_position(p);
        }
        let open = self
            .store
            .orders(&OrderFilter {
                robot: Some(self.spec.name.clone()),
                open_only: true,
            })
            .map_err(|e| format!("risk checks: open orders unreadable: {e}"))?;
        for o in &open {
            engine.seed_working(o);
        }
        if let Some(core) = self.core.take() {
            self.core = Some(core.with_risk(engine));
        }
        self.note_trading_state(true);
        Ok(())
    }

    /// Log what the checks changed the trading state to, and show it in the status (also
    /// unchanged, when `always`; otherwise nothing is touched: this runs for every event).
    pub(super) fn note_trading_state(&mut self, always: bool) {
        let Some(core) = self.core.as_mut() else {
            return;
        };
        let changes = core.take_state_changes();
        if changes.is_empty() && !always {
            return;
        }
        for c in changes {
            tracing::warn!(robot = %self.spec.name, "risk: trading state {}: {}: {} (limit {})", c.state.as_str(), c.code, c.value, c.limit);
        }
        let own = core.risk().map(|r| r.engine.effective_state());
        // The most restrictive of the robot's own state and the fleet's applies.
        let fleet = self.fleet_halt.as_ref().map(|_| TradingState::Halted);
        let state = own.max(fleet);
        *self
            .shared
            .trading_state
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = state;
    }

    /// An operator's `resume_trading`: `ACTIVE` again (nothing to do without checks).
    pub(super) fn resume_trading(&mut self) -> bool {
        if !self.journal_risk(RiskChange::ResumeTrading) {
            return false;
        }
        if let Some(r) = self.core.as_mut().and_then(|c| c.risk()) {
            tracing::info!(robot = %self.spec.name, "risk: trading resumed by an operator (was {})", r.engine.state().as_str());
            r.engine.resume();
        }
        self.note_trading_state(true);
        true
    }

    /// The kill switch is engaged: from now no order or amend leaves the robot, and each
    /// of its working orders is asked to cancel.
    pub(super) fn fleet_halt(&mut self, reason: String) -> bool {
        if !self.journal_risk(RiskChange::FleetHalt(reason.clone())) {
            return false;
        }
        let first = self.fleet_halt.is_none();
        self.fleet_halt = Some(reason);
        if first {
            tracing::warn!(robot = %self.spec.name, "risk: trading state HALTED: {}", self.fleet_halt.as_deref().unwrap_or_default());
        }
        self.cancel_all(None);
        self.note_trading_state(true);
        true
    }

    /// The kill switch was reset: the robot's own trading state applies again.
    pub(super) fn fleet_resume(&mut self) -> bool {
        if !self.journal_risk(RiskChange::FleetResume) {
            return false;
        }
        if self.fleet_halt.take().is_some() {
            tracing::info!(robot = %self.spec.name, "risk: the kill switch was reset");
        }
        self.note_trading_state(true);
        true
    }

    /// Check `action`; `false` when it was denied (and the robot told).
    pub(super) fn vetted(&mut self, action: &Action) -> bool {
        if let (Some(why), Action::Submit(_) | Action::Amend { .. }) = (&self.fleet_halt, action) {
            let denial = Denial {
                code: DenyCode::Halted,
                value: "an order".into(),
                limit: why.clone(),
            };
            self.deny(action, &denial);
            return false;
        }
        let Some(core) = self.core.as_mut() else {
            return true;
        };
        // The robot's own checks, then its account's (a passed order the account denies
        // leaves the robot's checks through the Denied update it gets).
        let verdict = core
            .vet(action)
            .and_then(|()| self.account_denial(action).map_or(Ok(()), Err));
        self.note_trading_state(false);
        match verdict {
            Ok(()) => true,
            Err(denial) => {
                self.deny(action, &denial);
                false
            }
        }
    }

    fn deny(&mut self, action: &Action, denial: &Denial) {
        let now = clock::wall_ns();
        self.shared.orders_denied.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(robot = %self.spec.name, "denied: {denial}");
        let update = match action {
            Action::Submit(req) => {
                let order = Order::denied(&self.spec.name, req.clone(), now, denial.to_string());
                if let Err(e) = self.store.insert_order(&order) {
                    self.shared.store_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(robot = %self.spec.name, "denied order {} not stored: {e}", order.client_id);
                }
                order_update(&order)
            }
            Action::Amend { client_id, .. } => {
                let filter = OrderFilter {
                    robot: Some(self.spec.name.clone()),
                    open_only: true,
                };
                let found = self
                    .store
                    .orders(&filter)
                    .ok()
                    .and_then(|open| open.into_iter().find(|o| &o.client_id == client_id));
                let Some(o) = found else {
                    // Finished meanwhile: its final update tells the robot.
                    return;
                };
                OrderUpdate {
                    reason: Some(format!("amend denied: {denial}")),
                    ..order_update(&o)
                }
            }
            _ => return,
        };
        self.pending
            .push_back((now, EventKind::OrderUpdate(update)));
    }
}
