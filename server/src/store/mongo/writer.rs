//! The ordered queue for robot-side writes: a robot never waits for the database.
//!
//! Writes land in the order robots made them. While the database is away they wait
//! (`pending_writes` in the store's health); a write that cannot land within `max_wait`, or
//! that the database refuses, fails visibly: the robot gets a `Rejected` order update.

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
}

pub async fn run(cols: Collections, mut queue: UnboundedReceiver<WriteOp>, shared: Arc<Shared>) {
    while let Some(op) = queue.recv().await {
        let started = Instant::now();
        let mut backoff = Duration::from_millis(50);
        loop {
            let result = match &op {
                WriteOp::Insert(order) => docs::insert_order(&cols, order).await,
                WriteOp::Cancel(id) => docs::request_cancel(&cols, id).await,
            };
            match result {
                Ok(()) => {
                    shared.ok();
                    break;
                }
                Err(Failure::Transient(e)) if started.elapsed() < shared.max_wait => {
                    shared.failing(&e);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
                Err(failure) => {
                    let why = match failure {
                        Failure::Transient(e) => {
                            format!("database unavailable for {:?}: {e}", shared.max_wait)
                        }
                        Failure::Refused(e) => e,
                        Failure::Duplicate => "duplicate key".to_string(),
                    };
                    fail(&op, &why, &shared);
                    break;
                }
            }
        }
        shared.pending_writes.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Tell the robot its order did not make it (a cancel that fails only gets logged: the
/// order it names either does not exist or will be reported on by the gateway).
fn fail(op: &WriteOp, why: &str, shared: &Shared) {
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
    }
}
