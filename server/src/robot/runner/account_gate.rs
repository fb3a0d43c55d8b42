//! The live loop's side of accounts ([`crate::risk::account`]): the robot takes its
//! account's state before each input (journaled when it changes), reports what it holds
//! after, and each of its orders is checked against the account's open notional.

use super::RobotLoop;
use crate::journal::format::RiskChange;
use crate::risk::account::{AccountBook, MARK_REPORT_NS};
use crate::risk::{Denial, TradingState};
use robofleet_api::Action;
use std::sync::Arc;

impl RobotLoop {
    /// Work out the groups this robot counts towards (its account, the `[fleet]`) from its
    /// limits: at start and at each reload, not per input.
    pub(super) fn refresh_groups(&mut self) {
        self.groups = (|| {
            let limits = self.spec.risk.as_ref()?;
            let mut groups: Vec<String> = limits.account.iter().cloned().collect();
            if limits.fleet {
                groups.push(crate::risk::limits::FLEET.to_string());
            }
            let book = self.spec.accounts.clone()?;
            (!groups.is_empty()).then(|| (Arc::from(groups), book))
        })();
    }

    /// The groups and the book, when the robot is in any.
    fn account(&self) -> Option<(Arc<[String]>, Arc<AccountBook>)> {
        self.groups.clone()
    }

    /// Take the account's state if it changed since the robot last did. False when the
    /// robot failed (its journal would not take the change).
    pub(super) fn sync_account(&mut self) -> bool {
        let Some((groups, book)) = self.groups.as_ref() else {
            return true;
        };
        // Nothing changed anywhere since the last look: one atomic read, no lock.
        let changes = book.changes();
        if changes == self.account_changes {
            return true;
        }
        self.account_changes = changes;
        let groups = groups.clone();
        // Any change of any of its groups is a new input: the version sum says whether one
        // came; the state is the most restrictive of them.
        let now = book.combined(&groups[..]);
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
            tracing::info!(robot = %self.spec.name, "risk: account {} is ACTIVE again", groups.join(", "));
        }
        let journaled = self.journal_risk(change);
        self.note_trading_state(true);
        journaled
    }

    /// Tell the account what the robot holds now, when that changed: after an input that
    /// moved only its marks (`marks_only`), at most every [`MARK_REPORT_NS`]. (Of the
    /// server's clock, not event time: an account's state is journaled as each robot takes
    /// it, so when reports are made does not touch replay; and event times of different
    /// sources need not share a base.)
    pub(super) fn report_to_account(&mut self, marks_only: bool) {
        let Some((groups, book)) = self.groups.clone() else {
            return;
        };
        let Some(risk) = self.core.as_mut().and_then(|c| c.risk()) else {
            return;
        };
        let now = risk.now();
        let wall = i64::try_from(crate::clock::mono_ns()).unwrap_or(i64::MAX);
        if marks_only && wall.saturating_sub(self.account_report_ts) < MARK_REPORT_NS {
            return;
        }
        self.account_report_ts = wall;
        // Into the spare buffer, compared with the last report, then swapped: nothing is
        // allocated per event once the robot's currencies are known.
        risk.engine.exposure_into(now, &mut self.account_spare);
        if self.account_reported.as_ref() != Some(&self.account_spare) {
            book.report_to(&groups[..], &self.spec.name, &self.account_spare);
            match self.account_reported.as_mut() {
                Some(last) => std::mem::swap(last, &mut self.account_spare),
                None => self.account_reported = Some(self.account_spare.clone()),
            }
        }
    }

    /// An order that would take the account past its open notional limit.
    pub(super) fn account_denial(&mut self, action: &Action) -> Option<Denial> {
        let Action::Submit(req) = action else {
            return None;
        };
        let (groups, book) = self.account()?;
        let risk = self.core.as_mut()?.risk()?;
        let (currency, add) = risk.engine.order_notional(req, risk.now())?;
        book.check_notional_in(&groups[..], currency, add).err()
    }
}
