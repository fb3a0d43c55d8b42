use super::audit::Auditor;
use super::auth::{Caller, Role};
use super::handle::{handle, Handled};
use super::protocol::{error_reply, ok_reply, parse, CtlError, RequestId};
use super::replier::{DropLog, Replier};
use crate::fleet::{ManagerCmd, ParamOverrides, Registry};
use crate::robot::ControlMsg;
use crate::stats::FleetStats;
use crate::store::Store;
use crate::streams::mailbox::MailboxReceiver;
use crossbeam_channel::Sender;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

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
    /// With CURVE: each allowed client's name (its ZAP user id) and role. `None`: no
    /// CURVE, every client is the `local` admin.
    pub callers: Option<HashMap<String, Role>>,
    /// This server's name, for the audit log.
    pub server_name: String,
    /// The fleet's kill switch (`kill_switch`, `reset_kill_switch`).
    pub kill: Arc<crate::risk::kill::KillSwitch>,
    /// The limits file (`reload_limits`).
    pub limits: Arc<crate::risk::source::LimitsSource>,
}

struct Pending {
    envelope: Vec<Vec<u8>>,
    id: Option<RequestId>,
    /// For the audit log once the manager answers.
    audit: Option<(Caller, &'static str, String)>,
}

/// One request off the ROUTER.
struct Received {
    /// The routing frames to send the reply back along.
    envelope: Vec<Vec<u8>>,
    body: Vec<u8>,
    /// The user id the ZAP handler gave the connection (a client key's name).
    user: Option<String>,
}

fn recv_request(router: &zmq::Socket) -> Option<Received> {
    let mut envelope = Vec::new();
    loop {
        let mut msg = router.recv_msg(zmq::DONTWAIT).ok()?;
        if !msg.get_more() {
            let user = msg.gets("User-Id").map(str::to_string);
            let body = msg.to_vec();
            return Some(Received {
                envelope,
                body,
                user,
            });
        }
        envelope.push(msg.to_vec());
    }
}

impl ControlDeps {
    /// Who sent a request, from the user id the ZAP handler gave its connection.
    fn caller(&self, user: Option<&str>) -> Option<Caller> {
        let Some(callers) = &self.callers else {
            return Some(Caller::local());
        };
        let name = user?;
        callers.get(name).map(|&role| Caller {
            name: name.to_string(),
            role,
        })
    }
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
    let auditor = Auditor::new(deps.store.clone(), &deps.server_name, &deps.stats);
    loop {
        let mut items = [
            router.as_poll_item(zmq::POLLIN),
            cmds.socket().as_poll_item(zmq::POLLIN),
        ];
        zmq::poll(&mut items, -1)?;
        let (req_ready, cmd_ready) = (items[0].is_readable(), items[1].is_readable());
        if req_ready {
            while let Some(Received {
                envelope,
                body,
                user,
            }) = recv_request(&router)
            {
                deps.stats.control_requests.fetch_add(1, Ordering::Relaxed);
                // [identity, (empty delimiter from REQ), body]; anything shorter has no one to answer.
                if envelope.is_empty() {
                    deps.stats.control_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!("control message with 1 frame ignored");
                    continue;
                }
                let count_error = || deps.stats.control_errors.fetch_add(1, Ordering::Relaxed);
                let (parsed, id) = parse(&body);
                let reply = match parsed {
                    Err(e) => {
                        count_error();
                        Some(error_reply(&e, id.as_ref()))
                    }
                    Ok(request) => {
                        let cmd = request.cmd();
                        let needs = request.role();
                        let audited = needs > Role::Viewer;
                        let result = match deps.caller(user.as_deref()) {
                            None => Err((
                                None,
                                CtlError::new(
                                    "unauthenticated",
                                    "this connection has no client key the server knows",
                                ),
                            )),
                            Some(caller) if caller.role < needs => {
                                deps.stats.control_forbidden.fetch_add(1, Ordering::Relaxed);
                                let e = CtlError::new(
                                    "forbidden",
                                    format!(
                                        "`{cmd}` needs the {} role; {:?} has {}",
                                        needs.as_str(),
                                        caller.name,
                                        caller.role.as_str()
                                    ),
                                );
                                Err((Some(caller), e))
                            }
                            Some(caller) => Ok(caller),
                        };
                        match result {
                            Err((caller, e)) => {
                                count_error();
                                if let (true, Some(c)) = (audited, caller) {
                                    auditor.record(&c, cmd, &body, &Err(e.clone()));
                                }
                                Some(error_reply(&e, id.as_ref()))
                            }
                            Ok(caller) => {
                                match handle(&ctx, request, &deps, &robots, &auditor, &caller) {
                                    Handled::Now(result) => {
                                        if audited {
                                            auditor.record(&caller, cmd, &body, &result);
                                        }
                                        Some(match result {
                                            Ok(v) => ok_reply(v, id.as_ref()),
                                            Err(e) => {
                                                count_error();
                                                error_reply(&e, id.as_ref())
                                            }
                                        })
                                    }
                                    Handled::Manager(action) => {
                                        next_req += 1;
                                        let cmd_msg = ManagerCmd::Control {
                                            req: next_req,
                                            action,
                                        };
                                        if deps.manager.send(cmd_msg).is_err() {
                                            count_error();
                                            let e = CtlError::new(
                                                "internal",
                                                "fleet manager is not running",
                                            );
                                            auditor.record(&caller, cmd, &body, &Err(e.clone()));
                                            Some(error_reply(&e, id.as_ref()))
                                        } else {
                                            let audit = audited.then(|| {
                                                (
                                                    caller,
                                                    cmd,
                                                    String::from_utf8_lossy(&body).into_owned(),
                                                )
                                            });
                                            pending.insert(
                                                next_req,
                                                Pending {
                                                    envelope: envelope.clone(),
                                                    id,
                                                    audit,
                                                },
                                            );
                                            None
                                        }
                                    }
                                }
                            }
                        }
                    }
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
                                catch_up(&deps, &robot, &push);
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
                            if let Some((caller, cmd, body)) = &p.audit {
                                auditor.record(caller, cmd, body.as_bytes(), &result);
                            }
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

/// A robot connecting now may have been set up just before a kill switch or a limits reload
/// the control thread has since sent the others: it hears them too (both are idempotent).
fn catch_up(deps: &ControlDeps, robot: &str, push: &zmq::Socket) {
    let mut msgs = Vec::new();
    if deps.limits.reloaded() {
        msgs.push(ControlMsg::Limits(
            deps.limits.for_robot(robot).map(|l| l.to_json()),
        ));
    }
    if let Some(e) = deps.kill.engaged() {
        msgs.push(ControlMsg::FleetHalt(e.describe()));
    }
    for msg in msgs {
        let bytes = crate::robot::Inbound::Control(msg).encode();
        if let Err(e) = push.send(&bytes[..], zmq::DONTWAIT) {
            tracing::error!(robot = %robot, "risk message not delivered: {e}");
        }
    }
}
