//! The trade subscription thread: one store subscription per robot, by its name alone, all
//! feeding one channel; each order change or fill is appended to its robot's inbox.

use crate::robot::pool::RobotInbox;
use crate::robot::Inbound;
use crate::store::{Order, RobotUpdate, Store, Trade, WatchId};
use crossbeam_channel::{select, Receiver};
use robofleet_api::{EventKind, Fill, OrderUpdate};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub enum TradeCmd {
    Add { robot: String, inbox: RobotInbox },
    Remove { robot: String },
    Shutdown,
}

#[derive(Default)]
pub struct TradeStats {
    pub delivered: AtomicU64,
    /// Updates for a robot that had already stopped; they stay in the store.
    pub undeliverable: AtomicU64,
}

/// The event a robot sees for a store update, with its timestamp.
pub fn update_event(update: &RobotUpdate) -> (i64, EventKind) {
    match update {
        RobotUpdate::Order(o) => order_event(o),
        RobotUpdate::Trade(t) => fill_event(t),
    }
}

/// An order's update event, at the order's last change.
pub fn order_event(o: &Order) -> (i64, EventKind) {
    (o.updated_ns, EventKind::OrderUpdate(order_update(o)))
}

/// What a robot is told of `o` as it stands.
pub fn order_update(o: &Order) -> OrderUpdate {
    OrderUpdate {
        client_id: o.client_id.clone(),
        symbol: o.symbol.clone(),
        status: o.status,
        filled_qty: o.filled_qty,
        remaining_qty: o.remaining_qty(),
        reason: o.reason.clone(),
        amends: o.amends,
    }
}

/// A trade's fill event. A robot's clock is the market's: a fill comes at the venue's time
/// where it has one.
pub fn fill_event(t: &Trade) -> (i64, EventKind) {
    (
        t.venue_ts_ns.unwrap_or(t.ts_ns),
        EventKind::Fill(Fill {
            client_id: t.client_id.clone(),
            exec_id: t.exec_id.clone(),
            symbol: t.symbol.clone(),
            side: t.side,
            qty: t.qty,
            price: t.price,
        }),
    )
}

pub fn run_trade_thread(store: Arc<dyn Store>, cmds: Receiver<TradeCmd>, stats: Arc<TradeStats>) {
    let (updates_tx, updates) = crossbeam_channel::unbounded::<RobotUpdate>();
    let mut robots: HashMap<String, (RobotInbox, WatchId)> = HashMap::new();
    loop {
        select! {
            recv(cmds) -> cmd => match cmd {
                Ok(TradeCmd::Add { robot, inbox }) => {
                    match store.watch_robot(&robot, updates_tx.clone()) {
                        Ok(id) => {
                            if !inbox.push(Inbound::Subscribed) {
                                tracing::warn!(robot = %robot, "robot gone before its subscription started");
                            }
                            robots.insert(robot, (inbox, id));
                        }
                        Err(e) => tracing::error!(robot = %robot, "cannot subscribe to trades: {e}"),
                    }
                }
                Ok(TradeCmd::Remove { robot }) => {
                    if let Some((_push, id)) = robots.remove(&robot) {
                        store.unwatch_robot(id);
                    }
                }
                Ok(TradeCmd::Shutdown) | Err(_) => {
                    for (_, (_, id)) in robots.drain() {
                        store.unwatch_robot(id);
                    }
                    return;
                }
            },
            recv(updates) -> update => {
                let Ok(update) = update else { continue };
                let Some((inbox, _)) = robots.get(update.robot()) else {
                    stats.undeliverable.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                let (ts, kind) = update_event(&update);
                // Unbounded: false here means the robot has ended.
                match inbox.push(Inbound::Update { ts, kind }) {
                    true => stats.delivered.fetch_add(1, Ordering::Relaxed),
                    false => stats.undeliverable.fetch_add(1, Ordering::Relaxed),
                };
            }
        }
    }
}
