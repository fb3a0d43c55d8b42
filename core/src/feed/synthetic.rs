//! A deterministic synthetic market: a seeded random walk of each symbol's book.
//!
//! Prices are kept as integer ticks so every published price is exactly on the tick grid
//! (up to the float rounding of `ticks * tick`), and the same seed always gives the same
//! messages, which keeps demos and benchmarks reproducible.

use robofleet_api::money::SCALE;
use robofleet_api::{Price, Rng, Rounding};

use super::FeedError;
use crate::market::{MarketData, MarketKind};

/// Settings for [`super::FeedSource::Synthetic`].
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticConfig {
    pub symbols: Vec<String>,
    /// Messages per second across all symbols; `f64::INFINITY` means as fast as possible
    /// (all messages then carry the start `ts`).
    pub rate_per_sec: f64,
    pub seed: u64,
    /// Fraction of messages that are trades; the rest are quotes.
    pub trade_ratio: f64,
    /// Stop after this many messages.
    pub limit: Option<u64>,
    /// The data time (`ts`, ns) of the first message; `None`: the wall clock when the feed
    /// starts publishing. Set it to a time inside the instruments' sessions to trade a
    /// synthetic market at any hour.
    pub start_ts: Option<i64>,
}

impl Default for SyntheticConfig {
    fn default() -> Self {
        SyntheticConfig {
            symbols: vec!["Si".to_string(), "RTS".to_string()],
            rate_per_sec: 100.0,
            seed: 1,
            trade_ratio: 0.2,
            limit: None,
            start_ts: None,
        }
    }
}

impl SyntheticConfig {
    pub fn validate(&self) -> Result<(), FeedError> {
        let bad = |m: String| Err(FeedError::InvalidConfig(m));
        if self.symbols.is_empty() || self.symbols.iter().any(|s| s.is_empty()) {
            return bad("synthetic feed needs at least one non-empty symbol".into());
        }
        if self.rate_per_sec.is_nan() || self.rate_per_sec <= 0.0 {
            return bad(format!(
                "rate_per_sec must be > 0, got {}",
                self.rate_per_sec
            ));
        }
        if !(0.0..=1.0).contains(&self.trade_ratio) {
            return bad(format!(
                "trade_ratio must be in [0, 1], got {}",
                self.trade_ratio
            ));
        }
        Ok(())
    }
}

/// Start price and tick size for a symbol.
pub fn instrument(symbol: &str) -> (Price, Price) {
    match symbol {
        "Si" => (Price::units(100_000), Price::units(1)),
        "RTS" => (Price::units(110_000), Price::units(10)),
        _ => (Price::units(100), Price::from_raw(SCALE / 100)),
    }
}

struct Book {
    symbol: String,
    tick: Price,
    bid_ticks: i64,
    spread_ticks: i64,
}

/// Yields the synthetic messages in order; `ts` advances by `1 / rate_per_sec` per message.
pub struct Generator {
    rng: Rng,
    books: Vec<Book>,
    n: u64,
    start_ts: i64,
    interval_ns: f64,
    trade_ratio: f64,
    limit: Option<u64>,
}

impl Generator {
    /// `start_ts` is the `ts` of the first message (the publisher passes the wall clock).
    pub fn new(cfg: &SyntheticConfig, start_ts: i64) -> Result<Self, FeedError> {
        cfg.validate()?;
        let books = cfg
            .symbols
            .iter()
            .map(|s| {
                let (start, tick) = instrument(s);
                Book {
                    symbol: s.clone(),
                    tick,
                    bid_ticks: start.to_ticks(tick, Rounding::Nearest),
                    spread_ticks: 1,
                }
            })
            .collect();
        Ok(Generator {
            rng: Rng::new(cfg.seed),
            books,
            n: 0,
            start_ts,
            interval_ns: 1e9 / cfg.rate_per_sec,
            trade_ratio: cfg.trade_ratio,
            limit: cfg.limit,
        })
    }
}

impl Generator {
    /// Set the `ts` of the first message; only meaningful before iterating.
    pub fn start_at(&mut self, start_ts: i64) {
        self.start_ts = start_ts;
    }
}

impl Iterator for Generator {
    type Item = MarketData;

