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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Amounts per currency (`""`: a symbol without a spec, in points), in a small vector:
/// a robot holds one or two currencies, and refilling it in place allocates nothing.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PerCurrency(Vec<(String, Money)>);

impl Clone for PerCurrency {
    fn clone(&self) -> Self {
        PerCurrency(self.0.clone())
    }

    /// In place: the same currencies in the same order (the usual case) copy only amounts.
    fn clone_from(&mut self, source: &Self) {
        let same =
            self.0.len() == source.0.len() && self.0.iter().zip(&source.0).all(|(a, b)| a.0 == b.0);
        if same {
            for (a, b) in self.0.iter_mut().zip(&source.0) {
                a.1 = b.1;
            }
        } else {
            self.0.clone_from(&source.0);
        }
    }
}

impl PerCurrency {
    pub fn get(&self, currency: &str) -> Money {
        self.0
            .iter()
            .find(|(c, _)| c == currency)
            .map_or(Money::ZERO, |(_, m)| *m)
    }

    /// Add `m` to `currency`'s amount.
    pub fn add(&mut self, currency: &str, m: Money) {
        match self.0.iter_mut().find(|(c, _)| c == currency) {
            Some((_, v)) => *v += m,
            None => self.0.push((currency.to_string(), m)),
        }
    }

    /// `currency`'s amount, set to `first` if it had none.
    pub fn get_or_insert(&mut self, currency: &str, first: Money) -> &mut Money {
        let i = match self.0.iter().position(|(c, _)| c == currency) {
            Some(i) => i,
            None => {
                self.0.push((currency.to_string(), first));
                self.0.len() - 1
            }
        };
        &mut self.0[i].1
    }

    /// Every amount to zero, keeping the currencies (and their allocations).
    pub fn zero(&mut self) {
        for (_, v) in &mut self.0 {
            *v = Money::ZERO;
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, Money)> {
        self.0.iter().map(|(c, m)| (c.as_str(), *m))
    }

    /// As `stats` shows it: currency -> decimal text, zero amounts left out.
    fn to_json(&self) -> serde_json::Value {
        let map: BTreeMap<&str, String> = self
            .iter()
            .filter(|(_, m)| *m != Money::ZERO)
            .map(|(c, m)| (c, m.to_string()))
            .collect();
        serde_json::json!(map)
    }
}

/// What one robot holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Positions at the mid plus working orders at their price (market orders at the mid).
    pub notional: PerCurrency,
    /// Equity now less equity when the day began (negative: a loss).
    pub day_pnl: PerCurrency,
}

impl Clone for Exposure {
    fn clone(&self) -> Self {
        Exposure {
            notional: self.notional.clone(),
            day_pnl: self.day_pnl.clone(),
        }
    }

    /// Field by field, so a report of the same currencies allocates nothing.
    fn clone_from(&mut self, source: &Self) {
        self.notional.clone_from(&source.notional);
        self.day_pnl.clone_from(&source.day_pnl);
    }
}

#[derive(Debug)]
struct Account {
    limits: AccountLimits,
    members: BTreeMap<String, Exposure>,
    /// The members' exposures summed, kept as they report (never summed again).
    total: Exposure,
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
    /// Bumped whenever any account's state changes: read without the lock before each
    /// input, so a robot takes the lock only when something did change.
    changes: AtomicU64,
}

