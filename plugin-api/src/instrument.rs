//! Instrument specs: what a symbol's prices, lots and money mean, and when it trades.
//!
//! A spec is effective from a time on (`effective_from_ns`): MOEX changes RTS's tick value at
//! every clearing, so one symbol has a version per change. A robot receives every version of
//! its symbols' specs as [`crate::EventKind::Instrument`] events (right after `Start`, and
//! when the registry changes); [`Instruments`] keeps them and answers "the spec at time t".

use crate::money::{Money, Price, Rounding};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Minutes in a day: a session may end at `24:00`.
pub const DAY_MINUTES: u16 = 24 * 60;

/// One trading window of a day, in the venue's local time (minutes from midnight).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Session {
    pub start_min: u16,
    /// Exclusive; at most [`DAY_MINUTES`].
    pub end_min: u16,
}

impl std::fmt::Display for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{}-{}", hm(self.start_min), hm(self.end_min))
    }
}

/// The spec of one symbol from one time on.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Instrument {
    pub symbol: String,
    pub venue: String,
    /// Currency of `tick_value`, the fees and the PnL (`RUB`).
    pub currency: String,
    /// Every price is a whole number of ticks.
    pub tick_size: Price,
    /// Money one tick is worth, per lot, in `currency`.
    pub tick_value: Money,
    /// Every order quantity is a whole number of lots of this size.
    pub lot_size: i64,
    /// Fee per lot traded, in `currency`.
    pub fee_per_lot: Money,
    /// Fee as a fraction of turnover (`0.0001` = 1 basis point), on `|value|` of each fill.
    pub fee_rate: Price,
    /// Decimal places of `currency`: a turnover fee is rounded half away from zero to them.
    pub currency_decimals: u32,
    /// The venue's offset from UTC, in minutes (`180` for Moscow).
    pub utc_offset_min: i32,
    /// Trading days, bit 0 Monday .. bit 6 Sunday, in the venue's local time.
    pub days: u8,
    /// Daily trading windows; the gaps between them are breaks (MOEX's clearings).
    pub sessions: Vec<Session>,
    /// No trading at or after this time (ns since the Unix epoch).
    pub expiry_ns: Option<i64>,
    /// This version applies from this time on (ns since the Unix epoch); `None`: from the
    /// start of time.
    pub effective_from_ns: Option<i64>,
}

impl Instrument {
    /// Whether the venue trades this symbol at `ts_ns`.
    pub fn in_session(&self, ts_ns: i64) -> bool {
        if self.expiry_ns.is_some_and(|e| ts_ns >= e) {
            return false;
        }
        let local_s = ts_ns.div_euclid(1_000_000_000) + self.utc_offset_min as i64 * 60;
        let day = local_s.div_euclid(86_400);
        // 1970-01-01 was a Thursday: weekday 3 with Monday = 0.
        let weekday = (day + 3).rem_euclid(7) as u8;
        if self.days & (1 << weekday) == 0 {
            return false;
        }
        let minute = (local_s.rem_euclid(86_400) / 60) as u16;
        self.sessions
            .iter()
            .any(|s| s.start_min <= minute && minute < s.end_min)
    }

    /// When the trading day that `ts_ns` falls in ends: the end of the last session of that
    /// local day (a day order is cancelled then).
    pub fn trading_day_end(&self, ts_ns: i64) -> i64 {
        let offset_s = self.utc_offset_min as i64 * 60;
        let local_s = ts_ns.div_euclid(1_000_000_000) + offset_s;
        let midnight_local = local_s - local_s.rem_euclid(86_400);
        let last_end = self
            .sessions
            .iter()
            .map(|s| s.end_min)
            .max()
            .unwrap_or(DAY_MINUTES);
        (midnight_local + last_end as i64 * 60 - offset_s).saturating_mul(1_000_000_000)
    }

    /// The sessions as text: `09:00-14:00, 14:05-18:50`.
    pub fn sessions_text(&self) -> String {
        let v: Vec<String> = self.sessions.iter().map(|s| s.to_string()).collect();
        v.join(", ")
    }

