//! Each limit at its edge: the value equal to the limit passes, one unit over is denied.

use super::limits::RiskFile;
use super::{DenyCode, RiskEngine, TradingState};
use robofleet_api::{
    Fill, Instrument, Instruments, Money, OrderRequest, OrderStatus, OrderType, OrderUpdate, Price,
    Side, TimeInForce,
};

const MS: i64 = 1_000_000;
const T0: i64 = 1_793_613_600_000_000_000;

fn px(s: &str) -> Price {
    s.parse().unwrap()
}

/// Si-like: tick 1, 1 RUB a tick, no fees, trading every day around the clock.
fn spec() -> Instrument {
    Instrument {
        symbol: "Si".into(),
        venue: "MOEX".into(),
        currency: "RUB".into(),
        tick_size: px("1"),
        tick_value: Money::units(1),
        lot_size: 1,
        fee_per_lot: Money::ZERO,
        fee_rate: Price::ZERO,
        currency_decimals: 2,
        utc_offset_min: 0,
        days: 0x7f,
        sessions: Vec::new(),
        expiry_ns: None,
        effective_from_ns: None,
    }
}

fn engine(toml: &str) -> RiskEngine {
    let file = RiskFile::parse(toml).unwrap();
    let mut specs = Instruments::new();
    specs.insert(spec());
    RiskEngine::new("r", file.for_robot("r"), specs)
}

struct Orders {
    seq: u64,
}

impl Orders {
    fn req(&mut self, side: Side, qty: i64, price: Option<&str>) -> OrderRequest {
        self.seq += 1;
        OrderRequest {
            client_id: format!("r-{}", self.seq),
            order_seq: self.seq,
            symbol: "Si".into(),
            side,
            qty,
            order_type: match price {
                Some(p) => OrderType::Limit { price: px(p) },
                None => OrderType::Market,
            },
            tif: TimeInForce::Day,
        }
    }
}

fn code(r: Result<(), super::Denial>) -> Option<DenyCode> {
    r.err().map(|d| d.code)
}

fn quote(e: &mut RiskEngine, bid: &str, ask: &str, ts: i64) {
    e.on_quote("Si", px(bid), px(ask), ts);
}

fn fill(e: &mut RiskEngine, id: &str, side: Side, qty: i64, price: &str, ts: i64) {
    let f = Fill {
        client_id: id.into(),
        exec_id: format!("x-{ts}"),
        symbol: "Si".into(),
        side,
        qty,
        price: px(price),
    };
    e.on_fill(&f, ts);
}

#[test]
fn order_quantity_and_notional_at_their_edges() {
    let mut e =
        engine("[robots.default.symbols.Si]\nmax_order_qty = 10\nmax_notional = \"1000000\"\n");
    let mut o = Orders { seq: 0 };
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 10, Some("100")), T0)),
        None
    );
    let d = e
        .check_submit(&o.req(Side::Buy, 11, Some("100")), T0)
        .unwrap_err();
    assert_eq!(d.code, DenyCode::MaxOrderQty);
    assert_eq!(d.to_string(), "MAX_ORDER_QTY: 11 (limit 10)");
    // 10 lots at 100000 is 1,000,000 RUB: the edge passes, one tick more is denied.
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 10, Some("100000")), T0)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 10, Some("100001")), T0)),
        Some(DenyCode::MaxNotional)
    );
    // A market order's notional is at the mid; with no mid it is denied.
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 1, None), T0)),
        Some(DenyCode::MaxNotional)
    );
    quote(&mut e, "99999", "100001", T0);
    assert_eq!(code(e.check_submit(&o.req(Side::Sell, 10, None), T0)), None);
    quote(&mut e, "100000", "100002", T0);
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 10, None), T0)),
        Some(DenyCode::MaxNotional)
    );
    assert_eq!(e.counts.denied, 4);
}

#[test]
fn price_collar_in_percent_and_ticks_and_without_a_reference() {
    let mut e = engine("[robots.default.symbols.\"*\"]\ncollar = { pct = \"1\", ticks = 500 }\n");
    let mut o = Orders { seq: 0 };
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100000")), T0)),
        Some(DenyCode::PriceCollar),
        "no reference price: denied"
    );
    quote(&mut e, "99999", "100001", T0); // mid 100000
                                          // 500 ticks is the tighter bound here (1% would be 1000).
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100500")), T0)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 1, Some("99500")), T0)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100501")), T0)),
        Some(DenyCode::PriceCollar)
    );
    let mut e = engine("[robots.default.symbols.Si]\ncollar = { pct = \"0.5\" }\n");
    quote(&mut e, "99999", "100001", T0);
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 1, Some("99500")), T0)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 1, Some("99499")), T0)),
        Some(DenyCode::PriceCollar)
    );
    // A market order has no price to collar.
    assert_eq!(code(e.check_submit(&o.req(Side::Buy, 1, None), T0)), None);
}

