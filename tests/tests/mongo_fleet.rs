//! MongoDB as the fleet's one source of truth: two servers and one gateway process share a
//! database; orders written while the gateway is down are taken when it returns; a trade
//! written while a server is down reaches its robot when the server returns, exactly once;
//! a database restart loses nothing.

use mongodb::bson::doc;
use robofleet::gateway::{spawn_gateway, GatewayConfig, GatewayHandle, GatewayStats};
use robofleet::server::{self, zmq_context, ServeConfig, ServerHandle};
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::{GatewayRequest, Order, OrderFilter, RobotUpdate, Store, StoreError};
use robofleet_api::{OrderRequest, OrderStatus, OrderType, Price, Side};
use robofleet_tests::mongo::{self, OwnDb};
use robofleet_tests::orders::{change, fill_of};
use robofleet_tests::*;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn store(uri: &str, consumer: &str) -> Arc<dyn Store> {
    Arc::new(MongoStore::open(&MongoOptions::new(uri, consumer)).unwrap())
}

fn gateway(uri: &str, feed: &Feed) -> (GatewayHandle, Arc<GatewayStats>) {
    let stats = Arc::new(GatewayStats::default());
    let cfg = GatewayConfig {
        feed_endpoint: feed.endpoint.clone(),
        ..GatewayConfig::default()
    };
    let gw_store = store(uri, "gateway:g");
    // What a server would have put there: the gateway checks orders against it.
    gw_store.put_instruments(&test_instruments()).unwrap();
    let g = spawn_gateway(zmq_context(), gw_store, cfg, stats.clone()).unwrap();
    (g, stats)
}

fn server(uri: &str, name: &str, feed: &Feed, plugins: &Path, data: &Path) -> ServerHandle {
    let mut cfg = ServeConfig::new(plugins, data);
    cfg.control_endpoint = "tcp://127.0.0.1:*".into();
    cfg.feed_endpoint = feed.endpoint.clone();
    cfg.store_uri = Some(uri.into());
    cfg.name = name.into();
    cfg.gateway = false;
    server::start(cfg).unwrap()
}

fn robot_dir(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("libpanicky.toml"),
        format!("name = \"{name}\"\n"),
    )
    .unwrap();
    install(&plugin("panicky"), dir.path(), "libpanicky.so");
    dir
}

fn status_of(store: &Arc<dyn Store>, client_id: &str) -> Option<OrderStatus> {
    store
        .orders(&OrderFilter::default())
        .unwrap()
        .into_iter()
        .find(|o| o.client_id == client_id)
        .map(|o| o.status)
}

/// `robofleet gateway` as its own process; killed (SIGTERM, then SIGKILL) when dropped. Its
/// log goes to a file, printed when the test fails.
struct GatewayProcess(std::process::Child, tempfile::NamedTempFile);

impl GatewayProcess {
    fn start(uri: &str, feed: &Feed) -> GatewayProcess {
        let exe = target_dir().join("robofleet");
        let log = tempfile::NamedTempFile::new().expect("gateway log file");
        let stderr = log.reopen().expect("gateway log file");
        let child = std::process::Command::new(exe)
            .args([
                "gateway",
                "--store",
                uri,
                "--feed",
                &feed.endpoint,
                "--every",
                "0",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(stderr)
            .env(
                "RUST_LOG",
                "robofleet=debug,robofleet_gateway=debug,robofleet_core=debug",
            )
            .spawn()
            .expect("start robofleet gateway");
        GatewayProcess(child, log)
    }
}

impl Drop for GatewayProcess {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.0.id().to_string())
            .status();
        if !wait_until(Duration::from_secs(10), || {
            matches!(self.0.try_wait(), Ok(Some(_)))
        }) {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(self.1.path()).unwrap_or_default();
            eprintln!("--- robofleet gateway's log ---\n{log}--- end ---");
        }
    }
}

