//! The feed's message format (documented in `docs/feed.md`).
//!
//! Each message is two frames: the symbol (UTF-8, also the SUB topic) and a JSON payload:
//! - `{"type":"quote","ts":NS,"bid":F,"bid_size":I,"ask":F,"ask_size":I}`
//! - `{"type":"trade","ts":NS,"price":F,"size":I}`
//! - `{"type":"bar","ts":NS,"period_secs":I,"open":F,"high":F,"low":F,"close":F,"volume":I}`
//! - `{"type":"depth","ts":NS,"seq":I,"snapshot":B,"bids":[[F,I],...],"asks":[[F,I],...]}`:
//!   a snapshot is the whole book; an update (`"snapshot":false`, the symbol's next `seq`)
//!   sets each listed level's quantity, 0 removing it (see [`super::book`]).
//!
//! Prices (`F`) are JSON numbers or decimal strings read exactly from their text, up to 9
//! decimal places (never through a float). `ts` is the exchange timestamp (ns since the Unix
//! epoch). An optional `sent_ns` (wall
//! clock ns at publish) lets the server measure wire-to-wire latency.

use robofleet_api::abi::{RfLevel, RfMarket, MD_BAR, MD_QUOTE, MD_TRADE};
use robofleet_api::{Bar, Depth, EventKind, Level, Price, Quote, TradePrint};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq)]
pub struct MarketData {
    pub symbol: String,
    pub ts: i64,
    pub sent_ns: Option<i64>,
    pub kind: MarketKind,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum MarketKind {
    Quote {
        #[serde(serialize_with = "number")]
        bid: Price,
        bid_size: i64,
        #[serde(serialize_with = "number")]
        ask: Price,
        ask_size: i64,
    },
    Trade {
        #[serde(serialize_with = "number")]
        price: Price,
        size: i64,
    },
    Bar {
        period_secs: u32,
        #[serde(serialize_with = "number")]
        open: Price,
        #[serde(serialize_with = "number")]
        high: Price,
        #[serde(serialize_with = "number")]
        low: Price,
        #[serde(serialize_with = "number")]
        close: Price,
        volume: i64,
    },
    /// Order book levels, best first on each side.
    Depth {
        seq: u64,
        snapshot: bool,
        #[serde(serialize_with = "levels")]
        bids: Vec<Level>,
        #[serde(serialize_with = "levels")]
        asks: Vec<Level>,
    },
}

/// Most levels a depth message may carry on one side.
pub const MAX_WIRE_LEVELS: usize = 1000;

/// Levels as `[[price, qty], ...]`, each price an exact number literal.
fn levels<S: Serializer>(levels: &[Level], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(levels.len()))?;
    for l in levels {
        let raw = RawValue::from_string(l.price.to_string()).map_err(serde::ser::Error::custom)?;
        seq.serialize_element(&(raw, l.qty))?;
    }
    seq.end()
}

/// A price as a JSON number literal with its exact decimal digits (`99998.5`, never `9.99985e4`).
fn number<S: Serializer>(price: &Price, s: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(price.to_string()).map_err(serde::ser::Error::custom)?;
    raw.serialize(s)
}

#[derive(Serialize)]
struct Payload<'a> {
    ts: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sent_ns: Option<i64>,
    #[serde(flatten)]
    kind: &'a MarketKind,
}