#[test]
fn position_counts_working_orders_as_filled() {
    let mut e = engine("[robots.default.symbols.Si]\nmax_position = 5\n");
    let mut o = Orders { seq: 0 };
    let first = o.req(Side::Buy, 3, Some("100"));
    assert_eq!(code(e.check_submit(&first, T0)), None);
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 2, Some("100")), T0)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100")), T0)),
        Some(DenyCode::MaxPosition)
    );
    // Selling 10 from +0 with nothing working on the sell side: 10 short, over 5.
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 6, Some("100")), T0)),
        Some(DenyCode::MaxPosition)
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 5, Some("100")), T0)),
        None
    );
    // The first order fills: long 3, still 5 counted on the buy side; cancelling the second
    // frees 2 lots.
    fill(&mut e, &first.client_id, Side::Buy, 3, "100", T0 + 1);
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100")), T0)),
        Some(DenyCode::MaxPosition)
    );
    e.on_order_update(&OrderUpdate {
        client_id: "r-2".into(),
        symbol: "Si".into(),
        status: OrderStatus::Cancelled,
        filled_qty: 0,
        remaining_qty: 2,
        reason: None,
        amends: 0,
    });
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 2, Some("100")), T0)),
        None
    );
}

#[test]
fn working_orders_duplicates_and_submit_throttle() {
    let mut e = engine("[robots.default]\nmax_working_orders = 2\n");
    let mut o = Orders { seq: 0 };
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100")), T0)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("101")), T0)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("102")), T0)),
        Some(DenyCode::MaxWorkingOrders)
    );

    let mut e = engine("[robots.default]\nduplicate_window_ms = 100\n");
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100")), T0)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100")), T0 + 99 * MS)),
        Some(DenyCode::DuplicateOrder)
    );
    // A different price, quantity or side is not a duplicate; 100 ms later is not either.
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 2, Some("100")), T0 + MS)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 1, Some("100")), T0 + MS)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("100")), T0 + 100 * MS)),
        None
    );

    // 2 a second, bursts of 3: three at once pass, the fourth is denied; 500 ms later one
    // token is back.
    let mut e = engine("[robots.default]\nsubmits = { rate = 2, burst = 3 }\n");
    for _ in 0..3 {
        assert_eq!(
            code(e.check_submit(&o.req(Side::Buy, 1, Some("1")), T0)),
            None
        );
    }
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("1")), T0 + 499 * MS)),
        Some(DenyCode::SubmitThrottle)
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("1")), T0 + 500 * MS)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("1")), T0 + 500 * MS)),
        Some(DenyCode::SubmitThrottle)
    );
}

#[test]
fn cancels_are_never_blocked_only_counted() {
    let mut e = engine("[robots.default]\ncancels = { rate = 1, burst = 2 }\n");
    for _ in 0..5 {
        e.on_cancel(T0);
    }
    assert_eq!(e.counts.cancels_over_rate, 3);
    assert_eq!(e.counts.denied, 0);
}

#[test]
fn amends_are_checked_for_what_they_change() {
    let mut e = engine(
        "[robots.default]\namends = { rate = 1, burst = 1 }\n\
         [robots.default.symbols.Si]\nmax_order_qty = 5\nmax_position = 5\n",
    );
    let mut o = Orders { seq: 0 };
    let r = o.req(Side::Buy, 4, Some("100"));
    assert_eq!(code(e.check_submit(&r, T0)), None);
    assert_eq!(
        code(e.check_amend(&r.client_id, None, Some(6), T0)),
        Some(DenyCode::MaxOrderQty)
    );
    assert_eq!(code(e.check_amend(&r.client_id, None, Some(5), T0)), None);
    assert_eq!(
        code(e.check_amend(&r.client_id, Some(px("101")), None, T0)),
        Some(DenyCode::AmendThrottle)
    );
    assert_eq!(
        code(e.check_amend(&r.client_id, Some(px("101")), None, T0 + 1_000 * MS)),
        None
    );
}

