use super::*;
use robofleet_api::testing::px;

fn p(x: f64) -> Price {
    Price::from_f64(x).unwrap()
}

mod depth;
mod fills;
mod instruments;
mod rules;

fn order(id: &str, side: Side, order_type: OrderType, qty: i64) -> Order {
    Order {
        client_id: id.to_string(),
        robot: "bot".to_string(),
        order_seq: 1,
        symbol: "Si".to_string(),
        side,
        order_type,
        tif: robofleet_api::TimeInForce::Day,
        qty,
        status: OrderStatus::New,
        filled_qty: 0,
        avg_price: px("0.0"),
        reason: None,
        cancel_requested: false,
        amend_request: None,
        amends: 0,
        created_ns: 0,
        updated_ns: 0,
        history: Vec::new(),
        tick_recv_mono_ns: None,
        tick_sent_ns: None,
        venue_order_id: None,
    }
}

fn limit(px: Price) -> OrderType {
    OrderType::Limit { price: px }
}

fn new(ex: &mut SimExchange, o: Order, ts_ns: i64) -> Vec<ExchangeOutput> {
    ex.process(ExchangeInput::NewOrder { order: o, ts_ns })
}

fn md(ex: &mut SimExchange, ts: i64, kind: MarketKind) -> Vec<ExchangeOutput> {
    ex.process(ExchangeInput::Market(MarketData {
        symbol: "Si".to_string(),
        ts,
        sent_ns: None,
        kind,
    }))
}

fn quote(
    ex: &mut SimExchange,
    ts: i64,
    bid: Price,
    bid_size: i64,
    ask: Price,
    ask_size: i64,
) -> Vec<ExchangeOutput> {
    md(
        ex,
        ts,
        MarketKind::Quote {
            bid,
            bid_size,
            ask,
            ask_size,
        },
    )
}

fn print(ex: &mut SimExchange, ts: i64, price: Price, size: i64) -> Vec<ExchangeOutput> {
    md(ex, ts, MarketKind::Trade { price, size })
}

fn cancel(ex: &mut SimExchange, id: &str, ts_ns: i64) -> Vec<ExchangeOutput> {
    ex.process(ExchangeInput::Cancel {
        client_id: id.to_string(),
        ts_ns,
    })
}

fn changes(out: &[ExchangeOutput]) -> Vec<OrderChange> {
    out.iter()
        .filter_map(|o| match o {
            ExchangeOutput::Change(c) => Some(c.clone()),
            ExchangeOutput::Fill(_) => None,
        })
        .collect()
}

fn fills(out: &[ExchangeOutput]) -> Vec<Trade> {
    out.iter()
        .filter_map(|o| match o {
            ExchangeOutput::Fill(t) => Some(t.clone()),
            ExchangeOutput::Change(_) => None,
        })
        .collect()
}

/// (client id, qty, price) of each fill, in order.
fn fill_summary(out: &[ExchangeOutput]) -> Vec<(String, i64, Price)> {
    fills(out)
        .into_iter()
        .map(|t| (t.client_id, t.qty, t.price))
        .collect()
}

fn reject_reason(out: &[ExchangeOutput]) -> String {
    let c = changes(out);
    assert_eq!(c.len(), 1, "{out:?}");
    assert_eq!(c[0].status, OrderStatus::Rejected);
    c[0].reason.clone().unwrap_or_default()
}
