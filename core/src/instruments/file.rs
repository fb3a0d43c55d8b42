//! `instruments.toml`: the registry's file in the data folder (documented in
//! `docs/instruments.md`). Prices and money are decimal strings parsed straight to exact
//! integers; times are RFC 3339 (or integer ns); sessions are `HH:MM-HH:MM` in the venue's
//! offset from UTC.

use crate::feed::timestamp::parse_ts;
use robofleet_api::instrument::{Session, DAY_MINUTES};
use robofleet_api::{Instrument, Money, Price};
use serde::{Deserialize, Serialize};

/// The whole file: `[[instrument]]` tables.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    instrument: Vec<Entry>,
}

/// One `[[instrument]]` table, as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    symbol: String,
    venue: String,
    currency: String,
    tick_size: Price,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tick_value: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    point_value: Option<Money>,
    #[serde(default = "one")]
    lot_size: i64,
    #[serde(default)]
    fee_per_lot: Money,
    #[serde(default)]
    fee_rate: Price,
    #[serde(default = "two")]
    currency_decimals: u32,
    #[serde(default = "utc")]
    timezone: String,
    #[serde(default = "weekdays")]
    days: String,
    sessions: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    effective_from: Option<String>,
}

fn one() -> i64 {
    1
}
fn two() -> u32 {
    2
}
fn utc() -> String {
    "+00:00".into()
}
fn weekdays() -> String {
    "Mon-Fri".into()
}

/// Why the file is not a registry.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("not valid TOML of [[instrument]] tables: {0}")]
    Toml(String),
    #[error("instrument #{index} ({symbol}): {what}")]
    Entry {
        index: usize,
        symbol: String,
        what: String,
    },
}

/// Parse the file's text into specs, every entry checked.
pub fn parse(text: &str) -> Result<Vec<Instrument>, SpecError> {
    let doc: FileDoc = toml::from_str(text).map_err(|e| SpecError::Toml(e.to_string()))?;
    let mut out: Vec<Instrument> = Vec::with_capacity(doc.instrument.len());
    for (i, e) in doc.instrument.into_iter().enumerate() {
        let bad = |what: String| SpecError::Entry {
            index: i + 1,
            symbol: e.symbol.clone(),
            what,
        };
        let spec = entry_to_spec(&e).map_err(bad)?;
        if out
            .iter()
            .any(|o| o.symbol == spec.symbol && o.effective_from_ns == spec.effective_from_ns)
        {
            return Err(SpecError::Entry {
                index: i + 1,
                symbol: spec.symbol,
                what: "a second version with the same `effective_from`".into(),
            });
        }
        out.push(spec);
    }
    Ok(out)
}

fn entry_to_spec(e: &Entry) -> Result<Instrument, String> {
    if e.symbol.is_empty() || e.symbol.contains(char::is_whitespace) {
        return Err("`symbol` must be a non-empty word".into());
    }
    if !e.tick_size.is_positive() {
        return Err(format!("`tick_size` must be positive, got {}", e.tick_size));
    }
    let tick_value = match (e.tick_value, e.point_value) {
        (Some(t), None) => t,
        // Money per point × points per tick: exact, both are decimals.
        (None, Some(p)) => Money::from_raw(p.raw() * e.tick_size.raw() as i128 / 1_000_000_000),
        _ => return Err("give exactly one of `tick_value` and `point_value`".into()),
    };
    if tick_value <= Money::ZERO {
        return Err("the tick's value must be positive".into());
    }
    if e.lot_size < 1 {
        return Err(format!("`lot_size` must be >= 1, got {}", e.lot_size));
    }
    if e.fee_per_lot < Money::ZERO || e.fee_rate < Price::ZERO {
        return Err("fees cannot be negative".into());
    }
    if e.currency_decimals > 9 {
        return Err("`currency_decimals` must be 0..=9".into());
    }
    let sessions = e
        .sessions
        .iter()
        .map(|s| parse_session(s))
        .collect::<Result<Vec<_>, _>>()?;
    if sessions.is_empty() {
        return Err("`sessions` is empty: the instrument would never trade".into());
    }
    let time = |field: &str, v: &Option<String>| -> Result<Option<i64>, String> {
        v.as_deref()
            .map(|t| parse_ts(t).ok_or(format!("`{field}` {t:?} is not RFC 3339 or integer ns")))
            .transpose()
    };
    Ok(Instrument {
        symbol: e.symbol.clone(),
        venue: e.venue.clone(),
        currency: e.currency.clone(),
        tick_size: e.tick_size,
        tick_value,
        lot_size: e.lot_size,
        fee_per_lot: e.fee_per_lot,
        fee_rate: e.fee_rate,
        currency_decimals: e.currency_decimals,
        utc_offset_min: parse_offset(&e.timezone)?,
        days: parse_days(&e.days)?,
        sessions,
        expiry_ns: time("expiry", &e.expiry)?,
        effective_from_ns: time("effective_from", &e.effective_from)?,
    })
}

