//! Exact prices and money: fixed-point integers at one scale, never floating point.
//!
//! A [`Price`] is an `i64` count of 10⁻⁹ (one nano-unit) of the instrument's price unit:
//! `91234.5` is `Price::from_raw(91_234_500_000_000)`. [`Money`] is an `i128` count of 10⁻⁹
//! of a currency, so sums over a long day cannot overflow. Both parse from and print as
//! plain decimal text (`"91234.5"`) with no rounding: text with more than nine decimals is
//! refused, not rounded. Where a value must be rounded (an average price, a turnover fee,
//! a float signal turned into a price) the caller names the [`Rounding`].
//!
//! How they rest: as decimal strings in JSON (the control socket, the embedded store, the
//! backtest report), as `Int64` nano-units in MongoDB and in the journal.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Decimal places of [`Price`] and [`Money`].
pub const DECIMALS: u32 = 9;
/// Raw units per whole unit: 10⁹.
pub const SCALE: i64 = 1_000_000_000;

/// How to round a value that falls between two representable ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Rounding {
    /// Toward negative infinity.
    Down,
    /// Toward positive infinity.
    Up,
    /// To the nearest; a half goes away from zero.
    Nearest,
}

/// `n / d` rounded as asked (`d > 0`).
pub fn div_round(n: i128, d: i128, mode: Rounding) -> i128 {
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    if r == 0 {
        return q;
    }
    match mode {
        Rounding::Down => q,
        Rounding::Up => q + 1,
        Rounding::Nearest => {
            let twice = 2 * r;
            // q is the floor; a half rounds away from zero: up for n > 0, down for n < 0.
            if twice > d || (twice == d && n > 0) {
                q + 1
            } else {
                q
            }
        }
    }
}

/// Why decimal text is not a price or an amount of money.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("{0:?} is not a decimal number (digits, one optional '.', an optional sign)")]
    Syntax(String),
    #[error("{0:?} has more than 9 decimal places")]
    TooPrecise(String),
    #[error("{0:?} is out of range")]
    OutOfRange(String),
}

/// Parse decimal text to a count of 10⁻⁹ units, exactly.
fn parse_raw(text: &str) -> Result<i128, DecimalError> {
    match parse_raw_short(text.as_bytes()) {
        Some(raw) => Ok(raw),
        None => parse_raw_general(text),
    }
}

fn parse_raw_general(text: &str) -> Result<i128, DecimalError> {
    let syntax = || DecimalError::Syntax(text.to_string());
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return Err(syntax());
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > DECIMALS as usize {
        return Err(DecimalError::TooPrecise(text.to_string()));
    }
    let int = int.trim_start_matches('0');
    if int.len() > 27 {
        return Err(DecimalError::OutOfRange(text.to_string()));
    }
    let whole: i128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| syntax())?
    };
    let mut fraction: i128 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| syntax())?
    };
    for _ in frac.len()..DECIMALS as usize {
        fraction *= 10;
    }
    let raw = whole
        .checked_mul(SCALE as i128)
        .and_then(|w| w.checked_add(fraction))
        .ok_or_else(|| DecimalError::OutOfRange(text.to_string()))?;
    Ok(if neg { -raw } else { raw })
}

/// [`parse_raw`] in one pass for the common text, an optional `-`, up to 18 digits and at
/// most one `.` with at most 9 digits after it; `None` for anything else, which the general
/// path then parses (or refuses) with its reasons. Feed and CSV prices are mostly this.
fn parse_raw_short(text: &[u8]) -> Option<i128> {
    let (neg, body) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if body.is_empty() || body.len() > 19 {
        return None;
    }
    let (mut value, mut digits, mut frac_digits, mut dot) = (0u64, 0usize, 0u32, false);
    for &b in body {
        match b {
            b'0'..=b'9' => {
                value = value * 10 + u64::from(b - b'0');
                digits += 1;
                frac_digits += u32::from(dot);
            }
            b'.' if !dot => dot = true,
            _ => return None,
        }
    }
    if digits == 0 || digits > 18 || frac_digits > DECIMALS {
        return None;
    }
    let raw = i128::from(value) * 10i128.pow(DECIMALS - frac_digits);
    Some(if neg { -raw } else { raw })
}

/// Print a count of 10⁻⁹ units as the shortest exact decimal text.
fn fmt_raw(raw: i128, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let mut buf = [0u8; 48];
    let at = decimal_digits(raw, &mut buf);
    // Only ASCII digits, '.' and '-' were written.
    f.write_str(std::str::from_utf8(&buf[at..]).map_err(|_| fmt::Error)?)
}

