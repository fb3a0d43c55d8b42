//! Robots multiplexed on a few worker threads (see `docs/architecture.md`, "Robots on a
//! worker pool").
//!
//! A thread per robot costs a wake-up (5-40 µs on these VMs) for every message each robot
//! gets, so 1,000 robots on one symbol could not keep up with 200 ticks a second. Here every
//! robot is a [`task::Task`]: an ordered inbox that the stream threads push to, and its loop.
//! A push to a robot that is not already waiting puts it on one run queue; a worker takes it,
//! hands it up to [`task::TURN_BUDGET`] inputs, and puts it back at the end of the queue if
//! more wait. A robot is never on two workers at once (its `scheduled` flag), and one that
//! is busy holds up only its own worker.
//!
//! # Layout
//! - [`task`]: a robot's inbox, its turn on a worker, its end.
//! - [`timers`]: the one thread that wakes robots at their timers and journal flushes.
//! - [`watchdog`]: adds a worker while every worker is held by a robot that has been in its
//!   handler too long.
//! - this file: the pool and its workers.

pub mod task;
mod timers;
mod watchdog;

use watchdog::{watchdog, WatchdogWake};

use crate::clock;
use crate::robot::runner::RobotLoop;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use hdrhistogram::Histogram;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
pub use task::{RobotHandle, RobotInbox, WeakInbox, ROBOT_MD_QUEUE};

pub(crate) enum Run {
    Robot(Arc<task::Task>),
    Stop,
}

pub(crate) enum TimerCmd {
    At(Instant, Weak<task::Task>),
    Stop,
}

/// A worker held by one robot's turn this long, with robots waiting and every worker held,
/// makes the watchdog start another.
const STALL: Duration = Duration::from_millis(50);
/// Workers the watchdog may add beyond the configured number.
const MAX_EXTRA: usize = 64;
/// An added worker ends after this long with nothing to run.
const EXTRA_IDLE: Duration = Duration::from_secs(2);

struct WorkerSlot {
    /// When its current turn started (monotonic ns); 0 between turns.
    busy_since: AtomicU64,
    /// Tick -> robot on this worker: from the market data thread's receipt of a message to
    /// the turn that takes it from the robot's inbox, ns. Per worker rather than per robot:
    /// recording into a thousand robots' histograms was a cache miss at every delivery.
    md_wait: Arc<Mutex<Histogram<u64>>>,
    watchdog: Arc<WatchdogWake>,
}

struct Inner {
    run_tx: Sender<Run>,
    run_rx: Receiver<Run>,
    timers_tx: Sender<TimerCmd>,
    slots: Mutex<Vec<Arc<WorkerSlot>>>,
    extra: AtomicUsize,
    /// Every worker's tick -> robot histogram since the start, kept past a worker's end.
    md_waits: Mutex<Vec<Arc<Mutex<Histogram<u64>>>>>,
    watchdog: Arc<WatchdogWake>,
    /// Workers added by the watchdog since the start (`stats`).
    added: AtomicU64,
    stopping: AtomicBool,
}

/// The fleet's robot workers. Dropped or [`Pool::shutdown`]: workers stop after the turn
/// they are in.
pub struct Pool {
    inner: Arc<Inner>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    workers: usize,
}

/// The number of workers when none is configured: one per core, at least two, so a robot
/// that blocks in its handler never holds up all the others.
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
}

