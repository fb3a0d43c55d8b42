//! CSV timestamps: integer ns since the Unix epoch, or RFC 3339.
//!
//! Hand-written rather than a date crate: the grammar is small and this keeps the feed's
//! dependencies to what the server already uses.

/// Parse a `ts` field: integer ns since the epoch, or RFC 3339.
pub fn parse_ts(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        // Up to 19 digits fit a u64 (today's ns timestamps have 19): one pass, then the
        // range check; longer text is past i64 unless it has leading zeros.
        if s.len() <= 19 {
            let v = s.bytes().fold(0u64, |v, b| v * 10 + u64::from(b - b'0'));
            return i64::try_from(v).ok();
        }
        return s.parse::<i64>().ok();
    }
    parse_rfc3339(s)
}

/// `YYYY-MM-DDTHH:MM:SS[.fffffffff](Z|±HH:MM)` to ns since the epoch.
fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let sep_ok = b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && b.get(13) == Some(&b':')
        && b.get(16) == Some(&b':');
    if !sep_ok {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 {
        return None;
    }
    if sec > 59 {
        return None; // leap seconds have no ns-since-epoch representation
    }
    let mut i = 19;
    let mut frac_ns = 0i64;
    if b.get(i) == Some(&b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        frac_ns = num(i + 1..i + 1 + digits)? * 10i64.pow(9 - digits as u32);
        i += 1 + digits;
    }
    let offset_secs = match &b[i..] {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (oh, om) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let off = oh * 3600 + om * 60;
            if *sign == b'+' {
                off
            } else {
                -off
            }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    secs.checked_mul(1_000_000_000)?.checked_add(frac_ns)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_forms_agree() {
        assert_eq!(parse_ts("0").unwrap(), 0);
        assert_eq!(parse_ts("1970-01-01T00:00:00Z").unwrap(), 0);
        let ns = 1_793_613_600_125_000_000; // 2026-11-02T10:00:00.125Z
        assert_eq!(parse_ts("2026-11-02T10:00:00.125Z").unwrap(), ns);
        assert_eq!(parse_ts("1793613600125000000").unwrap(), ns);
        assert_eq!(parse_ts("2026-11-02T13:00:00.125+03:00").unwrap(), ns);
        assert_eq!(
            parse_ts("2024-02-29T00:00:00.000000001Z").unwrap(),
            1_709_164_800_000_000_001
        );
        for bad in [
            "",
            "-5",
            "2026-02-30T00:00:00Z",
            "2026-11-02T10:00:00",
            "2026-11-02 25:00:00Z",
        ] {
            assert!(parse_ts(bad).is_none(), "{bad:?} should be rejected");
        }
        assert!(parse_ts("2026-11-02T10:00:00.1234567891Z").is_none());
        // Integer ns at the edges of i64, and past it.
        assert_eq!(parse_ts("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_ts("9223372036854775808"), None);
        assert_eq!(parse_ts("9999999999999999999"), None);
        assert_eq!(parse_ts("00000000000000000000042"), Some(42));
    }
}
