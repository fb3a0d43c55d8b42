//! Watches the plugin folder and tells the manager about complete files only.
//!
//! A file is complete at close-after-write or at a rename into place, not at create; then
//! it must stay quiet for a moment (a copy may close and reopen). Removals are immediate.

use super::ManagerCmd;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{EventKind, RecursiveMode, Watcher};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub struct WatcherHandle {
    _watcher: notify::RecommendedWatcher,
    stop: Sender<()>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for WatcherHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn relevant(path: &Path) -> bool {
    let hidden = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'));
    let ext = path.extension().and_then(|e| e.to_str());
    !hidden && matches!(ext, Some("so") | Some("toml"))
}

/// Start watching `dir`; complete files go to `manager` after `quiet` without events.
pub fn spawn_watcher(
    dir: &Path,
    quiet: Duration,
    manager: Sender<ManagerCmd>,
) -> notify::Result<WatcherHandle> {
    let (raw_tx, raw_rx) = crossbeam_channel::unbounded::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |res| {
        let _ = raw_tx.send(res);
    })?;
    watcher.watch(dir, RecursiveMode::NonRecursive)?;
    let (stop, stop_rx) = crossbeam_channel::bounded(1);
    let thread = std::thread::Builder::new()
        .name("plugin-watcher".into())
        .spawn(move || settle(raw_rx, stop_rx, quiet, manager))
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    Ok(WatcherHandle {
        _watcher: watcher,
        stop,
        thread: Some(thread),
    })
}

/// How long a file that was created or written but never closed is given before it counts.
const UNCLOSED_GRACE: Duration = Duration::from_secs(3);

fn settle(
    raw: Receiver<notify::Result<notify::Event>>,
    stop: Receiver<()>,
    quiet: Duration,
    manager: Sender<ManagerCmd>,
) {
    // path -> (last event, complete?)
    let mut pending: HashMap<PathBuf, (Instant, bool)> = HashMap::new();
    loop {
        let now = Instant::now();
        let due =
            |(at, complete): &(Instant, bool)| *at + if *complete { quiet } else { UNCLOSED_GRACE };
        let wait = pending
            .values()
            .map(due)
            .min()
            .map(|d| d.saturating_duration_since(now));
        if stop.try_recv().is_ok() {
            return;
        }
        let event = match wait {
            Some(w) => raw.recv_timeout(w.min(Duration::from_millis(200))),
            None => raw.recv_timeout(Duration::from_millis(200)),
        };
        match event {
            Ok(Ok(ev)) => on_event(ev, &mut pending, &manager),
            Ok(Err(e)) => tracing::warn!("plugin folder watch error: {e}"),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let now = Instant::now();
        let ready: Vec<PathBuf> = pending
            .iter()
            .filter(|(_, v)| due(v) <= now)
            .map(|(p, _)| p.clone())
            .collect();
        for path in ready {
            pending.remove(&path);
            if path.exists() && manager.send(ManagerCmd::FileChanged(path)).is_err() {
                return;
            }
        }
    }
}

fn on_event(
    ev: notify::Event,
    pending: &mut HashMap<PathBuf, (Instant, bool)>,
    manager: &Sender<ManagerCmd>,
) {
    let now = Instant::now();
    let mark = |pending: &mut HashMap<PathBuf, (Instant, bool)>, path: &Path, complete: bool| {
        if relevant(path) {
            pending.insert(path.to_path_buf(), (now, complete));
        }
    };
    match ev.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {
            ev.paths.iter().for_each(|p| mark(pending, p, true))
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
            ev.paths.iter().for_each(|p| mark(pending, p, true))
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
            if let [from, to] = ev.paths.as_slice() {
                removed(from, pending, manager);
                mark(pending, to, true);
            }
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::From)) => {
            ev.paths.iter().for_each(|p| removed(p, pending, manager))
        }
        EventKind::Create(_) | EventKind::Modify(_) => {
            ev.paths.iter().for_each(|p| mark(pending, p, false))
        }
        EventKind::Remove(_) => ev.paths.iter().for_each(|p| removed(p, pending, manager)),
        _ => {}
    }
}

fn removed(
    path: &Path,
    pending: &mut HashMap<PathBuf, (Instant, bool)>,
    manager: &Sender<ManagerCmd>,
) {
    if relevant(path) {
        pending.remove(path);
        let _ = manager.send(ManagerCmd::FileRemoved(path.to_path_buf()));
    }
}
