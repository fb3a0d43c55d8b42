//! Pre-trade risk checks: limits no robot can bypass, applied in the server between a
//! robot's actions and the store (never inside the plugin), documented in `docs/risk.md`.
//!
//! A robot's checks see only that robot's inputs, at their event times, so they are
//! deterministic: a replay of its journal reaches the same decisions.
//!
//! # Layout
//! - `limits.rs`: `risk.toml`, resolved into one robot's [`RobotLimits`].
//! - `engine.rs`: [`RiskEngine`], one robot's state (positions, working orders, reference
//!   prices, throttles, loss) and its checks.
//! - `account.rs`: [`account::AccountBook`], robots limited together as one account.
//! - `kill.rs`: the fleet's latching [`kill::KillSwitch`].
//! - `source.rs`: [`source::LimitsSource`], the limits file read at start and at reload.
//! - `loss.rs`: daily loss and drawdown, marked to market per currency.
//! - `collar.rs`: the price collar. `bucket.rs`: the token buckets of the throttles.

pub mod account;
mod bucket;
mod collar;
pub mod engine;
mod exposure;
pub mod kill;
pub mod limits;
mod loss;
pub mod source;

pub use engine::{RiskCounts, RiskEngine};
pub use limits::{LimitsError, RiskFile, RobotLimits};

/// Why an order or amend was denied: one code per limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DenyCode {
    MaxOrderQty,
    MaxNotional,
    PriceCollar,
    MaxPosition,
    MaxWorkingOrders,
    SubmitThrottle,
    AmendThrottle,
    DuplicateOrder,
    /// REDUCING: only an order that brings a position towards flat passes.
    ReduceOnly,
    /// HALTED: nothing passes.
    Halted,
    /// The robot's account would pass its open notional limit.
    AccountNotional,
}

impl DenyCode {
    pub fn as_str(self) -> &'static str {
        match self {
            DenyCode::MaxOrderQty => "MAX_ORDER_QTY",
            DenyCode::MaxNotional => "MAX_NOTIONAL",
            DenyCode::PriceCollar => "PRICE_COLLAR",
            DenyCode::MaxPosition => "MAX_POSITION",
            DenyCode::MaxWorkingOrders => "MAX_WORKING_ORDERS",
            DenyCode::SubmitThrottle => "SUBMIT_THROTTLE",
            DenyCode::AmendThrottle => "AMEND_THROTTLE",
            DenyCode::DuplicateOrder => "DUPLICATE_ORDER",
            DenyCode::ReduceOnly => "REDUCE_ONLY",
            DenyCode::Halted => "HALTED",
            DenyCode::AccountNotional => "ACCOUNT_NOTIONAL",
        }
    }
}

/// A denial: its code, the limit and the value that passed it, as text for people (and the
/// robot's order update: `<CODE>: <value> (limit <limit>)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    pub code: DenyCode,
    pub limit: String,
    pub value: String,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} (limit {})",
            self.code.as_str(),
            self.value,
            self.limit
        )
    }
}

/// How freely a robot may trade; ordered from the least to the most restrictive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TradingState {
    Active,
    /// Only orders that reduce a position pass.
    Reducing,
    /// No order passes (cancels always do).
    Halted,
}

impl TradingState {
    /// As `report.json` and the docs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            TradingState::Active => "ACTIVE",
            TradingState::Reducing => "REDUCING",
            TradingState::Halted => "HALTED",
        }
    }
}

/// The trading state moved to a more restrictive one, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateChange {
    pub state: TradingState,
    /// `EXECUTION_THROTTLE`, `DAILY_LOSS` or `DRAWDOWN`.
    pub code: &'static str,
    pub limit: String,
    pub value: String,
}

#[cfg(test)]
mod engine_tests;
#[cfg(test)]
mod limits_tests;
