//! End-to-end tests of the publisher against real ZeroMQ sockets.

use super::*;
use crate::feed::{Speed, SyntheticConfig};
use crate::market::decode;
use std::io::Write;

fn free_tcp_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("tcp://127.0.0.1:{port}")
}

fn subscriber(ctx: &zmq::Context, endpoint: &str, rcvhwm: i32) -> zmq::Socket {
    let sub = ctx.socket(zmq::SUB).unwrap();
    sub.set_rcvhwm(rcvhwm).unwrap();
    sub.set_rcvtimeo(5000).unwrap();
    sub.connect(endpoint).unwrap();
    sub.set_subscribe(b"").unwrap();
    sub
}

fn synthetic(limit: u64) -> FeedSource {
    FeedSource::Synthetic(SyntheticConfig {
        rate_per_sec: f64::INFINITY,
        limit: Some(limit),
        ..SyntheticConfig::default()
    })
}

#[test]
fn synthetic_feed_reaches_a_real_subscriber() {
    let ctx = zmq::Context::new();
    let endpoint = free_tcp_endpoint();
    let sub = subscriber(&ctx, &endpoint, 1000);
    let opts = FeedOptions {
        endpoint: endpoint.clone(),
        stamp_sent: true,
        wait_for_subscriber: Some(Duration::from_secs(10)),
        ..FeedOptions::new(synthetic(200))
    };
    let feed = spawn_feed(ctx.clone(), opts, Arc::new(AtomicBool::new(false)));

    let expected: Vec<MarketData> = match &FeedOptions::new(synthetic(200)).source {
        FeedSource::Synthetic(cfg) => Generator::new(cfg, 0).unwrap().collect(),
        FeedSource::Csv { .. } => unreachable!(),
    };
    let before = wall_ns();
    for (i, want) in expected.iter().enumerate() {
        let frames = sub
            .recv_multipart(0)
            .unwrap_or_else(|e| panic!("message {i}: {e}"));
        let md = decode(&frames).unwrap();
        assert_eq!(
            (&md.symbol, &md.kind),
            (&want.symbol, &want.kind),
            "message {i}"
        );
        let sent = md
            .sent_ns
            .expect("stamp_sent puts sent_ns in every message");
        assert!(sent > before - 60_000_000_000 && sent <= wall_ns());
    }
    let stats = feed.join().unwrap().unwrap();
    assert_eq!(
        stats,
        FeedStats {
            published: 200,
            dropped_hwm: 0,
            bad_rows: 0
        }
    );
    // Nothing beyond the limit.
    sub.set_rcvtimeo(200).unwrap();
    assert!(sub.recv_multipart(0).is_err());
}

#[test]
fn full_queue_is_counted_not_silent() {
    // inproc has no kernel buffers, so the queue really is SNDHWM + RCVHWM deep.
    let ctx = zmq::Context::new();
    let endpoint = "inproc://feed-hwm-test".to_string();
    let sub = subscriber(&ctx, &endpoint, 10);
    let opts = FeedOptions {
        endpoint,
        sndhwm: 10,
        wait_for_subscriber: Some(Duration::from_secs(10)),
        ..FeedOptions::new(synthetic(1000))
    };
    let stats = run_feed(&ctx, &opts, &AtomicBool::new(false)).unwrap();
    assert_eq!(stats.published + stats.dropped_hwm, 1000);
    assert!(stats.dropped_hwm >= 900, "{stats:?}");
    let mut received = 0;
    sub.set_rcvtimeo(200).unwrap();
    while sub.recv_multipart(0).is_ok() {
        received += 1;
    }
    assert_eq!(received, stats.published);
}

fn csv_file(body: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(body.as_bytes()).unwrap();
    f
}

#[test]
fn csv_replay_paces_and_counts_bad_rows() {
    // 400 ms of recorded time at 2x should take about 200 ms.
    let f = csv_file(
        "ts,symbol,type,bid,bid_size,ask,ask_size,price,size\n\
         0,Si,quote,99999,1,100000,1,,\n\
         200000000,Si,trade,,,,,100000,2\n\
         not,a,row\n\
         400000000,Si,quote,99999,3,100001,1,,\n",
    );
    let ctx = zmq::Context::new();
    let source = FeedSource::Csv {
        path: f.path().to_path_buf(),
        speed: Speed::Accelerated(2.0),
    };
    let opts = FeedOptions {
        endpoint: free_tcp_endpoint(),
        ..FeedOptions::new(source)
    };
    let t0 = Instant::now();
    let stats = run_feed(&ctx, &opts, &AtomicBool::new(false)).unwrap();
    let took = t0.elapsed();
    assert_eq!(
        stats,
        FeedStats {
            published: 3,
            dropped_hwm: 0,
            bad_rows: 1
        }
    );
    assert!(
        took >= Duration::from_millis(190) && took < Duration::from_millis(1500),
        "{took:?}"
    );
}

