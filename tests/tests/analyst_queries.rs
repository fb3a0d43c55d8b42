//! docs/store.md's examples for analysts, run as they are written (only the data folder
//! changed) against the SQLite store of a fleet that is trading while they run: the
//! `sqlite3` commands and the pandas snippet.

use robofleet_tests::*;
use serde_json::json;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The first fenced block of `lang` in the "The SQLite store" section of docs/store.md.
fn doc_block(lang: &str) -> String {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/store.md"))
        .expect("docs/store.md");
    let section = doc
        .split("## The SQLite store")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a SQLite section in docs/store.md");
    let fence = format!("```{lang}\n");
    let start = section.find(&fence).expect("the block") + fence.len();
    let len = section[start..].find("```").expect("its end");
    section[start..start + len].to_string()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("the command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_documented_sqlite3_and_pandas_queries_read_a_running_fleet() {
    let mut feed = Feed::new();
    let endpoint = feed.endpoint.clone();
    let mut server = TestServer::start(&endpoint, |plugins| {
        install(&plugin("market_maker"), plugins, "libmarket_maker.so");
    });
    let stop = Arc::new(AtomicBool::new(false));
    let feeder = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut seed = 3;
            while !stop.load(Ordering::Relaxed) {
                seed += 1;
                random_walk(
                    &mut feed,
                    &[("Si", 90_000.0)],
                    20,
                    seed,
                    Duration::from_millis(1),
                );
            }
        })
    };
    assert!(wait_until(Duration::from_secs(30), || {
        server.ctl(json!({"cmd": "status", "robot": "market_maker"}))["result"]["fills_received"]
            .as_u64()
            .unwrap_or(0)
            >= 5
    }));
    let data = server.data.path().to_string_lossy().into_owned();
    let here = |block: String| block.replace("robofleet-data/", &format!("{data}/"));

    // The sqlite3 commands, while the robots trade: the store applies its writes to the file
    // within about 100 ms of them.
    let sh = here(doc_block("sh"));
    let mut out = String::new();
    assert!(
        wait_until(Duration::from_secs(5), || {
            out = run(Command::new("bash").args(["-euo", "pipefail", "-c", &sh]));
            out.contains("market_maker|Si|")
        }),
        "trades summed by robot and symbol: {out}\n{sh}"
    );

    // The pandas snippet, and a check that prices are exact decimal text.
    let check = "\nfrom decimal import Decimal\nassert len(trades) > 0, 'no trades'\n\
                 assert set(trades['robot']) == {'market_maker'}\n\
                 print(len(trades), sum(Decimal(p) for p in trades['price']))\n";
    let script = here(doc_block("python")) + check;
    let out = run(Command::new("python3").args(["-c", &script]));
    let (count, _) = out.trim().split_once(' ').expect("count and sum");
    assert!(count.parse::<u64>().unwrap() > 0, "{out}");

    stop.store(true, Ordering::Relaxed);
    let _ = feeder.join();
    server.stop();
}
