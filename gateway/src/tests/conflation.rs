//! A gateway that fell behind the feed trades against the newest quote of a symbol, never
//! against the ones that waited behind it, and counts what it skipped.

use super::*;

#[test]
fn a_gateway_behind_the_feed_skips_stale_quotes_and_never_fills_on_them() {
    let s = Setup::new();
    let _gw = s.spawn();
    s.feed
        .publish_until(&Feed::quote(1_000, p(99.0), p(100.0), 10), || {
            s.count(&s.stats.md_messages) > 0
        });
    // Every write now takes 500 ms: the gateway thread stalls writing the order's `Working`.
    s.store.write_delay_ms.store(500, Ordering::Relaxed);
    let limit = OrderType::Limit { price: px("50.0") };
    s.store
        .insert_order(&order("bot-1", limit, 1))
        .expect("insert");
    assert!(wait_until(|| s.count(&s.stats.orders_seen) == 1));
    // Meanwhile the market dips through the bid and comes back: the dip is stale by the
    // time the gateway looks, so it must not fill there.
    let seen = s.count(&s.stats.md_messages);
    for (i, ask) in [60.0, 55.0, 49.0, 70.0].into_iter().enumerate() {
        s.feed
            .send(&Feed::quote(2_000 + i as i64, p(ask - 1.0), p(ask), 10));
    }
    assert!(wait_until(|| s.count(&s.stats.md_messages) > seen));
    s.store.write_delay_ms.store(0, Ordering::Relaxed);
    assert!(wait_until(
        || s.status_of("bot-1") == Some(OrderStatus::Working)
    ));
    // Anything still in flight has reached the exchange by now.
    std::thread::sleep(Duration::from_millis(200));
    let snap = s.stats.snapshot();
    assert_eq!(snap.md_messages, seen + 1, "{snap:?}");
    assert_eq!(snap.md_conflated, 3, "{snap:?}");
    assert_eq!((snap.fills, snap.md_dropped, snap.md_queued), (0, 0, 0));
    assert_eq!(s.status_of("bot-1"), Some(OrderStatus::Working));
    // The market really crossing it now fills it, at the bid's price or better.
    s.feed.send(&Feed::quote(3_000, p(48.0), p(49.0), 10));
    assert!(wait_until(
        || s.status_of("bot-1") == Some(OrderStatus::Filled)
    ));
}
