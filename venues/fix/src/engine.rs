//! A QuickFIX engine (initiator or acceptor) on a thread of its own, from a QuickFIX
//! settings file. QuickFIX's objects borrow one another and are not `Send`, so one thread
//! makes them, starts the sockets and keeps them until told to stop; what the sessions
//! receive reaches us through [`Handler`], called on QuickFIX's threads, and messages go
//! out with [`send`] from any thread (QuickFIX's sessions lock for it).

use crate::FixMapError;
use quickfix::{
    Acceptor, Application, ApplicationCallback, ConnectionHandler, FileMessageStoreFactory,
    FixSocketServerKind, Initiator, LogCallback, LogFactory, MsgFromAdminError, SessionId,
    SessionSettings,
};
pub use quickfix::{DataDictionary, FieldMap, Message, MsgFromAppError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A field of `msg`'s body, as text.
pub fn field(msg: &Message, tag: i32) -> Option<String> {
    use quickfix::FieldMap;
    msg.get_field(tag)
}

/// QuickFIX's FIX 4.4 data dictionary, shipped with the binary (QuickFIX's spec file):
/// written beside the settings for `DataDictionary=` to name.
pub const FIX44_XML: &str = include_str!("../spec/FIX44.xml");

/// The FIX 4.4 dictionary loaded (from a copy in the temp folder), to read a message's
/// text with its repeating groups as a session would; for tests and fuzzing.
pub fn fix44_dictionary() -> Result<quickfix::DataDictionary, FixMapError> {
    static WRITTEN: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    let path = WRITTEN.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("robofleet-FIX44-{}.xml", std::process::id()));
        std::fs::write(&path, FIX44_XML)
            .map(|()| path.clone())
            .map_err(|e| format!("{}: {e}", path.display()))
    });
    match path {
        Ok(path) => Ok(quickfix::DataDictionary::try_from_path(path)?),
        Err(e) => Err(FixMapError::Bad {
            tag: 0,
            name: "DataDictionary",
            value: e.clone(),
            why: "cannot be written",
        }),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Initiator,
    Acceptor,
}

/// A session as plain strings (QuickFIX's `SessionId` cannot leave its thread).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SessionKey {
    pub begin: String,
    pub sender: String,
    pub target: String,
}

impl SessionKey {
    fn of(id: &SessionId) -> SessionKey {
        SessionKey {
            begin: id.get_begin_string().unwrap_or_default(),
            sender: id.get_sender_comp_id().unwrap_or_default(),
            target: id.get_target_comp_id().unwrap_or_default(),
        }
    }

    fn id(&self) -> Result<SessionId, FixMapError> {
        Ok(SessionId::try_new(
            &self.begin,
            &self.sender,
            &self.target,
            "",
        )?)
    }
}

/// What the engine tells us; called on QuickFIX's threads.
pub trait Handler: Send + Sync {
    fn logon(&self, session: &SessionKey);
    fn logout(&self, session: &SessionKey);
    /// An application message. An `Err` makes QuickFIX reject it at the session level.
    fn app(&self, session: &SessionKey, msg: &Message) -> Result<(), MsgFromAppError>;
    /// A logon from the other side (acceptor): `Err` refuses it.
    fn admin(&self, _session: &SessionKey, _msg: &Message) -> Result<(), MsgFromAdminError> {
        Ok(())
    }
}

/// Send `msg` on `session`: `Ok(false)` when the session is not logged on (QuickFIX keeps
/// it in its store and the counterparty can ask for it again).
pub fn send(msg: Message, session: &SessionKey) -> Result<(), FixMapError> {
    quickfix::send_to_target(msg, &session.id()?)?;
    Ok(())
}

struct Callbacks(Arc<dyn Handler>);

impl ApplicationCallback for Callbacks {
    fn on_logon(&self, session: &SessionId) {
        self.0.logon(&SessionKey::of(session));
    }

    fn on_logout(&self, session: &SessionId) {
        self.0.logout(&SessionKey::of(session));
    }

    fn on_msg_from_admin(
        &self,
        msg: &Message,
        session: &SessionId,
    ) -> Result<(), MsgFromAdminError> {
        self.0.admin(&SessionKey::of(session), msg)
    }

    fn on_msg_from_app(&self, msg: &Message, session: &SessionId) -> Result<(), MsgFromAppError> {
        self.0.app(&SessionKey::of(session), msg)
    }
}

/// QuickFIX's log, into ours.
struct Tracing;

impl LogCallback for Tracing {
    fn on_incoming(&self, session: Option<&SessionId>, msg: &str) {
        let s = session.map(SessionId::to_repr).unwrap_or_default();
        tracing::trace!(session = %s, "FIX in: {}", msg.replace('\x01', "|"));
    }

