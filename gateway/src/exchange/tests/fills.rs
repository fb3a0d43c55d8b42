//! Fill rules, priority, determinism.

use super::*;

#[test]
fn market_buy_fills_at_ask_and_sell_at_bid() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 10, p(99.0), 10, p(100.0), 10);
    let out = new(&mut ex, order("b", Side::Buy, OrderType::Market, 3), 20);
    assert!(matches!(out[0], ExchangeOutput::Change(ref c) if c.status == OrderStatus::Working));
    assert!(
        matches!(out[1], ExchangeOutput::Fill(_)),
        "fill before its change"
    );
    let c = changes(&out);
    assert_eq!(c[1].status, OrderStatus::Filled);
    assert_eq!(
        (c[1].filled_qty, c[1].avg_price, c[1].ts_ns),
        (3, p(100.0), 20)
    );
    let t = &fills(&out)[0];
    assert_eq!(
        (t.exec_id.as_str(), t.qty, t.price, t.ts_ns),
        ("SIM-1", 3, p(100.0), 20)
    );
    assert_eq!(
        (t.robot.as_str(), t.symbol.as_str(), t.side),
        ("bot", "Si", Side::Buy)
    );

    let out = new(&mut ex, order("s", Side::Sell, OrderType::Market, 2), 21);
    assert_eq!(fill_summary(&out), vec![("s".into(), 2, p(99.0))]);
    assert_eq!(fills(&out)[0].exec_id, "SIM-2");
    assert_eq!(ex.working_count(), 0);
}

#[test]
fn market_order_partially_fills_and_rest_fills_at_later_quotes() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 4);
    let out = new(&mut ex, order("b", Side::Buy, OrderType::Market, 10), 2);
    let c = changes(&out);
    assert_eq!(c[1].status, OrderStatus::PartiallyFilled);
    assert_eq!((c[1].filled_qty, c[1].avg_price), (4, p(100.0)));
    assert!(ex.is_working("b"));

    let out = quote(&mut ex, 3, p(100.0), 10, p(101.0), 2);
    let c = changes(&out);
    assert_eq!(
        (c[0].status, c[0].filled_qty, c[0].ts_ns),
        (OrderStatus::PartiallyFilled, 6, 3)
    );
    // (4 × 100 + 2 × 101) / 6, rounded to the nearest 10⁻⁹.
    assert_eq!(c[0].avg_price, px("100.333333333"));

    let out = quote(&mut ex, 4, p(100.0), 10, p(102.0), 50);
    let c = changes(&out);
    assert_eq!((c[0].status, c[0].filled_qty), (OrderStatus::Filled, 10));
    assert_eq!(c[0].avg_price, px("101"));
    assert_eq!(fills(&out)[0].qty, 4);
    assert!(!ex.is_working("b"));
}

#[test]
fn limit_buy_fills_only_when_ask_crosses() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(101.0), 10);
    let out = new(&mut ex, order("b", Side::Buy, limit(p(100.0)), 5), 2);
    assert_eq!(changes(&out).len(), 1, "not marketable: Working only");
    assert!(quote(&mut ex, 3, p(99.5), 10, p(100.5), 10).is_empty());
    let out = quote(&mut ex, 4, p(99.0), 10, p(99.5), 3);
    assert_eq!(
        fill_summary(&out),
        vec![("b".into(), 3, p(99.5))],
        "at the ask, up to its size"
    );
    let out = quote(&mut ex, 5, p(99.0), 10, p(100.0), 10);
    assert_eq!(
        fill_summary(&out),
        vec![("b".into(), 2, p(100.0))],
        "ask == limit crosses"
    );
    assert_eq!(changes(&out)[0].status, OrderStatus::Filled);
}

