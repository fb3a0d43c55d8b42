//! A robot panic's backtrace, resolved off the robot's worker.
//!
//! With `RUST_BACKTRACE` set, a plugin sends the raw frame addresses of a panic along with
//! its message ([`robofleet_api::panics`]). Resolving them to names reads the debug info of
//! every loaded object (seconds for a large binary), so it runs on a thread of its own,
//! after the robot has been marked failed. The thread holds the plugin, so the library and
//! its private copy stay in place until its names are read.

use super::LoadedPlugin;
use std::fmt::Write;
use std::sync::Arc;

/// Resolve `frames` on a new thread and log them with `message`.
pub(super) fn log_later(plugin: Arc<LoadedPlugin>, message: String, frames: Vec<u64>) {
    let spawned = std::thread::Builder::new()
        .name("panic-backtrace".into())
        .spawn(move || {
            let text = resolve(&frames);
            tracing::error!(
                plugin = %plugin.source.display(),
                "robot panic backtrace ({message}):\n{text}"
            );
        });
    if let Err(e) = spawned {
        tracing::warn!("robot panic backtrace not resolved: cannot start a thread: {e}");
    }
}

/// One line per frame: index, address, and each symbol (inlined ones too) with file:line.
pub fn resolve(frames: &[u64]) -> String {
    let mut text = String::new();
    for (i, &ip) in frames.iter().enumerate() {
        let _ = write!(text, "{i:4}: {ip:#018x}");
        // A frame's address is where it returns to; the call is the instruction before.
        let addr = if i == 0 { ip } else { ip.saturating_sub(1) };
        let mut first = true;
        backtrace::resolve(addr as usize as *mut std::ffi::c_void, |symbol| {
            let name = symbol
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|| "<unknown>".into());
            let sep = if first {
                " "
            } else {
                "\n                            "
            };
            first = false;
            let _ = write!(text, "{sep}{name}");
            if let (Some(file), Some(line)) = (symbol.filename(), symbol.lineno()) {
                let _ = write!(text, " ({}:{line})", file.display());
            }
        });
        text.push('\n');
    }
    text
}
