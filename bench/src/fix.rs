//! `robofleet-bench fix`: the FIX venue's order path. A robot's order written to the store
//! (as the robot loop writes it) -> the gateway -> QuickFIX -> a NewOrderSingle read by a
//! FIX acceptor on loopback, p50/p99, beside a plain TCP loopback round trip of the same
//! size at the same pacing, measured in the same run; then sustained orders a second
//! through the gateway, for each store sync policy (every write fsynced, and grouped).
//!
//! The acceptor is a QuickFIX engine of its own in this process that records when each
//! NewOrderSingle reaches its application callback (after QuickFIX read and checked it):
//! one clock for both ends.

use crate::FixArgs;
use hdrhistogram::Histogram;
use robofleet::gateway::{spawn_gateway_on, GatewayConfig, GatewayStats};
use robofleet::server::zmq_context;
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::{Order, Store};
use robofleet_api::{OrderRequest, OrderType, Price, Side, TimeInForce};
use robofleet_fix::client::FixVenue;
use robofleet_fix::engine::{Engine, Handler, Role, SessionKey};
use robofleet_fix::settings::{self, SessionFile};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The acceptor's application: when each order arrived.
#[derive(Default)]
struct Arrivals {
    logged_on: AtomicBool,
    at: Mutex<HashMap<String, Instant>>,
}

impl Handler for Arrivals {
    fn logon(&self, _: &SessionKey) {
        self.logged_on.store(true, Ordering::Release);
    }

    fn logout(&self, _: &SessionKey) {
        self.logged_on.store(false, Ordering::Release);
    }

    fn app(
        &self,
        _: &SessionKey,
        msg: &robofleet_fix::engine::Message,
    ) -> Result<(), robofleet_fix::engine::MsgFromAppError> {
        let now = Instant::now();
        if let Some(id) = robofleet_fix::engine::field(msg, 11) {
            self.at
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, now);
        }
        Ok(())
    }
}

fn key(sender: &str, target: &str) -> SessionKey {
    SessionKey {
        begin: "FIX.4.4".into(),
        sender: sender.into(),
        target: target.into(),
    }
}

fn order(n: u64) -> Order {
    let req = OrderRequest {
        client_id: format!("bench-{n}"),
        order_seq: n,
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 1,
        order_type: OrderType::Limit {
            price: Price::units(90_000 + (n % 100) as i64),
        },
        tif: TimeInForce::Day,
    };
    Order::new_request("bench", req, robofleet::clock::wall_ns())
}

/// One policy's figures.
struct Run {
    policy: String,
    latency: Histogram<u64>,
    orders_per_s: f64,
}

