//! The live loop's side of accounts ([`crate::risk::account`]): the robot takes its
//! account's state before each input (journaled when it changes), reports what it holds
//! after, and each of its orders is checked against the account's open notional.

use super::RobotLoop;
use crate::journal::format::RiskChange;
use crate::risk::{Denial, TradingState};
use robofleet_api::Action;

impl RobotLoop {
    /// The account this robot trades, and the book, when its limits name one.
    fn account(&mut self) -> Option<(String, std::sync::Arc<crate::risk::account::AccountBook>)> {
        let book = self.spec.accounts.clone()?;
        let name = self.spec.risk.as_ref()?.account.clone()?;
        Some((name, book))
    }

    /// Take the account's state if it changed since the robot last did. False when the
    /// robot failed (its journal would not take the change).
    pub(super) fn sync_account(&mut self) -> bool {
        let Some((name, book)) = self.account() else {
            return true;
        };
        let Some(now) = book.state(&name) else {
            return true;
        };
        if now.version == self.account_seen {
            return true;
        }
        self.account_seen = now.version;
        let Some(risk) = self.core.as_mut().and_then(|c| c.risk()) else {
            return true;
        };
        risk.engine.set_account_state(now.state, now.reason.clone());
        let change = RiskChange::Account {
            state: now.state.as_str().to_string(),
            reason: now.reason.clone(),
        };
        if now.state != TradingState::Active {
            tracing::warn!(robot = %self.spec.name, "risk: account trading state {}: {}", now.state.as_str(), now.reason);
        } else {
            tracing::info!(robot = %self.spec.name, "risk: account {name} is ACTIVE again");
        }
        let journaled = self.journal_risk(change);
        self.note_trading_state(true);
        journaled
    }

    /// Tell the account what the robot holds now, when that changed.
    pub(super) fn report_to_account(&mut self) {
        let Some((name, book)) = self.account() else {
            return;
        };
        let Some(risk) = self.core.as_mut().and_then(|c| c.risk()) else {
            return;
        };
        let exposure = risk.engine.exposure(risk.now());
        if self.account_reported.as_ref() != Some(&exposure) {
            book.report(&name, &self.spec.name, exposure.clone());
            self.account_reported = Some(exposure);
        }
    }

    /// An order that would take the account past its open notional limit.
    pub(super) fn account_denial(&mut self, action: &Action) -> Option<Denial> {
        let Action::Submit(req) = action else {
            return None;
        };
        let (name, book) = self.account()?;
        let risk = self.core.as_mut()?.risk()?;
        let (currency, add) = risk.engine.order_notional(req, risk.now())?;
        book.check_notional(&name, &currency, add).err()
    }
}
