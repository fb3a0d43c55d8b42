//! The market data messages, built and read: MarketDataRequest (V) both ways, snapshots (W)
//! and incremental refreshes (X) both ways, MarketDataRequestReject (Y) built.

use super::{Action, Depth, Entry, EntryKind};
use crate::fields::{self, bad, get};
use crate::outbound::message;
use crate::tags::*;
use crate::{time, FixMapError};
use quickfix::{FieldMap, Group, Message};

/// SubscriptionRequestType.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscription {
    /// `0`: one snapshot.
    Snapshot,
    /// `1`: a snapshot, then incremental refreshes.
    Updates,
    /// `2`: end the subscription of this MDReqID.
    Cancel,
}

/// A MarketDataRequest.
#[derive(Clone, Debug, PartialEq)]
pub struct MdRequest {
    pub id: String,
    pub subscription: Subscription,
    pub depth: Depth,
    /// MDUpdateType: incremental refreshes (`1`, and when absent) or full refreshes (`0`).
    pub incremental: bool,
    /// Bid and offer entries asked for.
    pub book: bool,
    /// Trade entries asked for.
    pub trades: bool,
    pub symbols: Vec<String>,
}

fn group(tag: i32, delim: i32, order: &[i32]) -> Result<Group, FixMapError> {
    Ok(Group::try_with_orders(tag, delim, order)?)
}

/// The MarketDataRequest for `req`.
pub fn request(req: &MdRequest) -> Result<Message, FixMapError> {
    let mut m = message("V")?;
    m.set_field(MD_REQ_ID, req.id.as_str())?;
    let sub = match req.subscription {
        Subscription::Snapshot => "0",
        Subscription::Updates => "1",
        Subscription::Cancel => "2",
    };
    m.set_field(SUBSCRIPTION_REQUEST_TYPE, sub)?;
    m.set_field(MARKET_DEPTH, req.depth.market_depth())?;
    if req.subscription == Subscription::Updates {
        m.set_field(MD_UPDATE_TYPE, if req.incremental { "1" } else { "0" })?;
    }
    let mut kinds = Vec::new();
    if req.book {
        kinds.extend([EntryKind::Bid, EntryKind::Offer]);
    }
    if req.trades {
        kinds.push(EntryKind::Trade);
    }
    for kind in kinds {
        let mut g = group(NO_MD_ENTRY_TYPES, MD_ENTRY_TYPE, &[MD_ENTRY_TYPE])?;
        g.set_field(MD_ENTRY_TYPE, kind.code().to_string())?;
        m.add_group(&g)?;
    }
    for symbol in &req.symbols {
        let mut g = group(NO_RELATED_SYM, SYMBOL, &[SYMBOL])?;
        g.set_field(SYMBOL, symbol.as_str())?;
        m.add_group(&g)?;
    }
    Ok(m)
}

/// The count of a repeating group, 0 when absent.
fn count(m: &Message, tag: i32, name: &'static str) -> Result<i32, FixMapError> {
    match m.get_field(tag) {
        None => Ok(0),
        Some(v) => match v.parse::<i32>() {
            Ok(n) if n >= 0 => Ok(n),
            _ => Err(bad(tag, name, v, "not a group count")),
        },
    }
}

/// Read a MarketDataRequest (the paper venue's side).
pub fn read_request(m: &Message) -> Result<MdRequest, FixMapError> {
    let id = get(m, MD_REQ_ID, "MDReqID")?;
    let subscription = match get(m, SUBSCRIPTION_REQUEST_TYPE, "SubscriptionRequestType")?.as_str()
    {
        "0" => Subscription::Snapshot,
        "1" => Subscription::Updates,
        "2" => Subscription::Cancel,
        other => {
            return Err(bad(
                SUBSCRIPTION_REQUEST_TYPE,
                "SubscriptionRequestType",
                other.into(),
                "not 0, 1 or 2",
            ))
        }
    };
    let depth = get(m, MARKET_DEPTH, "MarketDepth")?;
    let depth = depth
        .parse::<u32>()
        .map(Depth::of)
        .map_err(|_| bad(MARKET_DEPTH, "MarketDepth", depth, "not a depth"))?;
    let incremental = match m.get_field(MD_UPDATE_TYPE).as_deref() {
        None | Some("1") => true,
        Some("0") => false,
        Some(other) => {
            return Err(bad(
                MD_UPDATE_TYPE,
                "MDUpdateType",
                other.into(),
                "not 0 or 1",
            ))
        }
    };
    let (mut book, mut trades) = (false, false);
    for i in 1..=count(m, NO_MD_ENTRY_TYPES, "NoMDEntryTypes")? {
        let code = m
            .with_group(i, NO_MD_ENTRY_TYPES, |g| g.get_field(MD_ENTRY_TYPE))
            .flatten()
            .unwrap_or_default();
        match EntryKind::of(&code) {
            Some(EntryKind::Trade) => trades = true,
            Some(_) => book = true,
            None => {
                return Err(bad(
                    MD_ENTRY_TYPE,
                    "MDEntryType",
                    code,
                    "not 0 (bid), 1 (offer) or 2 (trade)",
                ))
            }
        }
    }
    let mut symbols = Vec::new();
    for i in 1..=count(m, NO_RELATED_SYM, "NoRelatedSym")? {
        match m
            .with_group(i, NO_RELATED_SYM, |g| g.get_field(SYMBOL))
            .flatten()
        {
            Some(s) if !s.is_empty() => symbols.push(s),
            _ => {
                return Err(FixMapError::Missing {
                    tag: SYMBOL,
                    name: "Symbol",
                })
            }
        }
    }
    Ok(MdRequest {
        id,
        subscription,
        depth,
        incremental,
        book,
        trades,
        symbols,
    })
}

