//! The paper venue's market data: each client's subscriptions, served from the fleet's
//! feed as FIX snapshots and incremental refreshes.
//!
//! - A top-of-book subscription (MarketDepth 1) hears of every quote as it came: a change
//!   of the bid and of the offer, each with the quote's size and time, even when neither
//!   moved, so a client rebuilds the same quotes. A symbol fed by depth gives its top of
//!   book instead, when that changes.
//! - A depth subscription (MarketDepth 0: all levels, or N) hears what changed in its
//!   levels since what it was last sent: new, changed and deleted levels, keyed by price.
//!   A symbol fed by quotes is a book of one level a side.
//! - Trades (MDEntryType 2) go as they print to subscriptions that asked for them.
//!
//! Full refreshes on every change (MDUpdateType 0) are refused (MDReqRejReason 6); a
//! snapshot alone (SubscriptionRequestType 0) is served.

use super::messages::{self, reject_reason, MdRequest, Subscription};
use super::{Action, Depth, Entry, EntryKind};
use crate::engine::SessionKey;
use crate::FixMapError;
use quickfix::Message;
use robofleet_api::Level;
use robofleet_core::market::book::{Books, Rebuilt};
use robofleet_core::market::{MarketData, MarketKind};
use std::collections::{HashMap, HashSet};

/// Messages to send, each to its session.
pub type Outgoing = Vec<(SessionKey, Result<Message, FixMapError>)>;

/// A symbol's book as the venue last saw it.
#[derive(Clone, Debug, Default)]
struct View {
    bids: Vec<Level>,
    asks: Vec<Level>,
    ts: i64,
}

struct Sub {
    session: SessionKey,
    id: String,
    symbol: String,
    depth: Depth,
    book: bool,
    trades: bool,
    /// The levels this subscription was last told of.
    sent: View,
}

pub struct MdServer {
    symbols: HashSet<String>,
    subs: Vec<Sub>,
    books: Books,
    views: HashMap<String, View>,
}

impl MdServer {
    /// Serves `symbols` (the instruments the venue knows).
    pub fn new(symbols: impl IntoIterator<Item = String>) -> MdServer {
        MdServer {
            symbols: symbols.into_iter().collect(),
            subs: Vec::new(),
            books: Books::default(),
            views: HashMap::new(),
        }
    }

    /// A client's MarketDataRequest: the snapshot of each symbol, or a reject.
    pub fn request(&mut self, session: &SessionKey, req: MdRequest) -> Outgoing {
        let refuse = |reason, text: String| {
            tracing::info!(client = %session.target, md_req_id = %req.id, "paper venue: market data request refused: {text}");
            vec![(session.clone(), messages::reject(&req.id, reason, &text))]
        };
        let mine = |s: &Sub| s.session == *session && s.id == req.id;
        if req.subscription == Subscription::Cancel {
            self.subs.retain(|s| !mine(s));
            return Vec::new();
        }
        if self.subs.iter().any(mine) {
            return refuse(
                reject_reason::DUPLICATE_MD_REQ_ID,
                format!("MDReqID {} is subscribed already", req.id),
            );
        }
        if req.symbols.is_empty() {
            return refuse(
                reject_reason::UNKNOWN_SYMBOL,
                "no symbol: NoRelatedSym (146) names none".into(),
            );
        }
        if !req.book && !req.trades {
            return refuse(
                reject_reason::UNSUPPORTED_MD_ENTRY_TYPE,
                "no entry types: NoMDEntryTypes (267) asks for none".into(),
            );
        }
        if req.subscription == Subscription::Updates && !req.incremental {
            return refuse(
                reject_reason::UNSUPPORTED_MD_UPDATE_TYPE,
                "full refresh on every change is not served: ask for incremental refreshes (MDUpdateType 1)".into(),
            );
        }
        if let Some(s) = req.symbols.iter().find(|s| !self.symbols.contains(*s)) {
            return refuse(
                reject_reason::UNKNOWN_SYMBOL,
                format!("unknown symbol {s:?}"),
            );
        }
        let mut out = Vec::new();
        for symbol in &req.symbols {
            let mut sub = Sub {
                session: session.clone(),
                id: req.id.clone(),
                symbol: symbol.clone(),
                depth: req.depth,
                book: req.book,
                trades: req.trades,
                sent: View::default(),
            };
            let view = self.views.get(symbol).cloned().unwrap_or_default();
            let shown = sub.shown(&view);
            let entries = if sub.book {
                let mut e = side_entries(EntryKind::Bid, &shown.bids, Action::New, view.ts);
                e.extend(side_entries(
                    EntryKind::Offer,
                    &shown.asks,
                    Action::New,
                    view.ts,
                ));
                e
            } else {
                Vec::new()
            };
            out.push((
                session.clone(),
                messages::snapshot(&req.id, symbol, &entries),
            ));
            sub.sent = shown;
            if req.subscription == Subscription::Updates {
                self.subs.push(sub);
            }
        }
        out
    }

    /// A client's session ended: its subscriptions with it.
    pub fn disconnected(&mut self, session: &SessionKey) {
        self.subs.retain(|s| s.session != *session);
    }