fn parse_hm(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let total = h.checked_mul(60)?.checked_add(m)?;
    (m < 60 && total <= DAY_MINUTES).then_some(total)
}

fn parse_session(s: &str) -> Result<Session, String> {
    let bad = || format!("session {s:?} is not HH:MM-HH:MM within a day, start before end");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let (start_min, end_min) = (
        parse_hm(a.trim()).ok_or_else(bad)?,
        parse_hm(b.trim()).ok_or_else(bad)?,
    );
    if start_min >= end_min {
        return Err(bad());
    }
    Ok(Session { start_min, end_min })
}

/// `+03:00`, `-05:30`, `Z`.
fn parse_offset(s: &str) -> Result<i32, String> {
    if s == "Z" {
        return Ok(0);
    }
    let bad = || format!("`timezone` {s:?} is not an offset like +03:00");
    let sign = match s.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(bad()),
    };
    let min = parse_hm(&s[1..])
        .filter(|m| *m <= 14 * 60)
        .ok_or_else(bad)?;
    Ok(sign * min as i32)
}

/// `Mon-Fri`, `Mon,Tue,Thu`, `Sun-Thu`, `every day`.
fn parse_days(s: &str) -> Result<u8, String> {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let bad = || format!("`days` {s:?} is not like Mon-Fri or Mon,Wed or every day");
    if s == "every day" {
        return Ok(0x7f);
    }
    let day = |d: &str| NAMES.iter().position(|n| *n == d.trim()).ok_or_else(bad);
    let mut mask = 0u8;
    for part in s.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                let mut d = a;
                loop {
                    mask |= 1 << d;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => mask |= 1 << day(part)?,
        }
    }
    Ok(mask)
}

/// A spec that trades every minute of every day from the start of time: for tests,
/// benchmarks and simulations whose data is stamped at any hour.
pub fn always_open(symbol: &str, tick_size: Price) -> Instrument {
    Instrument {
        symbol: symbol.to_string(),
        venue: "SIM".into(),
        currency: "RUB".into(),
        tick_size,
        tick_value: Money::from_raw(tick_size.raw() as i128),
        lot_size: 1,
        fee_per_lot: Money::ZERO,
        fee_rate: Price::ZERO,
        currency_decimals: 2,
        utc_offset_min: 0,
        days: 0x7f,
        sessions: vec![Session {
            start_min: 0,
            end_min: DAY_MINUTES,
        }],
        expiry_ns: None,
        effective_from_ns: None,
    }
}

/// Specs written as the file's text (what `parse` reads back).
pub fn to_toml(specs: &[Instrument]) -> String {
    let time = |ns: i64| ns.to_string();
    let doc = FileDoc {
        instrument: specs
            .iter()
            .map(|s| Entry {
                symbol: s.symbol.clone(),
                venue: s.venue.clone(),
                currency: s.currency.clone(),
                tick_size: s.tick_size,
                tick_value: Some(s.tick_value),
                point_value: None,
                lot_size: s.lot_size,
                fee_per_lot: s.fee_per_lot,
                fee_rate: s.fee_rate,
                currency_decimals: s.currency_decimals,
                timezone: {
                    let m = s.utc_offset_min;
                    let sign = if m < 0 { '-' } else { '+' };
                    format!("{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60)
                },
                days: robofleet_api::instrument::days_text(s.days),
                sessions: s.sessions.iter().map(|x| x.to_string()).collect(),
                expiry: s.expiry_ns.map(time),
                effective_from: s.effective_from_ns.map(time),
            })
            .collect(),
    };
    toml::to_string(&doc).unwrap_or_default()
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