impl Pool {
    pub fn start(workers: usize) -> std::io::Result<Arc<Pool>> {
        let workers = workers.max(1);
        let (run_tx, run_rx) = crossbeam_channel::unbounded();
        let (timers_tx, timers_rx) = crossbeam_channel::unbounded();
        let inner = Arc::new(Inner {
            run_tx,
            run_rx,
            timers_tx,
            slots: Mutex::new(Vec::new()),
            extra: AtomicUsize::new(0),
            md_waits: Mutex::new(Vec::new()),
            watchdog: Arc::default(),
            added: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
        });
        let mut threads = Vec::new();
        for i in 0..workers {
            threads.push(spawn_worker(&inner, i, false)?);
        }
        threads.push(
            std::thread::Builder::new()
                .name("robot-timers".into())
                .spawn(move || timers::run(timers_rx))?,
        );
        let watched = Arc::downgrade(&inner);
        let dog = std::thread::Builder::new()
            .name("robot-watchdog".into())
            .spawn(move || watchdog(watched))?;
        let _ = inner.watchdog.thread.set(dog.thread().clone());
        threads.push(dog);
        tracing::info!("{workers} robot workers");
        Ok(Arc::new(Pool {
            inner,
            threads: Mutex::new(threads),
            workers,
        }))
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Workers the watchdog has added since the start.
    pub fn workers_added(&self) -> u64 {
        self.inner.added.load(Ordering::Relaxed)
    }

    /// Tick -> robot over every worker since the start (or the last [`Pool::reset_md_wait`]),
    /// ns: from the market data thread's receipt of a message to the turn that hands it over.
    pub fn md_wait(&self) -> Histogram<u64> {
        let mut all = crate::robot::status::new_histogram();
        self.each_md_wait(|h| {
            let _ = all.add(&*h);
        });
        all
    }

    pub fn reset_md_wait(&self) {
        self.each_md_wait(Histogram::reset);
    }

    fn each_md_wait(&self, mut f: impl FnMut(&mut Histogram<u64>)) {
        let waits = self
            .inner
            .md_waits
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for h in waits.iter() {
            f(&mut h.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    /// Run `robot` on the pool: its start (create or recovery) is its first turn.
    /// `on_exit` runs on a worker after the robot is destroyed.
    pub(crate) fn spawn(
        &self,
        robot: RobotLoop,
        shared: Arc<crate::robot::RobotShared>,
        on_exit: Box<dyn FnOnce() + Send>,
    ) -> (RobotInbox, RobotHandle) {
        let task = task::Task::new(
            task::Body {
                robot,
                on_exit: Some(on_exit),
                wake_asked: None,
            },
            shared,
            self.inner.run_tx.clone(),
            self.inner.timers_tx.clone(),
        );
        let _ = task.shared().inbox.set(WeakInbox(Arc::downgrade(&task)));
        task.wake();
        (RobotInbox(task.clone()), RobotHandle(task))
    }

    /// Stop the workers after their current turns; wait up to `grace` for them. A worker
    /// still inside a robot then is left behind (the process is ending).
    pub fn shutdown(&self, grace: Duration) {
        self.inner.stopping.store(true, Ordering::Relaxed);
        let live = self.workers + self.inner.extra.load(Ordering::Relaxed);
        for _ in 0..live {
            let _ = self.inner.run_tx.send(Run::Stop);
        }
        let _ = self.inner.timers_tx.send(TimerCmd::Stop);
        if let Some(t) = self.inner.watchdog.thread.get() {
            t.unpark();
        }
        let deadline = Instant::now() + grace;
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        for t in threads {
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(2));
            }
            if t.is_finished() {
                let _ = t.join();
            } else {
                tracing::error!(
                    "a robot worker did not stop (a robot stuck in its handler): left behind"
                );
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        if !self.inner.stopping.load(Ordering::Relaxed) {
            self.shutdown(Duration::from_secs(1));
        }
    }
}

fn spawn_worker(inner: &Arc<Inner>, index: usize, extra: bool) -> std::io::Result<JoinHandle<()>> {
    let md_wait = Arc::new(Mutex::new(crate::robot::status::new_histogram()));
    inner
        .md_waits
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(md_wait.clone());
    let slot = Arc::new(WorkerSlot {
        busy_since: AtomicU64::new(0),
        md_wait,
        watchdog: inner.watchdog.clone(),
    });
    inner
        .slots
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(slot.clone());
    let (rx, weak) = (inner.run_rx.clone(), Arc::downgrade(inner));
    std::thread::Builder::new()
        .name(format!("robot-worker-{index}"))
        .spawn(move || {
            work(&rx, &slot, extra);
            if let Some(inner) = weak.upgrade() {
                let mut slots = inner.slots.lock().unwrap_or_else(|e| e.into_inner());
                slots.retain(|s| !Arc::ptr_eq(s, &slot));
                if extra {
                    inner.extra.fetch_sub(1, Ordering::Relaxed);
                }
            }
        })
}

fn work(rx: &Receiver<Run>, slot: &WorkerSlot, extra: bool) {
    let mut batch = Vec::with_capacity(task::TURN_BUDGET);
    loop {
        let run = if extra {
            match rx.recv_timeout(EXTRA_IDLE) {
                Ok(run) => run,
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return,
            }
        } else {
            match rx.recv() {
                Ok(run) => run,
                Err(_) => return,
            }
        };
        match run {
            Run::Stop => return,
            Run::Robot(task) => {
                // One clock read for the turn: the watchdog's, tick -> robot, the robot's
                // idle work.
                let now = Instant::now();
                slot.busy_since
                    .store(clock::mono_ns_at(now).max(1), Ordering::SeqCst);
                slot.watchdog.turn_started();
                // A bug of ours in a turn fails that robot, not the worker and every robot
                // after it (a plugin's own panics are caught at its boundary already).
                let turn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    task.run(&mut batch, &slot.md_wait, now)
                }));
                if let Err(panic) = turn {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "a panic".into());
                    task.fail_internal(&what);
                    batch.clear();
                }
                slot.busy_since.store(0, Ordering::Relaxed);
            }
        }
    }
}