    /// A piece of the fleet's feed: what each subscription is told of it.
    pub fn market(&mut self, md: &MarketData) -> Outgoing {
        let mut out = Vec::new();
        match &md.kind {
            MarketKind::Trade { price, size } => {
                let e = Entry {
                    action: Action::New,
                    kind: EntryKind::Trade,
                    price: *price,
                    size: *size,
                    ts_ns: Some(md.ts),
                };
                for s in self
                    .subs
                    .iter()
                    .filter(|s| s.trades && s.symbol == md.symbol)
                {
                    let msg = messages::incremental(&s.id, &s.symbol, std::slice::from_ref(&e));
                    out.push((s.session.clone(), msg));
                }
            }
            MarketKind::Quote {
                bid,
                bid_size,
                ask,
                ask_size,
            } => {
                let level = |price, qty| (qty > 0).then_some(Level { price, qty });
                let view = View {
                    bids: level(*bid, *bid_size).into_iter().collect(),
                    asks: level(*ask, *ask_size).into_iter().collect(),
                    ts: md.ts,
                };
                // A top-of-book client hears the quote itself, sizes of 0 included.
                let quote = [
                    entry(Action::Change, EntryKind::Bid, *bid, *bid_size, md.ts),
                    entry(Action::Change, EntryKind::Offer, *ask, *ask_size, md.ts),
                ];
                for s in self
                    .subs
                    .iter_mut()
                    .filter(|s| s.book && s.symbol == md.symbol)
                {
                    let entries = match s.depth {
                        Depth::Top => {
                            s.sent = s.shown(&view);
                            quote.to_vec()
                        }
                        Depth::Levels(_) => s.changes(&view),
                    };
                    if !entries.is_empty() {
                        out.push((
                            s.session.clone(),
                            messages::incremental(&s.id, &s.symbol, &entries),
                        ));
                    }
                }
                self.views.insert(md.symbol.clone(), view);
            }
            MarketKind::Depth { .. } => {
                let (bids, asks) = match self.books.rebuild(md.clone()) {
                    Rebuilt::Data(MarketData {
                        kind: MarketKind::Depth { bids, asks, .. },
                        ..
                    })
                    | Rebuilt::Gap(MarketData {
                        kind: MarketKind::Depth { bids, asks, .. },
                        ..
                    }) => (bids, asks),
                    _ => return out,
                };
                let view = View {
                    bids,
                    asks,
                    ts: md.ts,
                };
                for s in self
                    .subs
                    .iter_mut()
                    .filter(|s| s.book && s.symbol == md.symbol)
                {
                    let entries = s.changes(&view);
                    if !entries.is_empty() {
                        out.push((
                            s.session.clone(),
                            messages::incremental(&s.id, &s.symbol, &entries),
                        ));
                    }
                }
                self.views.insert(md.symbol.clone(), view);
            }
            MarketKind::Bar { .. } => {}
        }
        out
    }
}

fn entry(
    action: Action,
    kind: EntryKind,
    price: robofleet_api::Price,
    size: i64,
    ts: i64,
) -> Entry {
    Entry {
        action,
        kind,
        price,
        size,
        ts_ns: Some(ts),
    }
}

fn side_entries(kind: EntryKind, levels: &[Level], action: Action, ts: i64) -> Vec<Entry> {
    levels
        .iter()
        .map(|l| entry(action, kind, l.price, l.qty, ts))
        .collect()
}

/// `old` to `new` on one side, by price: deletes, then changes and new levels.
fn side_changes(kind: EntryKind, old: &[Level], new: &[Level], ts: i64) -> Vec<Entry> {
    let mut out: Vec<Entry> = old
        .iter()
        .filter(|o| !new.iter().any(|n| n.price == o.price))
        .map(|o| entry(Action::Delete, kind, o.price, 0, ts))
        .collect();
    for n in new {
        match old.iter().find(|o| o.price == n.price) {
            Some(o) if o.qty == n.qty => {}
            Some(_) => out.push(entry(Action::Change, kind, n.price, n.qty, ts)),
            None => out.push(entry(Action::New, kind, n.price, n.qty, ts)),
        }
    }
    out
}

impl Sub {
    /// What of `view` this subscription shows: its levels a side.
    fn shown(&self, view: &View) -> View {
        let n = match self.depth {
            Depth::Top => 1,
            Depth::Levels(0) => usize::MAX,
            Depth::Levels(n) => n as usize,
        };
        View {
            bids: view.bids.iter().take(n).copied().collect(),
            asks: view.asks.iter().take(n).copied().collect(),
            ts: view.ts,
        }
    }

    /// The entries that take this subscription from what it was sent to `view`.
    fn changes(&mut self, view: &View) -> Vec<Entry> {
        let shown = self.shown(view);
        let mut out = side_changes(EntryKind::Bid, &self.sent.bids, &shown.bids, view.ts);
        out.extend(side_changes(
            EntryKind::Offer,
            &self.sent.asks,
            &shown.asks,
            view.ts,
        ));
        self.sent = shown;
        out
    }
}

#[cfg(test)]
#[path = "serve_tests.rs"]
mod tests;
