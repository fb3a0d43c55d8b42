//! The gateway on a FIX 4.4 venue over a real QuickFIX session on loopback: the paper
//! venue (the simulated exchange behind a FIX acceptor, fed by the market feed) on one
//! side, the gateway's FIX initiator on the other, the embedded store behind it.

use robofleet::gateway::throttle::SessionRate;
use robofleet::gateway::{spawn_gateway_on, GatewayConfig, GatewayHandle, GatewayStats};
use robofleet::server::zmq_context;
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::{Order, OrderFilter, Store};
use robofleet_api::{OrderRequest, OrderStatus, OrderType, Price, Side, TimeInForce};
use robofleet_fix::client::FixVenue;
use robofleet_fix::engine::{Role, SessionKey};
use robofleet_fix::paper::{PaperConfig, PaperVenue};
use robofleet_fix::settings::{self, SessionFile};
use robofleet_tests::*;
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn key(sender: &str, target: &str) -> SessionKey {
    SessionKey {
        begin: "FIX.4.4".into(),
        sender: sender.into(),
        target: target.into(),
    }
}

struct Rig {
    feed: Feed,
    store: Arc<dyn Store>,
    _venue: PaperVenue,
    _gateway: GatewayHandle,
    _dir: tempfile::TempDir,
}

fn rig() -> Rig {
    rig_with("PAPER", "DESK", None)
}

/// The paper venue `venue`, and a gateway of session `desk` on it, at `rate` if given.
fn rig_with(venue_name: &str, desk: &str, rate: Option<SessionRate>) -> Rig {
    let feed = Feed::new();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let venue_cfg = settings::write(
        &dir.path().join("venue"),
        &SessionFile {
            role: Role::Acceptor,
            session: &key(venue_name, desk),
            host: "127.0.0.1",
            port,
            heartbeat_s: 5,
            reconnect_s: 1,
        },
    )
    .unwrap();
    let ctx = zmq_context();
    let venue = PaperVenue::start(
        &ctx,
        PaperConfig {
            settings: venue_cfg,
            feed_endpoint: feed.endpoint.clone(),
            instruments: test_instruments(),
            cancel_on_disconnect: false,
        },
    )
    .expect("paper venue starts");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store"), SyncPolicy::Never).unwrap());
    store.put_instruments(&test_instruments()).unwrap();
    let gw_cfg = settings::write(
        &dir.path().join("gateway"),
        &SessionFile {
            role: Role::Initiator,
            session: &key(desk, venue_name),
            host: "127.0.0.1",
            port,
            heartbeat_s: 5,
            reconnect_s: 1,
        },
    )
    .unwrap();
    let fix = FixVenue::start(&gw_cfg, key(desk, venue_name)).expect("FIX initiator starts");
    let gateway = spawn_gateway_on(
        ctx,
        store.clone(),
        GatewayConfig {
            feed_endpoint: feed.endpoint.clone(),
            session_rate: rate,
        },
        Arc::new(GatewayStats::default()),
        Box::new(fix),
    )
    .expect("gateway starts");
    Rig {
        feed,
        store,
        _venue: venue,
        _gateway: gateway,
        _dir: dir,
    }
}

fn order(seq: u64, symbol: &str, side: Side, qty: i64, price: &str) -> Order {
    let req = OrderRequest {
        client_id: format!("desk_robot-{seq}"),
        order_seq: seq,
        symbol: symbol.into(),
        side,
        qty,
        order_type: OrderType::Limit {
            price: price.parse().unwrap(),
        },
        tif: TimeInForce::Day,
    };
    Order::new_request("desk_robot", req, robofleet::clock::wall_ns())
}

fn find(store: &Arc<dyn Store>, id: &str) -> Option<Order> {
    store
        .orders(&OrderFilter::default())
        .unwrap()
        .into_iter()
        .find(|o| o.client_id == id)
}

fn wait_status(rig: &mut Rig, id: &str, want: OrderStatus) -> Order {
    let mut last = None;
    let ok = wait_until(T, || {
        // Quotes keep coming, as a market's do: the paper venue matches on them.
        rig.feed.quote("Si", 100_000.0, 100_002.0, 10);
        last = find(&rig.store, id);
        last.as_ref().is_some_and(|o| o.status == want)
    });
    assert!(ok, "{id} never {want:?}: {last:?}");
    last.unwrap()
}