    fn on_outgoing(&self, session: Option<&SessionId>, msg: &str) {
        let s = session.map(SessionId::to_repr).unwrap_or_default();
        tracing::trace!(session = %s, "FIX out: {}", msg.replace('\x01', "|"));
    }

    fn on_event(&self, session: Option<&SessionId>, msg: &str) {
        let s = session.map(SessionId::to_repr).unwrap_or_default();
        tracing::debug!(session = %s, "FIX: {msg}");
    }
}

/// A running engine. Dropping it stops it.
pub struct Engine {
    stop: Option<crossbeam_channel::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    sessions: Vec<SessionKey>,
}

/// The sessions of this process's engines: QuickFIX keeps one process-wide table of
/// sessions, and a second session of the same id crashes it, so that is refused here first.
static RUNNING: std::sync::Mutex<Vec<SessionKey>> = std::sync::Mutex::new(Vec::new());

fn running() -> std::sync::MutexGuard<'static, Vec<SessionKey>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("FIX settings {path}: {error}")]
    Settings { path: PathBuf, error: String },
    #[error("FIX engine: {0}")]
    Start(String),
    #[error("cannot start the FIX thread: {0}")]
    Spawn(std::io::Error),
}

impl Engine {
    /// Read the QuickFIX settings at `settings` and start its sessions as `role`.
    pub fn start(
        settings: &Path,
        role: Role,
        handler: Arc<dyn Handler>,
    ) -> Result<Engine, EngineError> {
        let path = settings.to_path_buf();
        let sessions =
            crate::settings::sessions_of(settings).map_err(|error| EngineError::Settings {
                path: path.clone(),
                error,
            })?;
        {
            let mut taken = running();
            if let Some(s) = sessions.iter().find(|s| taken.contains(s)) {
                return Err(EngineError::Start(format!(
                    "session {}:{}->{} is already running in this process",
                    s.begin, s.sender, s.target
                )));
            }
            taken.extend(sessions.iter().cloned());
        }
        let (ready_tx, ready_rx) = crossbeam_channel::bounded::<Result<(), EngineError>>(1);
        let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
        let thread = std::thread::Builder::new()
            .name(match role {
                Role::Initiator => "fix-initiator".into(),
                Role::Acceptor => "fix-acceptor".into(),
            })
            .spawn(move || {
                let callbacks = Callbacks(handler);
                if let Err(e) = serve(&path, role, &callbacks, &ready_tx, &stop_rx) {
                    let _ = ready_tx.send(Err(e));
                }
            })
            .map_err(|e| {
                running().retain(|s| !sessions.contains(s));
                EngineError::Spawn(e)
            })?;
        let engine = Engine {
            stop: Some(stop_tx),
            thread: Some(thread),
            sessions,
        };
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(engine),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(EngineError::Start(
                "the FIX thread ended while starting".into(),
            )),
        }
    }

    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let mine = std::mem::take(&mut self.sessions);
        running().retain(|s| !mine.contains(s));
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.halt();
    }
}

/// The engine's thread: make QuickFIX's objects, start, say so, wait for the stop.
fn serve(
    path: &Path,
    role: Role,
    callbacks: &Callbacks,
    ready: &crossbeam_channel::Sender<Result<(), EngineError>>,
    stop: &crossbeam_channel::Receiver<()>,
) -> Result<(), EngineError> {
    let bad = |e: quickfix::QuickFixError| EngineError::Settings {
        path: path.to_path_buf(),
        error: e.to_string(),
    };
    let start_err = |e: quickfix::QuickFixError| EngineError::Start(e.to_string());
    let settings = SessionSettings::try_from_path(path).map_err(bad)?;
    let store = FileMessageStoreFactory::try_new(&settings).map_err(bad)?;
    let log = LogFactory::try_new(&Tracing).map_err(start_err)?;
    let app = Application::try_new(callbacks).map_err(start_err)?;
    let kind = FixSocketServerKind::MultiThreaded;
    match role {
        Role::Initiator => {
            let mut sockets =
                Initiator::try_new(&settings, &app, &store, &log, kind).map_err(bad)?;
            sockets.start().map_err(start_err)?;
            let _ = ready.send(Ok(()));
            let _ = stop.recv();
            let _ = sockets.stop();
        }
        Role::Acceptor => {
            let mut sockets =
                Acceptor::try_new(&settings, &app, &store, &log, kind).map_err(bad)?;
            sockets.start().map_err(start_err)?;
            let _ = ready.send(Ok(()));
            let _ = stop.recv();
            let _ = sockets.stop();
        }
    }
    Ok(())
}