#[test]
fn limit_sell_fills_only_when_bid_crosses() {
    let mut ex = SimExchange::new();
    new(&mut ex, order("s", Side::Sell, limit(p(100.0)), 5), 1);
    assert!(quote(&mut ex, 2, p(99.9), 10, p(101.0), 10).is_empty());
    let out = quote(&mut ex, 3, p(100.5), 2, p(101.0), 10);
    assert_eq!(fill_summary(&out), vec![("s".into(), 2, p(100.5))]);
    assert_eq!(changes(&out)[0].status, OrderStatus::PartiallyFilled);
}

#[test]
fn marketable_limit_fills_on_arrival_at_the_touch() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 10);
    let out = new(&mut ex, order("b", Side::Buy, limit(p(105.0)), 4), 9);
    assert_eq!(
        fill_summary(&out),
        vec![("b".into(), 4, p(100.0))],
        "at the ask, not the limit"
    );
    let out = new(&mut ex, order("s", Side::Sell, limit(p(98.0)), 20), 9);
    assert_eq!(fill_summary(&out), vec![("s".into(), 10, p(99.0))]);
    assert_eq!(changes(&out)[1].status, OrderStatus::PartiallyFilled);
}

#[test]
fn liquidity_taken_at_a_quote_is_not_reused() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 5);
    let a = new(&mut ex, order("a", Side::Buy, OrderType::Market, 4), 2);
    let b = new(&mut ex, order("b", Side::Buy, limit(p(100.0)), 4), 3);
    let c = new(&mut ex, order("c", Side::Buy, OrderType::Market, 4), 4);
    assert_eq!(fill_summary(&a), vec![("a".into(), 4, p(100.0))]);
    assert_eq!(fill_summary(&b), vec![("b".into(), 1, p(100.0))]);
    assert!(fills(&c).is_empty(), "the ask is used up: {c:?}");
    // Sells take the other side, which is untouched.
    let s = new(&mut ex, order("s", Side::Sell, OrderType::Market, 10), 5);
    assert_eq!(fill_summary(&s), vec![("s".into(), 10, p(99.0))]);

    // A new quote brings new liquidity, shared in priority order: market "c" first,
    // then the limit "b".
    let out = quote(&mut ex, 6, p(99.0), 10, p(100.0), 6);
    assert_eq!(
        fill_summary(&out),
        vec![("c".into(), 4, p(100.0)), ("b".into(), 2, p(100.0))]
    );
    // The rest of that quote is gone for an order arriving now.
    let d = new(&mut ex, order("d", Side::Buy, OrderType::Market, 1), 7);
    assert!(fills(&d).is_empty());
}

#[test]
fn oldest_order_first_at_the_same_price() {
    let mut ex = SimExchange::new();
    for id in ["first", "second", "third"] {
        new(&mut ex, order(id, Side::Sell, limit(p(100.0)), 3), 1);
    }
    let out = quote(&mut ex, 2, p(100.0), 5, p(101.0), 5);
    assert_eq!(
        fill_summary(&out),
        vec![
            ("first".into(), 3, p(100.0)),
            ("second".into(), 2, p(100.0))
        ]
    );
}

#[test]
fn better_price_goes_before_older_order() {
    let mut ex = SimExchange::new();
    new(&mut ex, order("old", Side::Buy, limit(p(100.0)), 3), 1);
    new(&mut ex, order("better", Side::Buy, limit(p(101.0)), 3), 2);
    let out = quote(&mut ex, 3, p(98.0), 5, p(99.0), 4);
    assert_eq!(
        fill_summary(&out),
        vec![("better".into(), 3, p(99.0)), ("old".into(), 1, p(99.0))]
    );
}

