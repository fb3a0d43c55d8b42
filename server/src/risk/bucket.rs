//! A token bucket in integers over event time: `rate` tokens a second, at most `burst`
//! held, one taken per operation. Full at the first operation.

use super::limits::Rate;

const NS_PER_SEC: u128 = 1_000_000_000;

#[derive(Debug)]
pub struct Bucket {
    rate: Rate,
    /// Tokens held, in billionths of a token.
    nano_tokens: u128,
    last_ts: Option<i64>,
}

impl Bucket {
    pub fn new(rate: Rate) -> Self {
        Bucket {
            rate,
            nano_tokens: u128::from(rate.burst) * NS_PER_SEC,
            last_ts: None,
        }
    }

    /// Take a token at `ts` (ns); `Err` with the rate when there is none.
    pub fn take(&mut self, ts: i64) -> Result<(), String> {
        let cap = u128::from(self.rate.burst) * NS_PER_SEC;
        if let Some(last) = self.last_ts {
            // Time never runs backwards for the bucket.
            let elapsed = ts.saturating_sub(last).max(0) as u128;
            self.nano_tokens = (self.nano_tokens + elapsed * u128::from(self.rate.rate)).min(cap);
        }
        self.last_ts = Some(self.last_ts.map_or(ts, |last| last.max(ts)));
        if self.nano_tokens < NS_PER_SEC {
            return Err(format!("{}/s, burst {}", self.rate.rate, self.rate.burst));
        }
        self.nano_tokens -= NS_PER_SEC;
        Ok(())
    }
}
