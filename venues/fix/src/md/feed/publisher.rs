//! The publisher thread: subscriptions sent at each logon, and what comes back as the
//! feed's wire messages.

use super::{BookKind, FixFeedConfig, FixFeedCounters, Inbound};
use crate::engine::{self, SessionKey};
use crate::md::messages::{self, MdMessage, MdRequest, Subscription};
use crate::md::{Action, Depth, Entry, EntryKind};
use crossbeam_channel::Receiver;
use robofleet_api::Level;
use robofleet_core::clock::wall_ns;
use robofleet_core::feed::publisher::{drain_subscriptions, publish};
use robofleet_core::feed::{FeedError, FeedStats};
use robofleet_core::market::book::Book;
use robofleet_core::market::{MarketData, MarketKind};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// One subscription of the current logon.
enum Sub {
    Top {
        symbol: String,
        bid: Option<Level>,
        ask: Option<Level>,
    },
    Depth {
        symbol: String,
        book: Book,
        /// The time of the book's last change.
        ts: i64,
    },
}

pub(super) struct Publisher {
    cfg: FixFeedConfig,
    socket: zmq::Socket,
    counters: Arc<FixFeedCounters>,
    /// By MDReqID.
    subs: HashMap<String, Sub>,
    /// Each symbol's last depth `seq`, kept across logons.
    seqs: HashMap<String, u64>,
    stats: FeedStats,
}

impl Publisher {
    pub(super) fn new(
        cfg: FixFeedConfig,
        socket: zmq::Socket,
        counters: Arc<FixFeedCounters>,
    ) -> Publisher {
        Publisher {
            cfg,
            socket,
            counters,
            subs: HashMap::new(),
            seqs: HashMap::new(),
            stats: FeedStats::default(),
        }
    }

    pub(super) fn run(
        &mut self,
        rx: &Receiver<Inbound>,
        stop: &Receiver<()>,
    ) -> Result<(), FeedError> {
        let tick = crossbeam_channel::tick(Duration::from_millis(100));
        loop {
            crossbeam_channel::select! {
                recv(rx) -> m => match m {
                    Ok(Inbound::Logon(session)) => self.subscribe(&session),
                    Ok(Inbound::Data { msg, sending_ns }) => {
                        self.joined()?;
                        self.on_data(msg, sending_ns)?;
                    }
                    Err(_) => return Ok(()),
                },
                recv(tick) -> _ => self.joined()?,
                recv(stop) -> _ => return Ok(()),
            }
        }
    }

    /// At each logon: the MarketDataRequests, under MDReqIDs of this logon.
    fn subscribe(&mut self, session: &SessionKey) {
        self.subs.clear();
        let n = self.counters.logons.load(Ordering::Relaxed);
        let cfg = &self.cfg;
        let quotes = matches!(cfg.book, BookKind::Quotes | BookKind::Both);
        let depth = matches!(cfg.book, BookKind::Depth | BookKind::Both);
        for symbol in &cfg.symbols {
            let mut wanted = Vec::new();
            if quotes {
                let sub = Sub::Top {
                    symbol: symbol.clone(),
                    bid: None,
                    ask: None,
                };
                wanted.push((format!("q{n}:{symbol}"), Depth::Top, cfg.trades, sub));
            }
            if depth {
                let sub = Sub::Depth {
                    symbol: symbol.clone(),
                    book: Book::default(),
                    ts: 0,
                };
                // Trades once per symbol: with the quotes when both are asked for.
                let trades = cfg.trades && !quotes;
                wanted.push((
                    format!("d{n}:{symbol}"),
                    Depth::Levels(cfg.depth),
                    trades,
                    sub,
                ));
            }
            for (id, depth, trades, sub) in wanted {
                let req = MdRequest {
                    id: id.clone(),
                    subscription: Subscription::Updates,
                    depth,
                    incremental: true,
                    book: true,
                    trades,
                    symbols: vec![symbol.clone()],
                };
                match messages::request(&req).and_then(|m| engine::send(m, session)) {
                    Ok(()) => {
                        self.subs.insert(id, sub);
                    }
                    Err(e) => tracing::error!(%symbol, "FIX feed: cannot subscribe: {e}"),
                }
            }
        }
    }

