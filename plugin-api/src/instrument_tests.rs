use super::*;

fn m(s: &str) -> Money {
    s.parse().unwrap()
}

fn p(s: &str) -> Price {
    s.parse().unwrap()
}

/// RTS on MOEX: tick 10 points worth 13.5 RUB, three sessions a weekday in Moscow time.
fn rts() -> Instrument {
    Instrument {
        symbol: "RTS".into(),
        venue: "MOEX".into(),
        currency: "RUB".into(),
        tick_size: p("10"),
        tick_value: m("13.5"),
        lot_size: 1,
        fee_per_lot: m("2"),
        fee_rate: p("0.0001"),
        currency_decimals: 2,
        utc_offset_min: 180,
        days: 0x1f,
        sessions: vec![
            Session {
                start_min: 9 * 60,
                end_min: 14 * 60,
            },
            Session {
                start_min: 14 * 60 + 5,
                end_min: 18 * 60 + 50,
            },
        ],
        expiry_ns: Some(1_797_000_000_000_000_000),
        effective_from_ns: None,
    }
}

/// 2026-11-02 (a Monday) at hh:mm Moscow time, in ns.
fn msk(hh: i64, mm: i64) -> i64 {
    // 2026-11-02T00:00:00Z
    let midnight_utc = 1_793_577_600i64;
    (midnight_utc + (hh * 60 + mm - 180) * 60) * 1_000_000_000
}

#[test]
fn sessions_breaks_weekends_and_expiry() {
    let r = rts();
    assert!(!r.in_session(msk(8, 59)));
    assert!(r.in_session(msk(9, 0)));
    assert!(r.in_session(msk(13, 59)));
    assert!(!r.in_session(msk(14, 0)), "the clearing break");
    assert!(!r.in_session(msk(14, 4)));
    assert!(r.in_session(msk(14, 5)));
    assert!(!r.in_session(msk(18, 50)));
    // Saturday 2026-11-07, 10:00 Moscow.
    assert!(!r.in_session(msk(10, 0) + 5 * 86_400 * 1_000_000_000));
    // Friday is a weekday.
    assert!(r.in_session(msk(10, 0) + 4 * 86_400 * 1_000_000_000));
    let mut expired = r.clone();
    expired.expiry_ns = Some(msk(10, 0));
    assert!(expired.in_session(msk(9, 59)) && !expired.in_session(msk(10, 0)));
}

#[test]
fn orders_are_checked_against_grid_lots_and_time() {
    let mut r = rts();
    assert_eq!(r.check_order(3, Some(p("110010")), msk(10, 0)), Ok(()));
    let off = r.check_order(1, Some(p("110015")), msk(10, 0)).unwrap_err();
    assert_eq!(off, "limit price 110015 is off RTS's tick grid (tick 10)");
    let closed = r.check_order(1, None, msk(14, 1)).unwrap_err();
    assert_eq!(
        closed,
        "RTS is not trading now (sessions 09:00-14:00, 14:05-18:50 at UTC+3h, days Mon-Fri)"
    );
    r.lot_size = 2;
    assert!(r
        .check_order(3, None, msk(10, 0))
        .unwrap_err()
        .contains("lots of 2"));
}

#[test]
fn money_from_ticks_and_fees_are_exact() {
    let r = rts();
    // 3 lots moving 20 points = 2 ticks × 13.5 × 3.
    assert_eq!(r.money_for_points(p("20").raw() as i128 * 3), m("81"));
    // 1 lot at 110000: value 11000 ticks × 13.5 = 148500; 1 bp = 14.85; plus 2 per lot.
    assert_eq!(r.fee(p("110000"), 1), m("16.85"));
    // The turnover part is rounded to kopecks, half away from zero: 2 lots at 110010 are
    // worth 297027; 1 bp is 29.7027 -> 29.70.
    assert_eq!(r.fee(p("110010"), 2), m("33.70"));
}

#[test]
fn the_version_in_effect_is_the_latest_before_the_time() {
    let mut a = rts();
    a.effective_from_ns = Some(100);
    let mut b = rts();
    b.tick_value = m("14");
    b.effective_from_ns = Some(200);
    let all: Instruments = [b.clone(), a.clone()].into_iter().collect();
    assert_eq!(all.at("RTS", 99), None);
    assert_eq!(all.at("RTS", 100), Some(&a));
    assert_eq!(all.at("RTS", 199), Some(&a));
    assert_eq!(all.at("RTS", 200), Some(&b));
    assert_eq!(all.at("Si", 200), None);
    assert_eq!(all.all().count(), 2);
    assert_eq!(days_text(0x7f), "every day");
    assert_eq!(days_text(0b101), "Mon,Wed");
}

#[test]
fn the_trading_day_ends_with_its_last_session() {
    let r = rts();
    // Monday 10:00 Moscow: the day ends at 18:50 Moscow.
    assert_eq!(r.trading_day_end(msk(10, 0)), msk(18, 50));
    assert_eq!(r.trading_day_end(msk(0, 1)), msk(18, 50));
}
