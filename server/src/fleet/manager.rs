use super::{instances_for, InstanceSpec, ParamOverrides, Registry};
use crate::control::{CtlCmd, CtlError};
use crate::instruments::SharedRegistry;
use crate::journal::JournalOptions;
use crate::plugin::{load_plugin_probed, LoadedPlugin};
use crate::robot::pool::{Pool, RobotHandle};
use crate::robot::{spawn_robot, ControlMsg, JournalSpec, RobotShared, RobotSpec, RobotState};
use crate::store::Store;
use crate::streams::mailbox::MailboxSender;
use crate::streams::market::MarketCmd;
use crate::streams::trades::TradeCmd;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long shutdown waits for robots to finish their Stop event.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

fn shutting_down() -> CtlError {
    CtlError::new("shutting_down", "the server is shutting down")
}

pub enum FleetAction {
    Start(String),
    Stop(String),
    Reload(String),
    Shutdown,
}

pub enum ManagerCmd {
    /// A control request; the answer goes back as `CtlCmd::Reply { req, .. }`.
    Control {
        req: u64,
        action: FleetAction,
    },
    /// A complete plugin (`.so`) or config (`.toml`) file appeared or changed.
    FileChanged(PathBuf),
    FileRemoved(PathBuf),
    /// A robot ended (sent from its worker once its instance is destroyed).
    RobotExited {
        robot: String,
        generation: u64,
    },
    /// Stop everything and return (from the process, e.g. Ctrl-C or a test).
    Shutdown,
}

/// The manager's ends of the stream threads' command channels.
pub struct ManagerLinks {
    pub market: MailboxSender<MarketCmd>,
    pub trades: Sender<TradeCmd>,
    pub control: MailboxSender<CtlCmd>,
}

/// What to do once a robot has ended.
enum AfterExit {
    Reply(u64, Value),
    Remove,
}

struct Entry {
    spec: InstanceSpec,
    plugin: Arc<LoadedPlugin>,
    shared: Arc<RobotShared>,
    /// Its run on the worker pool, until it has ended.
    thread: Option<RobotHandle>,
    generation: u64,
    after_exit: Vec<AfterExit>,
}

pub struct Manager {
    pool: Arc<Pool>,
    private_dir: PathBuf,
    store: Arc<dyn Store>,
    registry: Arc<Registry>,
    links: ManagerLinks,
    me: Sender<ManagerCmd>,
    robots: BTreeMap<String, Entry>,
    /// Plugin file -> its robots.
    files: HashMap<PathBuf, Vec<String>>,
    /// A new build waiting for the old robots of its file to end.
    waiting: HashMap<PathBuf, (LoadedPlugin, Vec<InstanceSpec>)>,
    generation: u64,
    shutting_down: bool,
    /// Control requests for `shutdown`, answered when it is done.
    shutdown_replies: Vec<u64>,
    /// Journal root and options; `None`: robots run unjournaled.
    journal: Option<(PathBuf, JournalOptions)>,
    /// The executable that loads each new build in a child process first.
    probe_exe: Option<PathBuf>,
    /// Params set over the control socket: laid over each robot's file params at start.
    overrides: Arc<ParamOverrides>,
    /// The instrument registry: each robot starts with its symbols' specs.
    instruments: Option<Arc<SharedRegistry>>,
    /// Pre-trade limits of every robot.
    risk: Arc<crate::risk::source::LimitsSource>,
    /// The fleet's kill switch: a robot started while it is engaged starts halted.
    kill: Arc<crate::risk::kill::KillSwitch>,
}

