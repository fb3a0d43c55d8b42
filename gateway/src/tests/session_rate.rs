//! The venue session's message rate: the gateway never sends more than the rate allows, and
//! a flooding robot does not hold the others up.

use super::*;
use crate::throttle::SessionRate;

#[test]
fn the_session_keeps_its_rate_and_robots_take_turns() {
    let s = Setup::new();
    let cfg = GatewayConfig {
        feed_endpoint: s.feed.endpoint.clone(),
        session_rate: Some(SessionRate { rate: 20, burst: 5 }),
    };
    let gw = spawn_gateway(s.ctx.clone(), s.store.clone(), cfg, s.stats.clone()).unwrap();
    s.feed
        .publish_until(&Feed::quote(1_000, p(99.0), p(100.0), 10), || {
            s.count(&s.stats.md_messages) > 0
        });
    // Far under the market: each order works and stays.
    let resting = |robot: &str, n: u64| {
        let mut o = order(
            &format!("{robot}-{n}"),
            OrderType::Limit { price: p(50.0) },
            1,
        );
        o.robot = robot.to_string();
        o.order_seq = n;
        o
    };
    let started = clock::wall_ns();
    for n in 1..=40 {
        s.store.insert_order(&resting("flood", n)).unwrap();
    }
    for n in 1..=3 {
        s.store.insert_order(&resting("calm", n)).unwrap();
    }
    let all: Vec<String> = (1..=40)
        .map(|n| format!("flood-{n}"))
        .chain((1..=3).map(|n| format!("calm-{n}")))
        .collect();
    assert!(wait_until(|| all
        .iter()
        .all(|id| s.status_of(id) == Some(OrderStatus::Working))));
    let worked_at = |id: &str| s.store.order(id).unwrap().history[0].ts_ns;
    let mut times: Vec<i64> = all.iter().map(|id| worked_at(id)).collect();
    times.sort_unstable();
    // 5 at once, then 20 a second: 43 orders take at least (43 - 5) / 20 s.
    let took = times[times.len() - 1] - started;
    assert!(took >= 1_850_000_000, "{took} ns");
    for (i, &t) in times.iter().enumerate() {
        let in_a_second = times[i..]
            .iter()
            .take_while(|&&u| u < t + 1_000_000_000)
            .count();
        assert!(
            in_a_second <= 5 + 20 + 1,
            "{in_a_second} within a second of {t}"
        );
    }
    // The calm robot's orders went out in turn with the flood, not after it.
    let tenth_flood = worked_at("flood-10");
    for n in 1..=3 {
        assert!(worked_at(&format!("calm-{n}")) < tenth_flood, "calm-{n}");
    }
    // The flood's own orders kept their order.
    let flood: Vec<i64> = (1..=40).map(|n| worked_at(&format!("flood-{n}"))).collect();
    assert!(flood.windows(2).all(|w| w[0] < w[1]));
    let snap = s.stats.snapshot();
    assert!(snap.session_throttled >= 30, "{snap:?}");
    assert_eq!(snap.session_waiting, 0);
    assert!(snap.session_wait_max_ns >= 1_000_000_000, "{snap:?}");
    gw.shutdown();
}
