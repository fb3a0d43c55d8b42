//! The run's own database: a fresh name for each run, the URI that points at it, the server's
//! version for the report, and dropping it at the end.

use anyhow::Context;
use mongodb::bson::doc;
use mongodb::Database;

/// `PREFIX_<unix seconds>_<pid>`, within MongoDB's 63 bytes for a database name.
pub(super) fn fresh_db_name(prefix: &str) -> String {
    let prefix: String = prefix.chars().take(36).collect();
    format!(
        "{prefix}_{}_{}",
        robofleet::clock::wall_ns() / 1_000_000_000,
        std::process::id()
    )
}

/// The URI with `db` as its database (`mongodb://hosts/DB?options`).
pub(super) fn with_db(uri: &str, db: &str) -> anyhow::Result<String> {
    let (head, query) = match uri.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (uri, String::new()),
    };
    let scheme_end = head
        .find("://")
        .map(|i| i + 3)
        .context("the --store URI has no `://`")?;
    let hosts_end = head[scheme_end..]
        .find('/')
        .map_or(head.len(), |i| i + scheme_end);
    Ok(format!("{}/{db}{query}", &head[..hosts_end]))
}

pub(super) async fn server_version(db: &Database) -> anyhow::Result<String> {
    let info = db.run_command(doc! {"buildInfo": 1}).await?;
    Ok(info.get_str("version").unwrap_or("unknown").to_string())
}

/// Drops the run's database at the end, unless asked to keep it.
pub(super) struct DropDb<'a> {
    pub(super) rt: &'a tokio::runtime::Runtime,
    pub(super) db: Database,
    pub(super) keep: bool,
}

impl DropDb<'_> {
    /// Returns whether the database was dropped.
    pub(super) fn drop_now(&mut self) -> bool {
        if self.keep {
            return false;
        }
        self.keep = true;
        match self.rt.block_on(async { self.db.drop().await }) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!("cannot drop the bench database {}: {e}", self.db.name());
                false
            }
        }
    }
}

impl Drop for DropDb<'_> {
    fn drop(&mut self) {
        self.drop_now();
    }
}