/// What a payload may hold, every price kept as the text it was sent as, so it is parsed
/// straight to an exact [`Price`] and never passes through a float. Unknown keys are ignored.
#[derive(Deserialize)]
struct Incoming<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    ts: i64,
    #[serde(default)]
    sent_ns: Option<i64>,
    #[serde(default, borrow)]
    bid: Option<&'a RawValue>,
    #[serde(default)]
    bid_size: Option<i64>,
    #[serde(default, borrow)]
    ask: Option<&'a RawValue>,
    #[serde(default)]
    ask_size: Option<i64>,
    #[serde(default, borrow)]
    price: Option<&'a RawValue>,
    #[serde(default)]
    size: Option<i64>,
    #[serde(default)]
    period_secs: Option<u32>,
    #[serde(default, borrow)]
    open: Option<&'a RawValue>,
    #[serde(default, borrow)]
    high: Option<&'a RawValue>,
    #[serde(default, borrow)]
    low: Option<&'a RawValue>,
    #[serde(default, borrow)]
    close: Option<&'a RawValue>,
    #[serde(default)]
    volume: Option<i64>,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    snapshot: Option<bool>,
    #[serde(default, borrow)]
    bids: Option<Vec<(&'a RawValue, i64)>>,
    #[serde(default, borrow)]
    asks: Option<Vec<(&'a RawValue, i64)>>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WireError {
    #[error("expected 2 frames [symbol, payload], got {0}")]
    FrameCount(usize),
    #[error("symbol frame is empty or not UTF-8")]
    BadSymbol,
    #[error("payload is not a valid market data message: {0}")]
    BadPayload(String),
    #[error("invalid values: {0}")]
    BadValues(&'static str),
    #[error("`{field}`: {reason}")]
    BadPrice { field: &'static str, reason: String },
}

/// Parse one feed message. Anything malformed is an error, never a panic.
pub fn decode(frames: &[Vec<u8>]) -> Result<MarketData, WireError> {
    if frames.len() != 2 {
        return Err(WireError::FrameCount(frames.len()));
    }
    let symbol = std::str::from_utf8(&frames[0]).map_err(|_| WireError::BadSymbol)?;
    if symbol.is_empty() {
        return Err(WireError::BadSymbol);
    }
    let p: Incoming =
        serde_json::from_slice(&frames[1]).map_err(|e| WireError::BadPayload(e.to_string()))?;
    let kind = match p.kind.as_ref() {
        "quote" => MarketKind::Quote {
            bid: price("bid", p.bid)?,
            bid_size: int("bid_size", p.bid_size)?,
            ask: price("ask", p.ask)?,
            ask_size: int("ask_size", p.ask_size)?,
        },
        "trade" => MarketKind::Trade {
            price: price("price", p.price)?,
            size: int("size", p.size)?,
        },
        "bar" => MarketKind::Bar {
            period_secs: p
                .period_secs
                .ok_or(WireError::BadPayload("missing field `period_secs`".into()))?,
            open: price("open", p.open)?,
            high: price("high", p.high)?,
            low: price("low", p.low)?,
            close: price("close", p.close)?,
            volume: int("volume", p.volume)?,
        },
        "depth" => MarketKind::Depth {
            seq: p
                .seq
                .ok_or(WireError::BadPayload("missing field `seq`".into()))?,
            snapshot: p
                .snapshot
                .ok_or(WireError::BadPayload("missing field `snapshot`".into()))?,
            bids: depth_side("bids", p.bids)?,
            asks: depth_side("asks", p.asks)?,
        },
        other => {
            return Err(WireError::BadPayload(format!(
                "unknown type {other:?} (expected quote, trade, bar or depth)"
            )))
        }
    };
    validate(&kind)?;
    Ok(MarketData {
        symbol: symbol.to_string(),
        ts: p.ts,
        sent_ns: p.sent_ns,
        kind,
    })
}

/// One side of a depth message: at most [`MAX_WIRE_LEVELS`] `[price, qty]` pairs.
fn depth_side(
    field: &'static str,
    raw: Option<Vec<(&RawValue, i64)>>,
) -> Result<Vec<Level>, WireError> {
    let raw = raw.ok_or_else(|| WireError::BadPayload(format!("missing field `{field}`")))?;
    if raw.len() > MAX_WIRE_LEVELS {
        return Err(WireError::BadValues("more than 1000 levels on one side"));
    }
    raw.into_iter()
        .map(|(p, qty)| {
            Ok(Level {
                price: price(field, Some(p))?,
                qty,
            })
        })
        .collect()
}

fn int(field: &str, v: Option<i64>) -> Result<i64, WireError> {
    v.ok_or_else(|| WireError::BadPayload(format!("missing field `{field}`")))
}

/// A price from its JSON text: a number literal (`99998.5`) or a decimal string (`"99998.5"`),
/// up to 9 decimal places, no exponent.
fn price(field: &'static str, raw: Option<&RawValue>) -> Result<Price, WireError> {
    let raw = raw.ok_or_else(|| WireError::BadPayload(format!("missing field `{field}`")))?;
    let text = raw.get();
    let parsed = if text.starts_with('"') {
        let s: String = serde_json::from_str(text).map_err(|e| WireError::BadPrice {
            field,
            reason: e.to_string(),
        })?;
        s.parse::<Price>()
    } else {
        text.parse::<Price>()
    };
    parsed.map_err(|e| WireError::BadPrice {
        field,
        reason: e.to_string(),
    })
}

/// The checks every message passes after parsing (sizes, depth levels): the CSV's too.
pub fn validate(kind: &MarketKind) -> Result<(), WireError> {
    let ok = match kind {
        MarketKind::Quote {
            bid_size, ask_size, ..
        } => *bid_size >= 0 && *ask_size >= 0,
        MarketKind::Trade { size, .. } => *size > 0,
        MarketKind::Bar { volume, .. } => *volume >= 0,
        MarketKind::Depth {
            snapshot,
            bids,
            asks,
            ..
        } => {
            let least = if *snapshot { 1 } else { 0 };
            let sides_ok = [bids, asks].iter().all(|side| {
                let mut prices: Vec<Price> = side.iter().map(|l| l.price).collect();
                prices.sort();
                prices.dedup();
                prices.len() == side.len()
                    && side.iter().all(|l| l.qty >= least && l.price.is_positive())
            });
            if !sides_ok {
                return Err(WireError::BadValues(
                    "depth levels need positive prices, each price once a side, quantities \
                     above 0 in a snapshot (0 removes a level in an update)",
                ));
            }
            true
        }
    };
    if ok {
        Ok(())
    } else {
        Err(WireError::BadValues(
            "sizes must be non-negative (a trade's positive)",
        ))
    }
}

/// Encode one message as its two frames.
pub fn encode(md: &MarketData) -> [Vec<u8>; 2] {
    let payload = Payload {
        ts: md.ts,
        sent_ns: md.sent_ns,
        kind: &md.kind,
    };
    // Integers, a tag and decimal literals: serializing cannot fail.
    let json = serde_json::to_vec(&payload).unwrap_or_default();
    [md.symbol.as_bytes().to_vec(), json]
}

impl MarketData {
    /// The event a robot sees for this message.
    /// The fixed-layout record robots are handed (`seq` 0: the robot's loop numbers it).
    pub fn to_record(&self, symbol_id: u32) -> RfMarket {
        let (kind, px, qty) = match &self.kind {
            MarketKind::Quote {
                bid,
                bid_size,
                ask,
                ask_size,
            } => (
                MD_QUOTE,
                [bid.raw(), ask.raw(), 0, 0],
                [*bid_size, *ask_size],
            ),
            MarketKind::Trade { price, size } => (MD_TRADE, [price.raw(), 0, 0, 0], [*size, 0]),
            MarketKind::Bar {
                period_secs,
                open,
                high,
                low,
                close,
                volume,
            } => (
                MD_BAR,
                [open.raw(), high.raw(), low.raw(), close.raw()],
                [*volume, i64::from(*period_secs)],
            ),
            MarketKind::Depth { bids, asks, .. } => {
                return RfMarket::depth(0, self.ts, symbol_id, 0, bids.len(), asks.len())
            }
        };
        RfMarket {
            seq: 0,
            ts: self.ts,
            kind,
            symbol: symbol_id,
            px,
            qty,
        }
    }

    pub fn to_event_kind(&self) -> EventKind {
        let symbol = self.symbol.clone();
        match &self.kind {
            MarketKind::Quote {
                bid,
                bid_size,
                ask,
                ask_size,
            } => EventKind::Quote(Quote {
                symbol,
                bid: *bid,
                bid_size: *bid_size,
                ask: *ask,
                ask_size: *ask_size,
            }),
            MarketKind::Trade { price, size } => EventKind::Trade(TradePrint {
                symbol,
                price: *price,
                size: *size,
            }),
            MarketKind::Bar {
                period_secs,
                open,
                high,
                low,
                close,
                volume,
            } => EventKind::Bar(Bar {
                symbol,
                period_secs: *period_secs,
                open: *open,
                high: *high,
                low: *low,
                close: *close,
                volume: *volume,
            }),
            MarketKind::Depth { bids, asks, .. } => EventKind::Depth(Depth {
                symbol,
                bids: bids.clone(),
                asks: asks.clone(),
            }),
        }
    }

    /// A book's levels as they cross the plugin boundary: bids then asks.
    pub fn levels_into(&self, out: &mut Vec<RfLevel>) {
        out.clear();
        if let MarketKind::Depth { bids, asks, .. } = &self.kind {
            out.extend(bids.iter().chain(asks).map(|l| RfLevel {
                price: l.price.raw(),
                qty: l.qty,
            }));
        }
    }
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