    fn on_data(&mut self, msg: MdMessage, sending_ns: Option<i64>) -> Result<(), FeedError> {
        let fallback = sending_ns.unwrap_or_else(wall_ns);
        let ts = |e: &Entry| e.ts_ns.unwrap_or(fallback);
        let mut out = Vec::new();
        match msg {
            MdMessage::Reject { req_id, why } => {
                self.counters.rejected.fetch_add(1, Ordering::Relaxed);
                tracing::error!(md_req_id = %req_id, "FIX feed: the venue refused a subscription: {why}");
                self.subs.remove(&req_id);
            }
            MdMessage::Snapshot {
                req_id,
                symbol,
                entries,
            } => match self.subs.get_mut(&req_id) {
                None => self.stray(&req_id),
                Some(Sub::Top { bid, ask, .. }) => {
                    *bid = best(&entries, EntryKind::Bid);
                    *ask = best(&entries, EntryKind::Offer);
                    let at = entries.iter().map(ts).max().unwrap_or(fallback);
                    out.extend(quote(&symbol, at, *bid, *ask));
                }
                Some(Sub::Depth { book, ts: last, .. }) => {
                    let (bids, asks) = levels(&entries);
                    let seq = next_seq(&mut self.seqs, &symbol);
                    book.apply(seq, true, &bids, &asks);
                    let at = entries.iter().map(ts).max().unwrap_or(fallback);
                    *last = at;
                    out.push(depth(
                        &symbol,
                        at,
                        seq,
                        true,
                        book.bids.clone(),
                        book.asks.clone(),
                    ));
                }
            },
            MdMessage::Incremental { req_id, entries } => match self.subs.get_mut(&req_id) {
                None => self.stray(&req_id),
                Some(Sub::Top { symbol, bid, ask }) => {
                    let mut touched = None;
                    for (_, e) in &entries {
                        let side = match e.kind {
                            EntryKind::Trade => {
                                out.push(trade(symbol, ts(e), e));
                                continue;
                            }
                            EntryKind::Bid => &mut *bid,
                            EntryKind::Offer => &mut *ask,
                        };
                        match e.action {
                            Action::Delete if side.is_some_and(|l| l.price == e.price) => {
                                *side = None
                            }
                            Action::Delete => {}
                            Action::New | Action::Change => {
                                *side = Some(Level {
                                    price: e.price,
                                    qty: e.size,
                                })
                            }
                        }
                        touched = Some(ts(e));
                    }
                    if let Some(at) = touched {
                        out.extend(quote(symbol, at, *bid, *ask));
                    }
                }
                Some(Sub::Depth {
                    symbol,
                    book,
                    ts: last,
                }) => {
                    let (mut bids, mut asks, mut at) = (Vec::new(), Vec::new(), None);
                    for (_, e) in &entries {
                        let level = Level {
                            price: e.price,
                            qty: if e.action == Action::Delete {
                                0
                            } else {
                                e.size
                            },
                        };
                        match e.kind {
                            EntryKind::Trade => out.push(trade(symbol, ts(e), e)),
                            EntryKind::Bid => bids.push(level),
                            EntryKind::Offer => asks.push(level),
                        }
                        if e.kind != EntryKind::Trade {
                            at = Some(ts(e));
                        }
                    }
                    if let Some(at) = at {
                        bids.sort_by_key(|l| std::cmp::Reverse(l.price));
                        asks.sort_by_key(|l| l.price);
                        let seq = next_seq(&mut self.seqs, symbol);
                        book.apply(seq, false, &bids, &asks);
                        *last = at;
                        out.push(depth(symbol, at, seq, false, bids, asks));
                    }
                }
            },
        }
        for mut md in out {
            md.sent_ns = Some(wall_ns());
            publish(&self.socket, &md, &mut self.stats)?;
        }
        self.counters
            .published
            .store(self.stats.published, Ordering::Relaxed);
        self.counters
            .dropped_hwm
            .store(self.stats.dropped_hwm, Ordering::Relaxed);
        Ok(())
    }