#[test]
fn execution_throttle_halts_until_resumed() {
    let mut e = engine("[robots.default]\nfills = { max = 3, window_ms = 1000 }\n");
    let mut o = Orders { seq: 0 };
    let r = o.req(Side::Buy, 10, Some("100"));
    e.check_submit(&r, T0).unwrap();
    for i in 0..3 {
        fill(&mut e, &r.client_id, Side::Buy, 1, "100", T0 + i * 100 * MS);
    }
    assert_eq!(
        e.state(),
        TradingState::Active,
        "3 fills in a second is the limit"
    );
    // The first fill is now a second old: the window holds 3 again.
    fill(&mut e, &r.client_id, Side::Buy, 1, "100", T0 + 1_000 * MS);
    assert_eq!(e.state(), TradingState::Active);
    fill(&mut e, &r.client_id, Side::Buy, 1, "100", T0 + 1_001 * MS);
    assert_eq!(e.state(), TradingState::Halted);
    let d = e.check_submit(&o.req(Side::Sell, 1, Some("100")), T0 + 2_000 * MS);
    assert_eq!(code(d), Some(DenyCode::Halted));
    e.resume();
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 1, Some("100")), T0 + 2_000 * MS)),
        None
    );
}

#[test]
fn daily_loss_reduces_then_halts_and_only_reducing_orders_pass() {
    let mut e = engine("[robots.default]\ndaily_loss = { reduce = \"100\", halt = \"200\" }\n");
    let mut o = Orders { seq: 0 };
    quote(&mut e, "999", "1001", T0);
    let r = o.req(Side::Buy, 10, Some("1001"));
    e.check_submit(&r, T0).unwrap();
    fill(&mut e, &r.client_id, Side::Buy, 10, "1001", T0);
    // Long 10 bought at 1001, marked at the mid: -10 at 1000, -100 at 991.
    quote(&mut e, "990", "992", T0 + 1);
    assert_eq!(
        e.state(),
        TradingState::Active,
        "a loss of exactly 100 is allowed"
    );
    let change = e.on_quote("Si", px("989"), px("992"), T0 + 2);
    assert_eq!(e.state(), TradingState::Reducing);
    assert_eq!(change.unwrap().code, "DAILY_LOSS");
    // Reducing: buying more is denied, selling up to the position passes.
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("990")), T0 + 3)),
        Some(DenyCode::ReduceOnly)
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 11, Some("990")), T0 + 3)),
        Some(DenyCode::ReduceOnly)
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 6, Some("990")), T0 + 3)),
        None
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 5, Some("990")), T0 + 3)),
        Some(DenyCode::ReduceOnly),
        "6 already working on the sell side"
    );
    quote(&mut e, "979", "983", T0 + 4); // mid 981: -200, the edge
    assert_eq!(e.state(), TradingState::Reducing);
    quote(&mut e, "979", "982", T0 + 5); // 980.5: -205
    assert_eq!(e.state(), TradingState::Halted);
    // A new day starts from the equity it begins with; the halt stays until resumed.
    quote(&mut e, "979", "982", T0 + 86_400_000 * MS);
    assert_eq!(e.state(), TradingState::Halted);
}

#[test]
fn drawdown_from_the_peak() {
    let mut e = engine("[robots.default]\ndrawdown = { halt = \"50\" }\n");
    let mut o = Orders { seq: 0 };
    quote(&mut e, "999", "1001", T0);
    let r = o.req(Side::Buy, 1, None);
    e.check_submit(&r, T0).unwrap();
    fill(&mut e, &r.client_id, Side::Buy, 1, "1000", T0);
    quote(&mut e, "1199", "1201", T0 + 1); // +200: the peak
    quote(&mut e, "1149", "1151", T0 + 2); // 50 below it: allowed
    assert_eq!(e.state(), TradingState::Active);
    quote(&mut e, "1148", "1150", T0 + 3); // 51 below
    assert_eq!(e.state(), TradingState::Halted);
}

#[test]
fn a_restarted_robot_starts_from_the_stores_position_and_open_orders() {
    let mut e = engine(
        "[robots.default]\nmax_working_orders = 2\n[robots.default.symbols.Si]\nmax_position = 5\n",
    );
    let mut o = Orders { seq: 10 };
    let mut position = crate::store::Position::new("r", "Si");
    let bought = crate::store::Trade {
        exec_id: "x".into(),
        client_id: "r-1".into(),
        robot: "r".into(),
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 3,
        price: px("100"),
        ts_ns: T0,
        venue_ts_ns: None,
        fee: Money::ZERO,
        currency: None,
    };
    position.apply(&bought, None);
    e.seed_position(position);
    let open = crate::store::Order::new_request("r", o.req(Side::Buy, 1, Some("99")), T0);
    e.seed_working(&open);
    // Long 3, 1 working: 1 more buy is the edge of 5; 2 is over.
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 2, Some("99")), T0)),
        Some(DenyCode::MaxPosition)
    );
    assert_eq!(
        code(e.check_submit(&o.req(Side::Buy, 1, Some("98")), T0)),
        None
    );
    // Two working now: a third is over the working-orders limit.
    assert_eq!(
        code(e.check_submit(&o.req(Side::Sell, 1, Some("101")), T0)),
        Some(DenyCode::MaxWorkingOrders)
    );
}
