//! Orders and trades a page at a time, for the control socket and analysts.
//!
//! Items are ordered by a key of (time, unique id): an order's `(created_ns, client_id)`, a
//! trade's `(ts_ns, exec_id)`. A cursor names a place in that order: `"<ns>:<id>"` (the
//! `next` of a page) or just `"<ns>"` (a time). `before` pages back from the newest (newest
//! first); `after` walks forward from a place (oldest first), for a client that follows new
//! items. Both bounds are exclusive; with both, the items between them, newest first.

use super::{Order, Trade};
use robofleet_api::OrderStatus;

/// Replies hold at most this many items; the default is [`DEFAULT_LIMIT`].
pub const MAX_LIMIT: usize = 10_000;
pub const DEFAULT_LIMIT: usize = 100;

/// A place in time order: items strictly before or after it are selected.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
    pub ns: i64,
    /// `None`: a time only (every item at exactly `ns` is on neither side).
    pub id: Option<String>,
}

impl Cursor {
    pub fn of(ns: i64, id: &str) -> Cursor {
        Cursor {
            ns,
            id: Some(id.to_string()),
        }
    }

    /// `"<ns>:<id>"` or `"<ns>"`.
    pub fn parse(text: &str) -> Result<Cursor, String> {
        let (ns, id) = match text.split_once(':') {
            Some((ns, id)) => (ns, Some(id.to_string())),
            None => (text, None),
        };
        let ns = ns.trim().parse::<i64>().map_err(|_| {
            format!("cursor {text:?} is not \"<ns>\" or \"<ns>:<id>\" (ns: an integer)")
        })?;
        Ok(Cursor { ns, id })
    }

    /// Is the item keyed `(ns, id)` strictly before this place?
    pub fn is_after_item(&self, ns: i64, id: &str) -> bool {
        match &self.id {
            None => ns < self.ns,
            Some(c) => (ns, id) < (self.ns, c.as_str()),
        }
    }

    /// Is the item keyed `(ns, id)` strictly after this place?
    pub fn is_before_item(&self, ns: i64, id: &str) -> bool {
        match &self.id {
            None => ns > self.ns,
            Some(c) => (ns, id) > (self.ns, c.as_str()),
        }
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{}:{id}", self.ns),
            None => write!(f, "{}", self.ns),
        }
    }
}

/// How many items, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct PageQuery {
    pub limit: usize,
    pub before: Option<Cursor>,
    pub after: Option<Cursor>,
}

impl Default for PageQuery {
    fn default() -> Self {
        PageQuery {
            limit: DEFAULT_LIMIT,
            before: None,
            after: None,
        }
    }
}

impl PageQuery {
    /// Oldest first only when walking forward from `after` alone.
    pub fn oldest_first(&self) -> bool {
        self.after.is_some() && self.before.is_none()
    }

    pub fn admits(&self, ns: i64, id: &str) -> bool {
        self.before.as_ref().is_none_or(|c| c.is_after_item(ns, id))
            && self.after.as_ref().is_none_or(|c| c.is_before_item(ns, id))
    }
}

/// Which orders, a page at a time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderQuery {
    pub robot: Option<String>,
    pub symbol: Option<String>,
    pub status: Option<OrderStatus>,
    pub open_only: bool,
    pub page: PageQuery,
}

impl OrderQuery {
    pub fn admits(&self, o: &Order) -> bool {
        self.robot.as_deref().is_none_or(|r| o.robot == r)
            && self.symbol.as_deref().is_none_or(|s| o.symbol == s)
            && self.status.is_none_or(|s| o.status == s)
            && (!self.open_only || !o.status.is_terminal())
            && self.page.admits(o.created_ns, &o.client_id)
    }
}

/// Which trades, a page at a time.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TradeQuery {
    pub robot: Option<String>,
    pub symbol: Option<String>,
    pub page: PageQuery,
}

