//! `<plugin>.toml` beside a plugin file: optional overrides, and several instances.
//!
//! ```toml
//! symbols = ["Si"]          # defaults for every instance of this file
//! [params]
//! fast = 3
//!
//! [[instance]]              # optional: one robot per table
//! name = "ma_si"
//! [[instance]]
//! name = "ma_rts"
//! symbols = ["RTS"]
//! params = { fast = 8 }
//! ```

use crate::control::params::toml_to_params;
use robofleet_api::{Params, RobotInfo};
use serde::Deserialize;
use std::path::Path;

/// One robot to run from a plugin file.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceSpec {
    pub name: String,
    pub params: Params,
    pub symbols: Vec<String>,
    pub seed: u64,
    pub timer_ms: Option<u64>,
    /// The market data it asked for (its `RobotInfo::feeds`).
    pub feeds: robofleet_api::Feeds,
    /// `conflate = true`: when it falls behind, only the newest waiting quote (and book) of
    /// each symbol is delivered; the others are counted in `md_conflated`.
    pub conflate: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Overrides {
    name: Option<String>,
    symbols: Option<Vec<String>>,
    params: Option<toml::Table>,
    seed: Option<u64>,
    timer_ms: Option<u64>,
    /// `["quotes"]`, `["depth"]` or both: overrides `RobotInfo::feeds`.
    feeds: Option<Vec<FeedName>>,
    conflate: Option<bool>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum FeedName {
    Quotes,
    Depth,
}

/// The feeds a `feeds = [...]` list names.
fn feeds_from(names: &[FeedName]) -> Result<robofleet_api::Feeds, String> {
    if names.is_empty() {
        return Err("feeds = []: name \"quotes\", \"depth\" or both".into());
    }
    Ok(robofleet_api::Feeds {
        quotes: names.contains(&FeedName::Quotes),
        depth: names.contains(&FeedName::Depth),
    })
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(flatten)]
    defaults: Overrides,
    #[serde(default)]
    instance: Vec<Overrides>,
}

/// A stable per-robot seed when the config gives none (FNV-1a of the name).
pub fn seed_for(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// The robots to run from `plugin` (described by `info`), reading `<stem>.toml` if present.
pub fn instances_for(plugin: &Path, info: &RobotInfo) -> Result<Vec<InstanceSpec>, String> {
    let stem = plugin
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("robot");
    let toml_path = plugin.with_extension("toml");
    let cfg: ConfigFile = match std::fs::read_to_string(&toml_path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", toml_path.display()))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ConfigFile::default(),
        Err(e) => return Err(format!("{}: {e}", toml_path.display())),
    };
    let default_name = if info.name.is_empty() {
        stem.trim_start_matches("lib").to_string()
    } else {
        info.name.clone()
    };
    let base = resolve(&cfg.defaults, None, info, &default_name)?;
    if cfg.instance.is_empty() {
        return Ok(vec![base]);
    }
    let mut out = Vec::new();
    for inst in &cfg.instance {
        let spec = resolve(inst, Some(&base), info, &default_name)?;
        if out.iter().any(|o: &InstanceSpec| o.name == spec.name) {
            return Err(format!(
                "{}: two instances named {:?}",
                toml_path.display(),
                spec.name
            ));
        }
        out.push(spec);
    }
    Ok(out)
}

fn resolve(
    o: &Overrides,
    base: Option<&InstanceSpec>,
    info: &RobotInfo,
    default_name: &str,
) -> Result<InstanceSpec, String> {
    let name = o.name.clone().unwrap_or_else(|| default_name.to_string());
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        return Err(format!(
            "robot name {name:?}: use letters, digits, '_', '-' or '.'"
        ));
    }
    let base_params = base
        .map(|b| b.params.clone())
        .unwrap_or_else(|| info.default_params.clone());
    let params = match &o.params {
        Some(t) => base_params.merged(&toml_to_params(t)?),
        None => base_params,
    };
    Ok(InstanceSpec {
        seed: o
            .seed
            .or(base.map(|b| b.seed).filter(|_| o.name.is_none()))
            .unwrap_or_else(|| seed_for(&name)),
        symbols: o
            .symbols
            .clone()
            .or(base.map(|b| b.symbols.clone()))
            .unwrap_or_else(|| info.default_symbols.clone()),
        timer_ms: o
            .timer_ms
            .or(base.and_then(|b| b.timer_ms))
            .or(info.timer_ms),
        feeds: match &o.feeds {
            Some(names) => feeds_from(names)?,
            None => base.map_or(info.feeds, |b| b.feeds),
        },
        conflate: match o.conflate {
            Some(c) => c,
            None => base.is_some_and(|b| b.conflate),
        },
        params,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> RobotInfo {
        RobotInfo {
            name: "ma".into(),
            description: String::new(),
            default_params: Params::new().with("fast", 5).with("slow", 20),
            default_symbols: vec!["Si".into()],
            timer_ms: None,
            feeds: robofleet_api::Feeds::QUOTES,
        }
    }

    #[test]
    fn defaults_overrides_and_instances() {
        let dir = tempfile::tempdir().unwrap();
        let so = dir.path().join("libma.so");
        let one = instances_for(&so, &info()).unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(
            (one[0].name.as_str(), one[0].symbols.clone()),
            ("ma", vec!["Si".to_string()])
        );
        std::fs::write(
            dir.path().join("libma.toml"),
            "symbols = [\"RTS\"]\n[params]\nfast = 3\n[[instance]]\nname = \"a\"\n[[instance]]\nname = \"b\"\nparams = { slow = 9 }\n",
        )
        .unwrap();
        let two = instances_for(&so, &info()).unwrap();
        assert_eq!(two.len(), 2);
        assert_eq!(two[1].params.i64("fast"), Some(3));
        assert_eq!(two[1].params.i64("slow"), Some(9));
        assert_eq!(two[0].symbols, vec!["RTS".to_string()]);
        assert_ne!(two[0].seed, two[1].seed);
        assert_eq!(
            two[0].feeds,
            robofleet_api::Feeds::QUOTES,
            "the robot's own choice"
        );
        // Feeds: top level for all, an instance for itself; an empty list is refused.
        std::fs::write(
            dir.path().join("libma.toml"),
            "feeds = [\"depth\"]\n[[instance]]\nname = \"a\"\n[[instance]]\nname = \"b\"\nfeeds = [\"quotes\", \"depth\"]\n",
        )
        .unwrap();
        let two = instances_for(&so, &info()).unwrap();
        assert_eq!(
            (two[0].feeds, two[1].feeds),
            (robofleet_api::Feeds::DEPTH, robofleet_api::Feeds::BOTH)
        );
        for bad in ["feeds = []", "feeds = [\"trades\"]"] {
            std::fs::write(dir.path().join("libma.toml"), bad).unwrap();
            assert!(instances_for(&so, &info()).is_err(), "{bad}");
        }
        std::fs::write(dir.path().join("libma.toml"), "bogus = 1").unwrap();
        assert!(instances_for(&so, &info()).is_err());
    }
}
