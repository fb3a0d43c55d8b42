//! `reload_limits`: read `<data>/risk.toml` again and give each running robot its new limits;
//! `resume_account`: an account its robots' loss reduced or halted trades again.

use super::protocol::CtlError;
use super::pushes::RobotPushes;
use super::server::ControlDeps;
use crate::robot::ControlMsg;
use serde_json::{json, Value};

/// A bad file changes nothing (`bad_limits`); a file that is gone means no checks.
pub(super) fn reload(deps: &ControlDeps, robots: &RobotPushes) -> Result<Value, CtlError> {
    deps.limits
        .reload()
        .map_err(|e| CtlError::new("bad_limits", e.to_string()))?;
    let sent = robots
        .send_each(|robot| ControlMsg::Limits(deps.limits.for_robot(robot).map(|l| l.to_json())));
    let file = deps.limits.path().map(|p| p.display().to_string());
    Ok(json!({"file": file, "checked": deps.limits.is_set(), "robots_sent": sent}))
}

/// Each robot of the account takes the new state before its next input.
pub(super) fn resume_account(deps: &ControlDeps, account: &str) -> Result<Value, CtlError> {
    let Some(was) = deps.limits.accounts().resume(account) else {
        return Err(CtlError::new(
            "unknown_account",
            format!("no account named {account:?} in the limits file"),
        ));
    };
    tracing::info!(
        "risk: account {account} resumed by an operator (was {})",
        was.as_str()
    );
    Ok(json!({"account": account, "was": was.as_str()}))
}
