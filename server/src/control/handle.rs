//! What each control request does (those the fleet manager carries out go to it).

use super::audit::Auditor;
use super::auth::Caller;
use super::paging;
use super::params::{json_to_params, params_to_json};
use super::protocol::{CtlError, Request};
use super::pushes::RobotPushes;
use super::server::ControlDeps;
use crate::fleet::FleetAction;
use crate::robot::ControlMsg;
use crate::store::{Cursor, OrderQuery, TradeQuery};
use serde_json::{json, Value};

pub(super) enum Handled {
    Now(Result<Value, CtlError>),
    Manager(FleetAction),
}

fn store_err(e: crate::store::StoreError) -> CtlError {
    CtlError::new("store_error", e.to_string())
}

fn to_json<T: serde::Serialize>(v: T) -> Result<Value, CtlError> {
    serde_json::to_value(v).map_err(|e| CtlError::new("internal", e.to_string()))
}

fn with_store(
    status: Result<Value, CtlError>,
    health: &crate::store::StoreHealth,
) -> Result<Value, CtlError> {
    let mut status = status?;
    status["store"] = to_json(health)?;
    Ok(status)
}

/// The venue's session as the robot's orders see it: `sim`, `up` or `down` (`null` with no
/// gateway in this process), and how many of its requests wait for it.
fn with_venue(mut status: Value, robot: &str, deps: &ControlDeps) -> Value {
    let gateway = deps
        .stats
        .gateway
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    status["venue_session"] = json!(gateway.as_ref().map(|g| g.venue_session()));
    status["held_orders"] = json!(gateway.as_ref().map_or(0, |g| g.held_of(robot)));
    status
}

pub(super) fn handle(
    request: Request,
    deps: &ControlDeps,
    robots: &RobotPushes,
    auditor: &Auditor,
    caller: &Caller,
) -> Handled {
    let deliver = |robot: &str, msg: ControlMsg| -> Result<(), CtlError> {
        if deps.registry.get(robot).is_none() {
            return Err(CtlError::unknown_robot(robot));
        }
        match robots.send(robot, msg) {
            None => Err(CtlError::new(
                "not_running",
                format!("robot {robot:?} is not running"),
            )),
            Some(sent) => {
                sent.map_err(|e| CtlError::new("internal", format!("delivery failed: {e}")))
            }
        }
    };
    let result = match request {
        Request::List => {
            let robots: Vec<Value> = deps
                .registry
                .all()
                .iter()
                .map(|r| {
                    json!({"name": r.name, "state": r.state(), "plugin_file": r.plugin_file,
                           "build_id": r.build_id, "symbols": r.symbols})
                })
                .collect();
            let refused: Vec<Value> = deps
                .registry
                .refused()
                .into_iter()
                .map(|(file, error)| json!({"file": file, "error": error}))
                .collect();
            Ok(json!({"robots": robots, "refused": refused, "store": deps.store.health()}))
        }
        // Each status carries the store's health: a robot whose orders wait on an unavailable
        // database shows it here.
        Request::Status { robot: Some(robot) } => match deps.registry.get(&robot) {
            Some(r) => with_store(to_json(r.status()), &deps.store.health())
                .map(|s| with_venue(s, &robot, deps)),
            None => Err(CtlError::unknown_robot(&robot)),
        },
        Request::Status { robot: None } => {
            let health = deps.store.health();
            deps.registry
                .all()
                .iter()
                .map(|r| {
                    with_store(to_json(r.status()), &health).map(|s| with_venue(s, &r.name, deps))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
        Request::Start { robot } => return Handled::Manager(FleetAction::Start(robot)),
        Request::Stop { robot } => return Handled::Manager(FleetAction::Stop(robot)),
        Request::Reload { robot } => return Handled::Manager(FleetAction::Reload(robot)),
        Request::Shutdown => return Handled::Manager(FleetAction::Shutdown),
        Request::Pause { robot } => deliver(&robot, ControlMsg::Pause).map(|_| json!("pausing")),
        Request::Resume { robot } => deliver(&robot, ControlMsg::Resume).map(|_| json!("resuming")),
        Request::ResumeTrading { robot } => {
            deliver(&robot, ControlMsg::ResumeTrading).map(|_| json!("resuming trading"))
        }
        Request::SetParams { robot, params } => {
            match (json_to_params(&params), deps.registry.get(&robot)) {
                (Err(e), _) => Err(CtlError::new("bad_field", e)),
                (_, None) => Err(CtlError::unknown_robot(&robot)),
                (Ok(new), Some(shared)) => {
                    // Merge under the lock, so overlapping requests never lose each other's keys.
                    let mut current = shared.params.lock().unwrap_or_else(|e| e.into_inner());
                    let merged = current.merged(&new);
                    let reply = params_to_json(&merged);
                    deliver(&robot, ControlMsg::Params(merged.clone())).map(|_| {
                        *current = merged;
                        if let Err(e) = deps.overrides.add(&robot, &new) {
                            tracing::error!(robot = %robot, "params applied but not kept: {e}");
                        }
                        reply
                    })
                }
            }
        }
        Request::Command { robot, name, args } => {
            deliver(&robot, ControlMsg::Command { name, args }).map(|_| json!("delivered"))
        }
        Request::Positions { robot } => deps
            .store
            .positions(robot.as_deref())
            .map_err(store_err)
            .and_then(to_json),
        Request::Orders {
            robot,
            open_only,
            symbol,
            status,
            limit,
            before,
            after,
        } => paging::order_status(status.as_deref()).and_then(|status| {
            let page = paging::page_query(limit.as_ref(), before.as_ref(), after.as_ref())?;
            let q = OrderQuery {
                robot,
                symbol,
                status,
                open_only,
                page,
            };
            let page = deps.store.orders_page(&q).map_err(store_err)?;
            paging::page_reply("orders", page, |o| Cursor::of(o.created_ns, &o.client_id))
        }),
        Request::Trades {
            robot,
            symbol,
            limit,
            before,
            after,
        } => paging::page_query(limit.as_ref(), before.as_ref(), after.as_ref()).and_then(|page| {
            let q = TradeQuery {
                robot,
                symbol,
                page,
            };
            let page = deps.store.trades_page(&q).map_err(store_err)?;
            paging::page_reply("trades", page, |t| Cursor::of(t.ts_ns, &t.exec_id))
        }),
        Request::Instruments => super::instruments::list(deps),
        Request::ReloadInstruments => super::instruments::reload(deps, |robot, spec| {
            deliver(robot, ControlMsg::Instrument(spec)).is_ok()
        }),
        Request::Stats => {
            let mut stats = deps.stats.to_json(&deps.registry, &deps.store.health());
            stats["kill_switch"] = super::kill::stats_json(deps);
            stats["accounts"] = deps.limits.accounts().to_json();
            Ok(stats)
        }
        Request::KillSwitch { reason } => super::kill::engage(deps, robots, caller, reason),
        Request::ResetKillSwitch => super::kill::reset(deps, robots),
        Request::ReloadLimits => super::limits::reload(deps, robots),
        Request::ResumeAccount { account } => super::limits::resume_account(deps, &account),
        Request::Audit { limit } => {
            paging::page_query(limit.as_ref(), None, None).and_then(|page| {
                let entries = auditor.newest(page.limit).map_err(store_err)?;
                Ok(json!({"entries": entries}))
            })
        }
    };
    Handled::Now(result)
}