#[test]
fn orders_amends_cancels_and_rejects_go_over_fix_and_come_back_as_the_venue_says() {
    let mut rig = rig();
    // A buy at the ask fills over FIX: the trade and the order's state come back.
    rig.store
        .insert_order(&order(1, "Si", Side::Buy, 2, "100002"))
        .unwrap();
    let filled = wait_status(&mut rig, "desk_robot-1", OrderStatus::Filled);
    // The venue's id for it is kept (the paper venue's `PX<start>-O<n>`).
    let venue_id = filled.venue_order_id.clone().unwrap_or_default();
    assert!(
        venue_id.starts_with("PX") && venue_id.contains("-O"),
        "{filled:?}"
    );
    assert_eq!(
        (filled.filled_qty, filled.avg_price),
        (2, Price::units(100_002))
    );
    let trades = rig.store.trades(Some("desk_robot")).unwrap();
    assert_eq!(trades.len(), 1, "{trades:?}");
    assert_eq!((trades[0].qty, trades[0].price), (2, Price::units(100_002)));
    assert!(trades[0].exec_id.starts_with("SIM-"), "{:?}", trades[0]);
    assert!(trades[0].venue_ts_ns.is_some());

    // A resting order is amended (its identity kept), then cancelled.
    rig.store
        .insert_order(&order(2, "Si", Side::Buy, 1, "99000"))
        .unwrap();
    wait_status(&mut rig, "desk_robot-2", OrderStatus::Working);
    rig.store
        .request_amend("desk_robot-2", Some(Price::units(99_500)), Some(3))
        .unwrap();
    assert!(wait_until(T, || find(&rig.store, "desk_robot-2")
        .is_some_and(|o| o.amends == 1)));
    let amended = find(&rig.store, "desk_robot-2").unwrap();
    assert_eq!(amended.qty, 3, "{amended:?}");
    assert_eq!(
        amended.order_type,
        OrderType::Limit {
            price: Price::units(99_500)
        }
    );
    rig.store.request_cancel("desk_robot-2").unwrap();
    wait_status(&mut rig, "desk_robot-2", OrderStatus::Cancelled);

    // The venue's reason for a reject reaches the order.
    rig.store
        .insert_order(&order(3, "NOPE", Side::Sell, 1, "5"))
        .unwrap();
    let rejected = wait_status(&mut rig, "desk_robot-3", OrderStatus::Rejected);
    assert!(
        rejected
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("NOPE")),
        "{rejected:?}"
    );
}

#[test]
fn a_bad_settings_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.cfg");
    std::fs::write(&path, "[SESSION]\nBeginString=FIX.4.4\n").unwrap();
    let err = FixVenue::open(&path).err().expect("refused");
    assert!(err.to_string().contains("broken.cfg"), "{err}");
    // A session already running in this process is refused, not started twice.
    let s = SessionFile {
        role: Role::Initiator,
        session: &key("TWICE", "NOBODY"),
        host: "127.0.0.1",
        port: free_port(),
        heartbeat_s: 5,
        reconnect_s: 1,
    };
    let path = settings::write(dir.path(), &s).unwrap();
    let first = FixVenue::open(&path).expect("the first starts");
    let err = FixVenue::open(&path).err().expect("the second is refused");
    assert!(err.to_string().contains("already running"), "{err}");
    drop(first);
    FixVenue::open(&path).expect("free again once the first stopped");
}

/// A session's settings in `<dir>/<sender>/`, on `port`, one-second heartbeats and reconnects.
fn session_file(
    dir: &std::path::Path,
    port: u16,
    role: Role,
    sender: &str,
    target: &str,
) -> std::path::PathBuf {
    settings::write(
        &dir.join(sender),
        &SessionFile {
            role,
            session: &key(sender, target),
            host: "127.0.0.1",
            port,
            heartbeat_s: 1,
            reconnect_s: 1,
        },
    )
    .unwrap()
}

