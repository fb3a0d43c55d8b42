//! `robofleet serve`: wires the store, the stream threads, the control socket, the fleet
//! manager, the plugin folder watcher and (on the embedded store) the order gateway.
//!
//! [`start`] returns once everything listens, so tests start the real server in-process on
//! an ephemeral control port (`tcp://127.0.0.1:*`) and read the bound endpoint back.

use crate::control::{run_control_thread, ControlDeps, CtlCmd};
use crate::fleet::{
    spawn_watcher, Manager, ManagerCmd, ManagerLinks, ParamOverrides, Registry, WatcherHandle,
};
use crate::gateway::{spawn_gateway, GatewayConfig, GatewayHandle, GatewayStats};
use crate::instruments::SharedRegistry;
use crate::journal::JournalOptions;
use crate::stats::FleetStats;
use crate::store::embedded::{EmbeddedStore, SyncPolicy};
use crate::store::Store;
use crate::streams::mailbox::mailbox;
use crate::streams::market::{run_market_thread, MarketCmd};
use crate::streams::trades::run_trade_thread;
use crossbeam_channel::Sender;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

pub const DEFAULT_CONTROL: &str = "tcp://127.0.0.1:5560";
/// Replies queued per control client: a client may keep this many requests in flight.
pub const DEFAULT_CONTROL_REPLY_HWM: i32 = 10_000;
pub const DEFAULT_FEED: &str = "tcp://127.0.0.1:5561";

/// The process's one ZeroMQ context (inproc endpoints only connect within one context).
pub fn zmq_context() -> zmq::Context {
    static CTX: OnceLock<zmq::Context> = OnceLock::new();
    CTX.get_or_init(|| {
        let ctx = zmq::Context::new();
        if !set_max_sockets(&ctx, MAX_SOCKETS) {
            tracing::warn!("could not raise ZMQ_MAX_SOCKETS; the fleet is limited to ~250 robots");
        }
        ctx
    })
    .clone()
}

pub const MAX_SOCKETS: i32 = 16_384;

/// Set ZMQ_MAX_SOCKETS before the first socket. zmq 0.10 has neither the setter nor an
/// accessor for the raw context, but `Context` is one `Arc` of a struct holding only the raw
/// pointer; we read it and check it really is the context before using it.
fn set_max_sockets(ctx: &zmq::Context, n: i32) -> bool {
    use std::ffi::c_void;
    const _: () = assert!(std::mem::size_of::<zmq::Context>() == std::mem::size_of::<usize>());
    // SAFETY: layout as above (asserted in size); the pointer is only used after the check.
    let raw: *mut c_void = unsafe { **(ctx as *const zmq::Context as *const Arc<*mut c_void>) };
    let io = unsafe { zmq_sys::zmq_ctx_get(raw, zmq_sys::ZMQ_IO_THREADS as _) };
    if Ok(io) != ctx.get_io_threads() {
        return false;
    }
    unsafe {
        zmq_sys::zmq_ctx_set(raw, zmq_sys::ZMQ_MAX_SOCKETS as _, n) == 0
            && zmq_sys::zmq_ctx_get(raw, zmq_sys::ZMQ_MAX_SOCKETS as _) == n
    }
}

#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub plugins_dir: PathBuf,
    /// Store files and private plugin copies live here.
    pub data_dir: PathBuf,
    pub control_endpoint: String,
    /// Replies (and requests) queued per control client before a reply is dropped and
    /// counted in `stats.control.replies_dropped`.
    pub control_reply_hwm: i32,
    /// The control plane's access file (server key, client keys and roles): the control
    /// socket then speaks CURVE. `None`: loopback only, every client an admin.
    pub control_auth: Option<PathBuf>,
    pub feed_endpoint: String,
    /// The venue session's message rate the in-process gateway keeps to (`None`: none).
    pub venue_rate: Option<crate::gateway::throttle::SessionRate>,
    /// Run the order gateway and simulated exchange in this process.
    pub gateway: bool,
    /// The gateway's venue: the FIX session of this QuickFIX settings file
    /// (`docs/venues.md`); `None`: the simulated exchange.
    pub fix: Option<PathBuf>,
    /// Embedded store sync policy.
    pub sync: SyncPolicy,
    /// `Some("mongodb://...")`: use MongoDB; `None`: the embedded store in `data_dir`.
    pub store_uri: Option<String>,
    /// This server's name on a shared store (its change stream positions are kept under it).
    pub name: String,
    /// Quiet period after a plugin file is complete before it is loaded.
    pub settle: Duration,
    /// Robots' journals go under here (`<dir>/<robot>/`); `None`: no journal, no recovery.
    pub journal_dir: Option<PathBuf>,
    pub journal: JournalOptions,
    /// The `robofleet` executable that loads each new plugin build in a child process before
    /// the server maps it ([`crate::plugin::probe`]); `None`: loaded in-process only after
    /// the ELF check (a file that crashes the dynamic loader would then crash the server).
    pub plugin_probe: Option<PathBuf>,
    /// Worker threads that run the robots; 0: [`crate::robot::pool::default_workers`].
    pub workers: usize,
}

