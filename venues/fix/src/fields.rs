//! Reading FIX fields into our values, with errors that name the tag: shared by the
//! gateway's side ([`crate::inbound`]) and the paper venue's ([`crate::paper::requests`]).

use crate::tags::{MSG_TYPE, SIDE};
use crate::FixMapError;
use quickfix::{FieldMap, Message};
use robofleet_api::{Price, Side};

pub fn get(m: &Message, tag: i32, name: &'static str) -> Result<String, FixMapError> {
    m.get_field(tag).ok_or(FixMapError::Missing { tag, name })
}

pub fn bad(tag: i32, name: &'static str, value: String, why: &'static str) -> FixMapError {
    FixMapError::Bad {
        tag,
        name,
        value,
        why,
    }
}

/// The message's MsgType (35), from its header.
pub fn msg_type(m: &Message) -> Result<String, FixMapError> {
    m.with_header(|h| h.get_field(MSG_TYPE))
        .ok_or(FixMapError::Missing {
            tag: MSG_TYPE,
            name: "MsgType",
        })
}

pub fn side(m: &Message) -> Result<Side, FixMapError> {
    match get(m, SIDE, "Side")?.as_str() {
        "1" => Ok(Side::Buy),
        "2" => Ok(Side::Sell),
        other => Err(bad(SIDE, "Side", other.into(), "not 1 (buy) or 2 (sell)")),
    }
}

/// Whole lots, if the field is there; a venue may write them as `3` or `3.0`.
pub fn qty(m: &Message, tag: i32, name: &'static str) -> Result<Option<i64>, FixMapError> {
    let Some(v) = m.get_field(tag) else {
        return Ok(None);
    };
    let whole = v.strip_suffix(".0").unwrap_or(&v);
    whole
        .parse()
        .map(Some)
        .map_err(|_| bad(tag, name, v, "not a whole quantity"))
}

/// An exact decimal price, if the field is there.
pub fn price(m: &Message, tag: i32, name: &'static str) -> Result<Option<Price>, FixMapError> {
    let Some(v) = m.get_field(tag) else {
        return Ok(None);
    };
    v.parse()
        .map(Some)
        .map_err(|_| bad(tag, name, v, "not an exact decimal price"))
}
