//! The ordered queue for robot-side writes: a robot never waits for the database.
//!
//! Writes land in the order robots made them. While the database is away they wait
//! (`pending_writes` in the store's health). A new order that has waited `max_wait` expires:
//! once the database answers again it is recorded as `Rejected` (if no gateway has taken it
//! meanwhile: an earlier attempt may have landed), and only then is its robot told. A robot is
//! never told "rejected" about an order that might still trade.

use super::docs::{self, Collections};
use super::errors::Failure;
use super::Shared;
use crate::store::{Order, RobotUpdate};
use robofleet_api::OrderStatus;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

pub enum WriteOp {
    Insert(Box<Order>),
    Cancel(String),
    Amend {
        client_id: String,
        price: Option<robofleet_api::Price>,
        qty: Option<i64>,
    },
}

pub async fn run(cols: Collections, mut queue: UnboundedReceiver<WriteOp>, shared: Arc<Shared>) {
    while let Some(op) = queue.recv().await {
        let started = Instant::now();
        let mut backoff = Duration::from_millis(50);
        let mut expired: Option<String> = None;
        loop {
            let result = match (&op, &expired) {
                (WriteOp::Insert(order), None) => docs::insert_order(&cols, order).await,
                (WriteOp::Insert(order), Some(why)) => expire(&cols, order, why, &shared).await,
                (WriteOp::Cancel(id), _) => docs::request_cancel(&cols, id).await,
                (
                    WriteOp::Amend {
                        client_id,
                        price,
                        qty,
                    },
                    _,
                ) => docs::request_amend(&cols, client_id, *price, *qty).await,
            };
            match result {
                Ok(()) => {
                    shared.ok();
                    break;
                }
                Err(Failure::Transient(e)) => {
                    shared.failing(&e);
                    if expired.is_none() && started.elapsed() >= shared.max_wait {
                        if let WriteOp::Insert(order) = &op {
                            let why = format!(
                                "not written within {:?}: database unavailable ({e})",
                                shared.max_wait
                            );
                            tracing::error!(robot = %order.robot, "order {} expires: {why}", order.client_id);
                            expired = Some(why);
                        }
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
                Err(failure) => {
                    let why = match failure {
                        Failure::Refused(e) => e,
                        Failure::Duplicate | Failure::Transient(_) => "duplicate key".to_string(),
                    };
                    refused(&op, &why, &shared);
                    break;
                }
            }
        }
        shared.pending_writes.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Record an expired order as Rejected, unless a gateway has already taken it.
async fn expire(
    cols: &Collections,
    order: &Order,
    why: &str,
    shared: &Shared,
) -> Result<(), Failure> {
    let now = crate::clock::wall_ns();
    if let Some(rejected) = docs::reject_if_new(cols, order, why, now).await? {
        shared.failed_writes.fetch_add(1, Ordering::Relaxed);
        shared.deliver(RobotUpdate::Order(rejected));
    }
    Ok(())
}

/// The database refused the write for good: nothing was stored, so the robot is told.
fn refused(op: &WriteOp, why: &str, shared: &Shared) {
    shared.failed_writes.fetch_add(1, Ordering::Relaxed);
    match op {
        WriteOp::Insert(order) => {
            tracing::error!(robot = %order.robot, "order {} not stored: {why}", order.client_id);
            let mut rejected = (**order).clone();
            rejected.status = OrderStatus::Rejected;
            rejected.reason = Some(format!("store refused the order: {why}"));
            rejected.updated_ns = crate::clock::wall_ns();
            shared.deliver(RobotUpdate::Order(rejected));
        }
        WriteOp::Cancel(id) => tracing::warn!("cancel of {id} not stored: {why}"),
        WriteOp::Amend { client_id, .. } => {
            tracing::warn!("amend of {client_id} not stored: {why}")
        }
    }
}
