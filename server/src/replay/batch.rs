//! The replay engine's market records: read into a batch and handed to the robot many per
//! call, each settled against the journal as if handed over one by one.

use super::{set_actions, Outcome, ReplayError, ReplayObserver, Replayed, Replayer};
use crate::replay::event_ref::EventRef;
use robofleet_api::abi::{self, RfMarket};

impl<O: ReplayObserver> Replayer<O> {
    /// A market record joins the batch; the event before it recorded no actions.
    pub(super) fn on_market(&mut self, body: &[u8]) {
        let Some(rec) = RfMarket::from_journal_body(body, &mut self.batch_levels) else {
            let why = format!(
                "{} bytes: not a {}-byte record and the levels it counts",
                body.len(),
                abi::MARKET_RECORD_LEN
            );
            return self.fail(ReplayError::Record(String::new(), "Market", why));
        };
        if self.instance.is_none() {
            return self.fail(ReplayError::NoBegin);
        }
        self.settle_empty();
        self.batch.push(rec);
        if self.batch.len() >= self.observer.batch_limit().max(1) {
            self.flush_batch();
        }
    }

    /// Hand the batched market records to the robot. The robot stops at each record it
    /// answers: every record before that one did nothing (as recorded: another market
    /// record followed it) and is settled at once; the answered one waits for its record.
    pub(super) fn flush_batch(&mut self) {
        let mut batch = std::mem::take(&mut self.batch);
        let mut at = 0;
        while at < batch.len() && !self.stop {
            let Some(instance) = self.instance.as_mut() else {
                break;
            };
            let p = &mut self.pending;
            let levels = &self.batch_levels;
            let (done, result) =
                instance.market(&batch[at..], levels, |b| set_actions(&mut p.produced, b));
            if let Err(e) = result {
                p.produced = Outcome::Failed(e.to_string());
            }
            let last = at + done.max(1) - 1;
            for rec in &batch[at..last] {
                self.stats.events += 1;
                self.settle_quiet(rec);
            }
            let mut rec = batch[last];
            // The pending book keeps its own levels: the batch's are cleared after it.
            self.pending_levels.clear();
            if let Some((first, count)) = rec.level_span().filter(|(_, n)| *n > 0) {
                let span = self.batch_levels.get(first..first + count).unwrap_or(&[]);
                self.pending_levels.extend_from_slice(span);
                rec.px[0] = 0;
            }
            let p = &mut self.pending;
            (p.seq, p.ts, p.live, p.market) = (rec.seq, rec.ts, true, Some(rec));
            self.stats.events += 1;
            self.stats.last_seq = rec.seq;
            at = last + 1;
            if at < batch.len() {
                self.settle_empty();
            }
        }
        batch.clear();
        self.batch = batch;
        self.batch_levels.clear();
    }

    /// A market record the robot did nothing with, as recorded.
    fn settle_quiet(&mut self, rec: &RfMarket) {
        self.stats.last_seq = rec.seq;
        let name = self
            .symbols
            .get(rec.symbol as usize)
            .map_or("", String::as_str);
        let replayed = Replayed {
            seq: rec.seq,
            ts: rec.ts,
            event: EventRef::Market(rec, name, &self.batch_levels),
            recorded: &self.empty,
            produced: &self.empty,
            matched: true,
            unrecorded_tail: false,
            instance: self.instance.as_ref(),
        };
        if self.observer.on_event(&replayed).is_break() {
            self.stop = true;
        }
    }
}