/// "00" to "99": digits are written two at a time.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// `n` in decimal, written backwards to end at `*at`, zero-padded to at least `min` digits.
fn put_digits(mut n: u64, min: usize, buf: &mut [u8], at: &mut usize) {
    let end = *at;
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        *at -= 2;
        buf[*at..*at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        *at -= 2;
        buf[*at..*at + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        *at -= 1;
        buf[*at] = b'0' + n as u8;
    }
    while end - *at < min {
        *at -= 1;
        buf[*at] = b'0';
    }
}

/// The decimal text of an integer, written backwards into the end of `buf` (where it starts
/// is returned), as `Display` writes it.
pub fn integer_digits(v: i64, buf: &mut [u8; 24]) -> usize {
    let mut at = buf.len();
    put_digits(v.unsigned_abs(), 0, buf, &mut at);
    if v < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    at
}

/// The decimal text of `raw` 10⁻⁹ units, written backwards into the end of `buf` (where it
/// starts is returned): no allocation, and 64-bit division whenever the value fits (reports
/// print hundreds of thousands of these).
pub fn decimal_digits(raw: i128, buf: &mut [u8; 48]) -> usize {
    let mut at = buf.len();
    let abs = raw.unsigned_abs();
    let (whole, frac) = match u64::try_from(abs) {
        Ok(v) => (u128::from(v / SCALE as u64), v % SCALE as u64),
        Err(_) => (abs / SCALE as u128, (abs % SCALE as u128) as u64),
    };
    if frac != 0 {
        let (mut frac, mut digits) = (frac, 9);
        // Trailing zeros go four, then two, then one at a time (most amounts have few
        // decimals, so most of the nine places are zeros).
        for (step, div) in [(4, 10_000), (2, 100), (1, 10)] {
            while frac % div == 0 {
                frac /= div;
                digits -= step;
            }
        }
        put_digits(frac, digits, buf, &mut at);
        at -= 1;
        buf[at] = b'.';
    }
    match u64::try_from(whole) {
        Ok(w) => put_digits(w, 0, buf, &mut at),
        Err(_) => {
            let mut w = whole;
            loop {
                at -= 1;
                buf[at] = b'0' + (w % 10) as u8;
                w /= 10;
                if w == 0 {
                    break;
                }
            }
        }
    }
    if raw < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    at
}

/// Append `raw`'s decimal text (as `Display` writes it) to `out`.
fn append_decimal(raw: i128, out: &mut Vec<u8>) {
    let mut buf = [0u8; 48];
    let at = decimal_digits(raw, &mut buf);
    out.extend_from_slice(&buf[at..]);
}

/// A price: an `i64` count of 10⁻⁹ of the instrument's price unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(transparent)]
pub struct Price(i64);

impl Price {
    pub const ZERO: Price = Price(0);
    pub const MAX: Price = Price(i64::MAX);

    /// From a count of 10⁻⁹ units.
    pub const fn from_raw(raw: i64) -> Price {
        Price(raw)
    }

    /// The count of 10⁻⁹ units.
    pub const fn raw(self) -> i64 {
        self.0
    }

    /// Append the decimal text `to_string()` gives (for writers of large files).
    pub fn append_to(self, out: &mut Vec<u8>) {
        append_decimal(i128::from(self.0), out)
    }

    /// A whole number of price units (`None` past ±9.2 billion).
    pub fn from_units(units: i64) -> Option<Price> {
        units.checked_mul(SCALE).map(Price)
    }

    /// A whole number of units, for constants in code; panics past ±9.2 billion.
    pub const fn units(units: i64) -> Price {
        Price(units * SCALE)
    }

    /// The nearest price to a float (a half goes away from zero); `None` for NaN, infinities
    /// and values out of range. For robots that compute signals in floating point.
    pub fn from_f64(x: f64) -> Option<Price> {
        let raw = (x * SCALE as f64).round();
        if !raw.is_finite() || raw.abs() >= i64::MAX as f64 {
            return None;
        }
        Some(Price(raw as i64))
    }

    /// An approximation for signal maths (exact up to 2⁵³ nano-units, ~9 million units).
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// Whether this price is a whole number of `tick`s (`tick > 0`).
    pub fn is_on_grid(self, tick: Price) -> bool {
        tick.0 > 0 && self.0 % tick.0 == 0
    }

    /// The nearest price on `tick`'s grid in the given direction (`tick > 0`, else `self`).
    pub fn round_to_tick(self, tick: Price, mode: Rounding) -> Price {
        if tick.0 <= 0 {
            return self;
        }
        let ticks = div_round(self.0 as i128, tick.0 as i128, mode);
        Price((ticks * tick.0 as i128).clamp(i64::MIN as i128, i64::MAX as i128) as i64)
    }

    /// This price in whole ticks, rounded as asked (`tick > 0`, else 0).
    pub fn to_ticks(self, tick: Price, mode: Rounding) -> i64 {
        if tick.0 <= 0 {
            return 0;
        }
        div_round(self.0 as i128, tick.0 as i128, mode) as i64
    }

    /// `n` ticks of `tick` (saturating).
    pub fn from_ticks(n: i64, tick: Price) -> Price {
        Price(n.saturating_mul(tick.0))
    }

    /// Halfway between two prices, rounded down to 10⁻⁹.
    pub fn mid(a: Price, b: Price) -> Price {
        Price(div_round(a.0 as i128 + b.0 as i128, 2, Rounding::Down) as i64)
    }

    pub fn checked_add(self, other: Price) -> Option<Price> {
        self.0.checked_add(other.0).map(Price)
    }

    pub fn checked_sub(self, other: Price) -> Option<Price> {
        self.0.checked_sub(other.0).map(Price)
    }

    pub fn saturating_add(self, other: Price) -> Price {
        Price(self.0.saturating_add(other.0))
    }

    pub fn saturating_sub(self, other: Price) -> Price {
        Price(self.0.saturating_sub(other.0))
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl std::ops::Add for Price {
    type Output = Price;
    /// Saturating: prices near ±9.2 billion are not meaningful anyway.
    fn add(self, other: Price) -> Price {
        self.saturating_add(other)
    }
}

impl std::ops::Sub for Price {
    type Output = Price;
    fn sub(self, other: Price) -> Price {
        self.saturating_sub(other)
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_raw(self.0 as i128, f)
    }
}

impl FromStr for Price {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<Price, DecimalError> {
        let raw = parse_raw(s)?;
        i64::try_from(raw)
            .map(Price)
            .map_err(|_| DecimalError::OutOfRange(s.to_string()))
    }
}

/// An amount of money: an `i128` count of 10⁻⁹ of a currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i128);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_raw(raw: i128) -> Money {
        Money(raw)
    }

    pub const fn raw(self) -> i128 {
        self.0
    }

    /// Append the decimal text `to_string()` gives (for writers of large files).
    pub fn append_to(self, out: &mut Vec<u8>) {
        append_decimal(self.0, out)
    }

    /// A whole number of currency units.
    pub const fn units(units: i64) -> Money {
        Money(units as i128 * SCALE as i128)
    }

    /// An approximation, for display and charts only.
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / SCALE as f64
    }

    /// `self × n` (saturating).
    pub fn times(self, n: i64) -> Money {
        Money(self.0.saturating_mul(n as i128))
    }

    /// `self × rate`, where `rate` is a [`Price`]-scaled ratio (`0.0001` = one basis point),
    /// rounded to 10⁻⁹ as asked.
    pub fn times_rate(self, rate: Price, mode: Rounding) -> Money {
        Money(div_round(
            self.0.saturating_mul(rate.raw() as i128),
            SCALE as i128,
            mode,
        ))
    }

    /// Rounded to `decimals` places (0..=9) as asked: a fee to the currency's minor unit.
    pub fn round_to(self, decimals: u32, mode: Rounding) -> Money {
        let step = 10i128.pow(DECIMALS - decimals.min(DECIMALS));
        Money(div_round(self.0, step, mode) * step)
    }

    pub fn abs(self) -> Money {
        Money(self.0.saturating_abs())
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0.saturating_add(other.0))
    }
}

