//! `--config FILE` for the long-running commands: a TOML file with the same settings as
//! their flags (flags win over it, it wins over the defaults).

use anyhow::Context;
use serde::de::DeserializeOwned;
use std::path::Path;

/// The settings in `path`, or `T::default()` (nothing set) without a file. Unknown or
/// mistyped keys are an error naming the file, if `T` denies unknown fields.
pub fn load<T: DeserializeOwned + Default>(path: Option<&Path>) -> anyhow::Result<T> {
    let Some(path) = path else {
        return Ok(T::default());
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("bad config {}", path.display()))
}
