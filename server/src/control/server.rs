use super::paging;
use super::params::{json_to_params, params_to_json};
use super::protocol::{error_reply, ok_reply, parse, CtlError, Request, RequestId};
use crate::fleet::{FleetAction, ManagerCmd, ParamOverrides, Registry};
use crate::robot::ControlMsg;
use crate::stats::FleetStats;
use crate::store::{Cursor, OrderQuery, Store, TradeQuery};
use crate::streams::mailbox::MailboxReceiver;
use crossbeam_channel::Sender;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Commands to the control thread, from the fleet manager.
pub enum CtlCmd {
    /// Connect to a robot's endpoint (it has started).
    Add {
        robot: String,
        endpoint: String,
    },
    /// Disconnect (after delivering anything queued).
    Remove {
        robot: String,
    },
    /// Deliver a control message to a robot, e.g. Stop.
    Deliver {
        robot: String,
        msg: ControlMsg,
    },
    /// The manager finished request `req`.
    Reply {
        req: u64,
        result: Result<Value, CtlError>,
    },
    Shutdown,
}

pub struct ControlDeps {
    pub registry: Arc<Registry>,
    /// Where `set_params` is kept, so it outlives reloads and restarts.
    pub overrides: Arc<ParamOverrides>,
    pub store: Arc<dyn Store>,
    pub manager: Sender<ManagerCmd>,
    pub stats: Arc<FleetStats>,
    /// The instrument registry (`instruments`, `reload_instruments`).
    pub instruments: Arc<crate::instruments::SharedRegistry>,
}

struct Pending {
    envelope: Vec<Vec<u8>>,
    id: Option<RequestId>,
}

/// Serve the already-bound ROUTER socket until the manager says `Shutdown`.
pub fn run_control_thread(
    ctx: zmq::Context,
    router: zmq::Socket,
    cmds: MailboxReceiver<CtlCmd>,
    deps: ControlDeps,
) -> Result<(), zmq::Error> {
    let mut robots: HashMap<String, zmq::Socket> = HashMap::new();
    let mut pending: HashMap<u64, Pending> = HashMap::new();
    let mut next_req = 0u64;
    let mut replier = Replier {
        router: &router,
        stats: &deps.stats,
        drops: DropLog::default(),
    };
    loop {
        let mut items = [
            router.as_poll_item(zmq::POLLIN),
            cmds.socket().as_poll_item(zmq::POLLIN),
        ];
        zmq::poll(&mut items, -1)?;
        let (req_ready, cmd_ready) = (items[0].is_readable(), items[1].is_readable());
        if req_ready {
            while let Ok(mut frames) = router.recv_multipart(zmq::DONTWAIT) {
                deps.stats.control_requests.fetch_add(1, Ordering::Relaxed);
                // [identity, (empty delimiter from REQ), body]; anything shorter has no one to answer.
                if frames.len() < 2 {
                    deps.stats.control_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!("control message with {} frame(s) ignored", frames.len());
                    continue;
                }
                let body = frames.pop().unwrap_or_default();
                let envelope = frames;
                let count_error = || deps.stats.control_errors.fetch_add(1, Ordering::Relaxed);
                let (parsed, id) = parse(&body);
                let reply = match parsed {
                    Err(e) => {
                        count_error();
                        Some(error_reply(&e, id.as_ref()))
                    }
                    Ok(request) => match handle(&ctx, request, &deps, &robots) {
                        Handled::Now(Ok(v)) => Some(ok_reply(v, id.as_ref())),
                        Handled::Now(Err(e)) => {
                            count_error();
                            Some(error_reply(&e, id.as_ref()))
                        }
                        Handled::Manager(action) => {
                            next_req += 1;
                            let cmd = ManagerCmd::Control {
                                req: next_req,
                                action,
                            };
                            if deps.manager.send(cmd).is_err() {
                                count_error();
                                let e = CtlError::new("internal", "fleet manager is not running");
                                Some(error_reply(&e, id.as_ref()))
                            } else {
                                pending.insert(
                                    next_req,
                                    Pending {
                                        envelope: envelope.clone(),
                                        id,
                                    },
                                );
                                None
                            }
                        }
                    },
                };
                if let Some(reply) = reply {
                    replier.send(envelope, reply);
                }
            }
        }
        if cmd_ready {
            for cmd in cmds.drain() {
                match cmd {
                    CtlCmd::Add { robot, endpoint } => {
                        match crate::streams::robot_push(&ctx, &endpoint, false) {
                            Ok(push) => {
                                robots.insert(robot, push);
                            }
                            Err(e) => {
                                tracing::error!(robot = %robot, "cannot connect control: {e}")
                            }
                        }
                    }
                    CtlCmd::Remove { robot } => {
                        robots.remove(&robot);
                    }
                    CtlCmd::Deliver { robot, msg } => {
                        if let Some(push) = robots.get(&robot) {
                            let bytes = crate::robot::Inbound::Control(msg).encode();
                            if let Err(e) = push.send(&bytes[..], zmq::DONTWAIT) {
                                tracing::error!(robot = %robot, "control message not delivered: {e}");
                            }
                        }
                    }
                    CtlCmd::Reply { req, result } => {
                        if let Some(p) = pending.remove(&req) {
                            let reply = match result {
                                Ok(v) => ok_reply(v, p.id.as_ref()),
                                Err(e) => {
                                    deps.stats.control_errors.fetch_add(1, Ordering::Relaxed);
                                    error_reply(&e, p.id.as_ref())
                                }
                            };
                            replier.send(p.envelope, reply);
                        }
                    }
                    CtlCmd::Shutdown => return Ok(()),
                }
            }
        }
    }
}