impl Manager {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: Arc<Pool>,
        private_dir: PathBuf,
        store: Arc<dyn Store>,
        registry: Arc<Registry>,
        links: ManagerLinks,
        me: Sender<ManagerCmd>,
    ) -> Self {
        Manager {
            pool,
            private_dir,
            store,
            registry,
            links,
            me,
            robots: BTreeMap::new(),
            files: HashMap::new(),
            waiting: HashMap::new(),
            generation: 0,
            shutting_down: false,
            shutdown_replies: Vec::new(),
            journal: None,
            probe_exe: None,
            overrides: Arc::new(ParamOverrides::open(None)),
            instruments: None,
            risk: Arc::new(crate::risk::source::LimitsSource::fixed(None)),
            kill: Arc::new(crate::risk::kill::KillSwitch::in_memory()),
        }
    }

    pub fn with_kill_switch(mut self, kill: Arc<crate::risk::kill::KillSwitch>) -> Self {
        self.kill = kill;
        self
    }

    /// Hand each robot the specs of its symbols from `registry` when it starts.
    pub fn with_risk(mut self, risk: Arc<crate::risk::source::LimitsSource>) -> Self {
        self.risk = risk;
        self
    }

    pub fn with_instruments(mut self, registry: Arc<SharedRegistry>) -> Self {
        self.instruments = Some(registry);
        self
    }

    /// Lay the params kept in `overrides` over each robot's file params when it starts.
    pub fn with_overrides(mut self, overrides: Arc<ParamOverrides>) -> Self {
        self.overrides = overrides;
        self
    }

    /// Check each new build in a child `probe_exe __probe-plugin` before loading it here.
    pub fn with_probe(mut self, probe_exe: Option<PathBuf>) -> Self {
        self.probe_exe = probe_exe;
        self
    }

    /// Journal every robot under `root/<robot>/` and rebuild robots from there at start.
    pub fn with_journal(mut self, root: PathBuf, opts: JournalOptions) -> Self {
        self.journal = Some((root, opts));
        self
    }

    /// Load every plugin in `dir`, then serve commands until shutdown completes.
    pub fn run(mut self, dir: &Path, commands: Receiver<ManagerCmd>) {
        // Private copies left by a killed server (the store's lock makes this server the
        // only one using this data folder).
        if let Ok(stale) = std::fs::read_dir(&self.private_dir) {
            for f in stale.flatten() {
                let _ = std::fs::remove_file(f.path());
            }
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        // Hidden files are half-written copies on their way in, as for the watcher.
        let visible = |p: &&PathBuf| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with('.'))
        };
        for f in files
            .iter()
            .filter(visible)
            .filter(|p| p.extension().is_some_and(|e| e == "so"))
        {
            let _ = self.file_changed(f);
        }
        let mut deadline: Option<Instant> = None;
        loop {
            let next = match deadline {
                None => commands.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(d) => commands.recv_deadline(d),
            };
            let cmd = match next {
                Ok(cmd) => cmd,
                Err(RecvTimeoutError::Timeout) => {
                    self.abandon_stuck_robots();
                    break;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            match cmd {
                ManagerCmd::Control { req, action } => self.control(req, action),
                ManagerCmd::FileChanged(path) => {
                    let _ = self.file_changed(&path);
                }
                ManagerCmd::FileRemoved(path) => self.file_removed(&path),
                ManagerCmd::RobotExited { robot, generation } => self.exited(&robot, generation),
                ManagerCmd::Shutdown => self.begin_shutdown(None),
            }
            if self.shutting_down {
                if self.robots.values().all(|e| e.thread.is_none()) {
                    break;
                }
                deadline.get_or_insert_with(|| Instant::now() + SHUTDOWN_GRACE);
            }
        }
        // Anything still queued is answered, not left to time out.
        while let Ok(cmd) = commands.try_recv() {
            if let ManagerCmd::Control { req, action } = cmd {
                match action {
                    FleetAction::Shutdown => self.shutdown_replies.push(req),
                    _ => self.reply(req, Err(shutting_down())),
                }
            }
        }
        self.finish_shutdown();
    }

    /// A robot stuck inside its own code cannot be interrupted. Leave its worker inside it
    /// (it holds its own reference to the library, so nothing is unmapped under it) and let
    /// the process exit.
    fn abandon_stuck_robots(&mut self) {
        for (name, entry) in self.robots.iter_mut() {
            if entry.thread.take().is_some() {
                tracing::error!(
                    robot = %name,
                    "did not stop within {SHUTDOWN_GRACE:?} (stuck in its event handler?): abandoned"
                );
            }
        }
    }

    fn reply(&self, req: u64, result: Result<Value, CtlError>) {
        let _ = self.links.control.send(CtlCmd::Reply { req, result });
    }

    fn control(&mut self, req: u64, action: FleetAction) {
        let name = match &action {
            FleetAction::Start(n) | FleetAction::Stop(n) | FleetAction::Reload(n) => n.clone(),
            FleetAction::Shutdown => return self.begin_shutdown(Some(req)),
        };
        if self.shutting_down {
            return self.reply(req, Err(shutting_down()));
        }
        let Some(entry) = self.robots.get_mut(&name) else {
            return self.reply(req, Err(CtlError::unknown_robot(&name)));
        };
        match action {
            FleetAction::Start(_) if entry.thread.is_some() => self.reply(
                req,
                Err(CtlError::new(
                    "already_running",
                    format!("robot {name:?} is already running"),
                )),
            ),
            FleetAction::Start(_) => {
                let result = self.spawn(&name).map(|_| json!({"started": name}));
                self.reply(req, result);
            }
            FleetAction::Stop(_) if entry.thread.is_none() => self.reply(
                req,
                Err(CtlError::new(
                    "not_running",
                    format!("robot {name:?} is not running"),
                )),
            ),
            FleetAction::Stop(_) => {
                entry
                    .after_exit
                    .push(AfterExit::Reply(req, json!({"stopped": name})));
                self.stop(&name);
            }
            FleetAction::Reload(_) => {
                let file = entry.plugin.source.clone();
                match self.file_changed(&file) {
                    Ok(names) => self.reply(req, Ok(json!({"reloading": names}))),
                    Err(e) => self.reply(req, Err(CtlError::new("plugin_error", e))),
                }
            }
            FleetAction::Shutdown => {}
        }
    }

    /// Load (or reload) a plugin file. Old robots of the file keep running if the new
    /// build is refused; otherwise they stop and the new ones start once they have ended.
    fn file_changed(&mut self, path: &Path) -> Result<Vec<String>, String> {
        if self.shutting_down {
            return Err("server is shutting down".into());
        }
        let so = if path.extension().is_some_and(|e| e == "toml") {
            path.with_extension("so")
        } else {
            path.to_path_buf()
        };
        if !so.exists() {
            return Ok(Vec::new());
        }
        let file_key = so.display().to_string();
        let loaded = match crate::plugin::trust::untrusted_writers(&so) {
            Some(why) => Err(format!("{file_key}: {why}")),
            None => load_plugin_probed(&so, &self.private_dir, self.probe_exe.as_deref())
                .map_err(|e| e.to_string()),
        };
        let loaded = loaded.and_then(|p| instances_for(&so, &p.info).map(|specs| (p, specs)));
        let (plugin, specs) = match loaded {
            Ok(x) => x,
            Err(e) => {
                tracing::error!("plugin refused: {e}");
                self.registry.set_refused(&file_key, Some(e.clone()));
                return Err(e);
            }
        };
        let old = self.files.get(&so).cloned().unwrap_or_default();
        if let Some(taken) = specs
            .iter()
            .find(|s| self.robots.contains_key(&s.name) && !old.contains(&s.name))
        {
            let e = format!(
                "{file_key}: robot name {:?} is already used by another plugin file",
                taken.name
            );
            tracing::error!("plugin refused: {e}");
            self.registry.set_refused(&file_key, Some(e.clone()));
            return Err(e);
        }
        self.registry.set_refused(&file_key, None);
        let names = specs.iter().map(|s| s.name.clone()).collect();
        tracing::info!(
            sha256 = %plugin.file_hash,
            "plugin {file_key} ({}) loaded: robots {names:?}",
            plugin.build_id
        );
        self.waiting.insert(so.clone(), (plugin, specs));
        for name in &old {
            if let Some(entry) = self.robots.get_mut(name) {
                entry.after_exit.push(AfterExit::Remove);
            }
            self.stop(name);
        }
        self.start_waiting(&so);
        Ok(names)
    }

    /// Start the new build of `file` once none of its old robots is left.
    fn start_waiting(&mut self, file: &Path) {
        let old_alive = self
            .files
            .get(file)
            .is_some_and(|names| names.iter().any(|n| self.robots.contains_key(n)));
        if old_alive {
            return;
        }
        let Some((plugin, specs)) = self.waiting.remove(file) else {
            return;
        };
        let plugin = Arc::new(plugin);
        let mut names = Vec::new();
        for mut spec in specs {
            let name = spec.name.clone();
            // What the operator set over the control socket outlives the build and its toml.
            spec.params = spec.params.merged(&self.overrides.get(&name));
            let shared = self.new_shared(&spec, &plugin);
            self.robots.insert(
                name.clone(),
                Entry {
                    spec,
                    plugin: plugin.clone(),
                    shared,
                    thread: None,
                    generation: 0,
                    after_exit: Vec::new(),
                },
            );
            if let Err(e) = self.spawn(&name) {
                tracing::error!(robot = %name, "cannot start: {}", e.message);
                if let Some(entry) = self.robots.get(&name) {
                    entry.shared.set_state(RobotState::Failed(e.message));
                }
            }
            names.push(name);
        }
        self.files.insert(file.to_path_buf(), names);
    }

    fn new_shared(&self, spec: &InstanceSpec, plugin: &Arc<LoadedPlugin>) -> Arc<RobotShared> {
        let shared = Arc::new(RobotShared::new(
            &spec.name,
            plugin.source.clone(),
            &plugin.build_id,
            spec.symbols.clone(),
            spec.seed,
            0,
            spec.params.clone(),
        ));
        self.registry.insert(shared.clone());
        shared
    }

    fn spawn(&mut self, name: &str) -> Result<(), CtlError> {
        self.generation += 1;
        let generation = self.generation;
        let me = self.me.clone();
        let Some(entry) = self.robots.get_mut(name) else {
            return Err(CtlError::unknown_robot(name));
        };
        // A restarted robot gets fresh counters and the params it was last given.
        let params = entry.shared.params();
        let shared = Arc::new(RobotShared::new(
            name,
            entry.plugin.source.clone(),
            &entry.plugin.build_id,
            entry.spec.symbols.clone(),
            entry.spec.seed,
            generation,
            params.clone(),
        ));
        let spec = RobotSpec {
            name: name.to_string(),
            plugin: entry.plugin.clone(),
            params,
            symbols: entry.spec.symbols.clone(),
            seed: entry.spec.seed,
            timer_ms: entry.spec.timer_ms,
            conflate: entry.spec.conflate,
            journal: self.journal.as_ref().map(|(root, opts)| JournalSpec {
                dir: crate::journal::robot_dir(root, name),
                opts: opts.clone(),
            }),
            instruments: self
                .instruments
                .as_ref()
                .map(|r| r.for_symbols(&entry.spec.symbols))
                .unwrap_or_default(),
            risk: self.risk.for_robot(name),
            fleet_halt: self.kill.engaged().map(|e| e.describe()),
            accounts: Some(self.risk.accounts().clone()),
        };
        let robot = name.to_string();
        let on_exit = move || {
            let _ = me.send(ManagerCmd::RobotExited { robot, generation });
        };
        // On a shared store, no other server may run this name: fills are routed by it.
        self.store
            .claim_robot(name)
            .map_err(|e| CtlError::new("name_taken", e.to_string()))?;
        let (inbox, thread) = spawn_robot(
            &self.pool,
            spec,
            self.store.clone(),
            shared.clone(),
            on_exit,
        );
        entry.thread = Some(thread);
        entry.generation = generation;
        entry.shared = shared.clone();
        self.registry.insert(shared.clone());
        let symbols = entry.spec.symbols.clone();
        let _ = self.links.control.send(CtlCmd::Add {
            robot: name.to_string(),
            inbox: inbox.clone(),
        });
        let _ = self.links.trades.send(TradeCmd::Add {
            robot: name.to_string(),
            inbox: inbox.clone(),
        });
        let _ = self.links.market.send(MarketCmd::Add {
            robot: name.to_string(),
            inbox,
            symbols,
            feeds: entry.spec.feeds,
        });
        Ok(())
    }

    /// Ask a running robot to stop; `exited` finishes the job when it has ended.
    fn stop(&mut self, name: &str) {
        let Some(entry) = self.robots.get(name) else {
            return;
        };
        if entry.thread.is_none() {
            self.run_after_exit(name);
            return;
        }
        self.unlink(name);
        let _ = self.links.control.send(CtlCmd::Deliver {
            robot: name.to_string(),
            msg: ControlMsg::Stop,
        });
        let _ = self.links.control.send(CtlCmd::Remove {
            robot: name.to_string(),
        });
    }

    fn unlink(&self, name: &str) {
        let robot = name.to_string();
        let _ = self.links.market.send(MarketCmd::Remove {
            robot: robot.clone(),
        });
        let _ = self.links.trades.send(TradeCmd::Remove { robot });
    }

    fn exited(&mut self, name: &str, generation: u64) {
        let Some(entry) = self.robots.get_mut(name) else {
            return;
        };
        if entry.generation != generation {
            return;
        }
        // Its instance is destroyed before the library can be dropped. (A plugin's
        // thread-local destructors on the workers keep their library mapped: glibc counts them.)
        if let Some(t) = entry.thread.take() {
            t.join();
        }
        self.store.release_robot(name);
        if !matches!(entry.shared.state(), RobotState::Failed(_)) {
            entry.shared.set_state(RobotState::Stopped);
        }
        self.unlink(name);
        let _ = self.links.control.send(CtlCmd::Remove {
            robot: name.to_string(),
        });
        self.run_after_exit(name);
    }

    fn run_after_exit(&mut self, name: &str) {
        let Some(entry) = self.robots.get_mut(name) else {
            return;
        };
        let actions = std::mem::take(&mut entry.after_exit);
        let mut remove = false;
        for a in actions {
            match a {
                AfterExit::Reply(req, v) => self.reply(req, Ok(v)),
                AfterExit::Remove => remove = true,
            }
        }
        if remove {
            if let Some(entry) = self.robots.remove(name) {
                let file = entry.plugin.source.clone();
                // A robot coming back under the same name from the new build stays listed
                // (as stopped) until it replaces this one: no gap for status requests.
                let returns = self
                    .waiting
                    .get(&file)
                    .is_some_and(|(_, specs)| specs.iter().any(|s| s.name == name));
                if !returns {
                    self.registry.remove(name);
                }
                drop(entry); // the library unloads here if this was its last robot
                self.start_waiting(&file);
            }
        }
    }

    fn file_removed(&mut self, path: &Path) {
        if path.extension().is_some_and(|e| e == "toml") {
            // Back to the plugin's defaults.
            let so = path.with_extension("so");
            if so.exists() {
                let _ = self.file_changed(&so);
            }
            return;
        }
        self.waiting.remove(path);
        self.registry.set_refused(&path.display().to_string(), None);
        let names = self.files.remove(path).unwrap_or_default();
        for name in names {
            tracing::info!(robot = %name, "plugin file removed: stopping");
            if let Some(entry) = self.robots.get_mut(&name) {
                entry.after_exit.push(AfterExit::Remove);
            }
            self.stop(&name);
        }
    }

    fn begin_shutdown(&mut self, req: Option<u64>) {
        if !self.shutting_down {
            tracing::info!("shutting down: stopping {} robots", self.robots.len());
        }
        self.shutting_down = true;
        self.shutdown_replies.extend(req);
        let running: Vec<String> = self
            .robots
            .iter()
            .filter(|(_, e)| e.thread.is_some())
            .map(|(n, _)| n.clone())
            .collect();
        for name in running {
            self.stop(&name);
        }
    }

    fn finish_shutdown(&mut self) {
        for req in std::mem::take(&mut self.shutdown_replies) {
            self.reply(req, Ok(json!("shutting down")));
        }
        for (_, mut entry) in std::mem::take(&mut self.robots) {
            if let Some(t) = entry.thread.take() {
                t.join();
            }
        }
        let _ = self.links.market.send(MarketCmd::Shutdown);
        let _ = self.links.trades.send(TradeCmd::Shutdown);
        let _ = self.links.control.send(CtlCmd::Shutdown);
    }
}
