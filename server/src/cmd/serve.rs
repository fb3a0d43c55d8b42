use anyhow::Context;
use robofleet::fleet::ManagerCmd;
use robofleet::server::{self, ServeConfig, DEFAULT_CONTROL, DEFAULT_FEED};
use robofleet::store::embedded::SyncPolicy;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum GatewayMode {
    Auto,
    On,
    Off,
}

#[derive(clap::Args)]
pub struct Args {
    /// Folder of robot plugins (*.so, optional <name>.toml beside each); watched for changes.
    #[arg(long, default_value = "plugins")]
    pub plugins: PathBuf,
    /// Where the embedded store and private plugin copies live.
    #[arg(long, default_value = "robofleet-data")]
    pub data: PathBuf,
    #[arg(long, default_value = DEFAULT_CONTROL)]
    pub control: String,
    #[arg(long, default_value = DEFAULT_FEED)]
    pub feed: String,
    /// Where orders and trades live: `embedded` (in --data) or a `mongodb://` URI.
    #[arg(long, default_value = "embedded")]
    pub store: String,
    /// This server's name on a shared store; two servers on one database need two names.
    #[arg(long, default_value = "robofleet")]
    pub name: String,
    /// Run the order gateway in this process: auto = with the embedded store only
    /// (on a shared database, run one `robofleet gateway` for the whole fleet).
    #[arg(long, value_enum, default_value = "auto")]
    pub gateway: GatewayMode,
    /// Store sync policy: never, always, or interval:MS.
    #[arg(long, default_value = "interval:100")]
    pub sync: SyncPolicy,
    /// Quiet period (ms) after a plugin file is complete before it is loaded.
    #[arg(long, default_value_t = 250)]
    pub settle_ms: u64,
}

impl Args {
    pub fn config(&self) -> ServeConfig {
        ServeConfig {
            plugins_dir: self.plugins.clone(),
            data_dir: self.data.clone(),
            control_endpoint: self.control.clone(),
            feed_endpoint: self.feed.clone(),
            gateway: match self.gateway {
                GatewayMode::On => true,
                GatewayMode::Off => false,
                GatewayMode::Auto => self.store == "embedded",
            },
            sync: self.sync,
            store_uri: Some(self.store.clone()),
            name: self.name.clone(),
            settle: Duration::from_millis(self.settle_ms),
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.plugins)
        .with_context(|| format!("cannot create plugin folder {}", args.plugins.display()))?;
    let handle = server::start(args.config()).context("cannot start the server")?;
    let stop = handle.shutdown_sender();
    ctrlc::set_handler(move || {
        let _ = stop.send(ManagerCmd::Shutdown);
    })
    .context("cannot install the Ctrl-C handler")?;
    handle.wait();
    Ok(())
}
