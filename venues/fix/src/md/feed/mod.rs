//! `robofleet feed --fix`: a FIX venue's market data on the fleet's ZeroMQ feed.
//!
//! An initiator session subscribes at every logon (one MarketDataRequest per symbol and
//! kind) and a publisher thread turns what comes back into the feed's wire messages:
//! - a top-of-book subscription (MarketDepth 1) into a `quote` at each refresh that touched
//!   the bid or offer, once both sides are known;
//! - a depth subscription into a `depth` snapshot at each W and a `depth` update at each X
//!   (the symbol's next `seq`; a deleted level as quantity 0), so consumers rebuild the
//!   venue's book exactly; a new logon's snapshot resets it;
//! - trade entries into `trade` messages.
//!
//! Each message keeps its entries' own time (MDEntryDate + MDEntryTime, else the message's
//! SendingTime); `sent_ns` is the wall clock at publish.

mod publisher;

use super::messages::{self, MdMessage};
use crate::engine::{Engine, EngineError, Handler, Role, SessionKey};
use crate::tags::SENDING_TIME;
use crate::{time, FixMapError};
use crossbeam_channel::Sender;
use publisher::Publisher;
use quickfix::{FieldMap, Message, MsgFromAppError};
use robofleet_core::feed::publisher::open_xpub;
use robofleet_core::feed::FeedError;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Which of a symbol's book to subscribe to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BookKind {
    Quotes,
    Depth,
    Both,
}

pub struct FixFeedConfig {
    /// QuickFIX settings of the initiator session to the venue.
    pub settings: PathBuf,
    /// Where to publish (ZeroMQ XPUB bind).
    pub endpoint: String,
    pub sndhwm: i32,
    pub symbols: Vec<String>,
    pub book: BookKind,
    /// Levels a side for depth (0: all the venue has).
    pub depth: u32,
    pub trades: bool,
}

/// What the feed has done, for its stats line and the tests.
#[derive(Debug, Default)]
pub struct FixFeedCounters {
    pub logons: AtomicU64,
    pub published: AtomicU64,
    pub dropped_hwm: AtomicU64,
    /// MarketDataRequestRejects heard.
    pub rejected: AtomicU64,
    /// Messages that could not be read, or about no subscription of this logon.
    pub unreadable: AtomicU64,
}

/// The running feed. Dropping it stops it.
pub struct FixFeed {
    engine: Option<Engine>,
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<Result<(), FeedError>>>,
    pub counters: Arc<FixFeedCounters>,
}

#[derive(Debug, thiserror::Error)]
pub enum FixFeedError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Feed(#[from] FeedError),
    #[error("cannot start the publisher thread: {0}")]
    Spawn(std::io::Error),
    #[error("nothing to subscribe to: no symbols")]
    NoSymbols,
}

enum Inbound {
    Logon(SessionKey),
    Data {
        msg: MdMessage,
        sending_ns: Option<i64>,
    },
}

struct Subscriber {
    tx: Sender<Inbound>,
    counters: Arc<FixFeedCounters>,
}

impl Handler for Subscriber {
    fn logon(&self, session: &SessionKey) {
        tracing::info!(venue = %session.target, "FIX market data session logged on");
        self.counters.logons.fetch_add(1, Ordering::Relaxed);
        let _ = self.tx.send(Inbound::Logon(session.clone()));
    }

    fn logout(&self, session: &SessionKey) {
        tracing::warn!(venue = %session.target, "FIX market data session logged out");
    }

    fn app(&self, session: &SessionKey, msg: &Message) -> Result<(), MsgFromAppError> {
        match messages::read(msg) {
            Ok(md) => {
                let sending_ns = msg
                    .with_header(|h| h.get_field(SENDING_TIME))
                    .and_then(|t| time::parse(&t));
                // Blocking here holds the venue's messages in TCP: backpressure, not loss.
                let _ = self.tx.send(Inbound::Data {
                    msg: md,
                    sending_ns,
                });
                Ok(())
            }
            Err(FixMapError::Unexpected(t)) => {
                tracing::debug!(venue = %session.target, "FIX: message type {t} ignored");
                Ok(())
            }
            Err(e) => {
                self.counters.unreadable.fetch_add(1, Ordering::Relaxed);
                tracing::error!(venue = %session.target, "FIX: market data not read: {e}");
                Err(MsgFromAppError::IncorrectDataFormat)
            }
        }
    }
}

impl FixFeed {
    pub fn start(ctx: &zmq::Context, cfg: FixFeedConfig) -> Result<FixFeed, FixFeedError> {
        if cfg.symbols.is_empty() {
            return Err(FixFeedError::NoSymbols);
        }
        let socket = open_xpub(ctx, &cfg.endpoint, cfg.sndhwm)?;
        // Every subscriber's subscription, not just a topic's first: each joiner gets the
        // books as they are (see `Publisher::joined`).
        socket
            .set_xpub_verbose(true)
            .map_err(|source| FeedError::Zmq {
                op: "set XPUB_VERBOSE",
                source,
            })?;
        let counters = Arc::new(FixFeedCounters::default());
        let (tx, rx) = crossbeam_channel::bounded(65_536);
        let (stop_tx, stop_rx) = crossbeam_channel::bounded(1);
        let settings = cfg.settings.clone();
        let mut publisher = Publisher::new(cfg, socket, counters.clone());
        let thread = std::thread::Builder::new()
            .name("fix-feed".into())
            .spawn(move || publisher.run(&rx, &stop_rx))
            .map_err(FixFeedError::Spawn)?;
        let mut feed = FixFeed {
            engine: None,
            stop: Some(stop_tx),
            thread: Some(thread),
            counters: counters.clone(),
        };
        let handler = Subscriber { tx, counters };
        feed.engine = Some(Engine::start(
            &settings,
            Role::Initiator,
            Arc::new(handler),
        )?);
        Ok(feed)
    }

    /// Stop, and say how the publisher ended.
    pub fn stop(mut self) -> Result<(), FeedError> {
        self.halt()
    }

    fn halt(&mut self) -> Result<(), FeedError> {
        if let Some(e) = self.engine.take() {
            e.stop();
        }
        self.stop.take();
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => {
                tracing::error!("the FIX feed's publisher panicked");
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl Drop for FixFeed {
    fn drop(&mut self) {
        if let Err(e) = self.halt() {
            tracing::error!("FIX feed: {e}");
        }
    }
}
