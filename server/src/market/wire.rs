//! The feed's message format (documented in `docs/feed.md`).
//!
//! Each message is two frames: the symbol (UTF-8, also the SUB topic) and a JSON payload:
//! - `{"type":"quote","ts":NS,"bid":F,"bid_size":I,"ask":F,"ask_size":I}`
//! - `{"type":"trade","ts":NS,"price":F,"size":I}`
//! - `{"type":"bar","ts":NS,"period_secs":I,"open":F,"high":F,"low":F,"close":F,"volume":I}`
//!
//! `ts` is the exchange timestamp (ns since the Unix epoch). An optional `sent_ns` (wall
//! clock ns at publish) lets the server measure wire-to-wire latency.

use robofleet_api::{Bar, EventKind, Quote, TradePrint};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq)]
pub struct MarketData {
    pub symbol: String,
    pub ts: i64,
    pub sent_ns: Option<i64>,
    pub kind: MarketKind,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum MarketKind {
    Quote {
        bid: f64,
        bid_size: i64,
        ask: f64,
        ask_size: i64,
    },
    Trade {
        price: f64,
        size: i64,
    },
    Bar {
        period_secs: u32,
        open: f64,
        high: f64,
        low: f64,
        close: f64,
        volume: i64,
    },
}

#[derive(Serialize, Deserialize)]
struct Payload {
    ts: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sent_ns: Option<i64>,
    #[serde(flatten)]
    kind: MarketKind,
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
    let p: Payload =
        serde_json::from_slice(&frames[1]).map_err(|e| WireError::BadPayload(e.to_string()))?;
    validate(&p.kind)?;
    Ok(MarketData {
        symbol: symbol.to_string(),
        ts: p.ts,
        sent_ns: p.sent_ns,
        kind: p.kind,
    })
}

fn validate(kind: &MarketKind) -> Result<(), WireError> {
    let ok = match kind {
        MarketKind::Quote {
            bid,
            bid_size,
            ask,
            ask_size,
        } => bid.is_finite() && ask.is_finite() && *bid_size >= 0 && *ask_size >= 0,
        MarketKind::Trade { price, size } => price.is_finite() && *size > 0,
        MarketKind::Bar {
            open,
            high,
            low,
            close,
            volume,
            ..
        } => [open, high, low, close].iter().all(|v| v.is_finite()) && *volume >= 0,
    };
    if ok {
        Ok(())
    } else {
        Err(WireError::BadValues(
            "prices must be finite, sizes non-negative",
        ))
    }
}

/// Encode one message as its two frames.
pub fn encode(md: &MarketData) -> [Vec<u8>; 2] {
    let payload = Payload {
        ts: md.ts,
        sent_ns: md.sent_ns,
        kind: md.kind.clone(),
    };
    // Serializing plain numbers and a tag cannot fail.
    let json = serde_json::to_vec(&payload).unwrap_or_default();
    [md.symbol.as_bytes().to_vec(), json]
}

impl MarketData {
    /// The event a robot sees for this message.
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let md = MarketData {
            symbol: "Si".into(),
            ts: 5,
            sent_ns: Some(7),
            kind: MarketKind::Quote {
                bid: 1.0,
                bid_size: 2,
                ask: 3.0,
                ask_size: 4,
            },
        };
        assert_eq!(decode(&encode(&md)).unwrap(), md);
        assert!(decode(&[b"Si".to_vec()]).is_err());
        assert!(decode(&[b"Si".to_vec(), b"{not json".to_vec()]).is_err());
        assert!(decode(&[vec![0xff], b"{}".to_vec()]).is_err());
        let neg = br#"{"type":"trade","ts":1,"price":1.0,"size":-3}"#.to_vec();
        assert!(decode(&[b"Si".to_vec(), neg]).is_err());
    }
}