fn venue_process(cfg: &std::path::Path, feed: &str, data: &std::path::Path) -> std::process::Child {
    write_test_instruments(data);
    std::process::Command::new(target_dir().join("robofleet"))
        .args(["venue", "--feed", feed])
        .arg("--fix")
        .arg(cfg)
        .arg("--data")
        .arg(data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start robofleet venue")
}

#[test]
fn a_fleet_paper_trades_over_fix_and_holds_its_orders_while_the_venue_is_down() {
    let mut feed = Feed::new();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let file =
        |role, sender: &str, target: &str| session_file(dir.path(), port, role, sender, target);
    let venue_cfg = file(Role::Acceptor, "PAPER2", "FLEET");
    let gateway_cfg = file(Role::Initiator, "FLEET", "PAPER2");
    let venue_data = dir.path().join("venue-data");
    let mut venue = venue_process(&venue_cfg, &feed.endpoint, &venue_data);

    // `robofleet serve --fix`: the template robot buys at the bid on every quote, each
    // order replacing the one before; the walk fills some.
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    install(
        &plugin("template_robot"),
        plugins.path(),
        "libtemplate_robot.so",
    );
    std::fs::write(
        plugins.path().join("libtemplate_robot.toml"),
        "[params]\nevery = 1\noffset = 0\n",
    )
    .unwrap();
    let mut cfg = TestServer::config(&feed.endpoint, plugins.path(), data.path());
    cfg.fix = Some(gateway_cfg);
    let mut srv = TestServer::from_handle(robofleet::server::start(cfg).expect("server starts"));
    let trades = |srv: &mut TestServer| srv.trades("template").as_array().unwrap().len();
    assert!(
        wait_until(Duration::from_secs(40), || {
            random_walk(
                &mut feed,
                &[("Si", 100_000.0)],
                20,
                7,
                Duration::from_millis(2),
            );
            trades(&mut srv) >= 3
        }),
        "no fills over FIX"
    );
    for t in srv.trades("template").as_array().unwrap() {
        assert!(t["exec_id"].as_str().unwrap().starts_with("SIM-"), "{t}");
    }
    // Order -> FIX -> fill -> robot -> position: the robot heard each fill the store has,
    // and its position is what they add up to (the template robot only buys).
    assert!(
        wait_until(T, || {
            let fills = srv.status("template")["fills_received"].as_u64();
            let trades = srv.trades("template");
            let trades = trades.as_array().unwrap();
            let bought: i64 = trades.iter().map(|t| t["qty"].as_i64().unwrap()).sum();
            let positions = srv.ok(serde_json::json!({"cmd": "positions", "robot": "template"}));
            fills == Some(trades.len() as u64)
                && positions[0]["symbol"] == "Si"
                && positions[0]["qty"].as_i64() == Some(bought)
        }),
        "the robot's fills and position should match the store's trades"
    );

    // The venue goes away: new orders are held, not lost and not rejected.
    venue.kill().unwrap();
    venue.wait().unwrap();
    let count = |srv: &mut TestServer, status: &str| {
        srv.orders("template")
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["status"] == status)
            .count()
    };
    let new_before = count(&mut srv, "New");
    assert!(
        wait_until(T, || {
            random_walk(
                &mut feed,
                &[("Si", 100_000.0)],
                2,
                8,
                Duration::from_millis(20),
            );
            count(&mut srv, "New") > new_before
        }),
        "orders should wait as New while the venue is down"
    );
    let rejected_before = count(&mut srv, "Rejected");
    // Visibly: in the robot's status and the gateway's stats.
    let status = srv.status("template");
    assert_eq!(status["venue_session"], "down", "{status}");
    assert!(status["held_orders"].as_u64().unwrap() > 0, "{status}");
    let stats = srv.ok(serde_json::json!({"cmd": "stats"}));
    assert_eq!(stats["gateway"]["venue_session"], "down", "{stats}");
    assert!(stats["gateway"]["held"].as_u64().unwrap() > 0, "{stats}");

    // Back (sequence numbers from both sides' file stores): what was held goes out, and
    // trading goes on.
    let mut venue = venue_process(&venue_cfg, &feed.endpoint, &venue_data);
    let before = trades(&mut srv);
    assert!(
        wait_until(Duration::from_secs(40), || {
            random_walk(
                &mut feed,
                &[("Si", 100_000.0)],
                20,
                9,
                Duration::from_millis(2),
            );
            trades(&mut srv) > before
        }),
        "no fills after the venue came back"
    );
    assert_eq!(count(&mut srv, "Rejected"), rejected_before);
    let status = srv.status("template");
    assert_eq!(
        (&status["venue_session"], &status["held_orders"]),
        (&"up".into(), &0.into()),
        "{status}"
    );
    srv.stop();
    venue.kill().unwrap();
    venue.wait().unwrap();
}

