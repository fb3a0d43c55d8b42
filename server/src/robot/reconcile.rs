//! A rebuilt robot against the store: what it decided but never carried out (the process
//! died between journaling and acting), and what the store learned while it was down.

use super::recovery::Resumed;
use super::seen::SeenUpdates;
use crate::store::{OrderFilter, RobotUpdate, Store, StoreError};
use crate::streams::trades::update_event;
use robofleet_api::{Action, EventKind, OrderStatus};
use std::collections::HashMap;

/// Submits the store never got (and nothing was heard of), and cancels it never got.
pub fn unexecuted_actions(
    store: &dyn Store,
    robot: &str,
    resumed: &Resumed,
    seen: &SeenUpdates,
) -> Result<Vec<Action>, StoreError> {
    let filter = OrderFilter {
        robot: Some(robot.to_string()),
        open_only: false,
    };
    let orders: HashMap<String, _> = store
        .orders(&filter)?
        .into_iter()
        .map(|o| (o.client_id.clone(), o))
        .collect();
    let mut owed = Vec::new();
    for (client_id, req) in &resumed.submits {
        // An update seen means the order was handled (or refused, and the robot was told).
        if !orders.contains_key(client_id) && seen.order(client_id).is_none() {
            owed.push(Action::Submit(req.clone()));
        }
    }
    for client_id in &resumed.cancels {
        if let Some(o) = orders.get(client_id) {
            if !o.status.is_terminal() && !o.cancel_requested {
                owed.push(Action::Cancel {
                    client_id: client_id.clone(),
                });
            }
        }
    }
    Ok(owed)
}

/// Fills and order changes of the robot's own orders that it has not seen, oldest first.
pub fn missed_updates(
    store: &dyn Store,
    robot: &str,
    resumed: &Resumed,
    seen: Option<&SeenUpdates>,
) -> Result<Vec<(i64, EventKind)>, StoreError> {
    let Some(seen) = seen else {
        return Ok(Vec::new());
    };
    let mut missed: Vec<(i64, u8, EventKind)> = Vec::new();
    for trade in store.trades(Some(robot))? {
        if resumed.own_orders.contains(&trade.client_id) && !seen.has_fill(&trade.exec_id) {
            let (ts, kind) = update_event(&RobotUpdate::Trade(trade));
            missed.push((ts, 0, kind));
        }
    }
    let filter = OrderFilter {
        robot: Some(robot.to_string()),
        open_only: false,
    };
    for order in store.orders(&filter)? {
        // `New` is the robot's own insert: nothing it does not know.
        if order.status == OrderStatus::New || !resumed.own_orders.contains(&order.client_id) {
            continue;
        }
        let now = (
            order.filled_qty,
            SeenUpdates::rank_of(order.status),
            order.amends,
        );
        if seen.order(&order.client_id).is_none_or(|s| now > s) {
            let (ts, kind) = update_event(&RobotUpdate::Order(order));
            missed.push((ts, 1, kind));
        }
    }
    // Fills before the update that reports them, as the gateway writes them.
    missed.sort_by_key(|(ts, fills_first, _)| (*ts, *fills_first));
    Ok(missed.into_iter().map(|(ts, _, kind)| (ts, kind)).collect())
}
