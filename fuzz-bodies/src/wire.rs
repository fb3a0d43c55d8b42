//! Input that arrives over sockets or in data files.

use robofleet::control::protocol::{error_reply, ok_reply, parse};
use robofleet::store::Cursor;
use robofleet_api::{Money, Price};
use serde_json::value::RawValue;
use std::collections::HashMap;

/// A control request body: parsed and answered; every reply is one JSON object with `ok`.
/// (Read as raw field texts: an echoed `id` may hold numbers no `Value` can, like `1e400`.)
pub fn control_request(body: &[u8]) {
    let (parsed, id) = parse(body);
    let reply = match parsed {
        Ok(_) => ok_reply(serde_json::Value::Null, id.as_ref()),
        Err(e) => error_reply(&e, id.as_ref()),
    };
    let fields: HashMap<String, Box<RawValue>> =
        serde_json::from_slice(&reply).expect("the reply is one JSON object");
    assert!(fields.contains_key("ok"));
}

/// A feed message's frames, split from the input at 0xFF bytes: what decodes encodes and
/// decodes to the same.
pub fn feed_message(data: &[u8]) {
    let frames: Vec<Vec<u8>> = data.split(|b| *b == 0xFF).map(<[u8]>::to_vec).collect();
    if let Ok(md) = robofleet::market::decode(&frames) {
        let again = robofleet::market::decode(&robofleet::market::encode(&md));
        assert_eq!(again.ok(), Some(md));
    }
}

/// One line of a market data CSV file: parsed or refused with a reason.
pub fn csv_row(data: &[u8]) {
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = robofleet::feed::csv::parse_row(line);
    }
}

/// Paging cursors (from control requests) and panic buffers (from plugins).
pub fn small_decoders(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = Cursor::parse(text) {
            assert_eq!(Cursor::parse(&c.to_string()), Ok(c));
        }
    }
    let (message, frames) = robofleet_api::panics::split_panic_buffer(data);
    assert!(message.len() <= data.len() && frames.len() <= data.len() / 8);
}

/// Decimal text to an exact price and amount: what parses prints back to the same value.
pub fn decimal_text(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = text.parse::<Price>() {
            assert_eq!(p.to_string().parse::<Price>().ok(), Some(p));
        }
        if let Ok(m) = text.parse::<Money>() {
            assert_eq!(m.to_string().parse::<Money>().ok(), Some(m));
        }
    }
}