/// The fields an entry carries after its type (and, in X, its action and symbol).
fn entry_fields(g: &mut Group, e: &Entry) -> Result<(), FixMapError> {
    g.set_field(MD_ENTRY_TYPE, e.kind.code().to_string())?;
    g.set_field(MD_ENTRY_PX, e.price.to_string())?;
    if e.action != Action::Delete {
        g.set_field(MD_ENTRY_SIZE, e.size)?;
    }
    if let Some(ts) = e.ts_ns {
        let (date, time) = time::date_and_time_ns(ts);
        g.set_field(MD_ENTRY_DATE, date)?;
        g.set_field(MD_ENTRY_TIME, time)?;
    }
    Ok(())
}

const FULL_ORDER: &[i32] = &[
    MD_ENTRY_TYPE,
    MD_ENTRY_PX,
    MD_ENTRY_SIZE,
    MD_ENTRY_DATE,
    MD_ENTRY_TIME,
];
const INC_ORDER: &[i32] = &[
    MD_UPDATE_ACTION,
    MD_ENTRY_TYPE,
    SYMBOL,
    MD_ENTRY_PX,
    MD_ENTRY_SIZE,
    MD_ENTRY_DATE,
    MD_ENTRY_TIME,
];

/// A MarketDataSnapshotFullRefresh of `symbol`: its book (and trades) as `entries`.
pub fn snapshot(req_id: &str, symbol: &str, entries: &[Entry]) -> Result<Message, FixMapError> {
    let mut m = message("W")?;
    m.set_field(MD_REQ_ID, req_id)?;
    m.set_field(SYMBOL, symbol)?;
    if entries.is_empty() {
        m.set_field(NO_MD_ENTRIES, 0)?;
    }
    for e in entries {
        let mut g = group(NO_MD_ENTRIES, MD_ENTRY_TYPE, FULL_ORDER)?;
        entry_fields(&mut g, e)?;
        m.add_group(&g)?;
    }
    Ok(m)
}

/// A MarketDataIncrementalRefresh: `entries` of `symbol`, in order.
pub fn incremental(req_id: &str, symbol: &str, entries: &[Entry]) -> Result<Message, FixMapError> {
    let mut m = message("X")?;
    m.set_field(MD_REQ_ID, req_id)?;
    for e in entries {
        let mut g = group(NO_MD_ENTRIES, MD_UPDATE_ACTION, INC_ORDER)?;
        g.set_field(MD_UPDATE_ACTION, e.action.code().to_string())?;
        g.set_field(SYMBOL, symbol)?;
        entry_fields(&mut g, e)?;
        m.add_group(&g)?;
    }
    Ok(m)
}

/// MDReqRejReason codes the paper venue uses.
pub mod reject_reason {
    pub const UNKNOWN_SYMBOL: char = '0';
    pub const DUPLICATE_MD_REQ_ID: char = '1';
    pub const UNSUPPORTED_MD_UPDATE_TYPE: char = '6';
    pub const UNSUPPORTED_MD_ENTRY_TYPE: char = '8';
}

/// A MarketDataRequestReject.
pub fn reject(req_id: &str, reason: char, text: &str) -> Result<Message, FixMapError> {
    let mut m = message("Y")?;
    m.set_field(MD_REQ_ID, req_id)?;
    m.set_field(MD_REQ_REJ_REASON, reason.to_string())?;
    m.set_field(TEXT, text)?;
    Ok(m)
}