    /// A subscriber that joins after a book's snapshot could never rebuild it from updates:
    /// at each new subscription every live book goes out again as a snapshot (the symbol's
    /// next `seq`; subscribers that have the book lose nothing by it).
    fn joined(&mut self) -> Result<(), FeedError> {
        if !drain_subscriptions(&self.socket)? {
            return Ok(());
        }
        let mut out = Vec::new();
        for sub in self.subs.values() {
            if let Sub::Depth { symbol, book, ts } = sub {
                if book.is_live() {
                    let seq = next_seq(&mut self.seqs, symbol);
                    out.push(depth(
                        symbol,
                        *ts,
                        seq,
                        true,
                        book.bids.clone(),
                        book.asks.clone(),
                    ));
                }
            }
        }
        for mut md in out {
            md.sent_ns = Some(wall_ns());
            publish(&self.socket, &md, &mut self.stats)?;
        }
        Ok(())
    }

    fn stray(&self, req_id: &str) {
        self.counters.unreadable.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(md_req_id = %req_id, "FIX feed: market data of no current subscription ignored");
    }
}

fn next_seq(seqs: &mut HashMap<String, u64>, symbol: &str) -> u64 {
    let s = seqs.entry(symbol.to_string()).or_insert(0);
    *s += 1;
    *s
}

/// The best level of `kind` among a snapshot's entries.
fn best(entries: &[Entry], kind: EntryKind) -> Option<Level> {
    let side = entries.iter().filter(|e| e.kind == kind);
    let pick = match kind {
        EntryKind::Bid => side.max_by_key(|e| e.price),
        _ => side.min_by_key(|e| e.price),
    };
    pick.map(|e| Level {
        price: e.price,
        qty: e.size,
    })
}

/// A snapshot's book entries as levels, best first.
fn levels(entries: &[Entry]) -> (Vec<Level>, Vec<Level>) {
    let side = |kind| {
        entries
            .iter()
            .filter(move |e| e.kind == kind && e.size > 0)
            .map(|e| Level {
                price: e.price,
                qty: e.size,
            })
            .collect::<Vec<_>>()
    };
    let mut bids = side(EntryKind::Bid);
    let mut asks = side(EntryKind::Offer);
    bids.sort_by_key(|l| std::cmp::Reverse(l.price));
    asks.sort_by_key(|l| l.price);
    (bids, asks)
}

fn quote(symbol: &str, ts: i64, bid: Option<Level>, ask: Option<Level>) -> Option<MarketData> {
    let (bid, ask) = (bid?, ask?);
    Some(MarketData {
        symbol: symbol.to_string(),
        ts,
        sent_ns: None,
        kind: MarketKind::Quote {
            bid: bid.price,
            bid_size: bid.qty,
            ask: ask.price,
            ask_size: ask.qty,
        },
    })
}

fn trade(symbol: &str, ts: i64, e: &Entry) -> MarketData {
    MarketData {
        symbol: symbol.to_string(),
        ts,
        sent_ns: None,
        kind: MarketKind::Trade {
            price: e.price,
            size: e.size,
        },
    }
}

fn depth(
    symbol: &str,
    ts: i64,
    seq: u64,
    snapshot: bool,
    bids: Vec<Level>,
    asks: Vec<Level>,
) -> MarketData {
    MarketData {
        symbol: symbol.to_string(),
        ts,
        sent_ns: None,
        kind: MarketKind::Depth {
            seq,
            snapshot,
            bids,
            asks,
        },
    }
}
