//! Binding the control socket: on loopback as it is, anywhere else only with CURVE.

use super::auth::{is_local_endpoint, zap, Access, AccessError, Role};
use crate::server::ServerError;
use crate::stats::FleetStats;
use std::collections::HashMap;
use std::path::Path;

/// The bound control socket and what its thread needs to know about its clients.
pub struct BoundControl {
    pub router: zmq::Socket,
    /// The endpoint actually bound (the real port when `*` was asked for).
    pub endpoint: String,
    /// Kept for as long as the socket serves: its allow-list in the ZAP handler.
    pub zap: Option<zap::ZapDomain>,
    /// With CURVE: client name -> role.
    pub callers: Option<HashMap<String, Role>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ControlSecurityError {
    #[error(
        "the control socket {0} is not on loopback: binding it anywhere else needs CURVE \
         (serve --control-auth FILE with the server's key and the allowed client keys; \
         see docs/security.md), or bind tcp://127.0.0.1:PORT"
    )]
    NotLoopback(String),
    #[error("{0}")]
    Access(#[from] AccessError),
    #[error("control socket security: {0}")]
    Setup(String),
}

/// Bind `endpoint` as the control ROUTER, with CURVE and the ZAP allow-list when an access
/// file is given. Refuses a non-local endpoint without one.
pub fn bind_control(
    ctx: &zmq::Context,
    endpoint: &str,
    access_file: Option<&Path>,
    reply_hwm: i32,
    stats: &FleetStats,
) -> Result<BoundControl, ServerError> {
    let access = access_file
        .map(Access::read)
        .transpose()
        .map_err(ControlSecurityError::from)?;
    if access.is_none() && !is_local_endpoint(endpoint) {
        return Err(ControlSecurityError::NotLoopback(endpoint.to_string()).into());
    }
    let router = ctx.socket(zmq::ROUTER)?;
    // Linger so the reply to `shutdown` still leaves after the control thread ends.
    router.set_linger(1_000)?;
    // Each client gets up to this many replies queued; past it a reply is dropped and
    // counted (ROUTER_MANDATORY makes the drop visible to us instead of silent).
    router.set_sndhwm(reply_hwm)?;
    router.set_rcvhwm(reply_hwm)?;
    router.set_router_mandatory(true)?;
    let (zap, callers) = match access {
        None => (None, None),
        Some(access) => {
            let callers: HashMap<String, Role> = access
                .clients
                .values()
                .map(|c| (c.name.clone(), c.role))
                .collect();
            // The allow-list is in the handler before the socket can take a connection.
            let domain = zap::register(ctx, access.clients, stats.control_auth_refused.clone())
                .map_err(ControlSecurityError::Setup)?;
            router.set_curve_server(true)?;
            router.set_curve_secretkey(&access.server.secret.0)?;
            router.set_zap_domain(&domain.name)?;
            tracing::info!(
                "control socket: CURVE, server key {}, {} client key(s)",
                access.server.public.to_z85(),
                callers.len()
            );
            (Some(domain), Some(callers))
        }
    };
    router
        .bind(endpoint)
        .map_err(|source| ServerError::ControlBind {
            endpoint: endpoint.to_string(),
            source,
        })?;
    let endpoint = router
        .get_last_endpoint()
        .ok()
        .and_then(|r| r.ok())
        .unwrap_or_else(|| endpoint.to_string());
    Ok(BoundControl {
        router,
        endpoint,
        zap,
        callers,
    })
}
