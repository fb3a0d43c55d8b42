//! The synchronous heart of a robot: number an event, journal it, hand it to the robot,
//! journal its actions, return them. No sockets and no store: the live loop and the
//! backtest both drive it, so a backtest runs the live code path.

use super::seen::SeenUpdates;
use crate::journal::format::{self, EndRecord, FailedRecord, RecordKind};
use crate::journal::{JournalError, JournalWriter};
use crate::market::symbols::{self, Known};
use crate::plugin::{CallError, RobotInstance};
use robofleet_api::abi::{RfLevel, RfMarket};
use robofleet_api::{Action, Event, EventKind};
use std::collections::HashSet;

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Robot(#[from] CallError),
    /// Without its journal a robot could not be rebuilt: it stops rather than trade unrecorded.
    #[error("journal write failed, robot stopped: {0}")]
    Journal(#[from] JournalError),
}

/// What came of one input.
#[derive(Debug)]
pub enum Processed {
    Actions(Vec<Action>),
    /// An order update or fill the robot had already seen: not delivered, not journaled.
    Duplicate,
}

pub struct RobotCore {
    instance: RobotInstance,
    seq: u64,
    journal: Option<JournalWriter>,
    seen: SeenUpdates,
    event_buf: Vec<u8>,
    /// Symbol ids this instance has been told (a fresh instance knows none).
    known: Known,
    /// A book's levels on their way to the plugin (reused by `process_md`).
    levels: Vec<RfLevel>,
    /// Pre-trade checks, fed every input (see `core_risk.rs`).
    pub(super) risk: Option<super::core_risk::CoreRisk>,
    /// What the checks changed the trading state to, not yet taken by the loop.
    pub(super) state_changes: Vec<crate::risk::StateChange>,
    /// Client ids of the orders it sent in this run (journaled robots only): a checkpoint
    /// carries them, as a restart reconciles exactly these with the store.
    own_orders: HashSet<String>,
}

impl RobotCore {
    /// Go on from `instance` whose last event was `seq`, having seen `seen`.
    pub fn new(
        instance: RobotInstance,
        seq: u64,
        seen: SeenUpdates,
        journal: Option<JournalWriter>,
    ) -> Self {
        RobotCore {
            instance,
            seq,
            journal,
            seen,
            event_buf: Vec::with_capacity(256),
            known: Known::default(),
            levels: Vec::new(),
            risk: None,
            state_changes: Vec::new(),
            own_orders: HashSet::new(),
        }
    }

    /// The orders sent earlier in this run (rebuilt by replay or from a checkpoint).
    pub fn set_own_orders(&mut self, own: HashSet<String>) {
        self.own_orders = own;
    }

    pub fn own_orders(&self) -> &HashSet<String> {
        &self.own_orders
    }

    pub fn instance(&self) -> &RobotInstance {
        &self.instance
    }

    pub fn journal_mut(&mut self) -> Option<&mut JournalWriter> {
        self.journal.as_mut()
    }

    /// Forget which symbol ids the journal has named since its last `Symbol` records: each
    /// is named again before its next use (a checkpoint's segment names its own).
    pub fn rename_symbols(&mut self) {
        self.known = Known::default();
    }

    /// Trading state changes the checks made since the last call.
    pub fn take_state_changes(&mut self) -> Vec<crate::risk::StateChange> {
        std::mem::take(&mut self.state_changes)
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }

    pub fn seen(&self) -> &SeenUpdates {
        &self.seen
    }

    /// Stop remembering order updates and fills: every one is new. Only for a source that
    /// never repeats itself (the backtest's venue), where remembering would only grow memory.
    pub fn trust_updates(&mut self) {
        self.seen = SeenUpdates::off();
    }

    pub fn instance_mut(&mut self) -> &mut RobotInstance {
        &mut self.instance
    }

    /// Handle one input. The event and the actions are in the journal (handed to the OS, not
    /// just buffered) before this returns actions that leave the robot: write-ahead. Market
    /// data comes through [`RobotCore::process_md`] or [`RobotCore::process_market`], as the
    /// record it crosses as; given here, it would cross and be journaled as postcard like any
    /// other event (correct, only slower).
    pub fn process(&mut self, ts: i64, kind: EventKind) -> Result<Processed, CoreError> {
        if !self.seen.admit(&kind) {
            return Ok(Processed::Duplicate);
        }
        if let Some(change) = self.risk.as_mut().and_then(|r| r.on_event(ts, &kind)) {
            self.state_changes.push(change);
        }
        self.seq += 1;
        let event = Event {
            seq: self.seq,
            ts,
            kind,
        };
        self.event_buf.clear();
        let buf = std::mem::take(&mut self.event_buf);
        self.event_buf = postcard::to_extend(&event, buf)
            .map_err(|e| CallError::Boundary(format!("event: {e}")))?;
        if let Some(j) = self.journal.as_mut() {
            j.append(RecordKind::Event, &self.event_buf)?;
        }
        let journal = &mut self.journal;
        let result = self
            .instance
            .handle_bytes(&self.event_buf, |bytes| journal_actions(journal, bytes));
        self.finish(result)
    }

    /// Handle one piece of market data from a feed or a file, handed over as its record.
    pub fn process_md(&mut self, md: &crate::market::MarketData) -> Result<Processed, CoreError> {
        let id = self.known.id_of(&md.symbol);
        let mut levels = std::mem::take(&mut self.levels);
        md.levels_into(&mut levels);
        let result = self.process_market(md.to_record(id), &levels);
        self.levels = levels;
        result
    }

    /// Handle one market record (its `symbol` an id from [`crate::market::symbols`]; its
    /// `seq` is set here). Journaled as the record itself, handed over as it is: nothing is
    /// decoded or allocated for it on either side of the boundary.
    pub fn process_market(
        &mut self,
        mut rec: RfMarket,
        levels: &[RfLevel],
    ) -> Result<Processed, CoreError> {
        if self.known.tell(rec.symbol) {
            let name = symbols::name(rec.symbol).ok_or_else(|| {
                CallError::Boundary(format!(
                    "market record for unknown symbol id {}",
                    rec.symbol
                ))
            })?;
            if let Some(j) = self.journal.as_mut() {
                format::symbol_body(rec.symbol, &name, &mut self.event_buf);
                j.append(RecordKind::Symbol, &self.event_buf)?;
            }
            self.instance.define_symbol(rec.symbol, &name)?;
        }
        if let Some(change) = self.risk.as_mut().and_then(|r| r.on_market(&rec, levels)) {
            self.state_changes.push(change);
        }
        self.seq += 1;
        rec.seq = self.seq;
        if let Some(j) = self.journal.as_mut() {
            rec.journal_body(levels, &mut self.event_buf);
            j.append(RecordKind::Market, &self.event_buf)?;
        }
        let journal = &mut self.journal;
        let (_, result) = self
            .instance
            .market(std::slice::from_ref(&rec), levels, |bytes| {
                journal_actions(journal, bytes)
            });
        self.finish(result)
    }

    fn finish(
        &mut self,
        result: Result<(Result<(), JournalError>, ActionsDecoded), CallError>,
    ) -> Result<Processed, CoreError> {
        match result {
            Ok((journaled, decoded)) => {
                journaled?;
                let actions = decoded.map_err(|e| CallError::Boundary(format!("actions: {e}")))?;
                if self.journal.is_some() {
                    for action in &actions {
                        if let Action::Submit(req) = action {
                            self.own_orders.insert(req.client_id.clone());
                        }
                    }
                }
                if actions.iter().any(|a| !matches!(a, Action::Log { .. })) {
                    self.flush()?;
                }
                Ok(Processed::Actions(actions))
            }
            Err(e) => {
                if let Some(j) = self.journal.as_mut() {
                    let rec = FailedRecord {
                        seq: self.seq,
                        message: e.to_string(),
                    };
                    let body = postcard::to_allocvec(&rec).unwrap_or_default();
                    j.append(RecordKind::Failed, &body)?;
                    j.sync_now()?;
                }
                Err(e.into())
            }
        }
    }

    /// Hand buffered journal records to the OS (before the loop blocks, and before actions).
    /// Whether journal records wait in the buffer for the OS.
    pub fn has_buffered(&self) -> bool {
        self.journal.as_ref().is_some_and(|j| j.has_buffered())
    }

    pub fn flush(&mut self) -> Result<(), JournalError> {
        match self.journal.as_mut() {
            Some(j) => j.flush(),
            None => Ok(()),
        }
    }

    /// SHA-256 of the robot's current snapshot.
    pub fn state_hash(&self) -> Result<[u8; 32], CallError> {
        self.instance
            .snapshot_bytes()
            .map(|s| format::state_hash(&s))
    }

    /// A graceful end: journal the state hash and force everything to disk.
    pub fn end(&mut self, wall_ns: i64) -> Result<[u8; 32], CoreError> {
        let state_hash = self.state_hash()?;
        if let Some(j) = self.journal.as_mut() {
            let rec = EndRecord {
                seq: self.seq,
                state_hash,
                wall_ns,
            };
            let body = postcard::to_allocvec(&rec).unwrap_or_default();
            j.append(RecordKind::End, &body)?;
            j.sync_now()?;
        }
        Ok(state_hash)
    }
}

impl RobotCore {
    /// Journal a change to what the robot's checks decide by (nothing without a journal).
    pub fn journal_risk(
        &mut self,
        change: format::RiskChange,
    ) -> Result<(), crate::journal::JournalError> {
        let Some(j) = self.journal.as_mut() else {
            return Ok(());
        };
        let rec = format::RiskRecord {
            wall_ns: crate::clock::wall_ns(),
            change,
        };
        // Our own plain record into a Vec: encoding cannot fail.
        let body = postcard::to_allocvec(&rec).unwrap_or_default();
        j.append(RecordKind::Risk, &body)
    }
}

type ActionsDecoded = Result<Vec<Action>, postcard::Error>;

/// Journal a robot's actions (unless it did nothing) and decode them.
fn journal_actions(
    journal: &mut Option<JournalWriter>,
    bytes: &[u8],
) -> (Result<(), JournalError>, ActionsDecoded) {
    if bytes == format::EMPTY_ACTIONS {
        // Most events lead to nothing: no record, nothing to decode.
        return (Ok(()), Ok(Vec::new()));
    }
    let journaled = match journal.as_mut() {
        Some(j) => j.append(RecordKind::Actions, bytes),
        None => Ok(()),
    };
    (journaled, postcard::from_bytes::<Vec<Action>>(bytes))
}
