//! The plugin folder is code execution: whoever can write a file into it runs code as the
//! server. So the server refuses a plugin folder, or a plugin file, that anyone but its own
//! user (or root) owns or that a group or others may write (threat model: docs/security.md).

use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Why `path` (a plugin folder or file) cannot be trusted, if it cannot.
pub fn untrusted_writers(path: &Path) -> Option<String> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return Some(format!("cannot read its owner and mode: {e}")),
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    let mode = meta.mode() & 0o7777;
    if meta.uid() != me && meta.uid() != 0 {
        return Some(format!(
            "owned by user {} (the server runs as {me}): only the server's user or root may own it",
            meta.uid()
        ));
    }
    if mode & 0o022 != 0 {
        let who = match (mode & 0o020 != 0, mode & 0o002 != 0) {
            (true, true) => "its group and everyone",
            (true, false) => "its group",
            _ => "everyone",
        };
        return Some(format!(
            "writable by {who} (mode {mode:04o}): anyone who can write it runs code as the server; `chmod go-w` it"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::untrusted_writers;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn group_or_world_writable_is_refused_with_the_mode() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("librobot.so");
        std::fs::write(&f, b"x").unwrap();
        for (mode, ok, says) in [
            (0o644, true, ""),
            (0o755, true, ""),
            (0o600, true, ""),
            (0o664, false, "writable by its group (mode 0664)"),
            (0o646, false, "writable by everyone (mode 0646)"),
            (
                0o777,
                false,
                "writable by its group and everyone (mode 0777)",
            ),
        ] {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(mode)).unwrap();
            let why = untrusted_writers(&f);
            assert_eq!(why.is_none(), ok, "{mode:o}: {why:?}");
            assert!(why.unwrap_or_default().contains(says));
        }
        assert!(untrusted_writers(&dir.path().join("missing.so")).is_some());
    }
}
