//! Order books rebuilt from the feed's depth messages: a snapshot sets a book, each update
//! (the next sequence number) changes levels; an update out of sequence leaves the book
//! stale, and it is rebuilt from the symbol's next snapshot. Gaps and the updates dropped
//! while stale are counted.

use super::{MarketData, MarketKind};
use robofleet_api::{Level, Price};
use std::cmp::Reverse;
use std::collections::HashMap;

/// Every symbol's book, for a consumer of the feed (the robots' market data thread, the
/// gateway, a backtest).
#[derive(Debug, Default)]
pub struct Books {
    books: HashMap<String, Book>,
    /// Updates out of sequence so far (for the log).
    gaps: u64,
}

/// What a consumer sees of one piece of market data.
#[derive(Clone, Debug, PartialEq)]
pub enum Rebuilt {
    /// Hand it on: a quote, print or bar as it came; a depth message as the whole book after
    /// it (a snapshot of it).
    Data(MarketData),
    /// An update out of sequence: the book waits for the next snapshot. Carries the emptied
    /// book, for a venue, which must stop trading against the old one; robots get nothing.
    Gap(MarketData),
    /// An update while its book waits for a snapshot (or before the first): dropped.
    Stale,
}

impl Books {
    /// What consumers see of `md` (see [`Rebuilt`]).
    pub fn rebuild(&mut self, md: MarketData) -> Rebuilt {
        let MarketKind::Depth {
            seq,
            snapshot,
            bids,
            asks,
        } = &md.kind
        else {
            return Rebuilt::Data(md);
        };
        let book = self.books.entry(md.symbol.clone()).or_default();
        let (bids, asks) = match book.apply(*seq, *snapshot, bids, asks) {
            Applied::Changed => (book.bids.clone(), book.asks.clone()),
            Applied::Gap { expected, got } => {
                self.gaps += 1;
                tracing::warn!(
                    symbol = %md.symbol,
                    "depth update {got} where {expected} was next: book dropped until the next snapshot ({} gaps so far)",
                    self.gaps
                );
                let emptied = MarketKind::Depth {
                    seq: *seq,
                    snapshot: true,
                    bids: Vec::new(),
                    asks: Vec::new(),
                };
                return Rebuilt::Gap(MarketData {
                    kind: emptied,
                    ..md
                });
            }
            Applied::Stale => return Rebuilt::Stale,
        };
        let seq = *seq;
        Rebuilt::Data(MarketData {
            kind: MarketKind::Depth {
                seq,
                snapshot: true,
                bids,
                asks,
            },
            ..md
        })
    }
}

/// One symbol's book: bids best (highest) first, asks best (lowest) first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Book {
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
    /// The sequence the next update must carry; `None` until the first snapshot.
    next_seq: Option<u64>,
}

/// What one depth message did to a book.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The book changed (or was set): hand it on.
    Changed,
    /// An update out of sequence: the book is stale until the next snapshot.
    Gap { expected: u64, got: u64 },
    /// An update while the book is stale (or before any snapshot): dropped.
    Stale,
}

impl Book {
    /// Apply a snapshot (`snapshot`: the levels are the whole book) or an update (each level
    /// sets that price's quantity; a quantity of 0 removes the level).
    pub fn apply(&mut self, seq: u64, snapshot: bool, bids: &[Level], asks: &[Level]) -> Applied {
        if snapshot {
            self.bids.clear();
            self.asks.clear();
            self.next_seq = Some(seq.wrapping_add(1));
        } else {
            match self.next_seq {
                None => return Applied::Stale,
                Some(expected) if expected != seq => {
                    self.next_seq = None;
                    self.bids.clear();
                    self.asks.clear();
                    return Applied::Gap { expected, got: seq };
                }
                Some(_) => self.next_seq = Some(seq.wrapping_add(1)),
            }
        }
        for l in bids {
            set_level(&mut self.bids, *l, Reverse);
        }
        for l in asks {
            set_level(&mut self.asks, *l, |p| p);
        }
        Applied::Changed
    }