#[test]
fn two_servers_and_one_gateway_process_share_one_database() {
    let uri = mongo::uri_for("two_servers");
    let mut feed = Feed::new();
    let gw = GatewayProcess::start(&uri, &feed);
    let (pa, pb) = (robot_dir("pa"), robot_dir("pb"));
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = server(&uri, "a", &feed, pa.path(), da.path());
    let b = server(&uri, "b", &feed, pb.path(), db.path());
    let robot = |h: &ServerHandle, n: &str| h.registry.get(n);
    assert!(wait_until(T, || robot(&a, "pa").is_some() && robot(&b, "pb").is_some()));

    // Each robot bids at its first quote; the one gateway accepts both orders.
    assert!(
        wait_until(T, || {
            feed.quote("Si", 100.0, 101.0, 5);
            std::thread::sleep(Duration::from_millis(20));
            status_of(&a.store, "pa-1") == Some(OrderStatus::Working)
                && status_of(&a.store, "pb-1") == Some(OrderStatus::Working)
        }),
        "{:?}",
        a.store.orders(&OrderFilter::default())
    );
    // The market crosses both bids: each fill reaches its own robot on its own server.
    assert!(wait_until(T, || {
        feed.quote("Si", 99.0, 100.0, 5);
        std::thread::sleep(Duration::from_millis(20));
        let fills = |h: &ServerHandle, n: &str| {
            robot(h, n).map_or(0, |r| {
                r.fills_received.load(std::sync::atomic::Ordering::Relaxed)
            })
        };
        fills(&a, "pa") == 1 && fills(&b, "pb") == 1
    }));
    let positions = b.store.positions(None).unwrap();
    assert_eq!(positions.len(), 2, "{positions:?}");
    assert!(positions.iter().all(|p| p.qty == 1));
    assert_eq!(
        a.store.trades(None).unwrap().len(),
        2,
        "one fill per order, not more"
    );
    a.shutdown();
    b.shutdown();
    drop(gw);
}

fn new_order(robot: &str, seq: u64) -> Order {
    let req = OrderRequest {
        client_id: format!("{robot}-{seq}"),
        order_seq: seq,
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 1,
        order_type: OrderType::Limit {
            price: Price::units(1),
        },
        tif: robofleet_api::TimeInForce::Day,
    };
    Order::new_request(robot, req, robofleet::clock::wall_ns())
}

#[test]
fn orders_written_while_the_gateway_is_down_are_taken_once_when_it_returns() {
    let uri = mongo::uri_for("gateway_restart");
    let feed = Feed::new();
    let robots = store(&uri, "server:s");
    let (gw, _) = gateway(&uri, &feed);
    // An order that finishes before the restart: a replay of its insert must not revive it.
    robots.insert_order(&new_order("r", 0)).unwrap();
    assert!(wait_until(T, || status_of(&robots, "r-0")
        == Some(OrderStatus::Working)));
    robots.request_cancel("r-0").unwrap();
    assert!(wait_until(T, || status_of(&robots, "r-0")
        == Some(OrderStatus::Cancelled)));
    robots.insert_order(&new_order("r", 1)).unwrap();
    assert!(wait_until(T, || status_of(&robots, "r-1")
        == Some(OrderStatus::Working)));
    gw.shutdown();

    for seq in 2..=4 {
        robots.insert_order(&new_order("r", seq)).unwrap();
    }
    robots.request_cancel("r-1").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(status_of(&robots, "r-3"), Some(OrderStatus::New));

    let (gw, stats) = gateway(&uri, &feed);
    assert!(wait_until(T, || {
        (2..=4).all(|s| status_of(&robots, &format!("r-{s}")) == Some(OrderStatus::Working))
            && status_of(&robots, "r-1") == Some(OrderStatus::Cancelled)
    }));
    // Each order accepted exactly once, whatever the gateway saw twice.
    std::thread::sleep(Duration::from_millis(500));
    for o in robots.orders(&OrderFilter::default()).unwrap() {
        let working = o
            .history
            .iter()
            .filter(|h| h.status == OrderStatus::Working)
            .count();
        assert_eq!(working, 1, "{} accepted {working} times", o.client_id);
    }
    assert_eq!(status_of(&robots, "r-0"), Some(OrderStatus::Cancelled));
    assert_eq!(
        stats.snapshot().store_errors,
        0,
        "the restarted gateway re-took a finished order"
    );
    gw.shutdown();
}

