//! The crossover's parameters, validated.

use robofleet_api::Params;
use serde::{Deserialize, Serialize};

/// Longest slow average accepted: bounds the memory and per-quote work of one symbol.
const MAX_SLOW: i64 = 10_000;

/// Validated parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Config {
    pub fast: usize,
    pub slow: usize,
    pub qty: i64,
    pub max_position: i64,
}

fn int_param(p: &Params, key: &str, default: i64) -> Result<i64, String> {
    match p.get(key) {
        None => Ok(default),
        Some(_) => p
            .i64(key)
            .ok_or_else(|| format!("param `{key}` must be an integer")),
    }
}

impl Config {
    pub fn from_params(p: &Params) -> Result<Self, String> {
        let fast = int_param(p, "fast", 5)?;
        let slow = int_param(p, "slow", 20)?;
        let qty = int_param(p, "qty", 1)?;
        let max_position = int_param(p, "max_position", 5)?;
        if fast < 1 {
            return Err(format!("fast must be >= 1, got {fast}"));
        }
        if slow <= fast || slow > MAX_SLOW {
            return Err(format!(
                "slow must be > fast ({fast}) and <= {MAX_SLOW}, got {slow}"
            ));
        }
        if qty < 1 {
            return Err(format!("qty must be >= 1, got {qty}"));
        }
        if max_position < 0 {
            return Err(format!("max_position must be >= 0, got {max_position}"));
        }
        Ok(Config {
            fast: fast as usize,
            slow: slow as usize,
            qty,
            max_position,
        })
    }

    /// The position wanted for a direction (+1 long, -1 short, 0 no signal yet).
    pub(crate) fn target(&self, direction: i8) -> i64 {
        i64::from(direction) * self.qty.min(self.max_position)
    }
}