impl ServeConfig {
    pub fn new(plugins_dir: impl Into<PathBuf>, data_dir: impl Into<PathBuf>) -> Self {
        let data_dir: PathBuf = data_dir.into();
        ServeConfig {
            plugins_dir: plugins_dir.into(),
            journal_dir: Some(data_dir.join("journal")),
            journal: JournalOptions::default(),
            data_dir,
            control_endpoint: DEFAULT_CONTROL.into(),
            control_reply_hwm: DEFAULT_CONTROL_REPLY_HWM,
            control_auth: None,
            feed_endpoint: DEFAULT_FEED.into(),
            venue_rate: None,
            gateway: true,
            fix: None,
            sync: SyncPolicy::default(),
            store_uri: None,
            name: "robofleet".into(),
            settle: Duration::from_millis(250),
            plugin_probe: crate::plugin::probe::default_probe_exe(),
            workers: 0,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("zeromq: {0}")]
    Zmq(#[from] zmq::Error),
    #[error("cannot bind the control socket at {endpoint}: {source}")]
    ControlBind {
        endpoint: String,
        source: zmq::Error,
    },
    #[error("store: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("plugin folder {path}: {reason}")]
    PluginDir { path: PathBuf, reason: String },
    #[error("gateway: {0}")]
    Gateway(String),
    #[error("instrument registry {0}")]
    Instruments(#[from] crate::instruments::RegistryError),
    #[error("risk limits {0}")]
    Risk(#[from] crate::risk::LimitsError),
    #[error("cannot start a thread: {0}")]
    Thread(#[from] std::io::Error),
    #[error("{0}")]
    ControlSecurity(#[from] crate::control::ControlSecurityError),
}

/// A running server.
pub struct ServerHandle {
    control_endpoint: String,
    manager_tx: Sender<ManagerCmd>,
    manager: Option<JoinHandle<()>>,
    pool: Arc<crate::robot::pool::Pool>,
    streams: Vec<JoinHandle<()>>,
    gateway: Option<GatewayHandle>,
    _watcher: Option<WatcherHandle>,
    pub store: Arc<dyn Store>,
    pub registry: Arc<Registry>,
    pub stats: Arc<FleetStats>,
}

pub fn start(cfg: ServeConfig) -> Result<ServerHandle, ServerError> {
    let consumer = format!("server:{}", cfg.name);
    let store = open_store(cfg.store_uri.as_deref(), &cfg.data_dir, cfg.sync, &consumer)?;
    if !cfg.gateway && matches!(store.health().backend, "embedded" | "sqlite") {
        // A local store belongs to this process alone: no other gateway can reach it.
        tracing::warn!("no gateway with the embedded store: orders stay New until one runs here");
    }
    start_with_store(cfg, store)
}

/// `mongodb://...` (or `mongodb+srv://...`) opens MongoDB under `consumer`; `None` or
/// `embedded` the embedded log store in `data_dir/store`; `sqlite` the SQLite store there.
/// A folder with a log and no SQLite database is refused by the SQLite store's name with
/// what to run: nothing is left behind unseen.
pub fn open_store(
    uri: Option<&str>,
    data_dir: &std::path::Path,
    sync: SyncPolicy,
    consumer: &str,
) -> Result<Arc<dyn Store>, ServerError> {
    let dir = data_dir.join("store");
    match uri {
        Some(u) if u.starts_with("mongodb") => {
            let opts = crate::store::mongo::MongoOptions::new(u, consumer);
            Ok(Arc::new(crate::store::mongo::MongoStore::open(&opts)?))
        }
        // The JSON log store, as before SQLite was the default (`embedded` was its name).
        Some("log" | "embedded") => Ok(Arc::new(EmbeddedStore::open(&dir, sync)?)),
        None | Some("sqlite") => {
            use crate::store::{embedded::LOG_FILE, sqlite};
            if dir.join(LOG_FILE).exists() && !dir.join(sqlite::DB_FILE).exists() {
                return Err(ServerError::Store(crate::store::StoreError::Unavailable(
                    format!(
                        "{} holds the log store's log and no {}: bring it in with \
                         `robofleet store import --data {}`, or serve it as it is with \
                         `--store log`",
                        dir.display(),
                        sqlite::DB_FILE,
                        data_dir.display()
                    ),
                )));
            }
            Ok(Arc::new(sqlite::SqliteStore::open(&dir, sync)?))
        }
        Some(other) => Err(ServerError::Store(crate::store::StoreError::Unavailable(
            format!(
                "unknown store {other:?}: use `sqlite` (the default), `log` or a mongodb:// URI"
            ),
        ))),
    }
}

pub fn start_with_store(
    cfg: ServeConfig,
    store: Arc<dyn Store>,
) -> Result<ServerHandle, ServerError> {
    let ctx = zmq_context();
    if let Some(open_files) = crate::limits::raise_open_files() {
        tracing::info!(
            "open-file limit {open_files}: room for about {} robots",
            crate::limits::robots_within(open_files)
        );
    }
    if !cfg.plugins_dir.is_dir() {
        return Err(ServerError::PluginDir {
            path: cfg.plugins_dir.clone(),
            reason: "not a directory".into(),
        });
    }
    if let Some(reason) = crate::plugin::trust::untrusted_writers(&cfg.plugins_dir) {
        return Err(ServerError::PluginDir {
            path: cfg.plugins_dir.clone(),
            reason,
        });
    }
    // Once, at the edge: the watcher reports absolute paths, and a relative folder's paths
    // would never equal them (a replaced build then looked like a second plugin file).
    let mut cfg = cfg;
    cfg.plugins_dir = cfg
        .plugins_dir
        .canonicalize()
        .map_err(|e| ServerError::PluginDir {
            path: cfg.plugins_dir.clone(),
            reason: e.to_string(),
        })?;
    if cfg.plugin_probe.is_none() {
        tracing::warn!(
            "no robofleet executable to check plugins in a child process: a library that crashes the dynamic loader would crash this server"
        );
    }
    let registry = Arc::new(Registry::default());
    // The instrument registry: the data folder's file, in the store for the gateway and
    // the analysts, and handed to each robot as it starts.
    let instruments = Arc::new(SharedRegistry::open(&cfg.data_dir)?);
    store.put_instruments(&instruments.all())?;
    // Pre-trade limits (`<data>/risk.toml`): a bad file stops the start, with the reason.
    let risk = Arc::new(crate::risk::source::LimitsSource::open(&cfg.data_dir)?);
    match risk.is_set() {
        true => tracing::info!(
            "pre-trade risk checks from {}",
            cfg.data_dir.join(crate::risk::limits::FILE_NAME).display()
        ),
        false => tracing::warn!(
            "no {} in the data folder: orders are not risk-checked",
            crate::risk::limits::FILE_NAME
        ),
    }
    // The fleet's kill switch, latched across restarts in the data folder.
    let kill = Arc::new(crate::risk::kill::KillSwitch::open(&cfg.data_dir));
    // Params set over the control socket, kept across reloads and restarts.
    let overrides = Arc::new(ParamOverrides::open(Some(cfg.data_dir.join("params.json"))));
    let stats = Arc::new(FleetStats::default());

    let control = crate::control::bind_control(
        &ctx,
        &cfg.control_endpoint,
        cfg.control_auth.as_deref(),
        cfg.control_reply_hwm,
        &stats,
    )?;
    let control_endpoint = control.endpoint.clone();

    let gateway = if cfg.gateway {
        let gstats = Arc::new(GatewayStats::default());
        *stats.gateway.lock().unwrap_or_else(|e| e.into_inner()) = Some(gstats.clone());
        let gcfg = GatewayConfig {
            feed_endpoint: cfg.feed_endpoint.clone(),
            session_rate: cfg.venue_rate,
        };
        let gateway = match &cfg.fix {
            None => spawn_gateway(ctx.clone(), store.clone(), gcfg, gstats),
            Some(settings) => {
                let venue = robofleet_fix::client::FixVenue::open(settings)
                    .map_err(|e| ServerError::Gateway(e.to_string()))?;
                crate::gateway::spawn_gateway_on(
                    ctx.clone(),
                    store.clone(),
                    gcfg,
                    gstats,
                    Box::new(venue),
                )
            }
        };
        Some(gateway.map_err(|e| ServerError::Gateway(e.to_string()))?)
    } else {
        None
    };

    let (manager_tx, manager_rx) = crossbeam_channel::unbounded();
    let (md_tx, md_rx) = mailbox::<MarketCmd>(&ctx, "market")?;
    let (ctl_tx, ctl_rx) = mailbox::<CtlCmd>(&ctx, "control")?;
    let (trade_tx, trade_rx) = crossbeam_channel::unbounded();
    let pool = crate::robot::pool::Pool::start(match cfg.workers {
        0 => crate::robot::pool::default_workers(),
        n => n,
    })?;
    *stats.workers.lock().unwrap_or_else(|e| e.into_inner()) = Some(pool.clone());
    let mut streams = Vec::new();
    {
        let (ctx, ep, st) = (ctx.clone(), cfg.feed_endpoint.clone(), stats.market.clone());
        streams.push(spawn_named("market-data", move || {
            if let Err(e) = run_market_thread(ctx, ep, md_rx, st) {
                tracing::error!("market data thread ended: {e}");
            }
        })?);
    }
    {
        let (store, st) = (store.clone(), stats.trades.clone());
        streams.push(spawn_named("trade-updates", move || {
            run_trade_thread(store, trade_rx, st)
        })?);
    }
    {
        // The audit log's spool is read (and what a previous run left shipped) before the
        // control socket serves anyone.
        let auditor =
            crate::control::Auditor::open(store.clone(), &cfg.name, &stats, Some(&cfg.data_dir))?;
        let deps = ControlDeps {
            overrides: overrides.clone(),
            registry: registry.clone(),
            store: store.clone(),
            manager: manager_tx.clone(),
            stats: stats.clone(),
            instruments: instruments.clone(),
            callers: control.callers,
            kill: kill.clone(),
            limits: risk.clone(),
            server_name: cfg.name.clone(),
        };
        let (router, zap) = (control.router, control.zap);
        streams.push(spawn_named("control", move || {
            // The allow-list stays in the ZAP handler while the socket serves.
            let _zap = zap;
            if let Err(e) = run_control_thread(router, ctl_rx, deps, auditor) {
                tracing::error!("control thread ended: {e}");
            }
        })?);
    }
    let manager = Manager::new(
        pool.clone(),
        cfg.data_dir.join("loaded-plugins"),
        store.clone(),
        registry.clone(),
        ManagerLinks {
            market: md_tx,
            trades: trade_tx,
            control: ctl_tx,
        },
        manager_tx.clone(),
    )
    .with_probe(cfg.plugin_probe.clone())
    .with_overrides(overrides)
    .with_instruments(instruments)
    .with_risk(risk)
    .with_kill_switch(kill);
    let manager = match &cfg.journal_dir {
        Some(root) => manager.with_journal(root.clone(), cfg.journal.clone()),
        None => manager,
    };
    // Watch before the first scan, so a file dropped in meanwhile is not missed.
    let watcher = spawn_watcher(&cfg.plugins_dir, cfg.settle, manager_tx.clone()).map_err(|e| {
        ServerError::PluginDir {
            path: cfg.plugins_dir.clone(),
            reason: e.to_string(),
        }
    })?;
    let dir = cfg.plugins_dir.clone();
    let manager = spawn_named("fleet-manager", move || manager.run(&dir, manager_rx))?;
    tracing::info!(
        "robofleet serving: control {control_endpoint}, feed {}",
        cfg.feed_endpoint
    );
    Ok(ServerHandle {
        control_endpoint,
        manager_tx,
        manager: Some(manager),
        pool,
        streams,
        gateway,
        _watcher: Some(watcher),
        store,
        registry,
        stats,
    })
}

fn spawn_named(name: &str, f: impl FnOnce() + Send + 'static) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name.to_string()).spawn(f)
}

impl ServerHandle {
    /// The control endpoint actually bound (with the real port when `*` was asked for).
    pub fn control_endpoint(&self) -> &str {
        &self.control_endpoint
    }

    /// The robot workers.
    pub fn pool(&self) -> &Arc<crate::robot::pool::Pool> {
        &self.pool
    }

    /// A sender that asks the server to shut down (e.g. from a Ctrl-C handler).
    pub fn shutdown_sender(&self) -> Sender<ManagerCmd> {
        self.manager_tx.clone()
    }

    pub fn gateway_stats(&self) -> Option<Arc<GatewayStats>> {
        self.stats
            .gateway
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Block until the server has shut down (by `shutdown` over the control socket or
    /// a `ManagerCmd::Shutdown`), then stop everything else.
    pub fn wait(mut self) {
        if let Some(m) = self.manager.take() {
            let _ = m.join();
        }
        // Every robot has ended (or was left stuck in its handler by the manager).
        self.pool.shutdown(std::time::Duration::from_secs(2));
        // The robots have stopped: the checkpoints they took are written and checked before
        // the process goes, so the next start finds them.
        if !crate::robot::checkpoints::worker::drain(std::time::Duration::from_secs(30)) {
            tracing::warn!(
                "checkpoints still being written at exit: a restart replays from the ones before"
            );
        }
        self._watcher.take();
        for t in self.streams.drain(..) {
            let _ = t.join();
        }
        if let Some(g) = self.gateway.take() {
            g.shutdown();
        }
    }

    pub fn shutdown(self) {
        let _ = self.manager_tx.send(ManagerCmd::Shutdown);
        self.wait();
    }
}