#[test]
fn a_trade_written_while_a_server_is_down_reaches_its_robot_once_when_it_returns() {
    let uri = mongo::uri_for("server_down");
    let o = new_order("r", 1);
    {
        let server_side = store(&uri, "server:s");
        let (tx, _rx) = crossbeam_channel::unbounded();
        server_side.watch_robot("r", tx).unwrap();
        server_side.insert_order(&o).unwrap();
        assert!(wait_until(T, || status_of(&server_side, "r-1").is_some()));
    } // the server goes down

    let gateway_side = store(&uri, "gateway:g");
    gateway_side
        .update_order(&change(&o, OrderStatus::Working, 0))
        .unwrap();
    gateway_side.insert_trade(&fill_of(&o, "X-1")).unwrap();
    gateway_side
        .update_order(&change(&o, OrderStatus::Filled, 1))
        .unwrap();

    let seen = |expect: usize| {
        let back = store(&uri, "server:s");
        let (tx, rx) = crossbeam_channel::unbounded();
        back.watch_robot("r", tx).unwrap();
        let mut got = Vec::new();
        while let Ok(u) = rx.recv_timeout(Duration::from_millis(if got.len() < expect {
            10_000
        } else {
            700
        })) {
            got.push(match u {
                RobotUpdate::Order(o) => format!("{:?}", o.status),
                RobotUpdate::Trade(t) => t.exec_id,
            });
        }
        got
    };
    assert_eq!(seen(3), ["Working", "X-1", "Filled"]);
    // Back again: all of that was delivered already.
    assert!(seen(0).is_empty());
}

#[test]
fn a_database_restart_loses_nothing() {
    let mut db = OwnDb::start();
    let uri = db.uri("restart");
    let s = store(&uri, "server:s");
    let (tx, rx) = crossbeam_channel::unbounded();
    s.watch_robot("r", tx).unwrap();
    let o1 = new_order("r", 1);
    s.insert_order(&o1).unwrap();
    assert!(wait_until(T, || status_of(&s, "r-1").is_some()));

    db.stop();
    // The robot does not wait for the database: the order is queued, visibly.
    let o2 = new_order("r", 2);
    s.insert_order(&o2).unwrap();
    assert!(wait_until(T, || !s.health().available));
    assert_eq!(s.health().pending_writes, 1);

    db.restart();
    assert!(wait_until(Duration::from_secs(40), || s
        .health()
        .pending_writes
        == 0));
    assert_eq!(status_of(&s, "r-2"), Some(OrderStatus::New));
    assert!(s.health().available);
    // The robot's update stream came back too.
    let g = store(&uri, "gateway:g");
    g.update_order(&change(&o2, OrderStatus::Working, 0))
        .unwrap();
    let mut working = false;
    while let Ok(u) = rx.recv_timeout(T) {
        if matches!(u, RobotUpdate::Order(ref o) if o.client_id == "r-2" && o.status == OrderStatus::Working)
        {
            working = true;
            break;
        }
    }
    assert!(working, "no update after the database came back");
}

#[test]
fn an_order_that_cannot_be_written_in_time_expires_and_is_rejected_once_the_database_is_back() {
    let mut db = OwnDb::start();
    let mut opts = MongoOptions::new(&db.uri("late"), "server:s");
    opts.max_wait = Duration::from_secs(2);
    let s: Arc<dyn Store> = Arc::new(MongoStore::open(&opts).unwrap());
    let (tx, rx) = crossbeam_channel::unbounded();
    s.watch_robot("r", tx).unwrap();
    db.stop();
    s.insert_order(&new_order("r", 1)).unwrap();
    // While the database is away nobody knows whether the write landed: the order waits,
    // visibly, and the robot is not told anything untrue.
    assert!(rx.recv_timeout(Duration::from_secs(4)).is_err());
    let health = s.health();
    assert_eq!(health.pending_writes, 1);
    assert!(!health.available && health.last_error.is_some());

    db.restart();
    match rx
        .recv_timeout(Duration::from_secs(40))
        .expect("a rejection")
    {
        RobotUpdate::Order(o) => {
            assert_eq!(
                (o.client_id.as_str(), o.status),
                ("r-1", OrderStatus::Rejected)
            );
            assert!(o.reason.unwrap().contains("database unavailable"));
        }
        other => panic!("{other:?}"),
    }
    // The rejection is the store's truth too, and it is said once.
    assert_eq!(status_of(&s, "r-1"), Some(OrderStatus::Rejected));
    assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());
    let health = s.health();
    assert_eq!((health.pending_writes, health.failed_writes), (0, 1));
}

