//! Data timestamps as text for the report: RFC 3339 UTC, with no date library.

/// ns since the Unix epoch as RFC 3339 UTC: milliseconds when they are exact, else ns.
pub fn fmt_ts(ns: i64) -> String {
    Ts(ns).to_string()
}

/// Append [`fmt_ts`]'s text to `out` (the report writes one per row).
pub fn append_ts(ns: i64, out: &mut Vec<u8>) {
    use std::io::Write;
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{}", Ts(ns));
}

/// [`append_ts`] for a stream of times that mostly share their second (the report's rows):
/// the date and time of day are worked out once a second, only the fraction every time.
#[derive(Debug, Default)]
pub struct TsWriter {
    /// The second (ns since the epoch / 1e9) whose `YYYY-MM-DDTHH:MM:SS.` is in `prefix`.
    second: Option<i64>,
    prefix: Vec<u8>,
}

impl TsWriter {
    pub fn append(&mut self, ns: i64, out: &mut Vec<u8>) {
        let (second, frac) = (ns.div_euclid(1_000_000_000), ns.rem_euclid(1_000_000_000));
        let Some(whole) = second.checked_mul(1_000_000_000) else {
            // The very first second of time has no whole-second instant: the plain way.
            return append_ts(ns, out);
        };
        if self.second != Some(second) {
            self.prefix.clear();
            append_ts(whole, &mut self.prefix);
            // Keep `...SS.`: drop the `000Z` of a whole second.
            self.prefix.truncate(self.prefix.len().saturating_sub(4));
            self.second = Some(second);
        }
        out.extend_from_slice(&self.prefix);
        let (value, width) = if frac % 1_000_000 == 0 {
            (frac / 1_000_000, 3)
        } else {
            (frac, 9)
        };
        let start = out.len();
        out.resize(start + width, b'0');
        let mut v = value;
        for at in (start..start + width).rev() {
            out[at] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        out.push(b'Z');
    }
}

/// [`fmt_ts`] as a `Display`, written straight into the output with no allocation.
#[derive(Clone, Copy, Debug)]
pub struct Ts(pub i64);

impl std::fmt::Display for Ts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ns = self.0;
        let secs = ns.div_euclid(1_000_000_000);
        let frac = ns.rem_euclid(1_000_000_000);
        let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        let (h, m, sec) = (sod / 3600, sod / 60 % 60, sod % 60);
        // `YYYY-MM-DDTHH:MM:SS.` then 3 or 9 fraction digits and `Z`, digit by digit.
        let mut buf = [0u8; 40];
        let mut len = 0;
        let mut digits = |value: i64, width: usize, then: u8| {
            let mut v = value.unsigned_abs();
            for i in (0..width).rev() {
                buf[len + i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
            buf[len + width] = then;
            len += width + 1;
        };
        if !(0..=9999).contains(&year) {
            // Outside four digits: the plain way (never seen in market data).
            write!(f, "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{sec:02}.")?;
            return if frac % 1_000_000 == 0 {
                write!(f, "{:03}Z", frac / 1_000_000)
            } else {
                write!(f, "{frac:09}Z")
            };
        }
        digits(year, 4, b'-');
        digits(month, 2, b'-');
        digits(day, 2, b'T');
        digits(h, 2, b':');
        digits(m, 2, b':');
        digits(sec, 2, b'.');
        if frac % 1_000_000 == 0 {
            digits(frac / 1_000_000, 3, b'Z');
        } else {
            digits(frac, 9, b'Z');
        }
        f.write_str(std::str::from_utf8(&buf[..len]).map_err(|_| std::fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::fmt_ts;
    use crate::feed::timestamp::parse_ts;

    #[test]
    fn timestamps_format_as_rfc3339_and_parse_back() {
        assert_eq!(fmt_ts(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            fmt_ts(1_793_613_600_500_000_000),
            "2026-11-02T10:00:00.500Z"
        );
        assert_eq!(
            fmt_ts(951_782_400_000_000_001),
            "2000-02-29T00:00:00.000000001Z"
        );
        assert_eq!(fmt_ts(-1_000_000), "1969-12-31T23:59:59.999Z");
        for ns in [1_793_602_800_278_000_000, 4_102_444_800_123_456_789] {
            assert_eq!(parse_ts(&fmt_ts(ns)), Some(ns));
        }
        // The per-second cache writes exactly what the plain formatter does, across
        // seconds, days, a leap day, before 1970 and outside four-digit years.
        let mut w = super::TsWriter::default();
        let mut out = Vec::new();
        for ns in [
            0,
            999_999_999,
            1_000_000_000,
            -1,
            -1_000_000,
            951_782_399_999_000_000,
            951_782_400_000_000_001,
            951_782_400_000_000_001,
            1_793_602_800_278_000_000,
            1_793_602_800_279_000_000,
            1_793_602_801_000_000_000,
            4_102_444_800_123_456_789,
            i64::MAX,
            i64::MIN,
        ] {
            out.clear();
            w.append(ns, &mut out);
            assert_eq!(String::from_utf8(out.clone()).unwrap(), fmt_ts(ns), "{ns}");
        }
        // Every millisecond-or-finer instant of a few days around a leap day round-trips.
        let mut ns = 951_696_000_000_000_000i64; // 2000-02-28
        while ns < 951_955_200_000_000_000 {
            assert_eq!(parse_ts(&fmt_ts(ns)), Some(ns), "{ns}");
            ns += 3_599_999_999_937;
        }
    }
}