    /// Why an order of `qty` at `limit` (None: market) cannot trade at `ts_ns`, if it cannot.
    pub fn check_order(&self, qty: i64, limit: Option<Price>, ts_ns: i64) -> Result<(), String> {
        if self.lot_size > 1 && qty % self.lot_size != 0 {
            return Err(format!(
                "quantity {qty} is not a whole number of {}'s lots of {}",
                self.symbol, self.lot_size
            ));
        }
        if let Some(price) = limit {
            if !price.is_on_grid(self.tick_size) {
                return Err(format!(
                    "limit price {price} is off {}'s tick grid (tick {})",
                    self.symbol, self.tick_size
                ));
            }
        }
        if self.expiry_ns.is_some_and(|e| ts_ns >= e) {
            return Err(format!("{} has expired", self.symbol));
        }
        if !self.in_session(ts_ns) {
            return Err(format!(
                "{} is not trading now (sessions {} at UTC{:+}h, days {})",
                self.symbol,
                self.sessions_text(),
                self.utc_offset_min as f64 / 60.0,
                days_text(self.days)
            ));
        }
        Ok(())
    }

    /// Money a move of `points` (a price difference × lots, in 10⁻⁹ units) is worth:
    /// `points / tick_size × tick_value`, rounded to the nearest 10⁻⁹ (exact when the prices
    /// are on the grid).
    pub fn money_for_points(&self, points: i128) -> Money {
        if self.tick_size.raw() <= 0 {
            return Money::ZERO;
        }
        Money::from_raw(crate::money::div_round(
            points.saturating_mul(self.tick_value.raw()),
            self.tick_size.raw() as i128,
            Rounding::Nearest,
        ))
    }

    /// The fee of one fill: `fee_per_lot × qty` plus `fee_rate` of its value (`qty` lots at
    /// `price`), the latter rounded half away from zero to `currency_decimals`.
    pub fn fee(&self, price: Price, qty: i64) -> Money {
        let value = self
            .money_for_points(price.raw() as i128 * qty as i128)
            .abs();
        let turnover = value
            .times_rate(self.fee_rate, Rounding::Nearest)
            .round_to(self.currency_decimals, Rounding::Nearest);
        self.fee_per_lot.times(qty) + turnover
    }
}

/// `Mon-Fri`, `Mon,Wed`, `every day`.
pub fn days_text(days: u8) -> String {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    match days & 0x7f {
        0x7f => "every day".into(),
        0x1f => "Mon-Fri".into(),
        d => (0..7)
            .filter(|i| d & (1 << i) != 0)
            .map(|i| NAMES[i])
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// Every version of every symbol's spec, for a robot to keep in its state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruments {
    /// Per symbol, versions by `effective_from_ns`.
    by_symbol: BTreeMap<String, BTreeMap<i64, Instrument>>,
}

impl Instruments {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add or replace a version.
    pub fn insert(&mut self, spec: Instrument) {
        self.by_symbol
            .entry(spec.symbol.clone())
            .or_default()
            .insert(spec.effective_from_ns.unwrap_or(i64::MIN), spec);
    }

    /// The version of `symbol` in effect at `ts_ns`.
    pub fn at(&self, symbol: &str, ts_ns: i64) -> Option<&Instrument> {
        self.by_symbol
            .get(symbol)?
            .range(..=ts_ns)
            .next_back()
            .map(|(_, s)| s)
    }

    /// Every version, by symbol then time.
    pub fn all(&self) -> impl Iterator<Item = &Instrument> {
        self.by_symbol.values().flat_map(|v| v.values())
    }

    pub fn symbols(&self) -> impl Iterator<Item = &str> {
        self.by_symbol.keys().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.by_symbol.is_empty()
    }
}

impl FromIterator<Instrument> for Instruments {
    fn from_iter<I: IntoIterator<Item = Instrument>>(iter: I) -> Self {
        let mut out = Instruments::new();
        for s in iter {
            out.insert(s);
        }
        out
    }
}

#[cfg(test)]
#[path = "instrument_tests.rs"]
mod tests;
