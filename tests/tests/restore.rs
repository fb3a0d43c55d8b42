//! ABI 3's restore through the real plugin boundary: each example robot, built as the server
//! loads it, is snapshotted mid-stream and rebuilt from the bytes; the rebuilt robot acts as
//! the original on every event after. A robot without `restore` says so.

use robofleet::plugin::{load_plugin, RobotInstance};
use robofleet_api::{CreateArgs, Event, EventKind, Price, Quote};
use robofleet_tests::{plugin, test_instruments};
use std::sync::Arc;

/// Start, the specs, then a walking market with a jump in the middle (so the crossover and
/// the market maker's requotes act), some of it for a symbol the robot does not trade.
fn events() -> Vec<Event> {
    let mut kinds = vec![EventKind::Start];
    kinds.extend(test_instruments().into_iter().map(EventKind::Instrument));
    let mut mid: i64 = 100_000;
    for i in 0..120i64 {
        mid += match i % 7 {
            0 | 3 => -2,
            5 => 3,
            _ => 1,
        };
        if i == 60 {
            mid += 40;
        }
        for symbol in ["Si", "RTS", "BENCH"] {
            kinds.push(EventKind::Quote(Quote {
                symbol: symbol.into(),
                bid: Price::units(mid),
                bid_size: 5,
                ask: Price::units(mid + 1),
                ask_size: 5,
            }));
        }
    }
    kinds.push(EventKind::Timer { id: 0 });
    kinds.push(EventKind::Stop);
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| Event {
            seq: i as u64 + 1,
            ts: 1_793_602_800_000_000_000 + i as i64 * 1_000_000,
            kind,
        })
        .collect()
}

fn args(name: &str, params: robofleet_api::Params, symbols: Vec<String>) -> CreateArgs {
    CreateArgs {
        name: name.into(),
        params,
        symbols,
        seed: 9,
        first_order_seq: 5,
    }
}

#[test]
fn every_example_robot_is_rebuilt_from_its_snapshot_across_the_boundary() {
    let private = tempfile::tempdir().unwrap();
    for crate_name in [
        "template_robot",
        "ma_cross",
        "market_maker",
        "latency_probe",
    ] {
        let loaded = Arc::new(load_plugin(&plugin(crate_name), private.path()).unwrap());
        let info = loaded.info.clone();
        let args = args(
            &info.name,
            info.default_params.clone(),
            info.default_symbols.clone(),
        );
        let events = events();
        let split = events.len() / 2;
        let mut original = RobotInstance::create(loaded.clone(), &args).unwrap();
        let mut sent = 0;
        for e in &events[..split] {
            sent += original.handle(e).unwrap().len();
        }
        let snapshot = original.snapshot_bytes().unwrap();
        let mut restored = RobotInstance::restore(loaded.clone(), &args, &snapshot).unwrap();
        assert_eq!(restored.snapshot_bytes().unwrap(), snapshot, "{crate_name}");
        for e in &events[split..] {
            let (want, got) = (original.handle(e).unwrap(), restored.handle(e).unwrap());
            assert_eq!(got, want, "{crate_name}: event #{} after a restore", e.seq);
            sent += want.len();
        }
        assert!(sent > 0, "{crate_name} did nothing: the test shows nothing");
        assert_eq!(
            restored.snapshot_bytes().unwrap(),
            original.snapshot_bytes().unwrap(),
            "{crate_name}"
        );
    }
}

#[test]
fn a_robot_without_restore_says_so_and_bad_bytes_are_an_error() {
    let private = tempfile::tempdir().unwrap();
    let panicky = Arc::new(load_plugin(&plugin("panicky"), private.path()).unwrap());
    let a = args("panicky", Default::default(), vec!["Si".into()]);
    let snapshot = RobotInstance::create(panicky.clone(), &a)
        .unwrap()
        .snapshot_bytes()
        .unwrap();
    let err = RobotInstance::restore(panicky, &a, &snapshot)
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("Robot::restore is not implemented"),
        "{err}"
    );
    let template = Arc::new(load_plugin(&plugin("template_robot"), private.path()).unwrap());
    let err = RobotInstance::restore(template, &a, b"\xff\xff garbage")
        .err()
        .unwrap();
    assert!(err.to_string().contains("bad snapshot"), "{err}");
}