/// What a venue sent about a subscription.
#[derive(Clone, Debug, PartialEq)]
pub enum MdMessage {
    /// W: the whole book of `symbol` (entries all `New`).
    Snapshot {
        req_id: String,
        symbol: String,
        entries: Vec<Entry>,
    },
    /// X: changes, each with its symbol (when an entry names none, `None`).
    Incremental {
        req_id: String,
        entries: Vec<(Option<String>, Entry)>,
    },
    /// Y.
    Reject { req_id: String, why: String },
}

/// The ns of an entry's MDEntryDate + MDEntryTime, if it has both.
fn entry_ts(g: &Group) -> Result<Option<i64>, FixMapError> {
    match (g.get_field(MD_ENTRY_DATE), g.get_field(MD_ENTRY_TIME)) {
        (Some(d), Some(t)) => time::parse(&format!("{d}-{t}"))
            .map(Some)
            .ok_or_else(|| bad(MD_ENTRY_TIME, "MDEntryTime", t, "not a UTC date and time")),
        _ => Ok(None),
    }
}

fn read_entry(g: &Group, action: Action) -> Result<Entry, FixMapError> {
    let code = g.get_field(MD_ENTRY_TYPE).ok_or(FixMapError::Missing {
        tag: MD_ENTRY_TYPE,
        name: "MDEntryType",
    })?;
    let kind = EntryKind::of(&code).ok_or_else(|| {
        bad(
            MD_ENTRY_TYPE,
            "MDEntryType",
            code.clone(),
            "not 0 (bid), 1 (offer) or 2 (trade)",
        )
    })?;
    let px = g.get_field(MD_ENTRY_PX).ok_or(FixMapError::Missing {
        tag: MD_ENTRY_PX,
        name: "MDEntryPx",
    })?;
    let price = px
        .parse()
        .map_err(|_| bad(MD_ENTRY_PX, "MDEntryPx", px, "not an exact decimal price"))?;
    let size = match g.get_field(MD_ENTRY_SIZE) {
        None if action == Action::Delete => 0,
        None => {
            return Err(FixMapError::Missing {
                tag: MD_ENTRY_SIZE,
                name: "MDEntrySize",
            })
        }
        Some(v) => {
            let whole = v.strip_suffix(".0").unwrap_or(&v);
            match whole.parse::<i64>() {
                Ok(n) if n >= 0 => n,
                _ => return Err(bad(MD_ENTRY_SIZE, "MDEntrySize", v, "not a whole size")),
            }
        }
    };
    Ok(Entry {
        action,
        kind,
        price,
        size,
        ts_ns: entry_ts(g)?,
    })
}

/// Read a W, X or Y (the client's side).
pub fn read(m: &Message) -> Result<MdMessage, FixMapError> {
    let msg_type = fields::msg_type(m)?;
    let req_id = get(m, MD_REQ_ID, "MDReqID")?;
    let n = count(m, NO_MD_ENTRIES, "NoMDEntries");
    match msg_type.as_str() {
        "W" => {
            let symbol = get(m, SYMBOL, "Symbol")?;
            let mut entries = Vec::new();
            for i in 1..=n? {
                let e = m.with_group(i, NO_MD_ENTRIES, |g| read_entry(g, Action::New));
                entries.push(e.ok_or(FixMapError::Missing {
                    tag: MD_ENTRY_TYPE,
                    name: "MDEntryType",
                })??);
            }
            Ok(MdMessage::Snapshot {
                req_id,
                symbol,
                entries,
            })
        }
        "X" => {
            let mut entries = Vec::new();
            for i in 1..=n? {
                let e = m.with_group(i, NO_MD_ENTRIES, |g| {
                    let code = g.get_field(MD_UPDATE_ACTION).unwrap_or_default();
                    let action = Action::of(&code).ok_or_else(|| {
                        bad(
                            MD_UPDATE_ACTION,
                            "MDUpdateAction",
                            code,
                            "not 0 (new), 1 (change) or 2 (delete)",
                        )
                    })?;
                    Ok::<_, FixMapError>((g.get_field(SYMBOL), read_entry(g, action)?))
                });
                entries.push(e.ok_or(FixMapError::Missing {
                    tag: MD_UPDATE_ACTION,
                    name: "MDUpdateAction",
                })??);
            }
            Ok(MdMessage::Incremental { req_id, entries })
        }
        "Y" => Ok(MdMessage::Reject {
            req_id,
            why: format!(
                "reason {}: {}",
                m.get_field(MD_REQ_REJ_REASON).unwrap_or_else(|| "?".into()),
                m.get_field(TEXT).unwrap_or_default()
            ),
        }),
        other => Err(FixMapError::Unexpected(other.to_string())),
    }
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