#[test]
fn a_robot_subscribed_while_the_database_is_away_gets_its_fills_once_it_is_back() {
    let mut db = OwnDb::start();
    let uri = db.uri("away");
    let mut opts = MongoOptions::new(&uri, "server:s");
    opts.max_wait = Duration::from_secs(2);
    let s: Arc<dyn Store> = Arc::new(MongoStore::open(&opts).unwrap());
    let orders: Vec<Order> = (1..=60).map(|seq| new_order("r", seq)).collect();
    for o in &orders {
        s.insert_order(o).unwrap();
    }
    assert!(wait_until(T, || s
        .orders(&OrderFilter::default())
        .unwrap()
        .len()
        == orders.len()));
    db.stop();
    // The first subscription cannot go live with the database away: it waits its limit, and
    // the robot stays subscribed rather than being left deaf.
    let (tx, rx) = crossbeam_channel::unbounded();
    let started = std::time::Instant::now();
    s.watch_robot("r", tx)
        .expect("subscribed while the database is away");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "the stream was live?"
    );

    db.restart();
    let g = store(&uri, "gateway:g");
    // The stream reopens on its own some time after the database is back: fill one order
    // after another until the robot hears of one.
    let mut heard = Vec::new();
    for (i, o) in orders.iter().enumerate() {
        g.insert_trade(&fill_of(o, &format!("X-{i}"))).unwrap();
        if let Ok(u) = rx.recv_timeout(Duration::from_millis(500)) {
            heard.push(u);
            break;
        }
    }
    assert!(!heard.is_empty(), "the robot never heard of a fill");
    std::thread::sleep(Duration::from_secs(1));
    heard.extend(rx.try_iter());
    let mut ids: Vec<String> = heard
        .iter()
        .map(|u| match u {
            RobotUpdate::Trade(t) => t.exec_id.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "a fill delivered twice: {heard:?}");
}

