//! Fills against order book depth: walking levels, partial fills, price-time priority.

use super::*;
use robofleet_api::Level;

fn book(
    ex: &mut SimExchange,
    ts: i64,
    bids: &[(&str, i64)],
    asks: &[(&str, i64)],
) -> Vec<ExchangeOutput> {
    let side = |s: &[(&str, i64)]| -> Vec<Level> {
        s.iter()
            .map(|(p, q)| Level {
                price: px(p),
                qty: *q,
            })
            .collect()
    };
    md(
        ex,
        ts,
        MarketKind::Depth {
            seq: ts as u64,
            snapshot: true,
            bids: side(bids),
            asks: side(asks),
        },
    )
}

#[test]
fn a_market_order_walks_the_ask_levels_and_the_rest_waits_for_more() {
    let mut ex = SimExchange::new();
    book(
        &mut ex,
        1,
        &[("99", 5)],
        &[("100", 2), ("101", 3), ("103", 1)],
    );
    let out = new(&mut ex, order("m", Side::Buy, OrderType::Market, 8), 2);
    assert_eq!(
        fill_summary(&out),
        [
            ("m".to_string(), 2, px("100")),
            ("m".to_string(), 3, px("101")),
            ("m".to_string(), 1, px("103")),
        ]
    );
    let last = changes(&out).pop().unwrap();
    assert_eq!(
        (last.status, last.filled_qty),
        (OrderStatus::PartiallyFilled, 6)
    );
    // The average of the levels taken, exactly: (200 + 303 + 103) / 6.
    assert_eq!(last.avg_price, px("101"));
    // What it took is gone: a sell limit at 99 takes the bid, a second buy finds no asks.
    assert!(fills(&new(
        &mut ex,
        order("b2", Side::Buy, OrderType::Market, 1),
        3
    ))
    .is_empty());
    // The next book fills the rest, at its own levels.
    let out = book(&mut ex, 4, &[("99", 5)], &[("102", 1), ("104", 5)]);
    assert_eq!(
        fill_summary(&out),
        [
            ("m".to_string(), 1, px("102")),
            ("m".to_string(), 1, px("104")),
            ("b2".to_string(), 1, px("104")),
        ]
    );
}

#[test]
fn a_limit_takes_only_the_levels_it_crosses_and_rests_the_rest() {
    let mut ex = SimExchange::new();
    book(
        &mut ex,
        1,
        &[("99", 4), ("98", 10)],
        &[("100", 2), ("101", 3)],
    );
    let out = new(&mut ex, order("s", Side::Sell, limit(px("98.5")), 6), 2);
    assert_eq!(fill_summary(&out), [("s".to_string(), 4, px("99"))]);
    assert!(ex.is_working("s"));
    // A new book whose best bid crosses the rest fills it at that level's price.
    let out = book(&mut ex, 3, &[("98.5", 1), ("98.4", 9)], &[("100", 2)]);
    assert_eq!(fill_summary(&out), [("s".to_string(), 1, px("98.5"))]);
    let last = changes(&out).pop().unwrap();
    assert_eq!(
        (last.status, last.filled_qty),
        (OrderStatus::PartiallyFilled, 5)
    );
}

#[test]
fn our_resting_orders_share_a_book_in_price_then_time_priority() {
    let mut ex = SimExchange::new();
    book(&mut ex, 1, &[("90", 1)], &[("110", 1)]);
    new(&mut ex, order("early", Side::Buy, limit(px("100")), 2), 2);
    new(&mut ex, order("better", Side::Buy, limit(px("101")), 2), 3);
    new(&mut ex, order("late", Side::Buy, limit(px("100")), 2), 4);
    // Asks come down to 100 (3 lots) and 100.5 (1 lot): the best price first, then the
    // oldest at the same price; the late order gets nothing.
    let out = book(&mut ex, 5, &[("90", 1)], &[("100", 3), ("100.5", 1)]);
    assert_eq!(
        fill_summary(&out),
        [
            ("better".to_string(), 2, px("100")),
            ("early".to_string(), 1, px("100")),
        ]
    );
    // better at 101 crosses 100.5 too, but it is full; early (100) does not cross 100.5.
    assert!(ex.is_working("early") && ex.is_working("late"));
}

#[test]
fn fill_or_kill_counts_every_level_it_crosses() {
    let mut ex = SimExchange::new();
    book(
        &mut ex,
        1,
        &[("99", 1)],
        &[("100", 2), ("101", 2), ("102", 9)],
    );
    let mut fok = order("fok", Side::Buy, limit(px("101")), 5);
    fok.tif = TimeInForce::Fok;
    let out = new(&mut ex, fok, 2);
    assert!(
        fills(&out).is_empty(),
        "4 within the limit, 5 wanted: killed"
    );
    let mut fok = order("fok2", Side::Buy, limit(px("101")), 4);
    fok.tif = TimeInForce::Fok;
    let out = new(&mut ex, fok, 3);
    assert_eq!(
        fill_summary(&out),
        [
            ("fok2".to_string(), 2, px("100")),
            ("fok2".to_string(), 2, px("101")),
        ]
    );
}
