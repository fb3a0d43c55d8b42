//! Accounts: robots that trade one account, limited together (`[accounts.<name>]` in
//! `risk.toml`). Each robot's checks report what it holds (its open notional and its loss
//! since the day began, per currency) as they change; the book adds them up per account.
//! Past the account's loss steps the account becomes `REDUCING`, then `HALTED`, and stays
//! so until an operator resumes it (`resume_account`); each robot takes the account's state
//! before its next input, and journals it. An order that would take the account's open
//! notional past its limit is denied (`ACCOUNT_NOTIONAL`).

use super::limits::{AccountLimits, RiskFile};
use super::{Denial, DenyCode, TradingState};
use robofleet_api::Money;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// What one robot holds, per currency (`""`: a symbol without a spec, in points).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Exposure {
    /// Positions at the mid plus working orders at their price (market orders at the mid).
    pub notional: BTreeMap<String, Money>,
    /// Equity now less equity when the day began (negative: a loss).
    pub day_pnl: BTreeMap<String, Money>,
}

#[derive(Debug)]
struct Account {
    limits: AccountLimits,
    members: BTreeMap<String, Exposure>,
    state: TradingState,
    /// Why the state is what it is (empty while `ACTIVE`).
    reason: String,
    /// Bumped at every change of state: robots compare it with the one they took.
    version: u64,
}

/// The account's state as a robot takes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountState {
    pub version: u64,
    pub state: TradingState,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct AccountBook {
    accounts: Mutex<BTreeMap<String, Account>>,
}

fn sum(
    members: &BTreeMap<String, Exposure>,
    pick: fn(&Exposure) -> &BTreeMap<String, Money>,
) -> BTreeMap<String, Money> {
    let mut total: BTreeMap<String, Money> = BTreeMap::new();
    for e in members.values() {
        for (currency, m) in pick(e) {
            *total.entry(currency.clone()).or_insert(Money::ZERO) += *m;
        }
    }
    total
}

fn money(m: Money, currency: &str) -> String {
    format!("{m} {currency}").trim_end().to_string()
}

impl AccountBook {
    pub fn new(file: Option<&RiskFile>) -> AccountBook {
        let book = AccountBook::default();
        book.set_limits(file);
        book
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Account>> {
        self.accounts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Take up the accounts of a (re)loaded file: what members hold and each account's
    /// state stay; an account no longer in the file is dropped.
    pub fn set_limits(&self, file: Option<&RiskFile>) {
        let mut accounts = self.lock();
        let wanted = file.map(|f| f.accounts().clone()).unwrap_or_default();
        accounts.retain(|name, _| wanted.contains_key(name));
        for (name, limits) in wanted {
            match accounts.get_mut(&name) {
                Some(a) => {
                    let every = limits
                        .robots
                        .iter()
                        .any(|r| r == super::limits::EVERY_ROBOT);
                    a.members.retain(|r, _| every || limits.robots.contains(r));
                    a.limits = limits;
                }
                None => {
                    accounts.insert(
                        name,
                        Account {
                            limits,
                            members: BTreeMap::new(),
                            state: TradingState::Active,
                            reason: String::new(),
                            version: 0,
                        },
                    );
                }
            }
        }
    }

    /// A member's holdings changed: add them up, and move the account to a more
    /// restrictive state if its loss passed a step (never back by itself).
    pub fn report(&self, account: &str, robot: &str, exposure: Exposure) {
        let mut accounts = self.lock();
        let Some(a) = accounts.get_mut(account) else {
            return;
        };
        a.members.insert(robot.to_string(), exposure);
        let Some(steps) = a.limits.daily_loss else {
            return;
        };
        let mut worst: Option<(TradingState, String)> = None;
        for (currency, pnl) in sum(&a.members, |e| &e.day_pnl) {
            let loss = Money::ZERO - pnl;
            for (state, limit) in [
                (TradingState::Halted, steps.halt),
                (TradingState::Reducing, steps.reduce),
            ] {
                let Some(limit) = limit else { continue };
                if loss > limit && worst.as_ref().is_none_or(|(w, _)| state > *w) {
                    let why = format!(
                        "account {account}: ACCOUNT_DAILY_LOSS: {} (limit {})",
                        money(loss, &currency),
                        money(limit, &currency)
                    );
                    worst = Some((state, why));
                }
            }
        }
        if let Some((state, why)) = worst.filter(|(s, _)| *s > a.state) {
            tracing::warn!(
                "risk: account {account} trading state {}: {why}",
                state.as_str()
            );
            a.state = state;
            a.reason = why;
            a.version += 1;
        }
    }

    /// The account's state now.
    pub fn state(&self, account: &str) -> Option<AccountState> {
        self.lock().get(account).map(|a| AccountState {
            version: a.version,
            state: a.state,
            reason: a.reason.clone(),
        })
    }

    /// Would `add` more notional (in `currency`) from `robot` take the account past its
    /// limit? The robot's own part counts as it last reported it.
    pub fn check_notional(&self, account: &str, currency: &str, add: Money) -> Result<(), Denial> {
        let accounts = self.lock();
        let Some(a) = accounts.get(account) else {
            return Ok(());
        };
        let Some(max) = a.limits.max_notional else {
            return Ok(());
        };
        let now = sum(&a.members, |e| &e.notional)
            .get(currency)
            .copied()
            .unwrap_or(Money::ZERO);
        let after = now + add;
        if after > max {
            return Err(Denial {
                code: DenyCode::AccountNotional,
                limit: format!("{} for account {account}", money(max, currency)),
                value: money(after, currency),
            });
        }
        Ok(())
    }

    /// An operator's `resume_account`: `ACTIVE` again. `None` for an unknown account.
    pub fn resume(&self, account: &str) -> Option<TradingState> {
        let mut accounts = self.lock();
        let a = accounts.get_mut(account)?;
        let was = a.state;
        if was != TradingState::Active {
            a.state = TradingState::Active;
            a.reason.clear();
            a.version += 1;
        }
        Some(was)
    }

    /// Every account as `stats` shows it.
    pub fn to_json(&self) -> serde_json::Value {
        let accounts = self.lock();
        let list: Vec<serde_json::Value> = accounts
            .iter()
            .map(|(name, a)| {
                serde_json::json!({
                    "name": name,
                    "robots": a.limits.robots,
                    "trading_state": a.state.as_str(),
                    "reason": (!a.reason.is_empty()).then_some(&a.reason),
                    "notional": sum(&a.members, |e| &e.notional),
                    "day_pnl": sum(&a.members, |e| &e.day_pnl),
                })
            })
            .collect();
        serde_json::Value::Array(list)
    }
}

#[cfg(test)]
mod tests;
