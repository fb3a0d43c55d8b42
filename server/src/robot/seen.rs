//! Which order updates and fills a robot has already seen, so each reaches it once although
//! a subscription that resumes, and the reconciliation after a restart, may repeat them.

use robofleet_api::{EventKind, OrderStatus};
use std::collections::{HashMap, HashSet};

/// Per client order id, the latest (filled quantity, status rank, amends) seen.
pub type SeenOrders = Vec<(String, (i64, u8, u32))>;

#[derive(Debug, Default)]
pub struct SeenUpdates {
    /// Per client order id: (filled quantity, status rank, amends answered) of the latest
    /// update seen. Each only grows over an order's life, so the tuple orders its updates.
    orders: HashMap<String, (i64, u8, u32)>,
    fills: HashSet<String>,
    /// Admit everything and remember nothing: for a source that never repeats itself (the
    /// backtest's in-process venue), so memory does not grow with every order and fill.
    off: bool,
}

fn rank(status: OrderStatus) -> u8 {
    match status {
        OrderStatus::New => 0,
        OrderStatus::Working => 1,
        OrderStatus::PartiallyFilled => 2,
        OrderStatus::Filled
        | OrderStatus::Cancelled
        | OrderStatus::Rejected
        | OrderStatus::Denied => 3,
    }
}

impl SeenUpdates {
    /// One that admits everything (see `off`).
    pub fn off() -> Self {
        SeenUpdates {
            off: true,
            ..SeenUpdates::default()
        }
    }

    /// Whether `kind` tells the robot something new; records it if so. Events other than
    /// order updates and fills are always new.
    pub fn admit(&mut self, kind: &EventKind) -> bool {
        if self.off {
            return true;
        }
        match kind {
            EventKind::Fill(f) => self.fills.insert(f.exec_id.clone()),
            EventKind::OrderUpdate(u) => {
                let now = (u.filled_qty, rank(u.status), u.amends);
                match self.orders.get_mut(&u.client_id) {
                    // Newer means more filled, or as filled and further along, or an amend
                    // answered since.
                    Some(seen) if now <= *seen => false,
                    Some(seen) => {
                        *seen = now;
                        true
                    }
                    None => {
                        self.orders.insert(u.client_id.clone(), now);
                        true
                    }
                }
            }
            _ => true,
        }
    }

    pub fn has_fill(&self, exec_id: &str) -> bool {
        self.fills.contains(exec_id)
    }

    /// The latest (filled quantity, status rank, amends) seen for an order.
    pub fn order(&self, client_id: &str) -> Option<(i64, u8, u32)> {
        self.orders.get(client_id).copied()
    }

    /// Everything remembered, in a stable order (for a checkpoint).
    pub fn to_parts(&self) -> (SeenOrders, Vec<String>) {
        let mut orders: Vec<_> = self.orders.iter().map(|(k, v)| (k.clone(), *v)).collect();
        let mut fills: Vec<_> = self.fills.iter().cloned().collect();
        orders.sort_unstable();
        fills.sort_unstable();
        (orders, fills)
    }

    /// What [`SeenUpdates::to_parts`] gave, remembered again.
    pub fn from_parts(orders: SeenOrders, fills: Vec<String>) -> Self {
        SeenUpdates {
            orders: orders.into_iter().collect(),
            fills: fills.into_iter().collect(),
            off: false,
        }
    }

    /// Rank of a status, to compare with [`SeenUpdates::order`].
    pub fn rank_of(status: OrderStatus) -> u8 {
        rank(status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use robofleet_api::testing::px;
    use robofleet_api::{Fill, OrderUpdate, Side};

    fn update(status: OrderStatus, filled: i64) -> EventKind {
        EventKind::OrderUpdate(OrderUpdate {
            client_id: "r-1".into(),
            symbol: "Si".into(),
            status,
            filled_qty: filled,
            remaining_qty: 5 - filled,
            reason: None,
            amends: 0,
        })
    }

    #[test]
    fn stale_and_repeated_updates_are_refused() {
        let mut seen = SeenUpdates::default();
        assert!(seen.admit(&update(OrderStatus::Working, 0)));
        assert!(!seen.admit(&update(OrderStatus::Working, 0)));
        assert!(seen.admit(&update(OrderStatus::PartiallyFilled, 2)));
        assert!(!seen.admit(&update(OrderStatus::Working, 0)), "stale");
        assert!(seen.admit(&update(OrderStatus::Cancelled, 2)));
        assert!(!seen.admit(&update(OrderStatus::PartiallyFilled, 2)));
    }

    #[test]
    fn switched_off_it_admits_everything_and_keeps_nothing() {
        let mut seen = SeenUpdates::off();
        assert!(seen.admit(&update(OrderStatus::Working, 0)));
        assert!(seen.admit(&update(OrderStatus::Working, 0)));
        assert_eq!(seen.order("r-1"), None);
    }

    #[test]
    fn each_fill_once() {
        let mut seen = SeenUpdates::default();
        let fill = EventKind::Fill(Fill {
            client_id: "r-1".into(),
            exec_id: "x-1".into(),
            symbol: "Si".into(),
            side: Side::Buy,
            qty: 1,
            price: px("1.0"),
        });
        assert!(seen.admit(&fill));
        assert!(!seen.admit(&fill));
        assert!(seen.has_fill("x-1"));
        assert!(seen.admit(&EventKind::Start));
        assert!(seen.admit(&EventKind::Start));
    }
}
