//! Leases in the `leases` collection.
//!
//! One gateway per database. Two gateways on one database would both execute every order, so
//! a gateway takes the `leases` document `{_id: "gateway"}` before it serves orders, renews it
//! every third of its time to live while it runs, and deletes it when it stops. A second
//! gateway is refused at start, told who holds the lease; a gateway that died leaves the lease
//! to expire. A gateway that finds its lease taken by another stops serving orders and
//! refuses its own writes from then on.
//!
//! One server per robot name. Servers sharing a database route fills by robot name, so a
//! server claims `{_id: "robot:<name>"}` before it starts that robot, renews all its claims in
//! one write every third of their time to live, and releases each when its robot stops.

use super::errors::{classify, Failure};
use super::{store_err, Shared};
use crate::store::StoreError;
use mongodb::bson::{doc, Document};
use mongodb::Collection;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

pub const LEASES: &str = "leases";
const GATEWAY: &str = "gateway";

/// `consumer@host/pid`: unique per process, so a restarted gateway waits out a dead one's
/// lease rather than sharing it with a live one of the same name.
pub fn holder_name(consumer: &str) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown-host".into());
    format!("{consumer}@{host}/{}", std::process::id())
}

/// Take (or renew) the gateway lease for `ttl`. `Err(GatewayLease)` when another holds it.
pub async fn take(
    col: &Collection<Document>,
    holder: &str,
    ttl: Duration,
) -> Result<(), StoreError> {
    match take_id(col, GATEWAY, holder, ttl).await? {
        None => Ok(()),
        Some((who, left_s)) => Err(StoreError::GatewayLease(format!(
            "{who} holds this database's gateway lease (for {left_s}s more unless it \
             renews): run one gateway per database"
        ))),
    }
}

/// Claim robot name `robot` for server `holder` (its consumer name, so the same server
/// restarted takes it back at once). `Err(NameTaken)` when another server runs it.
pub async fn claim_robot(
    col: &Collection<Document>,
    robot: &str,
    holder: &str,
    ttl: Duration,
) -> Result<(), StoreError> {
    match take_id(col, &robot_id(robot), holder, ttl).await? {
        None => Ok(()),
        Some((who, left_s)) => Err(StoreError::NameTaken(format!(
            "robot {robot:?} runs on {who} (its claim lasts {left_s}s more unless renewed): \
             robot names must be unique across the servers sharing a database"
        ))),
    }
}

pub fn robot_id(robot: &str) -> String {
    format!("robot:{robot}")
}

/// Take `_id` for `holder` unless someone else holds it unexpired: `Some((holder, seconds
/// left))` then.
async fn take_id(
    col: &Collection<Document>,
    id: &str,
    holder: &str,
    ttl: Duration,
) -> Result<Option<(String, i64)>, StoreError> {
    let now = crate::clock::wall_ns();
    let ttl_ns = i64::try_from(ttl.as_nanos()).unwrap_or(i64::MAX);
    let filter = doc! {
        "_id": id,
        "$or": [{"holder": holder}, {"expires_ns": {"$lt": now}}],
    };
    let update = doc! {"$set": {
        "holder": holder,
        "expires_ns": now.saturating_add(ttl_ns),
        "renewed_ns": now,
    }};
    // Held by another (and not expired): the filter misses, and the upsert's insert of the
    // same `_id` is a duplicate key.
    match col.update_one(filter, update).upsert(true).await {
        Ok(_) => Ok(None),
        Err(e) if classify(&e) == Failure::Duplicate => {
            let current = col.find_one(doc! {"_id": id}).await.ok().flatten();
            let who = current
                .as_ref()
                .and_then(|d| d.get_str("holder").ok())
                .unwrap_or("another process")
                .to_string();
            let left_s = current
                .as_ref()
                .and_then(|d| d.get_i64("expires_ns").ok())
                .map_or(0, |t| (t - now).max(0) / 1_000_000_000);
            Ok(Some((who, left_s)))
        }
        Err(e) => Err(store_err(e)),
    }
}

/// Renew every claim `holder` has on robot names, in one write.
pub async fn renew_robots(
    col: &Collection<Document>,
    holder: &str,
    ttl: Duration,
) -> Result<(), StoreError> {
    let now = crate::clock::wall_ns();
    let ttl_ns = i64::try_from(ttl.as_nanos()).unwrap_or(i64::MAX);
    col.update_many(
        doc! {"holder": holder, "_id": {"$regex": "^robot:"}},
        doc! {"$set": {"expires_ns": now.saturating_add(ttl_ns), "renewed_ns": now}},
    )
    .await
    .map(|_| ())
    .map_err(store_err)
}

/// Give up the claim on `robot` (it stopped), if it is still `holder`'s.
pub async fn release_robot(col: &Collection<Document>, robot: &str, holder: &str) {
    if let Err(e) = col
        .delete_one(doc! {"_id": robot_id(robot), "holder": holder})
        .await
    {
        tracing::warn!("cannot release robot name {robot:?} (its claim expires on its own): {e}");
    }
}

/// Give the lease back (at a graceful stop), if it is still ours.
pub async fn give_back(col: &Collection<Document>, holder: &str) {
    if let Err(e) = col
        .delete_one(doc! {"_id": GATEWAY, "holder": holder})
        .await
    {
        tracing::warn!("cannot give back the gateway lease (it expires on its own): {e}");
    }
}

/// Renew every `ttl / 3` until the store stops serving as a gateway. A lease found taken by
/// another gateway is lost for good; a database that is away is waited out (the lease may
/// expire meanwhile, and is taken again if nobody else took it).
pub async fn keep(col: Collection<Document>, holder: String, ttl: Duration, shared: Arc<Shared>) {
    loop {
        tokio::time::sleep(ttl / 3).await;
        if shared.gateway_stopped.load(Ordering::Relaxed) {
            return;
        }
        match take(&col, &holder, ttl).await {
            Ok(()) => {}
            Err(StoreError::GatewayLease(why)) => {
                tracing::error!("gateway lease lost: {why}; this gateway stops serving orders");
                *shared.lease_lost.lock().unwrap_or_else(|e| e.into_inner()) = Some(why.clone());
                shared.failing(&format!("gateway lease lost: {why}"));
                return;
            }
            Err(e) => shared.failing(&format!("renewing the gateway lease: {e}")),
        }
    }
}

/// Renew this server's robot-name claims every `ttl / 3`, and claim the names of robots that
/// started while the database was away. A name found running elsewhere is reported (log and
/// store health), not retried.
pub async fn keep_robots(
    col: Collection<Document>,
    holder: String,
    ttl: Duration,
    shared: Arc<Shared>,
) {
    loop {
        tokio::time::sleep(ttl / 3).await;
        if let Err(e) = renew_robots(&col, &holder, ttl).await {
            shared.failing(&format!("renewing robot name claims: {e}"));
            continue;
        }
        let pending: Vec<String> = shared
            .unclaimed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect();
        for robot in pending {
            match claim_robot(&col, &robot, &holder, ttl).await {
                Ok(()) => {}
                Err(StoreError::NameTaken(why)) => {
                    tracing::error!("{why}");
                    shared.failing(&why);
                }
                Err(e) => {
                    shared.failing(&format!("claiming robot name {robot:?}: {e}"));
                    continue;
                }
            }
            shared
                .unclaimed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&robot);
        }
    }
}
