//! `kill_switch` and `reset_kill_switch`: the fleet's latching kill switch.

use super::auth::Caller;
use super::protocol::CtlError;
use super::pushes::RobotPushes;
use super::server::ControlDeps;
use crate::risk::kill::Engaged;
use crate::robot::ControlMsg;
use crate::store::OrderFilter;
use serde_json::{json, Value};

fn state(engaged: Option<&Engaged>) -> Value {
    match engaged {
        Some(e) => json!({"engaged": true, "since_ns": e.since_ns, "by": e.by, "reason": e.reason}),
        None => json!({"engaged": false}),
    }
}

/// Engage: kept on disk first, then every robot halted (each cancels its own working
/// orders as it hears it), then a cancel request for every open order of this fleet's
/// robots in the store (a robot that is not running has none of its own to send).
pub(super) fn engage(
    deps: &ControlDeps,
    robots: &RobotPushes,
    caller: &Caller,
    reason: Option<String>,
) -> Result<Value, CtlError> {
    let engaged = Engaged {
        since_ns: crate::clock::wall_ns(),
        by: caller.name.clone(),
        reason: reason.unwrap_or_else(|| "no reason given".into()),
    };
    let newly = deps
        .kill
        .engage(engaged)
        .map_err(|e| CtlError::new("internal", e))?;
    let Some(engaged) = deps.kill.engaged() else {
        return Err(CtlError::new(
            "internal",
            "the kill switch did not stay engaged",
        ));
    };
    if newly {
        tracing::error!("KILL SWITCH ENGAGED: {}", engaged.describe());
    }
    let why = engaged.describe();
    let halted = robots.send_each(|_| ControlMsg::FleetHalt(why.clone()));
    let fleet: std::collections::HashSet<String> =
        deps.registry.all().iter().map(|r| r.name.clone()).collect();
    let open = deps
        .store
        .orders(&OrderFilter {
            robot: None,
            open_only: true,
        })
        .map_err(|e| {
            CtlError::new(
                "store_error",
                format!("halted, but open orders unreadable: {e}"),
            )
        })?;
    let mut cancels = 0u64;
    let mut failed = Vec::new();
    for o in open
        .iter()
        .filter(|o| fleet.contains(&o.robot) && !o.cancel_requested)
    {
        match deps.store.request_cancel(&o.client_id) {
            Ok(()) => cancels += 1,
            Err(e) => failed.push(format!("{}: {e}", o.client_id)),
        }
    }
    if !failed.is_empty() {
        return Err(CtlError::new(
            "store_error",
            format!(
                "halted, but {} cancel request(s) failed: {}",
                failed.len(),
                failed.join("; ")
            ),
        ));
    }
    let mut reply = state(Some(&engaged));
    reply["already_engaged"] = json!(!newly);
    reply["robots_halted"] = json!(halted);
    reply["cancels_requested"] = json!(cancels);
    Ok(reply)
}

/// Reset: robots may trade again, each under its own trading state.
pub(super) fn reset(deps: &ControlDeps, robots: &RobotPushes) -> Result<Value, CtlError> {
    let was = deps
        .kill
        .reset()
        .map_err(|e| CtlError::new("internal", e))?;
    if let Some(e) = &was {
        tracing::warn!("kill switch reset (it was {})", e.describe());
    }
    let resumed = robots.send_each(|_| ControlMsg::FleetResume);
    Ok(
        json!({"engaged": false, "was": was.as_ref().map(|e| state(Some(e))), "robots_resumed": resumed}),
    )
}

/// The switch as `stats` shows it.
pub(super) fn stats_json(deps: &ControlDeps) -> Value {
    state(deps.kill.engaged().as_ref())
}
