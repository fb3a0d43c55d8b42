//! Determinism: every example robot's live session replays bit-identically from its journal
//! (actions and final state hash), a robot that reads the wall clock is caught at its first
//! divergent event, and a new build is checked against, then rebuilt from, the journal.

use robofleet_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

#[test]
fn each_example_robot_replays_bit_identically() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("ma_cross"), dir, "libma_cross.so");
        install(&plugin("market_maker"), dir, "libmarket_maker.so");
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    let robots = ["ma_cross", "market_maker", "template"];
    assert!(wait_until(T, || robots
        .iter()
        .all(|r| srv.state(r) == "running")));
    srv.ok(json!({"cmd": "set_params", "robot": "ma_cross", "params": {"slow": 12}}));
    srv.ok(json!({"cmd": "command", "robot": "template", "name": "hello", "args": "x"}));
    let mut seed = 7;
    assert!(
        wait_until(Duration::from_secs(60), || {
            seed += 1;
            random_walk(
                &mut feed,
                &[("Si", 90_000.0), ("RTS", 110_000.0)],
                50,
                seed,
                Duration::from_millis(1),
            );
            ["ma_cross", "market_maker"]
                .iter()
                .all(|r| srv.status(r)["fills_received"].as_u64().unwrap_or(0) > 0)
        }),
        "the robots trade"
    );
    let data = srv.stop_keeping_data();
    let journal = data.path().join("journal");

    let out = tempfile::tempdir().unwrap();
    let data = out.path().to_string_lossy().to_string();
    for (robot, krate) in [
        ("ma_cross", "ma_cross"),
        ("market_maker", "market_maker"),
        ("template", "template_robot"),
    ] {
        let so = plugin(krate).to_string_lossy().to_string();
        let (code, r) = replay_report(
            &journal,
            robot,
            &["--plugin", &so, "--data", &data, "--run-id", robot],
        );
        assert_eq!(code, 0, "{r}");
        assert_eq!(r["identical"], json!(true), "{robot}: {r:#}");
        assert_eq!(r["divergent_events"], json!(0));
        assert!(
            r["ends_checked"].as_u64().unwrap() >= 1,
            "the graceful end's state hash was checked: {r}"
        );
        assert_eq!(r["end_mismatches"], json!(0));
        assert!(r["events_replayed"].as_u64().unwrap() > 20, "{r}");
        assert!(r["final_state_hash"].as_str().unwrap().len() == 64);
        let run_dir = out.path().join("replay").join(robot);
        let run: Value =
            serde_json::from_slice(&std::fs::read(run_dir.join("run.json")).unwrap()).unwrap();
        assert_eq!(run["_id"], json!(robot));
        assert_eq!(run["identical"], json!(true));
        let snapshots = std::fs::read_to_string(run_dir.join("snapshots.jsonl")).unwrap();
        assert!(snapshots.contains("\"why\":\"final\""));
        if robot != "template" {
            assert!(r["actions"].as_u64().unwrap() > 0, "{robot} acted: {r}");
            let actions = std::fs::read_to_string(run_dir.join("actions.jsonl")).unwrap();
            assert!(actions.lines().count() > 0);
            assert!(
                actions.contains("Submit"),
                "{robot}'s orders are in the replay output"
            );
        }
    }
}

#[test]
fn a_robot_that_reads_the_wall_clock_is_caught_at_its_first_divergent_event() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("wallclock"), dir, "libwallclock.so");
    });
    assert!(wait_until(T, || srv.state("wallclock") == "running"));
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        srv.status("wallclock")["orders_sent"].as_u64().unwrap_or(0) >= 3
    }));
    let data = srv.stop_keeping_data();
    let journal = data.path().join("journal");
    let so = plugin("wallclock").to_string_lossy().to_string();
    let (code, r) = replay_report(&journal, "wallclock", &["--check", &so]);
    assert_eq!(code, 1, "a divergent replay fails the check: {r}");
    assert_eq!(r["identical"], json!(false));
    let first = &r["first_divergence"];
    // Event #1 is Start, #2 Si's spec; #3 is the first quote, where the clock first leaks
    // into an order.
    assert_eq!(first["seq"], json!(3), "{r:#}");
    assert!(first["event"]["kind"]["Quote"].is_object(), "{first}");
    let qty = |v: &Value| v[0]["Submit"]["qty"].as_i64().unwrap();
    assert_ne!(qty(&first["recorded"]), qty(&first["produced"]));
}