/// The exec ids of the fills a venue sent on a session, read from QuickFIX's message store
/// (`<FileStorePath>/<BeginString>-<Sender>-<Target>.body`: every message it sent).
fn fills_sent(store_dir: &std::path::Path, sender: &str, target: &str) -> Vec<String> {
    let body = store_dir.join(format!("FIX.4.4-{sender}-{target}.body"));
    let text = std::fs::read(&body).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    text.split("8=FIX.4.4\x01")
        .filter(|m| m.contains("\x0135=8\x01") && m.contains("\x01150=F\x01"))
        .filter_map(|m| {
            m.split('\x01')
                .find_map(|f| f.strip_prefix("17="))
                .map(String::from)
        })
        .collect()
}

#[test]
fn kill_9_of_the_server_at_random_points_loses_and_doubles_no_fill_and_no_order() {
    let mut feed = Feed::new();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let file =
        |role, sender: &str, target: &str| session_file(dir.path(), port, role, sender, target);
    let venue_cfg = file(Role::Acceptor, "PAPER3", "FLEET3");
    let gateway_cfg = file(Role::Initiator, "FLEET3", "PAPER3");
    let mut venue = venue_process(&venue_cfg, &feed.endpoint, &dir.path().join("venue-data"));
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    install(
        &plugin("template_robot"),
        plugins.path(),
        "libtemplate_robot.so",
    );
    std::fs::write(
        plugins.path().join("libtemplate_robot.toml"),
        "[params]\nevery = 1\noffset = 0\n",
    )
    .unwrap();
    let control = format!("tcp://127.0.0.1:{}", free_port());
    let feed_endpoint = feed.endpoint.clone();
    let serve = || {
        serve_command(plugins.path(), data.path())
            .args(["--control", &control, "--feed", &feed_endpoint])
            .arg("--fix")
            .arg(&gateway_cfg)
            .args(["--settle-ms", "50"])
            // The durable setting docs/venues.md gives for a live venue: group commit.
            .args(["--sync", "group"])
            .spawn()
            .expect("start robofleet serve")
    };
    let mut client = robofleet::control::client::ControlClient::new(
        &zmq_context(),
        &control,
        Duration::from_secs(10),
    );
    let page = |client: &mut robofleet::control::client::ControlClient, what: &str| {
        client
            .request(&serde_json::json!({"cmd": what, "robot": "template", "limit": 10000}))
            .ok()
            .and_then(|r| r["result"][what].as_array().cloned())
    };
    // Seeded "random" points: a kill -9 after 150-600 ms of trading, five times.
    let mut seed: u64 = 11;
    for round in 0..5 {
        let mut server = serve();
        assert!(wait_until(T, || page(&mut client, "orders").is_some()));
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let ms = 150 + (seed >> 33) % 450;
        let until = std::time::Instant::now() + Duration::from_millis(ms);
        while std::time::Instant::now() < until {
            random_walk(
                &mut feed,
                &[("Si", 100_000.0)],
                5,
                seed + round,
                Duration::from_millis(2),
            );
        }
        server.kill().unwrap();
        server.wait().unwrap();
    }
    // Once more, left to settle: every order the store holds is known to the venue or
    // finished, and the fills are exactly the venue's.
    let mut server = serve();
    assert!(wait_until(T, || page(&mut client, "orders").is_some()));
    random_walk(
        &mut feed,
        &[("Si", 100_000.0)],
        40,
        99,
        Duration::from_millis(5),
    );
    let sent_dir = dir.path().join("PAPER3").join("store");
    let mut got: Vec<String> = Vec::new();
    let mut want: Vec<String> = Vec::new();
    let settled = wait_until(Duration::from_secs(30), || {
        let Some(trades) = page(&mut client, "trades") else {
            return false;
        };
        let Some(orders) = page(&mut client, "orders") else {
            return false;
        };
        got = trades
            .iter()
            .map(|t| t["exec_id"].as_str().unwrap().to_string())
            .collect();
        want = fills_sent(&sent_dir, "PAPER3", "FLEET3");
        let pending = orders.iter().filter(|o| o["status"] == "New").count();
        got.len() == want.len() && pending == 0
    });
    got.sort();
    want.sort();
    let mut unique = got.clone();
    unique.dedup();
    assert!(
        settled,
        "store {} fills, venue sent {}",
        got.len(),
        want.len()
    );
    assert_eq!(unique.len(), got.len(), "a fill stored twice");
    assert_eq!(got, want, "the store's fills are not the venue's");
    assert!(!got.is_empty(), "no fills at all");
    eprintln!("kill -9 x5: {} fills, all the venue sent", got.len());
    server.kill().unwrap();
    server.wait().unwrap();
    venue.kill().unwrap();
    venue.wait().unwrap();
}

