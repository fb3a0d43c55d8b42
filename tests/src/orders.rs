//! Orders, changes and fills for store tests: a 1-lot `Si` buy and what a gateway writes
//! about it.

use robofleet::store::{Order, OrderChange, Trade};
use robofleet_api::{OrderStatus, Price};

/// The gateway's change of `o` to `status` with `filled` lots (average price 1 once filled).
pub fn change(o: &Order, status: OrderStatus, filled: i64) -> OrderChange {
    OrderChange {
        client_id: o.client_id.clone(),
        status,
        filled_qty: filled,
        avg_price: if filled > 0 {
            Price::units(1)
        } else {
            Price::ZERO
        },
        reason: None,
        ts_ns: robofleet::clock::wall_ns(),
        amends: None,
        qty: None,
        price: None,
        venue_order_id: None,
    }
}

/// A fill of one lot of `o` at 1, exec id `exec`.
pub fn fill_of(o: &Order, exec: &str) -> Trade {
    Trade {
        exec_id: exec.into(),
        client_id: o.client_id.clone(),
        robot: o.robot.clone(),
        symbol: o.symbol.clone(),
        side: o.side,
        qty: 1,
        price: Price::units(1),
        ts_ns: robofleet::clock::wall_ns(),
        venue_ts_ns: None,
        fee: robofleet_api::Money::ZERO,
        currency: None,
    }
}