impl TradeQuery {
    pub fn admits(&self, t: &Trade) -> bool {
        self.robot.as_deref().is_none_or(|r| t.robot == r)
            && self.symbol.as_deref().is_none_or(|s| t.symbol == s)
            && self.page.admits(t.ts_ns, &t.exec_id)
    }
}

/// One page: the items in the query's order, and whether more lie beyond the last.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub more: bool,
}

/// Order `admitted` items by `key` in the query's direction and cut a page: what a store
/// that filters in memory does.
pub fn cut_page<T>(
    mut admitted: Vec<T>,
    page: &PageQuery,
    key: impl Fn(&T) -> (i64, &str),
) -> Page<T> {
    if page.oldest_first() {
        admitted.sort_by(|a, b| key(a).cmp(&key(b)));
    } else {
        admitted.sort_by(|a, b| key(b).cmp(&key(a)));
    }
    let more = admitted.len() > page.limit;
    admitted.truncate(page.limit);
    Page {
        items: admitted,
        more,
    }
}

/// A page of a store's in-memory `items`: those `admits` lets through, in the query's order;
/// only the ones on the page are cloned.
pub fn page_in_memory<'a, T: Clone + 'a>(
    items: impl IntoIterator<Item = &'a T>,
    admits: impl Fn(&T) -> bool,
    page: &PageQuery,
    key: impl Fn(&T) -> (i64, &str),
) -> Page<T> {
    let admitted: Vec<&T> = items.into_iter().filter(|t| admits(t)).collect();
    let cut = cut_page(admitted, page, |t| key(t));
    Page {
        items: cut.items.into_iter().cloned().collect(),
        more: cut.more,
    }
}

pub fn order_key(o: &Order) -> (i64, &str) {
    (o.created_ns, &o.client_id)
}

pub fn trade_key(t: &Trade) -> (i64, &str) {
    (t.ts_ns, &t.exec_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_parse_print_and_bound_exclusively() {
        let c = Cursor::parse("100:ma-7").unwrap();
        assert_eq!(c, Cursor::of(100, "ma-7"));
        assert_eq!(c.to_string(), "100:ma-7");
        assert_eq!(Cursor::parse("-5").unwrap().to_string(), "-5");
        assert_eq!(Cursor::parse("7:a:b").unwrap().id.as_deref(), Some("a:b"));
        assert!(Cursor::parse("x:1").is_err());
        assert!(Cursor::parse("").is_err());
        assert!(c.is_after_item(100, "ma-6") && !c.is_after_item(100, "ma-7"));
        assert!(c.is_before_item(100, "ma-8") && !c.is_before_item(100, "ma-7"));
        let t = Cursor::parse("100").unwrap();
        assert!(!t.is_after_item(100, "z") && !t.is_before_item(100, "a"));
    }

    #[test]
    fn pages_walk_every_item_once_in_both_directions_through_ties() {
        // 25 items, 3 at each time: pages of 4 must not lose or repeat any at a tie.
        let items: Vec<(i64, String)> = (0..25).map(|i| (i / 3, format!("id{i:02}"))).collect();
        fn key(x: &(i64, String)) -> (i64, &str) {
            (x.0, x.1.as_str())
        }
        for forward in [false, true] {
            let mut seen = Vec::new();
            let mut page = PageQuery {
                limit: 4,
                before: None,
                after: forward.then(|| Cursor::parse("-1").unwrap()),
            };
            loop {
                let admitted: Vec<_> = items
                    .iter()
                    .filter(|x| page.admits(x.0, &x.1))
                    .cloned()
                    .collect();
                let p = cut_page(admitted, &page, key);
                let last = p.items.last().map(|x| Cursor::of(x.0, &x.1));
                seen.extend(p.items);
                if !p.more {
                    break;
                }
                if forward {
                    page.after = last;
                } else {
                    page.before = last;
                }
            }
            let mut want = items.clone();
            if !forward {
                want.reverse();
            }
            assert_eq!(seen, want, "forward={forward}");
        }
    }
}