impl std::ops::AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        *self = *self + other;
    }
}

impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0))
    }
}

impl std::ops::SubAssign for Money {
    fn sub_assign(&mut self, other: Money) {
        *self = *self - other;
    }
}

impl std::ops::Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(self.0.saturating_neg())
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_raw(self.0, f)
    }
}

impl FromStr for Money {
    type Err = DecimalError;
    fn from_str(s: &str) -> Result<Money, DecimalError> {
        parse_raw(s).map(Money)
    }
}

// Serde: decimal text where a person reads it (JSON, TOML), a 64-bit integer of nano-units
// where a machine does (postcard in the journal, BSON written with `human_readable(false)`).

impl Serialize for Price {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_i64(self.0)
        }
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            let raw = i64::try_from(self.0).map_err(|_| {
                serde::ser::Error::custom(format!(
                    "{self} is beyond ±9.2 billion, the range money is stored in"
                ))
            })?;
            s.serialize_i64(raw)
        }
    }
}

/// Accepts decimal text or an integer (whole units) from readable formats, never a float:
/// a float has already lost the exact value.
struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = i128;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a decimal string such as \"91234.5\" or a whole number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i128, E> {
        parse_raw(v).map_err(E::custom)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i128, E> {
        Ok(v as i128 * SCALE as i128)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i128, E> {
        Ok(v as i128 * SCALE as i128)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i128, E> {
        Err(E::custom(format!(
            "{v} is a floating-point number; write prices and money as decimal strings (\"{v}\")"
        )))
    }
}

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Price, D::Error> {
        if d.is_human_readable() {
            let raw = d.deserialize_any(DecimalVisitor)?;
            i64::try_from(raw)
                .map(Price)
                .map_err(|_| de::Error::custom("price out of range"))
        } else {
            i64::deserialize(d).map(Price)
        }
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Money, D::Error> {
        if d.is_human_readable() {
            d.deserialize_any(DecimalVisitor).map(Money)
        } else {
            i64::deserialize(d).map(|raw| Money(raw as i128))
        }
    }
}

#[cfg(test)]
#[path = "money_tests.rs"]
mod tests;