    /// Whether the book can be trusted (a snapshot came and no gap since).
    pub fn is_live(&self) -> bool {
        self.next_seq.is_some()
    }
}

/// Set `level.price`'s quantity in `side` (kept best first by `key`), removing it at 0.
fn set_level<K: Ord>(side: &mut Vec<Level>, level: Level, key: impl Fn(Price) -> K) {
    match side.binary_search_by(|l| key(l.price).cmp(&key(level.price))) {
        Ok(i) if level.qty <= 0 => {
            side.remove(i);
        }
        Ok(i) => side[i].qty = level.qty,
        Err(_) if level.qty <= 0 => {}
        Err(i) => side.insert(i, level),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(p: i64, q: i64) -> Level {
        Level {
            price: Price::units(p),
            qty: q,
        }
    }

    #[test]
    fn books_pass_other_data_through_and_say_gaps_and_stale_updates() {
        let depth = |seq: u64, snapshot: bool, bids: Vec<Level>| MarketData {
            symbol: "Si".into(),
            ts: seq as i64,
            sent_ns: None,
            kind: MarketKind::Depth {
                seq,
                snapshot,
                bids,
                asks: vec![],
            },
        };
        let mut books = Books::default();
        let print = MarketData {
            symbol: "Si".into(),
            ts: 1,
            sent_ns: None,
            kind: MarketKind::Trade {
                price: Price::units(1),
                size: 1,
            },
        };
        assert_eq!(books.rebuild(print.clone()), Rebuilt::Data(print));
        assert_eq!(
            books.rebuild(depth(1, false, vec![l(9, 1)])),
            Rebuilt::Stale
        );
        let full = books.rebuild(depth(2, true, vec![l(9, 1)]));
        assert_eq!(full, Rebuilt::Data(depth(2, true, vec![l(9, 1)])));
        let full = books.rebuild(depth(3, false, vec![l(10, 2)]));
        assert_eq!(full, Rebuilt::Data(depth(3, true, vec![l(10, 2), l(9, 1)])));
        // A gap passes on the emptied book (what a venue trades against), then updates wait.
        let gap = books.rebuild(depth(5, false, vec![l(10, 0)]));
        assert_eq!(gap, Rebuilt::Gap(depth(5, true, vec![])));
        assert_eq!(
            books.rebuild(depth(6, false, vec![l(10, 1)])),
            Rebuilt::Stale
        );
    }

    #[test]
    fn snapshots_set_updates_change_and_a_gap_waits_for_the_next_snapshot() {
        let mut b = Book::default();
        assert_eq!(b.apply(1, false, &[l(99, 1)], &[]), Applied::Stale);
        assert_eq!(
            b.apply(5, true, &[l(98, 2), l(99, 1)], &[l(101, 4), l(100, 3)]),
            Applied::Changed
        );
        assert_eq!(b.bids, [l(99, 1), l(98, 2)]);
        assert_eq!(b.asks, [l(100, 3), l(101, 4)]);
        // Update 6: change a level, remove one, add one; a zero for a missing level is nothing.
        let got = b.apply(6, false, &[l(99, 7), l(97, 1)], &[l(100, 0), l(102, 0)]);
        assert_eq!(got, Applied::Changed);
        assert_eq!(b.bids, [l(99, 7), l(98, 2), l(97, 1)]);
        assert_eq!(b.asks, [l(101, 4)]);
        // 8 after 6: a gap. The book is emptied and stays stale until a snapshot.
        assert_eq!(
            b.apply(8, false, &[l(99, 1)], &[]),
            Applied::Gap {
                expected: 7,
                got: 8
            }
        );
        assert!(!b.is_live() && b.bids.is_empty());
        assert_eq!(b.apply(9, false, &[l(99, 1)], &[]), Applied::Stale);
        assert_eq!(b.apply(20, true, &[l(95, 1)], &[]), Applied::Changed);
        assert_eq!(b.apply(21, false, &[], &[l(96, 2)]), Applied::Changed);
        assert_eq!((b.bids.len(), b.asks.len()), (1, 1));
    }
}
