//! `instruments` and `reload_instruments`: the registry this server runs on, and taking up
//! an edited `instruments.toml` without a restart.

use super::protocol::CtlError;
use super::server::ControlDeps;
use robofleet_api::Instrument;
use serde_json::{json, Value};

/// `{"file": path, "instruments": [...]}`: every version, by symbol then time.
pub fn list(deps: &ControlDeps) -> Result<Value, CtlError> {
    let specs = crate::instruments::in_order(&deps.instruments.all(), |_| true);
    Ok(json!({
        "file": deps.instruments.path().display().to_string(),
        "instruments": specs,
    }))
}

/// Read the file again; a bad file changes nothing. The store gets the new registry (so the
/// gateway checks orders against it), and every running robot trading a symbol whose spec is
/// new or changed gets it as an `Instrument` event (`tell` delivers one; false: not running).
pub fn reload(
    deps: &ControlDeps,
    mut tell: impl FnMut(&str, Instrument) -> bool,
) -> Result<Value, CtlError> {
    let before = deps.instruments.all();
    let changed = deps
        .instruments
        .reload()
        .map_err(|e| CtlError::new("bad_instruments", e.to_string()))?;
    let all = deps.instruments.all();
    if let Err(e) = deps.store.put_instruments(&all) {
        // Keep the server and the store on the same registry.
        deps.instruments.replace(before);
        return Err(CtlError::new("store_error", e.to_string()));
    }
    let mut events_sent = 0u64;
    for robot in deps.registry.all() {
        for spec in changed.iter().filter(|s| robot.symbols.contains(&s.symbol)) {
            if tell(&robot.name, spec.clone()) {
                events_sent += 1;
            }
        }
    }
    tracing::info!(
        versions = all.len(),
        changed = changed.len(),
        events_sent,
        "instrument registry reloaded"
    );
    Ok(json!({"versions": all.len(), "changed": changed, "events_sent": events_sent}))
}
