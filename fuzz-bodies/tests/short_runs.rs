//! A short run of every fuzz target on stable, in every `cargo test`: each target's body on
//! its seeds (real inputs made here) and on mutations of them, from a fixed PRNG seed, for
//! a fixed number of inputs. Not coverage-guided (that is `fuzz/`, on nightly): a quick
//! check that no seed or nearby input panics, and a regression set for crashes found.
//!
//! A failing input is written to `target/fuzz-short-runs/<target>-<n>.bin` and named in
//! the panic, to be fed to `cargo +nightly fuzz run <target> <file>`.

use robofleet::control::auth::keys::KeyPair;
use robofleet::journal::format::{RecordKind, RiskChange, RiskRecord};
use robofleet::journal::{JournalOptions, JournalWriter};
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::{AuditEntry, Order, Store};
use robofleet_api::{OrderRequest, OrderType, Price, Side, TimeInForce};
use std::panic::AssertUnwindSafe;

/// Inputs per target beyond its seeds (`FUZZ_SHORT_RUNS` sets another number).
fn mutations() -> usize {
    std::env::var("FUZZ_SHORT_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3_000)
}

/// xorshift64*: the same inputs in every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One mutation of `seed` (with `other` for splices): what libFuzzer's simplest mutators do.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(7) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(v.len() + 1);
                v.insert(i, [0, 0xff, b'"', b'\n', b'9', b'{'][rng.below(6)]);
            }
            3 if !v.is_empty() => {
                let i = rng.below(v.len());
                let n = rng.below(v.len() - i).min(16) + 1;
                v.drain(i..(i + n).min(v.len()));
            }
            4 => v.truncate(rng.below(v.len() + 1)),
            5 if !other.is_empty() => {
                let i = rng.below(v.len() + 1);
                let j = rng.below(other.len());
                let n = rng.below(other.len() - j) + 1;
                v.splice(i..i, other[j..j + n].iter().copied());
            }
            _ => {
                let n = rng.below(8);
                v.extend((0..n).map(|_| rng.next() as u8));
            }
        }
    }
    v
}

fn with(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend_from_slice(body);
    v
}

fn order() -> Order {
    let req = OrderRequest {
        client_id: "r-1".into(),
        order_seq: 1,
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 2,
        order_type: OrderType::Limit {
            price: Price::from_units(99_999).unwrap(),
        },
        tif: TimeInForce::Day,
    };
    Order::new_request("r", req, 1_700_000_000_000_000_000)
}

fn journal_seed() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let (mut w, _) = JournalWriter::open(dir.path(), JournalOptions::default()).unwrap();
    let risk = RiskRecord {
        wall_ns: 5,
        change: RiskChange::FleetHalt("drill".into()),
    };
    w.append(RecordKind::Risk, &postcard::to_allocvec(&risk).unwrap())
        .unwrap();
    let mut symbol = 0u32.to_le_bytes().to_vec();
    symbol.extend_from_slice(b"Si");
    w.append(RecordKind::Symbol, &symbol).unwrap();
    w.append(RecordKind::Market, &[0u8; 72]).unwrap();
    w.append(RecordKind::Event, &[1, 2, 0, 0]).unwrap();
    w.flush().unwrap();
    drop(w);
    let seg = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .next()
        .unwrap();
    std::fs::read(seg.path()).unwrap()
}

fn store_log_seed() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = EmbeddedStore::open(dir.path(), SyncPolicy::Never).unwrap();
        store.insert_order(&order()).unwrap();
        store.request_cancel("r-1").unwrap();
        let entry = AuditEntry {
            ts_ns: 1,
            server: "s".into(),
            who: "local".into(),
            role: "admin".into(),
            cmd: "stop".into(),
            request: "{}".into(),
            result: "ok".into(),
            message: String::new(),
        };
        store.append_audit(&entry).unwrap();
    }
    std::fs::read(dir.path().join("store.log")).unwrap()
}

