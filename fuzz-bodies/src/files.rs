//! Files the server reads from its plugin and data folders.

use robofleet::control::auth::keys::{public_key_from, KeyPair};
use robofleet::control::auth::Access;
use robofleet::risk::kill::KillSwitch;
use robofleet_api::RobotInfo;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// A file dropped into the plugin folder: the in-process ELF check answers.
pub fn plugin_file(data: &[u8]) {
    let _ = robofleet::plugin::probe::check_elf(data);
}

/// An `instruments.toml`: what parses writes back to text that parses to the same specs.
pub fn instruments_file(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(specs) = robofleet::instruments::parse(text) {
            let again = robofleet::instruments::parse(&robofleet::instruments::to_toml(&specs));
            assert_eq!(again.ok(), Some(specs));
        }
    }
}

/// A `risk.toml`: what parses resolves into any robot's and symbol's limits, and those
/// limits go through the journal's JSON and back unchanged.
pub fn risk_file(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(file) = robofleet::risk::RiskFile::parse(text) {
            for robot in ["default", "r", "ma_cross"] {
                let limits = file.for_robot(robot);
                let _ = limits.symbol("Si");
                let _ = limits.symbol("*");
                let back = robofleet::risk::RobotLimits::from_json(&limits.to_json());
                assert_eq!(back.ok(), Some(limits));
            }
        }
    }
}

thread_local! {
    /// One folder per thread, reused, with a good server key for access files to name.
    static CONFIG_DIR: PathBuf = {
        let dir = tempfile::Builder::new().prefix("fuzz-config").tempdir().expect("a temp dir");
        let dir = dir.keep();
        if let Ok(pair) = KeyPair::generate() {
            let _ = pair.write(&dir.join("server"));
        }
        dir
    };
}

/// The first byte picks the file, the rest is its text: a robot's `<plugin>.toml`, the
/// control plane's access file, a CURVE key file, `kill_switch.json`. Each is read as the
/// server reads it from disk: accepted, or refused with a reason.
pub fn config_files(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    CONFIG_DIR.with(|dir| {
        let write = |name: &str, mode: u32| {
            let path = dir.join(name);
            std::fs::write(&path, rest).ok()?;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).ok()?;
            Some(path)
        };
        match which % 4 {
            0 => {
                if write("librobot.toml", 0o644).is_some() {
                    let info = RobotInfo {
                        name: "robot".into(),
                        description: String::new(),
                        default_params: Default::default(),
                        default_symbols: vec!["Si".into()],
                        timer_ms: None,
                        feeds: Default::default(),
                    };
                    let _ = robofleet::fleet::instances_for(&dir.join("librobot.so"), &info);
                }
            }
            1 => {
                if let Some(path) = write("access.toml", 0o644) {
                    let _ = Access::read(&path);
                }
            }
            2 => {
                if let Some(path) = write("client.key", 0o600) {
                    let _ = KeyPair::read(&path);
                    if let Some(p) = path.to_str() {
                        let _ = public_key_from(p);
                    }
                }
                if let Ok(text) = std::str::from_utf8(rest) {
                    let _ = public_key_from(text);
                }
            }
            _ => {
                if write(robofleet::risk::kill::FILE_NAME, 0o644).is_some() {
                    let _ = KillSwitch::open(dir).engaged();
                }
            }
        }
    });
}
