//! [`check_restore`]: does a robot rebuilt from its snapshot act exactly as the original?

use crate::robot::{Actions, Robot};
use crate::types::{Action, CreateArgs, Event, EventKind};

/// The first event's time, as the [`crate::testing::Harness`] numbers events.
const T0: i64 = 1_700_000_000_000_000_000;

/// Check [`Robot::restore`] for any robot: `Start` then `events` go to a robot created from
/// `args`; at every point in between it is snapshotted and a second robot restored from the
/// snapshot, and both get the rest. Every later event must give the same actions (client
/// order ids included), and both must end with the same snapshot. `Err` says where they part.
pub fn check_restore<R: Robot>(args: &CreateArgs, events: &[EventKind]) -> Result<(), String> {
    let all: Vec<Event> = std::iter::once(EventKind::Start)
        .chain(events.iter().cloned())
        .enumerate()
        .map(|(i, kind)| Event {
            seq: i as u64 + 1,
            ts: T0 + (i as i64 + 1) * 1_000_000,
            kind,
        })
        .collect();
    for split in 1..=all.len() {
        let mut original = R::create(args)?;
        let mut out = Actions::new(&args.name, args.first_order_seq);
        for e in &all[..split] {
            original.on_event(e, &mut out);
            out.take();
        }
        let snapshot = original.snapshot();
        let mut restored = R::restore(args, &snapshot)
            .map_err(|e| format!("restore after event #{split}: {e}"))?;
        let mut restored_out = Actions::new(&args.name, out.next_order_seq());
        if restored.snapshot() != snapshot {
            return Err(format!(
                "restored after event #{split}, its snapshot differs from the one it came from"
            ));
        }
        for e in &all[split..] {
            original.on_event(e, &mut out);
            restored.on_event(e, &mut restored_out);
            let (want, got): (Vec<Action>, Vec<Action>) = (out.take(), restored_out.take());
            if want != got {
                return Err(format!(
                    "restored after event #{split}: event #{} ({}) gave {got:?}, the original {want:?}",
                    e.seq,
                    e.kind.name()
                ));
            }
        }
        if restored.snapshot() != original.snapshot() {
            return Err(format!(
                "restored after event #{split}: the final snapshots differ"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Params, Quote, RobotInfo};
    use crate::Price;

    /// Buys on every third quote; its snapshot holds the count, or (forgetful) nothing.
    struct Counter {
        quotes: u64,
    }

    static FORGETFUL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

    impl Robot for Counter {
        fn info() -> RobotInfo {
            RobotInfo {
                name: "counter".into(),
                description: String::new(),
                default_params: Params::new(),
                default_symbols: vec!["Si".into()],
                timer_ms: None,
                feeds: crate::Feeds::QUOTES,
            }
        }
        fn create(_: &CreateArgs) -> Result<Self, String> {
            Ok(Counter { quotes: 0 })
        }
        fn on_event(&mut self, event: &Event, out: &mut Actions) {
            if let EventKind::Quote(q) = &event.kind {
                self.quotes += 1;
                if self.quotes.is_multiple_of(3) {
                    out.buy_limit(&q.symbol, 1, q.bid);
                }
            }
        }
        fn snapshot(&self) -> Vec<u8> {
            if FORGETFUL.load(std::sync::atomic::Ordering::Relaxed) {
                return Vec::new();
            }
            self.quotes.to_le_bytes().to_vec()
        }
        fn restore(_: &CreateArgs, snapshot: &[u8]) -> Result<Self, String> {
            let quotes = match <[u8; 8]>::try_from(snapshot) {
                Ok(bytes) => u64::from_le_bytes(bytes),
                Err(_) if snapshot.is_empty() => 0,
                Err(_) => return Err("bad snapshot".into()),
            };
            Ok(Counter { quotes })
        }
    }

    /// The default `restore`.
    struct NoRestore;

    impl Robot for NoRestore {
        fn info() -> RobotInfo {
            Counter::info()
        }
        fn create(_: &CreateArgs) -> Result<Self, String> {
            Ok(NoRestore)
        }
        fn on_event(&mut self, _: &Event, _: &mut Actions) {}
        fn snapshot(&self) -> Vec<u8> {
            Vec::new()
        }
    }

    fn args() -> CreateArgs {
        CreateArgs {
            name: "counter".into(),
            params: Params::new(),
            symbols: vec!["Si".into()],
            seed: 1,
            first_order_seq: 7,
        }
    }

    fn quotes(n: usize) -> Vec<EventKind> {
        (0..n)
            .map(|i| {
                EventKind::Quote(Quote {
                    symbol: "Si".into(),
                    bid: Price::units(100 + i as i64),
                    bid_size: 1,
                    ask: Price::units(101 + i as i64),
                    ask_size: 1,
                })
            })
            .collect()
    }

    #[test]
    fn an_honest_restore_passes_and_a_forgetful_one_is_caught_where_it_parts() {
        assert_eq!(check_restore::<Counter>(&args(), &quotes(10)), Ok(()));
        FORGETFUL.store(true, std::sync::atomic::Ordering::Relaxed);
        let err = check_restore::<Counter>(&args(), &quotes(10)).unwrap_err();
        FORGETFUL.store(false, std::sync::atomic::Ordering::Relaxed);
        // Restored after Start and one quote with the count lost: the original buys at its
        // third quote (event #4), the restored one not until later.
        assert!(err.starts_with("restored after event #2: "), "{err}");
        assert!(err.contains("event #4 (Quote)"), "{err}");
        let none = check_restore::<NoRestore>(&args(), &quotes(1)).unwrap_err();
        assert!(none.contains("Robot::restore is not implemented"), "{none}");
    }
}