/// A member reports a change of its marks (a quote moving the mid) at most this often (ns
/// of the server's clock); changes of its orders and fills at once. Loss limits do not need
/// every tick.
pub const MARK_REPORT_NS: i64 = 5_000_000;

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
        // Accounts may come or go: every robot looks again at its next input.
        self.changes.fetch_add(1, Ordering::Release);
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
                    a.total = Exposure::default();
                    for e in a.members.values() {
                        add_into(&mut a.total, e, false);
                    }
                }
                None => {
                    accounts.insert(
                        name,
                        Account {
                            limits,
                            members: BTreeMap::new(),
                            total: Exposure::default(),
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
    /// restrictive state if its loss passed a step (never back by itself). Nothing is
    /// allocated once the member has reported before.
    pub fn report(&self, account: &str, robot: &str, exposure: &Exposure) {
        self.report_to(&[account], robot, exposure);
    }

    /// [`Self::report`] to each of `groups` (an account and the fleet), under one lock.
    pub fn report_to<S: AsRef<str>>(&self, groups: &[S], robot: &str, exposure: &Exposure) {
        let mut accounts = self.lock();
        for g in groups {
            if let Some(a) = accounts.get_mut(g.as_ref()) {
                if a.take_report(g.as_ref(), robot, exposure) {
                    self.changes.fetch_add(1, Ordering::Release);
                }
            }
        }
    }

    /// The state of `groups` together, under one lock: the most restrictive of them, and
    /// the sum of their versions (it moves whenever one of them changes state).
    pub fn combined<S: AsRef<str>>(&self, groups: &[S]) -> AccountState {
        let accounts = self.lock();
        let mut now = AccountState {
            version: 0,
            state: TradingState::Active,
            reason: String::new(),
        };
        for a in groups.iter().filter_map(|g| accounts.get(g.as_ref())) {
            now.version += a.version;
            if a.state > now.state {
                now.state = a.state;
                now.reason.clone_from(&a.reason);
            }
        }
        now
    }

    /// [`Self::check_notional`] against each of `groups`, under one lock.
    pub fn check_notional_in<S: AsRef<str>>(
        &self,
        groups: &[S],
        currency: &str,
        add: Money,
    ) -> Result<(), Denial> {
        let accounts = self.lock();
        for g in groups {
            if let Some(a) = accounts.get(g.as_ref()) {
                a.check_notional(g.as_ref(), currency, add)?;
            }
        }
        Ok(())
    }

    /// A count of every state change of every account: a robot that saw the same count
    /// before has nothing new to take.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
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
        self.check_notional_in(&[account], currency, add)
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
            self.changes.fetch_add(1, Ordering::Release);
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
                    "notional": a.total.notional.to_json(),
                    "day_pnl": a.total.day_pnl.to_json(),
                })
            })
            .collect();
        serde_json::Value::Array(list)
    }
}

impl Account {
    /// A member's report, added up; a loss past a step moves the account.
    /// True when the account's state changed.
    fn take_report(&mut self, account: &str, robot: &str, exposure: &Exposure) -> bool {
        match self.members.get_mut(robot) {
            Some(old) => {
                add_into(&mut self.total, old, true);
                old.clone_from(exposure);
            }
            None => {
                self.members.insert(robot.to_string(), exposure.clone());
            }
        }
        add_into(&mut self.total, exposure, false);
        let Some(steps) = self.limits.daily_loss else {
            return false;
        };
        let mut worst: Option<(TradingState, &str, Money, Money)> = None;
        for (currency, pnl) in self.total.day_pnl.iter() {
            let loss = Money::ZERO - pnl;
            for (state, limit) in [
                (TradingState::Halted, steps.halt),
                (TradingState::Reducing, steps.reduce),
            ] {
                let Some(limit) = limit else { continue };
                if loss > limit && worst.as_ref().is_none_or(|w| state > w.0) {
                    worst = Some((state, currency, loss, limit));
                }
            }
        }
        let Some((state, currency, loss, limit)) = worst.filter(|w| w.0 > self.state) else {
            return false;
        };
        let why = format!(
            "account {account}: ACCOUNT_DAILY_LOSS: {} (limit {})",
            money(loss, currency),
            money(limit, currency)
        );
        tracing::warn!(
            "risk: account {account} trading state {}: {why}",
            state.as_str()
        );
        self.state = state;
        self.reason = why;
        self.version += 1;
        true
    }

    fn check_notional(&self, account: &str, currency: &str, add: Money) -> Result<(), Denial> {
        let Some(max) = self.limits.max_notional else {
            return Ok(());
        };
        let after = self.total.notional.get(currency) + add;
        if after > max {
            return Err(Denial {
                code: DenyCode::AccountNotional,
                limit: format!("{} for account {account}", money(max, currency)),
                value: money(after, currency),
            });
        }
        Ok(())
    }
}

/// `total += e`, or `total -= e` when `minus`, currency by currency.
fn add_into(total: &mut Exposure, e: &Exposure, minus: bool) {
    let signed = |m: Money| if minus { Money::ZERO - m } else { m };
    for (c, m) in e.notional.iter() {
        total.notional.add(c, signed(m));
    }
    for (c, m) in e.day_pnl.iter() {
        total.day_pnl.add(c, signed(m));
    }
}

#[cfg(test)]
mod tests;
