//! The rules every store backend enforces, so both have the same semantics.

use super::{Order, OrderChange, StatusChange, StoreError, Trade};
use robofleet_api::{OrderStatus, OrderType};

fn invalid(order: &Order, what: impl Into<String>) -> StoreError {
    StoreError::InvalidTransition {
        client_id: order.client_id.clone(),
        status: order.status,
        what: what.into(),
    }
}

/// A new order: status New. (Its price is checked by the venue, which rejects it with a
/// reason the robot sees; prices are exact integers, so any value can be stored.)
pub fn check_new_order(order: &Order) -> Result<(), StoreError> {
    match order.status {
        OrderStatus::New => Ok(()),
        // Kept as the pre-trade checks left it: finished, with why.
        OrderStatus::Denied if order.reason.is_some() => Ok(()),
        OrderStatus::Denied => Err(invalid(order, "a denied order must say why")),
        _ => Err(invalid(order, "a new order must have status New or Denied")),
    }
}

/// A gateway change to `order`: never from a terminal state, fills only grow, within qty.
pub fn check_change(order: &Order, change: &OrderChange) -> Result<(), StoreError> {
    if order.status.is_terminal() {
        return Err(invalid(
            order,
            format!("a terminal order cannot change to {:?}", change.status),
        ));
    }
    if change.filled_qty < order.filled_qty {
        return Err(invalid(
            order,
            format!(
                "filled qty cannot decrease from {} to {}",
                order.filled_qty, change.filled_qty
            ),
        ));
    }
    let qty = change.qty.unwrap_or(order.qty);
    if change.filled_qty > qty {
        return Err(invalid(
            order,
            format!(
                "filled qty {} exceeds the order qty {qty}",
                change.filled_qty
            ),
        ));
    }
    if change.price.is_some() && !matches!(order.order_type, OrderType::Limit { .. }) {
        return Err(invalid(order, "only a limit order has a price to amend"));
    }
    Ok(())
}

/// Apply a checked change; a status change is added to the history.
pub fn apply_change(order: &mut Order, change: &OrderChange) {
    if order.status != change.status {
        order.history.push(StatusChange {
            status: change.status,
            ts_ns: change.ts_ns,
            reason: change.reason.clone(),
        });
    }
    order.status = change.status;
    order.filled_qty = change.filled_qty;
    if let Some(qty) = change.qty {
        order.qty = qty;
    }
    if let (Some(price), OrderType::Limit { .. }) = (change.price, order.order_type) {
        order.order_type = OrderType::Limit { price };
    }
    if let Some(amends) = change.amends {
        order.amends = order.amends.max(amends);
    }
    order.avg_price = change.avg_price;
    if let Some(id) = &change.venue_order_id {
        order.venue_order_id = Some(id.clone());
    }
    order.reason.clone_from(&change.reason);
    order.updated_ns = change.ts_ns;
}

/// A trade must match its order's robot, symbol and side, with a positive qty, on an order
/// that is still open, and not fill it beyond its qty (the gateway writes a fill before the
/// change that reports it, so `filled_qty` counts the fills before this one).
pub fn check_trade(order: &Order, trade: &Trade) -> Result<(), StoreError> {
    if order.status.is_terminal() {
        return Err(invalid(
            order,
            format!("trade {} on a finished order", trade.exec_id),
        ));
    }
    if order.filled_qty + trade.qty > order.qty {
        return Err(invalid(
            order,
            format!(
                "trade {} of {} would fill {} of {}",
                trade.exec_id,
                trade.qty,
                order.filled_qty + trade.qty,
                order.qty
            ),
        ));
    }
    if trade.robot != order.robot || trade.symbol != order.symbol || trade.side != order.side {
        return Err(invalid(
            order,
            format!(
                "trade {} is {} {:?} {}, the order {} {:?} {}",
                trade.exec_id,
                trade.robot,
                trade.side,
                trade.symbol,
                order.robot,
                order.side,
                order.symbol
            ),
        ));
    }
    if trade.qty <= 0 {
        return Err(invalid(
            order,
            format!("trade {} needs a positive qty", trade.exec_id),
        ));
    }
    Ok(())
}