    fn next(&mut self) -> Option<MarketData> {
        if self.limit.is_some_and(|l| self.n >= l) {
            return None;
        }
        let ts = self
            .start_ts
            .saturating_add((self.n as f64 * self.interval_ns) as i64);
        self.n += 1;
        let rng = &mut self.rng;
        let i = rng.range_i64(0, self.books.len() as i64) as usize;
        let book = &mut self.books[i];
        let kind = if rng.next_f64() < self.trade_ratio {
            // Trades print at the touch without moving it; the next quote may.
            let buy = rng.next_u64() & 1 == 1;
            let px = if buy {
                book.bid_ticks + book.spread_ticks
            } else {
                book.bid_ticks
            };
            MarketKind::Trade {
                price: Price::from_ticks(px, book.tick),
                size: rng.range_i64(1, 51),
            }
        } else {
            // Half the quotes keep the bid, the rest step it one tick either way.
            book.bid_ticks += match rng.range_i64(0, 4) {
                0 => -1,
                1 => 1,
                _ => 0,
            };
            book.bid_ticks = book.bid_ticks.max(1); // prices stay positive
            book.spread_ticks = rng.range_i64(1, 4);
            MarketKind::Quote {
                bid: Price::from_ticks(book.bid_ticks, book.tick),
                bid_size: rng.range_i64(1, 51),
                ask: Price::from_ticks(book.bid_ticks + book.spread_ticks, book.tick),
                ask_size: rng.range_i64(1, 51),
            }
        };
        Some(MarketData {
            symbol: book.symbol.clone(),
            ts,
            sent_ns: None,
            kind,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(seed: u64) -> SyntheticConfig {
        SyntheticConfig {
            symbols: vec!["Si".into(), "RTS".into(), "GAZP".into()],
            rate_per_sec: 1000.0,
            seed,
            trade_ratio: 0.3,
            limit: Some(5000),
            start_ts: None,
        }
    }

    fn on_tick(px: Price, tick: Price) -> bool {
        px.is_positive() && px.is_on_grid(tick)
    }

    #[test]
    fn same_seed_same_messages() {
        let a: Vec<_> = Generator::new(&cfg(7), 1_000).unwrap().collect();
        let b: Vec<_> = Generator::new(&cfg(7), 1_000).unwrap().collect();
        let c: Vec<_> = Generator::new(&cfg(8), 1_000).unwrap().collect();
        assert_eq!(a.len(), 5000);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            (a[0].ts, a[1].ts, a[4999].ts),
            (1_000, 1_001_000, 1_000 + 4_999_000_000)
        );
    }

    #[test]
    fn prices_positive_on_tick_and_sane() {
        let msgs: Vec<_> = Generator::new(&cfg(42), 0).unwrap().collect();
        let trades = msgs
            .iter()
            .filter(|m| matches!(m.kind, MarketKind::Trade { .. }))
            .count();
        assert!(
            (1000..2000).contains(&trades),
            "{trades} trades of 5000 at ratio 0.3"
        );
        for m in &msgs {
            let (start, tick) = instrument(&m.symbol);
            match m.kind {
                MarketKind::Quote {
                    bid,
                    bid_size,
                    ask,
                    ask_size,
                } => {
                    assert!(on_tick(bid, tick) && on_tick(ask, tick), "{m:?}");
                    let spread = (ask - bid).to_ticks(tick, Rounding::Nearest);
                    assert!((1..=3).contains(&spread), "{m:?}");
                    assert!((1..=50).contains(&bid_size) && (1..=50).contains(&ask_size));
                    assert!(
                        (bid.to_f64() - start.to_f64()).abs() < start.to_f64() * 0.2,
                        "walk drifted too far: {m:?}"
                    );
                }
                MarketKind::Trade { price, size } => {
                    assert!(on_tick(price, tick) && (1..=50).contains(&size), "{m:?}");
                }
                MarketKind::Bar { .. } | MarketKind::Depth { .. } => {
                    panic!("generator makes only quotes and trades")
                }
            }
        }
    }

    #[test]
    fn bad_configs_rejected() {
        let mut c = cfg(1);
        c.rate_per_sec = 0.0;
        assert!(Generator::new(&c, 0).is_err());
        let mut c = cfg(1);
        c.symbols.clear();
        assert!(Generator::new(&c, 0).is_err());
        let mut c = cfg(1);
        c.trade_ratio = 1.5;
        assert!(Generator::new(&c, 0).is_err());
        assert!(SyntheticConfig::default().validate().is_ok());
    }
}