#[test]
fn shutdown_interrupts_a_long_recorded_gap() {
    let f = csv_file("0,Si,trade,,,,,1,1\n3600000000000,Si,trade,,,,,1,1\n");
    let ctx = zmq::Context::new();
    let source = FeedSource::Csv {
        path: f.path().to_path_buf(),
        speed: Speed::Recorded,
    };
    let opts = FeedOptions {
        endpoint: free_tcp_endpoint(),
        ..FeedOptions::new(source)
    };
    let shutdown = Arc::new(AtomicBool::new(false));
    let feed = spawn_feed(ctx, opts, shutdown.clone());
    std::thread::sleep(Duration::from_millis(150));
    let t0 = Instant::now();
    shutdown.store(true, Ordering::Relaxed);
    let stats = feed.join().unwrap().unwrap();
    assert!(t0.elapsed() < Duration::from_millis(500));
    assert_eq!(stats.published, 1);
}

#[test]
fn loop_csv_repeats_and_bad_setups_fail_early() {
    let f = csv_file("# two rows\n1,Si,trade,,,,,100000,1\n2,RTS,trade,,,,,110000,1\n");
    let ctx = zmq::Context::new();
    let source = FeedSource::Csv {
        path: f.path().to_path_buf(),
        speed: Speed::Max,
    };
    let opts = FeedOptions {
        endpoint: free_tcp_endpoint(),
        loop_csv: true,
        ..FeedOptions::new(source)
    };
    let shutdown = Arc::new(AtomicBool::new(false));
    let feed = spawn_feed(ctx.clone(), opts, shutdown.clone());
    std::thread::sleep(Duration::from_millis(100));
    shutdown.store(true, Ordering::Relaxed);
    let stats = feed.join().unwrap().unwrap();
    assert!(stats.published > 2, "{stats:?}");

    let missing = FeedSource::Csv {
        path: "/nonexistent.csv".into(),
        speed: Speed::Max,
    };
    let err = run_feed(&ctx, &FeedOptions::new(missing), &AtomicBool::new(false));
    assert!(matches!(err, Err(FeedError::Io { .. })));
    let mut opts = FeedOptions::new(synthetic(1));
    opts.endpoint = "tcp://nonsense".into();
    assert!(matches!(
        run_feed(&ctx, &opts, &AtomicBool::new(false)),
        Err(FeedError::Bind { .. })
    ));
    opts.endpoint = "tcp://127.0.0.1:1\0".into();
    assert!(matches!(
        run_feed(&ctx, &opts, &AtomicBool::new(false)),
        Err(FeedError::InvalidConfig(_))
    ));
}

#[test]
fn pacer_anchors_and_reanchors() {
    let mut p = Pacer::new(Some(10.0));
    let t0 = Instant::now();
    assert!(p.due(1_000_000_000).is_none());
    // One recorded second at 10x is 100 ms after the anchor.
    let due = p.due(2_000_000_000).unwrap();
    let tenth = Duration::from_millis(100);
    assert!(due >= t0 + tenth && due <= Instant::now() + tenth);
    assert!(p.due(0).is_none(), "time going backwards publishes now");
    assert!(Pacer::new(None).due(5).is_none());
}

#[test]
fn a_synthetic_start_time_stamps_the_first_message() {
    let ctx = zmq::Context::new();
    let endpoint = free_tcp_endpoint();
    let sub = subscriber(&ctx, &endpoint, 1000);
    let start = 1_793_602_800_000_000_000; // 2026-11-02T07:00:00Z
    let opts = FeedOptions {
        endpoint: endpoint.clone(),
        wait_for_subscriber: Some(Duration::from_secs(10)),
        ..FeedOptions::new(FeedSource::Synthetic(SyntheticConfig {
            limit: Some(3),
            start_ts: Some(start),
            ..SyntheticConfig::default()
        }))
    };
    let feed = spawn_feed(ctx.clone(), opts, Arc::new(AtomicBool::new(false)));
    let ts: Vec<i64> = (0..3)
        .map(|_| decode(&sub.recv_multipart(0).unwrap()).unwrap().ts)
        .collect();
    feed.join().unwrap().unwrap();
    // 100 messages a second: 10 ms apart from the given start, not from the wall clock.
    assert_eq!(ts, [start, start + 10_000_000, start + 20_000_000]);
}