#[test]
fn trade_print_fills_limits_at_limit_price_up_to_print_size() {
    let mut ex = SimExchange::new();
    new(&mut ex, order("b", Side::Buy, limit(p(100.0)), 10), 1);
    new(&mut ex, order("b2", Side::Buy, limit(p(99.0)), 10), 1);
    new(&mut ex, order("s", Side::Sell, limit(p(101.0)), 10), 1);
    new(&mut ex, order("s2", Side::Sell, limit(p(99.5)), 10), 1);
    let out = print(&mut ex, 5, p(99.5), 4);
    assert_eq!(
        fill_summary(&out),
        vec![("b".into(), 4, p(100.0)), ("s2".into(), 4, p(99.5))]
    );
    assert!(changes(&out).iter().all(|c| c.ts_ns == 5));
    // A print exactly at the limit fills too; the lower sell goes first.
    let out = print(&mut ex, 6, p(101.0), 10);
    assert_eq!(
        fill_summary(&out),
        vec![("s2".into(), 6, p(99.5)), ("s".into(), 4, p(101.0))]
    );
    assert_eq!(changes(&out)[0].status, OrderStatus::Filled);
}

#[test]
fn trade_print_does_not_fill_market_orders() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 0);
    let out = new(&mut ex, order("m", Side::Buy, OrderType::Market, 1), 2);
    assert!(fills(&out).is_empty(), "no ask size: working, unfilled");
    assert!(print(&mut ex, 3, p(100.0), 5).is_empty());
    assert!(ex.is_working("m"));
}

#[test]
fn empty_or_zero_priced_side_gives_nothing() {
    let mut ex = SimExchange::new();
    new(&mut ex, order("b", Side::Buy, limit(p(100.0)), 1), 1);
    new(&mut ex, order("s", Side::Sell, limit(p(1.0)), 1), 1);
    assert!(quote(&mut ex, 2, p(0.0), 10, p(0.0), 10).is_empty());
    assert!(md(
        &mut ex,
        3,
        MarketKind::Bar {
            period_secs: 60,
            open: px("1.0"),
            high: px("200.0"),
            low: px("0.5"),
            close: px("50.0"),
            volume: 100,
        }
    )
    .is_empty());
    assert_eq!(ex.working_count(), 2);
}

#[test]
fn symbols_are_independent() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 10);
    let mut o = order("x", Side::Buy, OrderType::Market, 1);
    o.symbol = "Ri".into();
    assert_eq!(reject_reason(&new(&mut ex, o, 2)), "no market for Ri");
    new(&mut ex, order("b", Side::Buy, limit(p(200.0)), 100), 2);
    let out = ex.process(ExchangeInput::Market(MarketData {
        symbol: "Ri".into(),
        ts: 3,
        sent_ns: None,
        kind: MarketKind::Quote {
            bid: px("1.0"),
            bid_size: 1,
            ask: px("2.0"),
            ask_size: 1,
        },
    }));
    assert!(out.is_empty(), "an Si order never fills on Ri");
}

fn script(ex: &mut SimExchange) -> Vec<ExchangeOutput> {
    let mut out = Vec::new();
    out.extend(new(ex, order("m", Side::Buy, OrderType::Market, 3), 1));
    out.extend(quote(ex, 2, p(99.0), 3, p(100.0), 2));
    out.extend(new(ex, order("m2", Side::Buy, OrderType::Market, 3), 3));
    out.extend(new(ex, order("l", Side::Sell, limit(p(99.0)), 5), 4));
    out.extend(quote(ex, 5, p(99.5), 1, p(100.5), 2));
    out.extend(print(ex, 6, p(101.0), 3));
    out.extend(new(ex, order("b", Side::Buy, limit(p(98.0)), 5), 7));
    out.extend(print(ex, 8, p(97.0), 2));
    out.extend(cancel(ex, "b", 9));
    out.extend(quote(ex, 10, p(99.0), 9, p(100.0), 9));
    out
}

#[test]
fn same_inputs_give_same_outputs() {
    let a = script(&mut SimExchange::new());
    let b = script(&mut SimExchange::new());
    assert_eq!(a, b);
    let ids: Vec<_> = fills(&a).into_iter().map(|t| t.exec_id).collect();
    let expect: Vec<_> = (1..=ids.len()).map(|n| format!("SIM-{n}")).collect();
    assert_eq!(ids, expect);
    assert!(ids.len() >= 5, "{a:?}");
}
