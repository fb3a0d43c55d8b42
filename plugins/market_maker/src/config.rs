//! The market maker's parameters, validated.

use robofleet_api::{Params, Price};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Prefix of the per-symbol tick overrides, e.g. `tick.RTS`.
const TICK_PREFIX: &str = "tick.";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub spread_ticks: i64,
    pub tick: Price,
    /// Per-symbol ticks from `tick.<SYMBOL>` params.
    pub symbol_ticks: BTreeMap<String, Price>,
    pub qty: i64,
    pub max_position: i64,
    pub requote_ticks: i64,
}

fn int_param(p: &Params, key: &str, default: i64) -> Result<i64, String> {
    match p.get(key) {
        None => Ok(default),
        Some(_) => p
            .i64(key)
            .ok_or_else(|| format!("param `{key}` must be an integer")),
    }
}

fn tick_param(p: &Params, key: &str, default: Price) -> Result<Price, String> {
    let tick = match p.get(key) {
        None => default,
        Some(_) => p
            .price(key)
            .ok_or_else(|| format!("param `{key}` must be a price"))?,
    };
    if tick.is_positive() {
        Ok(tick)
    } else {
        Err(format!("param `{key}` must be > 0, got {tick}"))
    }
}

impl Config {
    /// The defaults `RobotInfo` advertises. RTS trades in steps of 10, so it gets its own tick.
    pub fn default_params() -> Params {
        Params::new()
            .with("spread_ticks", 2)
            .with("tick", 1)
            .with("tick.RTS", 10)
            .with("qty", 1)
            .with("max_position", 5)
            .with("requote_ticks", 1)
    }

    pub fn from_params(p: &Params) -> Result<Self, String> {
        let spread_ticks = int_param(p, "spread_ticks", 2)?;
        let qty = int_param(p, "qty", 1)?;
        let max_position = int_param(p, "max_position", 5)?;
        let requote_ticks = int_param(p, "requote_ticks", 1)?;
        // At zero spread an on-grid mid would put the bid and the ask at the same price.
        if spread_ticks < 1 {
            return Err(format!("spread_ticks must be >= 1, got {spread_ticks}"));
        }
        if qty < 1 {
            return Err(format!("qty must be >= 1, got {qty}"));
        }
        if max_position < 0 {
            return Err(format!("max_position must be >= 0, got {max_position}"));
        }
        if requote_ticks < 1 {
            return Err(format!("requote_ticks must be >= 1, got {requote_ticks}"));
        }
        let mut symbol_ticks = BTreeMap::new();
        for key in p.0.keys() {
            if let Some(symbol) = key.strip_prefix(TICK_PREFIX) {
                symbol_ticks.insert(symbol.to_string(), tick_param(p, key, Price::units(1))?);
            }
        }
        Ok(Config {
            spread_ticks,
            tick: tick_param(p, "tick", Price::units(1))?,
            symbol_ticks,
            qty,
            max_position,
            requote_ticks,
        })
    }

    pub fn tick_for(&self, symbol: &str) -> Price {
        self.symbol_ticks.get(symbol).copied().unwrap_or(self.tick)
    }
}
