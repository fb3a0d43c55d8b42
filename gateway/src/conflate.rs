//! Conflation of the market data waiting for a gateway that fell behind.
//!
//! A quote or a book (depth reaches the gateway as the whole book, see
//! [`crate::market::book::Rebuilt`]) replaces what the exchange offers on its symbol, so one
//! followed by a newer one of the same symbol would only be traded against in passing, at
//! prices the market has already left. The gateway thread takes everything waiting at once
//! and skips those, keeping the order of the rest: trade prints are events, never skipped.

use crate::market::{MarketData, MarketKind};

/// Drop from `batch` every quote or book followed in it by a newer quote or book of the same
/// symbol; the rest keep their order. Returns how many were dropped.
pub fn conflate(batch: &mut Vec<MarketData>) -> u64 {
    if batch.len() < 2 {
        return 0;
    }
    let mut keep = vec![true; batch.len()];
    // Few symbols move in one batch: a short list beats a hash set here.
    let mut latest: Vec<&str> = Vec::new();
    for (i, md) in batch.iter().enumerate().rev() {
        if !matches!(md.kind, MarketKind::Quote { .. } | MarketKind::Depth { .. }) {
            continue;
        }
        if latest.contains(&md.symbol.as_str()) {
            keep[i] = false;
        } else {
            latest.push(&md.symbol);
        }
    }
    let dropped = keep.iter().filter(|k| !**k).count() as u64;
    let mut flags = keep.into_iter();
    batch.retain(|_| flags.next().unwrap_or(true));
    dropped
}

#[cfg(test)]
mod tests {
    use super::conflate;
    use crate::market::{MarketData, MarketKind};
    use robofleet_api::{Level, Price};

    fn quote(symbol: &str, bid: i64) -> MarketData {
        MarketData {
            symbol: symbol.into(),
            ts: bid,
            sent_ns: None,
            kind: MarketKind::Quote {
                bid: Price::units(bid),
                bid_size: 1,
                ask: Price::units(bid + 1),
                ask_size: 1,
            },
        }
    }

    fn print(symbol: &str, price: i64) -> MarketData {
        MarketData {
            symbol: symbol.into(),
            ts: price,
            sent_ns: None,
            kind: MarketKind::Trade {
                price: Price::units(price),
                size: 1,
            },
        }
    }

    fn book(symbol: &str, bid: i64) -> MarketData {
        let level = |p| Level {
            price: Price::units(p),
            qty: 1,
        };
        MarketData {
            symbol: symbol.into(),
            ts: bid,
            sent_ns: None,
            kind: MarketKind::Depth {
                seq: 1,
                snapshot: true,
                bids: vec![level(bid)],
                asks: vec![level(bid + 1)],
            },
        }
    }

    fn ids(batch: &[MarketData]) -> Vec<(String, i64)> {
        batch.iter().map(|m| (m.symbol.clone(), m.ts)).collect()
    }

    #[test]
    fn only_the_newest_quote_or_book_of_a_symbol_stays_and_prints_all_do() {
        let mut batch = vec![
            quote("Si", 100),
            quote("RTS", 500),
            print("Si", 101),
            quote("Si", 102),
            book("Si", 103),
            print("Si", 104),
            quote("RTS", 505),
        ];
        assert_eq!(conflate(&mut batch), 3);
        let want = [("Si", 101), ("Si", 103), ("Si", 104), ("RTS", 505)];
        let want: Vec<(String, i64)> = want.iter().map(|(s, t)| (s.to_string(), *t)).collect();
        assert_eq!(ids(&batch), want);
    }

    #[test]
    fn nothing_to_skip_leaves_the_batch_as_it_was() {
        let mut batch = vec![quote("Si", 100), print("Si", 100), quote("RTS", 500)];
        let before = ids(&batch);
        assert_eq!(conflate(&mut batch), 0);
        assert_eq!(ids(&batch), before);
        let mut one = vec![quote("Si", 1)];
        assert_eq!(conflate(&mut one), 0);
        assert_eq!(one.len(), 1);
    }
}
