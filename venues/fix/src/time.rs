//! FIX UTCTimestamp (`YYYYMMDD-HH:MM:SS[.sss...]`) to and from ns since the Unix epoch.

/// `ns` as a UTCTimestamp with milliseconds (what FIX 4.4 venues take).
pub fn format(ns: i64) -> String {
    let secs = ns.div_euclid(1_000_000_000);
    let ms = ns.rem_euclid(1_000_000_000) / 1_000_000;
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}-{:02}:{:02}:{:02}.{ms:03}",
        sod / 3600,
        sod % 3600 / 60,
        sod % 60
    )
}

/// `ns` as a UTCDateOnly and a UTCTimeOnly with all nine fractional digits, the way market
/// data entries carry their time (MDEntryDate, MDEntryTime), so a feed's ns survive FIX.
pub fn date_and_time_ns(ns: i64) -> (String, String) {
    let secs = ns.div_euclid(1_000_000_000);
    let frac = ns.rem_euclid(1_000_000_000);
    let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    (
        format!("{y:04}{m:02}{d:02}"),
        format!(
            "{:02}:{:02}:{:02}.{frac:09}",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        ),
    )
}

/// A UTCTimestamp to ns since the epoch; `None` if it is not one.
pub fn parse(s: &str) -> Option<i64> {
    let (date, time) = s.split_once('-')?;
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // As RFC 3339, which the feed's parser reads exactly.
    let rfc = format!("{}-{}-{}T{}Z", &date[..4], &date[4..6], &date[6..], time);
    robofleet_core::feed::timestamp::parse_ts(&rfc)
}

/// Days since 1970-01-01 to (year, month, day) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_go_both_ways() {
        // 2026-11-02 07:00:00.200 UTC
        let ns = 1_793_602_800_200_000_000;
        assert_eq!(format(ns), "20261102-07:00:00.200");
        assert_eq!(parse("20261102-07:00:00.200"), Some(ns));
        assert_eq!(parse("20261102-07:00:00"), Some(ns - 200_000_000));
        assert_eq!(format(0), "19700101-00:00:00.000");
        assert_eq!(format(951_782_400_000_000_000), "20000229-00:00:00.000");
        let (d, t) = date_and_time_ns(ns + 123_456);
        assert_eq!((d.as_str(), t.as_str()), ("20261102", "07:00:00.200123456"));
        assert_eq!(parse(&format!("{d}-{t}")), Some(ns + 123_456));
        for bad in [
            "",
            "2026110-07:00:00",
            "20261302-07:00:00",
            "20261102T07:00:00",
            "x",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