#[test]
fn a_second_gateway_on_one_database_is_refused_until_the_first_gives_back_or_loses_its_lease() {
    let uri = mongo::uri_for("one_gateway");
    let feed = Feed::new();
    let (first, _) = gateway(&uri, &feed);

    // A second `robofleet gateway` process is refused at start and says who holds the lease.
    let out = robofleet(&[
        "gateway",
        "--store",
        &uri,
        "--feed",
        &feed.endpoint,
        "--name",
        "second",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a second gateway started: {stderr}");
    assert!(
        stderr.contains("holds this database's gateway lease") && stderr.contains("gateway:g@"),
        "{stderr}"
    );

    // Stopped gracefully, the first gives the lease back: the next starts at once.
    first.shutdown();
    let (second, _) = gateway(&uri, &feed);
    second.shutdown();

    // A gateway that dies keeps the lease until it expires (here 2 s), then the next may go.
    let mut opts = MongoOptions::new(&uri, "gateway:dies");
    opts.lease_ttl = Duration::from_secs(2);
    let dying = MongoStore::open(&opts).unwrap();
    let (tx, _rx) = crossbeam_channel::unbounded();
    dying.watch_order_requests(tx).unwrap();
    drop(dying); // no graceful stop: the lease stays behind
    let cfg = || GatewayConfig {
        feed_endpoint: feed.endpoint.clone(),
        ..GatewayConfig::default()
    };
    let stats = Arc::new(GatewayStats::default());
    let refused = spawn_gateway(
        zmq_context(),
        store(&uri, "gateway:next"),
        cfg(),
        stats.clone(),
    );
    match refused {
        Err(e) => assert!(e.to_string().contains("gateway:dies@"), "{e}"),
        Ok(_) => panic!("took a live lease"),
    }
    std::thread::sleep(Duration::from_millis(2100));
    let next = spawn_gateway(zmq_context(), store(&uri, "gateway:next"), cfg(), stats)
        .expect("the expired lease is taken");
    next.shutdown();
}

#[test]
fn a_gateway_whose_lease_is_taken_serves_no_more_orders_and_writes_nothing() {
    let uri = mongo::uri_for("lease_lost");
    let mut opts = MongoOptions::new(&uri, "gateway:old");
    opts.lease_ttl = Duration::from_secs(3);
    let old: Arc<dyn Store> = Arc::new(MongoStore::open(&opts).unwrap());
    let (tx, rx) = crossbeam_channel::unbounded();
    old.watch_order_requests(tx).unwrap();
    let robots = store(&uri, "server:s");
    let first = new_order("r", 1);
    robots.insert_order(&first).unwrap();
    // While it holds the lease it serves orders.
    assert!(matches!(
        rx.recv_timeout(T),
        Ok(GatewayRequest::New(o)) if o.client_id == "r-1"
    ));
    // The lease is taken over behind its back (an operator, or another gateway once the lease
    // had expired during a partition).
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
        let leases = client
            .default_database()
            .unwrap()
            .collection::<mongodb::bson::Document>("leases");
        let taken =
            doc! {"$set": {"holder": "gateway:usurper@elsewhere/1", "expires_ns": i64::MAX}};
        leases
            .update_one(doc! {"_id": "gateway"}, taken)
            .await
            .unwrap();
    });
    // At its next renewal it notices: it writes nothing more ...
    assert!(
        wait_until(T, || matches!(
            old.update_order(&change(&first, OrderStatus::Working, 0)),
            Err(StoreError::GatewayLease(_))
        )),
        "the old gateway still writes"
    );
    assert!(old
        .health()
        .last_error
        .unwrap()
        .contains("gateway lease lost"));
    // ... and takes no new orders.
    robots.insert_order(&new_order("r", 2)).unwrap();
    assert!(wait_until(T, || status_of(&robots, "r-2").is_some()));
    std::thread::sleep(Duration::from_secs(1));
    let late: Vec<GatewayRequest> = rx.try_iter().collect();
    assert!(
        !late
            .iter()
            .any(|r| matches!(r, GatewayRequest::New(o) if o.client_id == "r-2")),
        "{late:?}"
    );
}

#[test]
fn a_database_outage_shows_in_robot_status_and_the_waiting_order_lands_after() {
    let mut db = OwnDb::start();
    let uri = db.uri("outage_status");
    let mut feed = Feed::new();
    let (dir, data) = (robot_dir("po"), tempfile::tempdir().unwrap());
    let srv = server(&uri, "s", &feed, dir.path(), data.path());
    let mut ctl = robofleet::control::client::ControlClient::new(
        &zmq_context(),
        srv.control_endpoint(),
        Duration::from_secs(10),
    );
    let mut status = || {
        ctl.request(&serde_json::json!({"cmd": "status", "robot": "po"}))
            .unwrap()["result"]
            .clone()
    };
    assert!(wait_until(T, || status()["state"]["state"] == "running"));
    db.stop();
    // The robot buys on its first quote while the database is away: the order waits in the
    // server, and the robot's status says so.
    assert!(
        wait_until(T, || {
            feed.quote("Si", 100.0, 101.0, 5);
            let s = status();
            s["store"]["available"] == false && s["store"]["pending_writes"] == 1
        }),
        "{}",
        status()
    );
    assert_eq!(status()["state"]["state"], "running");
    db.restart();
    assert!(
        wait_until(Duration::from_secs(40), || {
            let s = status();
            s["store"]["available"] == true && s["store"]["pending_writes"] == 0
        }),
        "{}",
        status()
    );
    let reader = store(&uri, "reader");
    assert_eq!(status_of(&reader, "po-1"), Some(OrderStatus::New));
    srv.shutdown();
}