#[test]
fn a_venue_that_cancels_on_disconnect_is_heard_when_the_gateway_is_back() {
    let mut feed = Feed::new();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let file =
        |role, sender: &str, target: &str| session_file(dir.path(), port, role, sender, target);
    let ctx = zmq_context();
    let _venue = PaperVenue::start(
        &ctx,
        PaperConfig {
            settings: file(Role::Acceptor, "PAPER4", "DESK4"),
            feed_endpoint: feed.endpoint.clone(),
            instruments: test_instruments(),
            cancel_on_disconnect: true,
        },
    )
    .unwrap();
    let gateway_cfg = file(Role::Initiator, "DESK4", "PAPER4");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store"), SyncPolicy::Never).unwrap());
    store.put_instruments(&test_instruments()).unwrap();
    let endpoint = feed.endpoint.clone();
    let gateway = || {
        let fix = FixVenue::open(&gateway_cfg).unwrap();
        let cfg = GatewayConfig {
            feed_endpoint: endpoint.clone(),
            session_rate: None,
        };
        spawn_gateway_on(
            ctx.clone(),
            store.clone(),
            cfg,
            Arc::new(GatewayStats::default()),
            Box::new(fix),
        )
        .unwrap()
    };
    let first = gateway();
    store
        .insert_order(&order(1, "Si", Side::Buy, 1, "90000"))
        .unwrap();
    assert!(wait_until(T, || {
        feed.quote("Si", 100_000.0, 100_002.0, 10);
        find(&store, "desk_robot-1").is_some_and(|o| o.status == OrderStatus::Working)
    }));
    // The gateway goes (its session logs out): the venue cancels what the session had.
    first.shutdown();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        find(&store, "desk_robot-1").unwrap().status,
        OrderStatus::Working
    );
    let _second = gateway();
    assert!(
        wait_until(T, || find(&store, "desk_robot-1")
            .is_some_and(|o| o.status == OrderStatus::Cancelled)),
        "{:?}",
        find(&store, "desk_robot-1")
    );
    let o = find(&store, "desk_robot-1").unwrap();
    assert_eq!(
        o.reason.as_deref(),
        Some("cancelled on disconnect"),
        "{o:?}"
    );
}

/// The SendingTime (ms since the epoch) of every NewOrderSingle a session sent, from its
/// QuickFIX message store.
fn orders_sent_ms(store_dir: &std::path::Path, sender: &str, target: &str) -> Vec<i64> {
    let body = store_dir.join(format!("FIX.4.4-{sender}-{target}.body"));
    let text = std::fs::read(&body).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    text.split("8=FIX.4.4\x01")
        .filter(|m| m.contains("\x0135=D\x01"))
        .filter_map(|m| m.split('\x01').find_map(|f| f.strip_prefix("52=")))
        .filter_map(robofleet_fix::time::parse)
        .map(|ns| ns / 1_000_000)
        .collect()
}

#[test]
fn a_burst_of_orders_goes_out_at_the_venues_message_rate() {
    // 10 a second, 2 at once: 24 orders take 2.2 s at least.
    let rate = SessionRate { rate: 10, burst: 2 };
    let mut rig = rig_with("PAPER6", "DESK6", Some(rate));
    // The session must be up first, or the burst would wait as held orders instead.
    rig.store
        .insert_order(&order(100, "Si", Side::Buy, 1, "90000"))
        .unwrap();
    wait_status(&mut rig, "desk_robot-100", OrderStatus::Working);
    for seq in 1..=24 {
        rig.store
            .insert_order(&order(seq, "Si", Side::Buy, 1, "90000"))
            .unwrap();
    }
    let store_dir = rig._dir.path().join("gateway").join("store");
    let mut sent = Vec::new();
    assert!(
        wait_until(Duration::from_secs(30), || {
            sent = orders_sent_ms(&store_dir, "DESK6", "PAPER6");
            sent.len() == 25
        }),
        "{} of 25 orders sent",
        sent.len()
    );
    let burst = &sent[1..];
    // In any second, at most rate + burst; the whole burst no faster than the rate allows.
    for (i, t) in burst.iter().enumerate() {
        let in_a_second = burst[i..].iter().take_while(|u| **u < t + 1000).count();
        assert!(
            in_a_second <= 12,
            "{in_a_second} orders within a second from #{i}: {burst:?}"
        );
    }
    let span = burst[23] - burst[0];
    assert!(
        span >= 2000,
        "24 orders in {span} ms at 10/s with a burst of 2: {burst:?}"
    );
}