fn run_policy(args: &FixArgs, policy: SyncPolicy, label: &str, n: usize) -> anyhow::Result<Run> {
    let dir = tempfile::tempdir()?;
    let port = crate::probe::free_port()?;
    let (venue, desk) = (format!("VENUE{n}"), format!("BENCH{n}"));
    let file = |role, sender: &str, target: &str| {
        settings::write(
            &dir.path().join(sender),
            &SessionFile {
                role,
                session: &key(sender, target),
                host: "127.0.0.1",
                port,
                heartbeat_s: 30,
                reconnect_s: 1,
            },
        )
    };
    let arrivals = Arc::new(Arrivals::default());
    let _acceptor = Engine::start(
        &file(Role::Acceptor, &venue, &desk)?,
        Role::Acceptor,
        arrivals.clone(),
    )?;
    let store: Arc<dyn Store> = Arc::new(EmbeddedStore::open(&dir.path().join("store"), policy)?);
    let fix = FixVenue::open(&file(Role::Initiator, &desk, &venue)?)?;
    let cfg = GatewayConfig {
        feed_endpoint: format!("tcp://127.0.0.1:{}", crate::probe::free_port()?),
        session_rate: None,
    };
    let _gateway = spawn_gateway_on(
        zmq_context(),
        store.clone(),
        cfg,
        Arc::new(GatewayStats::default()),
        Box::new(fix),
    )?;
    let up = Instant::now();
    while !arrivals.logged_on.load(Ordering::Acquire) {
        anyhow::ensure!(
            up.elapsed() < Duration::from_secs(20),
            "the FIX session never logged on"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Latency: paced orders, each timed from the robot's store write to its arrival.
    let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3)?;
    let mut sent = Vec::new();
    let total = args.warmup + args.orders;
    for i in 0..total {
        let o = order(i);
        let t0 = Instant::now();
        store.insert_order(&o)?;
        sent.push((o.client_id, t0));
        std::thread::sleep(Duration::from_micros(args.pace_us));
    }
    let wait = Instant::now();
    loop {
        let at = arrivals.at.lock().unwrap_or_else(|e| e.into_inner());
        if sent.iter().all(|(id, _)| at.contains_key(id)) {
            for (id, t0) in sent.iter().skip(args.warmup as usize) {
                let ns = at[id].saturating_duration_since(*t0).as_nanos() as u64;
                latency.record(ns.max(1))?;
            }
            break;
        }
        drop(at);
        anyhow::ensure!(
            wait.elapsed() < Duration::from_secs(60),
            "orders never arrived"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // Throughput: a burst written back to back; orders a second until the last arrives.
    let first = total;
    let ids: Vec<String> = (first..first + args.burst)
        .map(|i| format!("bench-{i}"))
        .collect();
    let start = Instant::now();
    for i in first..first + args.burst {
        store.insert_order(&order(i))?;
    }
    loop {
        let at = arrivals.at.lock().unwrap_or_else(|e| e.into_inner());
        if ids.iter().all(|id| at.contains_key(id)) {
            break;
        }
        drop(at);
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(120),
            "the burst never arrived"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(Run {
        policy: label.into(),
        latency,
        orders_per_s: args.burst as f64 / secs,
    })
}

/// The baseline: a plain TCP round trip on loopback, `size` bytes each way, at the pacing.
fn tcp_round_trip(args: &FixArgs, size: usize) -> anyhow::Result<Histogram<u64>> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let echo = std::thread::spawn(move || -> std::io::Result<()> {
        let (mut s, _) = listener.accept()?;
        s.set_nodelay(true)?;
        let mut buf = vec![0u8; size];
        loop {
            if s.read_exact(&mut buf).is_err() {
                return Ok(());
            }
            s.write_all(&buf)?;
        }
    });
    let mut c = std::net::TcpStream::connect(addr)?;
    c.set_nodelay(true)?;
    let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000_000, 3)?;
    let (out, mut back) = (vec![7u8; size], vec![0u8; size]);
    for i in 0..args.warmup + args.orders {
        let t0 = Instant::now();
        c.write_all(&out)?;
        c.read_exact(&mut back)?;
        if i >= args.warmup {
            h.record((t0.elapsed().as_nanos() as u64).max(1))?;
        }
        std::thread::sleep(Duration::from_micros(args.pace_us));
    }
    drop(c);
    let _ = echo.join();
    Ok(h)
}

pub fn run(args: &FixArgs) -> anyhow::Result<()> {
    // About a NewOrderSingle's size on the wire.
    let rtt = tcp_round_trip(args, 200)?;
    let runs = [
        (SyncPolicy::EveryWrite, "always (every write fsynced)"),
        (
            SyncPolicy::Group,
            "group (group commit: durable before it leaves)",
        ),
        (SyncPolicy::IntervalMs(100), "interval:100 (the default)"),
    ];
    let mut results = Vec::new();
    for (n, (policy, label)) in runs.into_iter().enumerate() {
        results.push(run_policy(args, policy, label, n)?);
    }
    let q = |h: &Histogram<u64>, p: f64| h.value_at_quantile(p) as f64 / 1000.0;
    println!(
        "robot -> NewOrderSingle at a FIX acceptor, {} orders every {} us (after {} warm-up):",
        args.orders, args.pace_us, args.warmup
    );
    println!("| measured | p50 us | p99 us |");
    println!("| --- | ---: | ---: |");
    println!(
        "| TCP loopback round trip, 200 bytes (baseline) | {:.1} | {:.1} |",
        q(&rtt, 0.5),
        q(&rtt, 0.99)
    );
    for r in &results {
        println!(
            "| store sync {}: robot -> NewOrderSingle | {:.1} | {:.1} |",
            r.policy,
            q(&r.latency, 0.5),
            q(&r.latency, 0.99)
        );
    }
    for r in &results {
        println!(
            "  ratio to the TCP round trip at p50, sync {}: {:.1}x",
            r.policy,
            q(&r.latency, 0.5) / q(&rtt, 0.5)
        );
    }
    println!(
        "sustained, a burst of {} orders written back to back:",
        args.burst
    );
    for r in &results {
        println!("  store sync {}: {:.0} orders/s", r.policy, r.orders_per_s);
    }
    Ok(())
}