#[test]
fn a_new_build_is_checked_against_the_journal_then_rebuilt_from_it() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("counter_v1"), dir, "libcounter.so");
    });
    assert!(wait_until(T, || srv.state("counter") == "running"));
    // Quotes one by one until the robot's order for its `qty`-th quote shows: the robot's
    // quote count is then `qty` or a little more, whatever the feed lost while connecting.
    let feed_until_order = |feed: &mut Feed, srv: &mut TestServer, qty: i64| {
        assert!(wait_until(T, || {
            feed.quote("Si", 100.0, 101.0, 5);
            std::thread::sleep(Duration::from_millis(5));
            let orders = srv.orders("counter");
            orders
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["qty"] == json!(qty))
        }));
    };
    feed_until_order(&mut feed, &mut srv, 20);
    let journal = srv.data.path().join("journal");
    let v2 = plugin("counter_v2").to_string_lossy().to_string();
    let (code, r) = replay_report(&journal, "counter", &["--check", &v2]);
    assert_eq!(
        (code, &r["identical"]),
        (0, &json!(true)),
        "v2 differs only from quote 30: {r:#}"
    );

    feed_until_order(&mut feed, &mut srv, 30);
    let (code, r) = replay_report(&journal, "counter", &["--check", &v2]);
    assert_eq!(code, 1, "{r:#}");
    let first = &r["first_divergence"];
    // The 30th quote (its seq also counts the order updates that came in between).
    assert!(first["event"]["kind"]["Quote"].is_object(), "{r:#}");
    assert_eq!(first["recorded"][0]["Submit"]["qty"], json!(30), "{r:#}");
    assert_eq!(first["recorded"][0]["Submit"]["side"], json!("Buy"));
    assert_eq!(first["produced"][0]["Submit"]["side"], json!("Sell"));

    // Deploy v2 anyway: it rebuilds the robot's state from the journal before going live.
    install(&plugin("counter_v2"), srv.plugins.path(), "libcounter.so");
    assert!(wait_until(T, || {
        srv.status("counter")["recovery"]
            .as_str()
            .unwrap_or("")
            .contains("new build")
    }));
    let status = srv.status("counter");
    assert!(
        status["recovery"].as_str().unwrap().contains(&format!(
            "differ from the recorded ones from event #{}",
            first["seq"]
        )),
        "{status}"
    );
    assert!(wait_until(T, || srv.state("counter") == "running"));
    // The count goes on from where it was: quote 40 sells 40 lots (a fresh robot would
    // buy 10 lots at its 10th quote).
    feed_until_order(&mut feed, &mut srv, 40);
    let orders = srv.orders("counter");
    let qtys: Vec<i64> = orders
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["qty"].as_i64().unwrap())
        .collect();
    assert_eq!(
        qtys,
        [10, 20, 30, 40],
        "one order per 10 quotes, ids unique, none twice"
    );
    assert_eq!(orders[3]["side"], json!("Sell"), "{orders}");
    srv.stop();
}

#[test]
fn replay_results_land_in_mongodb_collections_for_analysts() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("counter_v1"), dir, "libcounter.so");
    });
    assert!(wait_until(T, || srv.state("counter") == "running"));
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        std::thread::sleep(Duration::from_millis(2));
        srv.status("counter")["orders_sent"].as_u64().unwrap_or(0) >= 2
    }));
    let data = srv.stop_keeping_data();
    let uri = robofleet_tests::mongo::uri_for("replay_out");
    let so = plugin("counter_v1").to_string_lossy().to_string();
    let journal = data.path().join("journal");
    let (code, r) = replay_report(
        &journal,
        "counter",
        &[
            "--plugin",
            &so,
            "--store",
            &uri,
            "--run-id",
            "run-1",
            "--snapshot-every",
            "5",
        ],
    );
    assert_eq!((code, &r["identical"]), (0, &json!(true)), "{r:#}");

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use mongodb::bson::{doc, Document};
        let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
        let db = client.default_database().unwrap();
        let run = db
            .collection::<Document>("replay_runs")
            .find_one(doc! {"_id": "run-1"})
            .await
            .unwrap()
            .expect("the run document");
        assert!(run.get_bool("identical").unwrap());
        assert_eq!(run.get_str("robot").unwrap(), "counter");
        // The same documents as the embedded store's files: docs/replay.md's shapes
        // (tests/docs_drift.rs checks the files; this the collections).
        use robofleet_tests::doc_shapes::{Checker, Doc, Ty};
        let shapes = Doc::load("docs/replay.md");
        let checker = Checker::new(&shapes);
        let json = |d: &Document| mongodb::bson::Bson::Document(d.clone()).into_relaxed_extjson();
        checker
            .check(&json(&run), &Ty::Ref("replay_runs".into()), "replay_runs")
            .unwrap();
        assert!(
            run.get_str("output").is_ok(),
            "where the results went: {run}"
        );
        for (collection, shape) in [
            ("replay_actions", "replay_actions"),
            ("replay_snapshots", "replay_snapshots"),
        ] {
            let mut cursor = db
                .collection::<Document>(collection)
                .find(doc! {"run": "run-1"})
                .await
                .unwrap();
            let mut docs = Vec::new();
            while cursor.advance().await.unwrap() {
                docs.push(cursor.deserialize_current().unwrap());
            }
            assert!(!docs.is_empty(), "{collection}");
            for d in &docs {
                checker
                    .check(&json(d), &Ty::Ref(shape.into()), collection)
                    .unwrap();
            }
        }
        let actions = db.collection::<Document>("replay_actions");
        let orders = actions
            .count_documents(doc! {"run": "run-1", "actions.Submit.qty": {"$in": [10, 20]}})
            .await
            .unwrap();
        assert_eq!(orders, 2, "one document per event that acted");
        let snapshots = db.collection::<Document>("replay_snapshots");
        assert!(
            snapshots
                .count_documents(doc! {"run": "run-1", "why": "every"})
                .await
                .unwrap()
                >= 2
        );
        assert_eq!(
            snapshots
                .count_documents(doc! {"run": "run-1", "why": "final"})
                .await
                .unwrap(),
            1
        );
    });
}