#[test]
fn a_robot_name_runs_on_one_server_of_a_shared_database_at_a_time() {
    let uri = mongo::uri_for("robot_names");
    let feed = Feed::new();
    let (pa, pb) = (robot_dir("twin"), robot_dir("twin"));
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let a = server(&uri, "a", &feed, pa.path(), da.path());
    let state = |h: &ServerHandle| {
        h.registry
            .get("twin")
            .map(|r| serde_json::to_value(r.state()).unwrap())
    };
    assert!(wait_until(T, || state(&a).is_some_and(|s| s["state"] == "running")));
    // The same name on a second server: refused, saying where it runs.
    let b = server(&uri, "b", &feed, pb.path(), db.path());
    assert!(
        wait_until(T, || state(&b).is_some_and(|s| s["state"] == "failed")),
        "{:?}",
        state(&b)
    );
    let why = state(&b).unwrap()["detail"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(why.contains("\"twin\" runs on server:a"), "{:?}", state(&b));
    let mut ctl = robofleet::control::client::ControlClient::new(
        &zmq_context(),
        b.control_endpoint(),
        Duration::from_secs(10),
    );
    // `ctl start` there answers name_taken (docs/control-protocol.md, Error codes).
    let reply = ctl
        .request(&serde_json::json!({"cmd": "start", "robot": "twin", "id": 7}))
        .unwrap();
    assert_eq!(
        (&reply["error"]["code"], &reply["id"]),
        (&serde_json::json!("name_taken"), &serde_json::json!(7)),
        "{reply}"
    );
    // Server a stops (its robot releases the name): b may now start it.
    a.shutdown();
    let reply = ctl
        .request(&serde_json::json!({"cmd": "start", "robot": "twin"}))
        .unwrap();
    assert_eq!(reply["ok"], true, "{reply}");
    assert!(wait_until(T, || state(&b).is_some_and(|s| s["state"] == "running")));
    b.shutdown();
}

/// docs/store.md: prices and money rest as `Int64` nano-units, the registry in `instruments`,
/// and positions come out in the spec's money.
#[test]
fn prices_money_and_the_registry_rest_as_the_analysts_read_them() {
    let uri = mongo::uri_for("exact_prices");
    let s = store(&uri, "server:s");
    let mut rts = robofleet::instruments::always_open("RTS", "10".parse().unwrap());
    rts.tick_value = "16.25418".parse().unwrap();
    s.put_instruments(&[rts.clone()]).unwrap();
    let mut o = new_order("r", 1);
    o.symbol = "RTS".into();
    o.order_type = OrderType::Limit {
        price: "110010".parse().unwrap(),
    };
    s.insert_order(&o).unwrap();
    // Order inserts are written behind the call: wait for it to land.
    assert!(wait_until(T, || status_of(&s, "r-1").is_some()));
    let mut buy = fill_of(&o, "X-1");
    buy.price = "110000".parse().unwrap();
    buy.fee = "2.5".parse().unwrap();
    buy.currency = Some("RUB".into());
    assert!(s.insert_trade(&buy).unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (order, trade, spec) = rt.block_on(async {
        let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
        let db = client.default_database().unwrap();
        let get = |c: &str, id: &str| {
            let col = db.collection::<mongodb::bson::Document>(c);
            let id = id.to_string();
            async move { col.find_one(doc! {"_id": id}).await.unwrap().unwrap() }
        };
        (
            get("orders", "r-1").await,
            get("trades", "X-1").await,
            get("instruments", "RTS@always").await,
        )
    });
    let limit = order
        .get_document("order_type")
        .unwrap()
        .get_document("Limit")
        .unwrap();
    assert_eq!(limit.get_i64("price").unwrap(), 110_010_000_000_000);
    assert_eq!(trade.get_i64("price").unwrap(), 110_000_000_000_000);
    assert_eq!(trade.get_i64("fee").unwrap(), 2_500_000_000);
    assert_eq!(trade.get_str("currency").unwrap(), "RUB");
    assert_eq!(spec.get_i64("tick_value").unwrap(), 16_254_180_000);
    assert_eq!(s.instruments().unwrap(), vec![rts]);
    // Read back through the store: the same exact values.
    assert_eq!(s.trades(Some("r")).unwrap()[0], buy);
    let p = &s.positions(Some("r")).unwrap()[0];
    assert_eq!(
        (p.qty, p.fees, p.currency.as_deref()),
        (1, buy.fee, Some("RUB"))
    );
}