/// Sends replies on the ROUTER (set to ZMQ_ROUTER_MANDATORY, so a reply that cannot be
/// queued is an error here, not a silent drop) and counts and logs every one not sent.
struct Replier<'a> {
    router: &'a zmq::Socket,
    stats: &'a FleetStats,
    drops: DropLog,
}

impl Replier<'_> {
    fn send(&mut self, mut envelope: Vec<Vec<u8>>, reply: Vec<u8>) {
        envelope.push(reply);
        // Never wait: one client that does not read its replies must not stall the others.
        let (counter, why) = match self.router.send_multipart(envelope, zmq::DONTWAIT) {
            Ok(()) => return,
            Err(zmq::Error::EAGAIN) => (
                &self.stats.control_replies_dropped,
                "the client's reply queue is full (it sends faster than it reads)",
            ),
            Err(zmq::Error::EHOSTUNREACH) => (
                &self.stats.control_replies_unroutable,
                "the client has gone",
            ),
            Err(_) => (
                &self.stats.control_replies_unroutable,
                "the socket refused it",
            ),
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.drops.note(why);
    }
}

/// Logs dropped replies at most once a second, with how many since the last line.
#[derive(Default)]
struct DropLog {
    last: Option<Instant>,
    unlogged: u64,
}

impl DropLog {
    fn note(&mut self, why: &str) {
        self.unlogged += 1;
        if self
            .last
            .is_some_and(|t| t.elapsed() < Duration::from_secs(1))
        {
            return;
        }
        tracing::warn!(
            "{} control repl{} not sent: {why} (counted in stats.control)",
            self.unlogged,
            if self.unlogged == 1 { "y" } else { "ies" }
        );
        self.last = Some(Instant::now());
        self.unlogged = 0;
    }
}

enum Handled {
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

fn handle(
    _ctx: &zmq::Context,
    request: Request,
    deps: &ControlDeps,
    robots: &HashMap<String, zmq::Socket>,
) -> Handled {
    let deliver = |robot: &str, msg: ControlMsg| -> Result<(), CtlError> {
        if deps.registry.get(robot).is_none() {
            return Err(CtlError::unknown_robot(robot));
        }
        let Some(push) = robots.get(robot) else {
            return Err(CtlError::new(
                "not_running",
                format!("robot {robot:?} is not running"),
            ));
        };
        let bytes = crate::robot::Inbound::Control(msg).encode();
        push.send(&bytes[..], zmq::DONTWAIT)
            .map_err(|e| CtlError::new("internal", format!("delivery failed: {e}")))
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
            Some(r) => with_store(to_json(r.status()), &deps.store.health()),
            None => Err(CtlError::unknown_robot(&robot)),
        },
        Request::Status { robot: None } => {
            let health = deps.store.health();
            deps.registry
                .all()
                .iter()
                .map(|r| with_store(to_json(r.status()), &health))
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
        Request::Stats => Ok(deps.stats.to_json(&deps.registry, &deps.store.health())),
    };
    Handled::Now(result)
}
