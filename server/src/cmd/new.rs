//! `robofleet new NAME`: a robot crate of its own, from the template robot, that builds and
//! loads as it is.
//!
//! The sources are this build's `plugins/template` (compiled in), renamed: the crate and
//! the robot are NAME, the robot type its CamelCase. It depends on `robofleet-api` by path
//! and carries this workspace's `Cargo.lock`, so it builds with the versions the server was
//! built with (offline too, on a machine that built the server).

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

const TEMPLATE_LIB: &str = include_str!("../../../plugins/template/src/lib.rs");
const TEMPLATE_TESTS: &str = include_str!("../../../plugins/template/src/tests.rs");
const WORKSPACE_LOCK: &str = include_str!("../../../Cargo.lock");
/// Where this build's `robofleet-api` was; used when nothing nearer is found.
const BUILT_API: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../plugin-api");

#[derive(clap::Args)]
pub struct Args {
    /// The robot's name, also its crate's: lower case letters, digits and `_`, starting with
    /// a letter (its plugin file is then `lib<NAME>.so`).
    pub name: String,
    /// Create the crate in DIR/NAME. [default: .]
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// The `plugin-api` folder of the robofleet source tree the server was built from: the
    /// one in a folder above this executable (it runs from <tree>/target/<profile>/), else
    /// where it was built. [default: <tree>/plugin-api]
    #[arg(long)]
    pub api: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    check_name(&args.name)?;
    let api = match &args.api {
        Some(p) => p.clone(),
        None => find_api().context("no robofleet-api source found: pass --api PATH/plugin-api")?,
    };
    let api = api
        .canonicalize()
        .with_context(|| format!("robofleet-api at {}", api.display()))?;
    if !is_api(&api) {
        bail!(
            "{} is not robofleet-api's folder (no Cargo.toml naming it)",
            api.display()
        );
    }
    let root = args
        .dir
        .unwrap_or_else(|| PathBuf::from("."))
        .join(&args.name);
    if root.exists() {
        bail!(
            "{} already exists: choose another name or --dir",
            root.display()
        );
    }
    std::fs::create_dir_all(root.join("src"))
        .with_context(|| format!("cannot create {}", root.display()))?;
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    write("Cargo.toml", &manifest(&args.name, &api))?;
    write("Cargo.lock", WORKSPACE_LOCK)?;
    write("src/lib.rs", &rename(TEMPLATE_LIB, &args.name))?;
    write("src/tests.rs", &rename(TEMPLATE_TESTS, &args.name))?;
    write("README.md", &readme(&args.name))?;
    write(".gitignore", "/target\n")?;
    println!("created {} (robot {:?})", root.display(), args.name);
    println!(
        "  cd {} && cargo test && cargo build --release",
        root.display()
    );
    println!(
        "  then drop target/release/lib{}.so into the plugin folder",
        args.name
    );
    Ok(())
}

fn check_name(name: &str) -> anyhow::Result<()> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !first_ok || !rest_ok || name.len() > 64 {
        bail!(
            "{name:?} is not a robot name: lower case letters, digits and `_`, starting with a \
             letter, at most 64 characters"
        );
    }
    if name == "template" || name == "template_robot" {
        bail!("{name:?} is the template's own name: choose another");
    }
    Ok(())
}

fn is_api(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|t| t.contains("name = \"robofleet-api\""))
}

/// `plugin-api` in a folder above this executable (it runs from `<tree>/target/<profile>/`),
/// else where this build found it.
fn find_api() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let near = exe
        .ancestors()
        .skip(1)
        .map(|d| d.join("plugin-api"))
        .find(|d| is_api(d));
    near.or_else(|| Some(PathBuf::from(BUILT_API)).filter(|d| is_api(d)))
}

/// `my_bot` -> `MyBot`.
fn camel(name: &str) -> String {
    name.split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The template's names become the new robot's: crate, type, robot name (and so its order
/// ids, `<name>-<seq>`).
fn rename(source: &str, name: &str) -> String {
    source
        .replace("template_robot", name)
        .replace("Template", &camel(name))
        .replace("template", name)
}

fn manifest(name: &str, api: &Path) -> String {
    format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
# cdylib: the plugin the server loads; rlib: for the tests and doc examples.
crate-type = ["cdylib", "rlib"]

[dependencies]
robofleet-api = {{ path = {api:?} }}
serde = {{ version = "1", features = ["derive"] }}
postcard = {{ version = "1.1", features = ["alloc"] }}

# A workspace of its own, so it builds wherever it is put.
[workspace]
"#,
        api = api.display().to_string()
    )
}

fn readme(name: &str) -> String {
    format!(
        "# {name}\n\nA robofleet robot, scaffolded by `robofleet new {name}` from the template \
         robot (see the robofleet source's `docs/plugins.md`).\n\n```sh\ncargo test            \
         # the robot driven by robofleet_api::testing::Harness\ncargo build --release\ncp \
         target/release/lib{name}.so PLUGINS/.lib{name}.so.tmp && mv PLUGINS/.lib{name}.so.tmp \
         PLUGINS/lib{name}.so\n```\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_renamed_everywhere() {
        assert!(check_name("my_bot2").is_ok());
        for bad in ["", "My", "2bot", "a-b", "a.b", "template", "a b"] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(camel("my_bot2"), "MyBot2");
        let lib = rename(TEMPLATE_LIB, "my_bot");
        assert!(!lib.to_lowercase().contains("template"), "a name left over");
        assert!(lib.contains("impl Robot for MyBot") && lib.contains("name: \"my_bot\".into()"));
        assert!(lib.contains("export_robot!(MyBot)"));
    }
}
