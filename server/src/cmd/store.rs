//! `robofleet store import`: bring the embedded store's log (`<data>/store/store.log`) into
//! the SQLite store beside it.

use anyhow::{bail, Context};
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy, LOG_FILE};
use robofleet::store::sqlite::{SqliteStore, DB_FILE};
use robofleet::store::{OrderFilter, Store};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: StoreCommand,
}

#[derive(clap::Subcommand)]
pub enum StoreCommand {
    /// Copy the embedded store's orders, trades, instrument registry and audit log into a
    /// new SQLite store in the same folder, in one transaction. The log is left as it was.
    Import {
        /// Data folder (the stores are in its `store/`).
        #[arg(long, default_value = "robofleet-data")]
        data: PathBuf,
    },
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        StoreCommand::Import { data } => import(&data.join("store")),
    }
}

fn import(dir: &std::path::Path) -> anyhow::Result<()> {
    let log = dir.join(LOG_FILE);
    if !log.is_file() {
        bail!(
            "no embedded store to import: {} does not exist",
            log.display()
        );
    }
    // Opening replays and checks the whole log; a torn tail is cut off (and kept aside).
    let old = EmbeddedStore::open(dir, SyncPolicy::Never)
        .with_context(|| format!("cannot read {}", log.display()))?;
    let orders = old.orders(&OrderFilter::default())?;
    let trades = old.trades(None)?;
    let instruments = old.instruments()?;
    let mut audit = old.audit_log(usize::MAX)?;
    audit.reverse(); // oldest first, as written
    drop(old);
    let new = SqliteStore::open(dir, SyncPolicy::EveryWrite)
        .with_context(|| format!("cannot open {}", dir.join(DB_FILE).display()))?;
    let done = new.import(&orders, &trades, &instruments, &audit)?;
    println!(
        "imported {} orders, {} trades, {} instrument specs and {} audit entries from {} into {}",
        done.orders,
        done.trades,
        done.instruments,
        done.audit,
        log.display(),
        new.path().display()
    );
    Ok(())
}
