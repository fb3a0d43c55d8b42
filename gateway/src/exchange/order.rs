//! A working order and the price checks of the simulated exchange.

use robofleet_api::{OrderStatus, OrderType, Price, Side, TimeInForce};

use super::ExchangeOutput;
use crate::store::{Order, OrderChange};

/// What a working order can trade against, with its price.
#[derive(Clone, Copy, Debug)]
pub(super) enum Liquidity {
    Touch(Price),
    Print(Price),
}

#[derive(Clone, Debug)]
pub(super) struct WorkingOrder {
    pub(super) client_id: String,
    pub(super) robot: String,
    pub(super) symbol: String,
    pub(super) side: Side,
    pub(super) order_type: OrderType,
    pub(super) tif: TimeInForce,
    /// A day order is cancelled when the venue's clock reaches this.
    pub(super) day_end: Option<i64>,
    pub(super) qty: i64,
    pub(super) filled_qty: i64,
    pub(super) avg_price: Price,
    /// The exact sum of `price.raw() × qty` over this order's fills.
    pub(super) fill_notional: i128,
}

impl WorkingOrder {
    pub(super) fn remaining(&self) -> i64 {
        (self.qty - self.filled_qty).max(0)
    }

    pub(super) fn fill_status(&self) -> OrderStatus {
        if self.filled_qty >= self.qty {
            OrderStatus::Filled
        } else if self.filled_qty > 0 {
            OrderStatus::PartiallyFilled
        } else {
            OrderStatus::Working
        }
    }

    pub(super) fn change(
        &self,
        status: OrderStatus,
        reason: Option<String>,
        ts_ns: i64,
    ) -> ExchangeOutput {
        ExchangeOutput::Change(OrderChange {
            client_id: self.client_id.clone(),
            status,
            filled_qty: self.filled_qty,
            avg_price: self.avg_price,
            reason,
            ts_ns,
            amends: None,
            qty: None,
            price: None,
            venue_order_id: None,
        })
    }

    /// The fill price if this order can trade against `liq`.
    pub(super) fn fill_price(&self, liq: Liquidity) -> Option<Price> {
        match (liq, self.order_type, self.side) {
            (Liquidity::Touch(px), OrderType::Market, _) => Some(px),
            (Liquidity::Touch(px), OrderType::Limit { price }, Side::Buy) if px <= price => {
                Some(px)
            }
            (Liquidity::Touch(px), OrderType::Limit { price }, Side::Sell) if px >= price => {
                Some(px)
            }
            (Liquidity::Print(px), OrderType::Limit { price }, Side::Buy) if price >= px => {
                Some(price)
            }
            (Liquidity::Print(px), OrderType::Limit { price }, Side::Sell) if price <= px => {
                Some(price)
            }
            _ => None,
        }
    }

    /// Higher is served first: market orders, then the most aggressive limit.
    pub(super) fn price_priority(&self) -> i128 {
        match (self.order_type, self.side) {
            (OrderType::Market, _) => i128::MAX,
            (OrderType::Limit { price }, Side::Buy) => price.raw() as i128,
            (OrderType::Limit { price }, Side::Sell) => -(price.raw() as i128),
        }
    }
}

/// A touch side with a usable price (feeds send 0 for an empty side).
pub(super) fn live(px: Price) -> bool {
    px.is_positive()
}

/// Checks every order must pass, new or replayed.
pub(super) fn validate(order: &Order) -> Result<(), String> {
    if order.symbol.is_empty() {
        return Err("empty symbol".to_string());
    }
    if order.qty <= 0 {
        return Err(format!("invalid quantity {}: must be positive", order.qty));
    }
    // `OrderType` has only Market and Limit today; a new variant will not compile here
    // until it gets a rule, which is how an "unknown order type" is kept out.
    match order.order_type {
        OrderType::Market => Ok(()),
        OrderType::Limit { price } if price.is_positive() => Ok(()),
        OrderType::Limit { price } => Err(format!("invalid limit price {price}: must be positive")),
    }
}