/// A checkpoint file as the checkpoint thread writes it.
fn checkpoint_seed() -> Vec<u8> {
    use robofleet::journal::checkpoint::{encode_file, CheckpointData};
    use robofleet::journal::format::{BeginRecord, CheckpointRecord};
    let data = CheckpointData {
        record: CheckpointRecord {
            seq: 42,
            state_hash: [7; 32],
            wall_ns: 1,
        },
        begin: BeginRecord {
            args: robofleet_api::CreateArgs {
                name: "r".into(),
                params: robofleet_api::Params::new()
                    .with("every", 2)
                    .with("offset", 5.0),
                symbols: vec!["Si".into()],
                seed: 3,
                first_order_seq: 1,
            },
            build: "template_robot 0.1.0".into(),
            wall_ns: 1,
        },
        build: "template_robot 0.1.0".into(),
        snapshot: vec![1, 2, 3],
        params: robofleet_api::Params::new().with("every", 2),
        seen_orders: vec![("r-1".into(), (1, 2, 0))],
        seen_fills: vec!["E-1".into()],
        own_orders: vec!["r-1".into()],
    };
    encode_file(&data).unwrap()
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let text = |items: &[&str]| items.iter().map(|s| s.as_bytes().to_vec()).collect();
    match target {
        "control_request" => text(&[
            r#"{"cmd":"status","robot":"template","id":42}"#,
            r#"{"cmd":"orders","open_only":true,"limit":5,"before":"17:a-1"}"#,
            r#"{"cmd":"kill_switch","reason":"drill","id":{"x":[1e400]}}"#,
        ]),
        "feed_message" => {
            let md = robofleet::feed::csv::parse_row(
                "2026-11-02T07:00:00.278Z,Si,quote,100000,14,100001,12,,",
            )
            .expect("a sample row");
            let frames = robofleet::market::encode(&md);
            vec![[frames[0].as_slice(), &[0xff], frames[1].as_slice()].concat()]
        }
        "fix_message" => text(&[
            "8=FIX.4.4\x019=133\x0135=8\x0134=5\x0149=V\x0152=20261102-07:00:01.000\x0156=D\x016=100001.25\x0111=ma_si-7\x0114=2\x0117=E-1\x0131=100001.25\x0132=2\x0137=V-9\x0139=1\x0154=2\x0155=Si\x01150=F\x01151=1\x0110=175\x01",
            "8=FIX.4.4\x019=99\x0135=9\x0134=6\x0149=V\x0152=20261102-07:00:01.000\x0156=D\x0111=ma_si-7/c1\x0137=V-9\x0139=0\x0141=ma_si-7\x01434=1\x01102=1\x0158=x\x0110=185\x01",
            "8=FIX.4.4\x019=114\x0135=D\x0134=2\x0149=D\x0152=20261102-07:00:01.000\x0156=V\x0111=r-1\x0138=3\x0140=2\x0144=99999.5\x0154=1\x0155=Si\x0159=3\x0160=20261102-07:00:01.000\x0110=177\x01",
            "20261102-07:00:00.200",
        ])
        .into_iter()
        .chain(market_data_seeds())
        .collect(),
        "csv_row" => text(&[
            "2026-11-02T07:00:00.278Z,Si,quote,100000,14,100001,12,,",
            "2026-11-02T07:00:05.001Z,RTS,trade,,,,,110000,3",
        ]),
        "journal_records" => vec![journal_seed()],
        "plugin_file" => {
            let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
            vec![exe[..exe.len().min(1 << 16)].to_vec()]
        }
        "small_decoders" => text(&["1700000000000000000:r-1", "5", "-3:x:y"]),
        "instruments_file" => text(&[include_str!("../../data/instruments.toml")]),
        "decimal_text" => text(&["99999.5", "-0.000000001", "9223372036.854775807"]),
        "risk_file" => text(&[include_str!("../../bench/data/risk_all_limits.toml")]),
        "store_readers" => {
            let bson = robofleet::store::mongo::codec::to_document(&order()).unwrap();
            let mut bytes = Vec::new();
            bson.to_writer(&mut bytes).unwrap();
            vec![with(0, &store_log_seed()), with(1, &bytes)]
        }
        "config_files" => {
            let pair = KeyPair::generate().unwrap();
            let key = format!(
                "public_key = \"{}\"\nsecret_key = \"{}\"\n",
                pair.public.to_z85(),
                pair.secret.to_z85()
            );
            let access = format!(
                "server_key = \"server.key\"\n[[clients]]\nname = \"ann\"\npublic_key = \"{}\"\nrole = \"admin\"\n",
                pair.public.to_z85()
            );
            vec![
                with(
                    0,
                    b"symbols = [\"Si\"]\n[params]\nevery = 1\n[[instance]]\nname = \"a\"\n",
                ),
                with(1, access.as_bytes()),
                with(2, key.as_bytes()),
                with(3, br#"{"since_ns": 1, "by": "ann", "reason": "drill"}"#),
            ]
        }
        "checkpoint_file" => vec![checkpoint_seed()],
        "ahead_log" => {
            use robofleet::store::sqlite::ahead::{frame, Change};
            let mut bytes = Vec::new();
            frame(1, &Change::Order(order()), &mut bytes).unwrap();
            frame(2, &Change::Instruments(vec![]), &mut bytes).unwrap();
            vec![bytes]
        }
        other => panic!("no seeds for {other}"),
    }
}

#[test]
fn every_fuzz_target_survives_its_seeds_and_their_mutations() {
    // Quiet: a caught panic would otherwise print (and symbolize a backtrace) per input.
    std::panic::set_hook(Box::new(|_| {}));
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz-short-runs");
    let mut failures = Vec::new();
    for (name, body) in robofleet_fuzz_bodies::TARGETS {
        let seeds = seeds(name);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
        let inputs = seeds.iter().cloned().chain((0..mutations()).map(|i| {
            let seed = &seeds[i % seeds.len()];
            let other = &seeds[rng.below(seeds.len())];
            mutate(&mut rng, seed, other)
        }));
        for (n, input) in inputs.enumerate() {
            if std::panic::catch_unwind(AssertUnwindSafe(|| body(&input))).is_err() {
                let _ = std::fs::create_dir_all(&out);
                let file = out.join(format!("{name}-{n}.bin"));
                let _ = std::fs::write(&file, &input);
                failures.push(format!("{name}: input #{n} panicked ({})", file.display()));
                break;
            }
        }
    }
    let _ = std::panic::take_hook();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A MarketDataRequest, a snapshot and an incremental refresh as they cross the wire.
fn market_data_seeds() -> Vec<Vec<u8>> {
    use robofleet_fix::md::messages::{self, MdRequest, Subscription};
    use robofleet_fix::md::{Action, Depth, Entry, EntryKind};
    let entry = |action, kind, price: &str| Entry {
        action,
        kind,
        price: price.parse().unwrap(),
        size: 3,
        ts_ns: Some(1_793_602_800_123_456_789),
    };
    let req = MdRequest {
        id: "d1:Si".into(),
        subscription: Subscription::Updates,
        depth: Depth::Levels(0),
        incremental: true,
        book: true,
        trades: true,
        symbols: vec!["Si".into()],
    };
    let book = [
        entry(Action::New, EntryKind::Bid, "99998.5"),
        entry(Action::New, EntryKind::Offer, "100000"),
    ];
    let changes = [
        entry(Action::Delete, EntryKind::Bid, "99998.5"),
        entry(Action::New, EntryKind::Trade, "100000"),
    ];
    [
        messages::request(&req),
        messages::snapshot("d1:Si", "Si", &book),
        messages::incremental("d1:Si", "Si", &changes),
    ]
    .into_iter()
    .map(|m| {
        let mut m = m.unwrap();
        m.with_header_mut(|h| {
            use robofleet_fix::engine::FieldMap;
            h.set_field(8, "FIX.4.4")?;
            h.set_field(49, "V")?;
            h.set_field(56, "D")?;
            h.set_field(34, 9)?;
            h.set_field(52, "20261102-07:00:01.000")
        })
        .unwrap();
        m.to_fix_string().unwrap().into_bytes()
    })
    .collect()
}
