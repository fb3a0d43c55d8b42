use super::*;
use crate::store::{GatewayRequest, Order};
use robofleet_api::{OrderRequest, OrderType, Side, TimeInForce};

const SEC: i64 = 1_000_000_000;

fn new_order(robot: &str, seq: u64) -> GatewayRequest {
    let req = OrderRequest {
        client_id: format!("{robot}-{seq}"),
        order_seq: seq,
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 1,
        order_type: OrderType::Market,
        tif: TimeInForce::Day,
    };
    GatewayRequest::New(Order::new_request(robot, req, 0))
}

fn id(req: &GatewayRequest) -> String {
    match req {
        GatewayRequest::New(o) => o.client_id.clone(),
        GatewayRequest::Amend { client_id, .. } | GatewayRequest::Cancel { client_id } => {
            format!("cancel {client_id}")
        }
    }
}

#[test]
fn rates_parse_with_the_burst_defaulting_to_the_rate() {
    assert_eq!(
        "30".parse(),
        Ok(SessionRate {
            rate: 30,
            burst: 30
        })
    );
    assert_eq!("30/5".parse(), Ok(SessionRate { rate: 30, burst: 5 }));
    for bad in ["0", "30/0", "", "x", "-1", "30/", "1.5"] {
        assert!(bad.parse::<SessionRate>().is_err(), "{bad}");
    }
}

#[test]
fn no_second_ever_carries_more_than_the_rate_after_the_burst() {
    let limit = SessionRate {
        rate: 30,
        burst: 30,
    };
    let mut t = SessionThrottle::new(limit, 0);
    for i in 0..200 {
        t.push(new_order("flood", i), 0);
    }
    // Dispatch as fast as allowed for 5 simulated seconds, polling every ms.
    let mut sent_at = Vec::new();
    let mut now = 0;
    while now < 5 * SEC {
        while t.pop(now).is_some() {
            sent_at.push(now);
        }
        now += 1_000_000;
    }
    // The burst at once, then one every 1/30 s: 30 + 5 x 30 in 5 s, never more.
    assert_eq!(sent_at.iter().filter(|&&t| t == 0).count(), 30);
    assert!((175..=181).contains(&sent_at.len()), "{}", sent_at.len());
    for start in (0..4 * SEC).step_by(100_000_000) {
        let window = sent_at
            .iter()
            .filter(|&&t| t >= start + SEC / 1000 && t < start + SEC + SEC / 1000)
            .count();
        assert!(window <= 31, "{window} in the second from {start}");
    }
    // Waiting requests say when the next token comes.
    let mut t = SessionThrottle::new(SessionRate { rate: 10, burst: 1 }, 0);
    t.push(new_order("a", 1), 0);
    t.push(new_order("a", 2), 0);
    assert!(t.pop(0).is_some());
    assert!(t.pop(0).is_none());
    assert_eq!(t.wait_ns(0), Some(SEC / 10));
    assert_eq!(t.wait_ns(SEC / 20), Some(SEC / 20));
    assert!(t.pop(SEC / 10).is_some());
    assert_eq!(t.wait_ns(SEC / 10), None);
}

#[test]
fn robots_take_turns_and_each_keeps_its_own_order() {
    let mut t = SessionThrottle::new(SessionRate { rate: 1, burst: 1 }, 0);
    for i in 0..50 {
        t.push(new_order("flood", i), 0);
    }
    t.push(new_order("quiet", 1), 0);
    t.push(
        GatewayRequest::Cancel {
            client_id: "quiet-1".into(),
        },
        0,
    );
    t.push(new_order("other", 7), 0);
    let mut order = Vec::new();
    let mut now = 0;
    while t.waiting() > 0 {
        if let Some((req, _)) = t.pop(now) {
            order.push(id(&req));
        }
        now += SEC;
    }
    // One each in turn: the flood does not hold the others up.
    assert_eq!(
        &order[..6],
        [
            "flood-0",
            "other-7",
            "quiet-1",
            "flood-1",
            "cancel quiet-1",
            "flood-2"
        ]
    );
    assert_eq!(order.len(), 53);
    let flood: Vec<&String> = order.iter().filter(|o| o.starts_with("flood")).collect();
    let want: Vec<String> = (0..50).map(|i| format!("flood-{i}")).collect();
    assert_eq!(flood, want.iter().collect::<Vec<_>>());
}
