//! New orders checked against the instrument registry, at the venue's time; fees on fills.

use super::*;
use crate::instruments::parse;
use robofleet_api::Money;

/// The shipped registry: Si and RTS on MOEX, Moscow sessions with the clearing breaks.
fn moex() -> SimExchange {
    let mut ex = SimExchange::new();
    let specs = parse(crate::instruments::SHIPPED).unwrap();
    ex.set_instruments(specs.into_iter().collect());
    ex
}

/// 2026-11-02 (a Monday) at hh:mm Moscow time, in ns.
fn msk(hh: i64, mm: i64) -> i64 {
    (1_793_577_600 + (hh * 60 + mm - 180) * 60) * 1_000_000_000
}

#[test]
fn an_unknown_symbol_is_refused() {
    let mut ex = moex();
    let mut o = order("x", Side::Buy, limit(p(100.0)), 1);
    o.symbol = "GAZP".into();
    assert_eq!(
        reject_reason(&new(&mut ex, o, msk(10, 0))),
        "unknown symbol GAZP: not in the instrument registry"
    );
}

#[test]
fn a_price_off_the_grid_is_refused_one_on_it_works() {
    let mut ex = moex();
    quote(&mut ex, msk(10, 0), p(100_000.0), 5, p(100_001.0), 5);
    let off = new(
        &mut ex,
        order("a", Side::Buy, limit(p(99_990.5)), 1),
        msk(10, 0),
    );
    assert_eq!(
        reject_reason(&off),
        "limit price 99990.5 is off Si's tick grid (tick 1)"
    );
    let on = new(
        &mut ex,
        order("b", Side::Buy, limit(p(99_990.0)), 1),
        msk(10, 0),
    );
    assert_eq!(changes(&on)[0].status, OrderStatus::Working);
}

#[test]
fn the_venue_clock_is_its_market_data_and_breaks_are_closed() {
    let mut ex = moex();
    // The order arrives (gateway time) in a session, but the market says 14:02: the clearing.
    quote(&mut ex, msk(14, 2), p(100_000.0), 5, p(100_001.0), 5);
    let out = new(
        &mut ex,
        order("a", Side::Buy, OrderType::Market, 1),
        msk(10, 0),
    );
    assert_eq!(
        reject_reason(&out),
        "Si is not trading now (sessions 09:00-14:00, 14:05-18:45, 19:05-23:50 at UTC+3h, days Mon-Fri)"
    );
    quote(&mut ex, msk(14, 5), p(100_000.0), 5, p(100_001.0), 5);
    let out = new(
        &mut ex,
        order("b", Side::Buy, OrderType::Market, 1),
        msk(10, 0),
    );
    assert_eq!(fill_summary(&out), vec![("b".into(), 1, p(100_001.0))]);
    // Before any market data, the order's own arrival time: a Saturday is closed.
    let mut fresh = moex();
    let sat = msk(10, 0) + 5 * 86_400 * 1_000_000_000;
    let out = new(
        &mut fresh,
        order("c", Side::Buy, limit(p(90_000.0)), 1),
        sat,
    );
    assert!(reject_reason(&out).starts_with("Si is not trading now"));
}

#[test]
fn an_expired_contract_takes_no_orders() {
    let mut ex = moex();
    // 2026-12-17 18:50 Moscow: Si-12.26 expires.
    let expiry = 1_797_522_600_000_000_000;
    quote(&mut ex, expiry, p(100_000.0), 5, p(100_001.0), 5);
    let out = new(&mut ex, order("a", Side::Buy, OrderType::Market, 1), expiry);
    assert_eq!(reject_reason(&out), "Si has expired");
}

#[test]
fn whole_lots_only() {
    let mut ex = SimExchange::new();
    let mut si = crate::instruments::always_open("Si", p(1.0));
    si.lot_size = 10;
    ex.set_instruments([si].into_iter().collect());
    let out = new(&mut ex, order("a", Side::Buy, limit(p(100.0)), 15), 1);
    assert_eq!(
        reject_reason(&out),
        "quantity 15 is not a whole number of Si's lots of 10"
    );
}

#[test]
fn a_fill_carries_the_fee_of_the_spec_in_effect() {
    let mut ex = moex();
    quote(&mut ex, msk(10, 0), p(100_000.0), 5, p(100_001.0), 5);
    let out = new(
        &mut ex,
        order("a", Side::Buy, OrderType::Market, 3),
        msk(10, 0),
    );
    let t = &fills(&out)[0];
    // The shipped Si fee: 1 RUB per lot.
    assert_eq!(
        (t.fee, t.currency.as_deref()),
        (Money::units(3), Some("RUB"))
    );
}
