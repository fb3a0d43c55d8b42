use super::audit::{Auditor, Ticket};
use super::auth::{Caller, Role};
use super::handle::{handle, Handled};
use super::protocol::Request;
use super::protocol::{error_reply, ok_reply, parse, CtlError, RequestId};
use super::pushes::RobotPushes;
use super::replier::Replier;
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
    /// A robot has started: its inbox.
    Add {
        robot: String,
        inbox: crate::robot::pool::RobotInbox,
    },
    /// Forget a robot (what was queued stays in its inbox).
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
    /// Its audit entry, written ahead, for the result once the manager answers.
    audit: Option<Ticket>,
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
    /// Who sent `request`, and whether they may: the client key's name and role from the
    /// user id the ZAP handler gave its connection (`local` admin without CURVE). A refusal
    /// names the caller when there is one, for the audit log.
    fn authorize(
        &self,
        user: Option<&str>,
        request: &Request,
    ) -> Result<Caller, (Option<Caller>, CtlError)> {
        let caller = match (&self.callers, user) {
            (None, _) => Caller::local(),
            (Some(callers), Some(name)) if callers.contains_key(name) => Caller {
                name: name.to_string(),
                role: callers[name],
            },
            // The ZAP handler lets in only listed keys: not expected, refused all the same.
            (Some(_), _) => {
                let e = CtlError::new(
                    "forbidden",
                    "this connection has no client key the server knows",
                );
                return Err((None, e));
            }
        };
        let needs = request.role();
        if caller.role < needs {
            self.stats.control_forbidden.fetch_add(1, Ordering::Relaxed);
            let e = CtlError::new(
                "forbidden",
                format!(
                    "`{}` needs the {} role; {:?} has {}",
                    request.cmd(),
                    needs.as_str(),
                    caller.name,
                    caller.role.as_str()
                ),
            );
            return Err((Some(caller), e));
        }
        Ok(caller)
    }
}

/// The control thread's state between messages.
struct ControlLoop {
    deps: ControlDeps,
    robots: RobotPushes,
    /// Requests the fleet manager is working on, by request number.
    pending: HashMap<u64, Pending>,
    next_req: u64,
    replier: Replier,
    auditor: Auditor,
}

/// Serve the already-bound ROUTER socket until the manager says `Shutdown`.
pub fn run_control_thread(
    router: zmq::Socket,
    cmds: MailboxReceiver<CtlCmd>,
    deps: ControlDeps,
    auditor: Auditor,
) -> Result<(), zmq::Error> {
    let mut control = ControlLoop {
        replier: Replier::new(router, deps.stats.clone()),
        deps,
        robots: RobotPushes::default(),
        pending: HashMap::new(),
        next_req: 0,
        auditor,
    };
    loop {
        let mut items = [
            control.replier.router.as_poll_item(zmq::POLLIN),
            cmds.socket().as_poll_item(zmq::POLLIN),
        ];
        zmq::poll(&mut items, -1)?;
        let (req_ready, cmd_ready) = (items[0].is_readable(), items[1].is_readable());
        if req_ready {
            while let Some(received) = recv_request(&control.replier.router) {
                control.on_request(received);
            }
        }
        if cmd_ready {
            for cmd in cmds.drain() {
                if !control.on_command(cmd) {
                    return Ok(());
                }
            }
        }
    }
}

impl ControlLoop {
    fn on_request(&mut self, received: Received) {
        let Received {
            envelope,
            body,
            user,
        } = received;
        self.deps
            .stats
            .control_requests
            .fetch_add(1, Ordering::Relaxed);
        // [identity, (empty delimiter from REQ), body]; anything shorter has no one to answer.
        if envelope.is_empty() {
            self.deps
                .stats
                .control_errors
                .fetch_add(1, Ordering::Relaxed);
            tracing::warn!("control message with 1 frame ignored");
            return;
        }
        let (parsed, id) = parse(&body);
        let request = match parsed {
            Ok(r) => r,
            Err(e) => return self.reply(envelope, Err(e), id.as_ref()),
        };
        let cmd = request.cmd();
        // Anything beyond a viewer's can change something: it goes in the audit log.
        let audited = request.role() > Role::Viewer;
        let caller = match self.deps.authorize(user.as_deref(), &request) {
            Ok(caller) => caller,
            Err((caller, e)) => {
                if let (true, Some(c)) = (audited, caller) {
                    self.auditor.refused(&c, cmd, &body, &e);
                }
                return self.reply(envelope, Err(e), id.as_ref());
            }
        };
        // Written ahead: a request whose entry cannot be kept does not act.
        let ticket = match audited.then(|| self.auditor.begin(&caller, cmd, &body)) {
            Some(Err(e)) => return self.reply(envelope, Err(e), id.as_ref()),
            Some(Ok(ticket)) => Some(ticket),
            None => None,
        };
        let action = match handle(request, &self.deps, &self.robots, &self.auditor, &caller) {
            Handled::Now(result) => {
                if let Some(ticket) = ticket {
                    self.auditor.finish(ticket, &result);
                }
                return self.reply(envelope, result, id.as_ref());
            }
            Handled::Manager(action) => action,
        };
        self.next_req += 1;
        let req = self.next_req;
        if self
            .deps
            .manager
            .send(ManagerCmd::Control { req, action })
            .is_err()
        {
            let result = Err(CtlError::new("internal", "fleet manager is not running"));
            if let Some(ticket) = ticket {
                self.auditor.finish(ticket, &result);
            }
            return self.reply(envelope, result, id.as_ref());
        }
        self.pending.insert(
            req,
            Pending {
                envelope,
                id,
                audit: ticket,
            },
        );
    }

    /// Send a request's reply; an error reply counts in `stats.control.errors`.
    fn reply(
        &mut self,
        envelope: Vec<Vec<u8>>,
        result: Result<Value, CtlError>,
        id: Option<&RequestId>,
    ) {
        let body = match result {
            Ok(v) => ok_reply(v, id),
            Err(e) => {
                self.deps
                    .stats
                    .control_errors
                    .fetch_add(1, Ordering::Relaxed);
                error_reply(&e, id)
            }
        };
        self.replier.send(envelope, body);
    }

    /// A command from the fleet manager; false when the thread is to end.
    fn on_command(&mut self, cmd: CtlCmd) -> bool {
        match cmd {
            CtlCmd::Add { robot, inbox } => {
                self.robots.insert(robot.clone(), inbox);
                self.catch_up(&robot);
            }
            CtlCmd::Remove { robot } => self.robots.remove(&robot),
            CtlCmd::Deliver { robot, msg } => {
                self.robots.send_logged(&robot, msg);
            }
            CtlCmd::Reply { req, result } => {
                if let Some(mut p) = self.pending.remove(&req) {
                    if let Some(ticket) = p.audit.take() {
                        self.auditor.finish(ticket, &result);
                    }
                    self.reply(p.envelope, result, p.id.as_ref());
                }
            }
            CtlCmd::Shutdown => return false,
        }
        true
    }

    /// A robot connecting now may have been set up just before a kill switch or a limits
    /// reload the control thread has since sent the others: it hears them too (both are
    /// idempotent).
    fn catch_up(&self, robot: &str) {
        let deps = &self.deps;
        if deps.limits.reloaded() {
            let limits = deps.limits.for_robot(robot).map(|l| l.to_json());
            self.robots.send_logged(robot, ControlMsg::Limits(limits));
        }
        if let Some(e) = deps.kill.engaged() {
            self.robots
                .send_logged(robot, ControlMsg::FleetHalt(e.describe()));
        }
    }
}
