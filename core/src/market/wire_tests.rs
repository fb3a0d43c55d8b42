use super::*;

#[test]
fn depth_messages_round_trip_and_bad_levels_are_refused() {
    let frames = |json: &str| vec![b"Si".to_vec(), json.as_bytes().to_vec()];
    let md = decode(&frames(
        r#"{"type":"depth","ts":5,"seq":41,"snapshot":true,"bids":[[99998,12],["99997.5",30]],"asks":[[100000,7]]}"#,
    ))
    .unwrap();
    let lv = |p: &str, qty| Level {
        price: p.parse().unwrap(),
        qty,
    };
    assert_eq!(
        md.kind,
        MarketKind::Depth {
            seq: 41,
            snapshot: true,
            bids: vec![lv("99998", 12), lv("99997.5", 30)],
            asks: vec![lv("100000", 7)],
        }
    );
    assert_eq!(decode(encode(&md).as_ref()).unwrap(), md);
    // An update may remove a level (0); a snapshot may not hold one.
    let update = r#"{"type":"depth","ts":5,"seq":42,"snapshot":false,"bids":[[1,0]],"asks":[]}"#;
    assert!(decode(&frames(update)).is_ok());
    for bad in [
        r#"{"type":"depth","ts":5,"seq":1,"snapshot":true,"bids":[[1,0]],"asks":[]}"#,
        r#"{"type":"depth","ts":5,"seq":1,"snapshot":false,"bids":[[1,-1]],"asks":[]}"#,
        r#"{"type":"depth","ts":5,"seq":1,"snapshot":true,"bids":[[1,1],[1,2]],"asks":[]}"#,
        r#"{"type":"depth","ts":5,"seq":1,"snapshot":true,"bids":[[0,1]],"asks":[]}"#,
        r#"{"type":"depth","ts":5,"seq":1,"snapshot":true,"bids":[[1e3,1]],"asks":[]}"#,
        r#"{"type":"depth","ts":5,"snapshot":true,"bids":[],"asks":[]}"#,
        r#"{"type":"depth","ts":5,"seq":1,"bids":[],"asks":[]}"#,
        r#"{"type":"depth","ts":5,"seq":1,"snapshot":true,"bids":[[1]],"asks":[]}"#,
    ] {
        assert!(decode(&frames(bad)).is_err(), "{bad}");
    }
    let many: Vec<String> = (1..=1001).map(|p| format!("[{p},1]")).collect();
    let json = format!(
        r#"{{"type":"depth","ts":5,"seq":1,"snapshot":true,"bids":[{}],"asks":[]}}"#,
        many.join(",")
    );
    assert_eq!(
        decode(&frames(&json)),
        Err(WireError::BadValues("more than 1000 levels on one side"))
    );
}

#[test]
fn round_trip_and_garbage() {
    let md = MarketData {
        symbol: "Si".into(),
        ts: 5,
        sent_ns: Some(7),
        kind: MarketKind::Quote {
            bid: "99998.5".parse().unwrap(),
            bid_size: 2,
            ask: "0.000000001".parse().unwrap(),
            ask_size: 4,
        },
    };
    assert_eq!(decode(&encode(&md)).unwrap(), md);
    assert!(decode(&[b"Si".to_vec()]).is_err());
    assert!(decode(&[b"Si".to_vec(), b"{not json".to_vec()]).is_err());
    assert!(decode(&[vec![0xff], b"{}".to_vec()]).is_err());
    let neg = br#"{"type":"trade","ts":1,"price":1.0,"size":-3}"#.to_vec();
    assert!(decode(&[b"Si".to_vec(), neg]).is_err());
}

fn trade_price(json: &str) -> Result<Price, WireError> {
    let md = decode(&[b"Si".to_vec(), json.as_bytes().to_vec()])?;
    match md.kind {
        MarketKind::Trade { price, .. } => Ok(price),
        other => panic!("not a trade: {other:?}"),
    }
}

#[test]
fn prices_are_read_exactly_from_their_text() {
    let t = |p: &str| format!(r#"{{"type":"trade","ts":1,"price":{p},"size":1}}"#);
    assert_eq!(
        trade_price(&t("99998.5")).unwrap().raw(),
        99_998_500_000_000
    );
    assert_eq!(trade_price(&t("\"0.1\"")).unwrap().raw(), 100_000_000);
    // More digits than a float carries: still exact.
    assert_eq!(
        trade_price(&t("1234567.123456789")).unwrap().raw(),
        1_234_567_123_456_789
    );
    for bad in ["1e5", "1.0000000001", "\"abc\"", "null", "true", "[1]"] {
        let err = trade_price(&t(bad)).unwrap_err();
        assert!(
            matches!(
                err,
                WireError::BadPrice { field: "price", .. } | WireError::BadPayload(_)
            ),
            "{bad}: {err}"
        );
    }
    // The encoder writes plain decimal literals.
    let md = MarketData {
        symbol: "Si".into(),
        ts: 1,
        sent_ns: None,
        kind: MarketKind::Trade {
            price: "0.3".parse().unwrap(),
            size: 2,
        },
    };
    let [_, json] = encode(&md);
    assert_eq!(
        std::str::from_utf8(&json).unwrap(),
        r#"{"ts":1,"type":"trade","price":0.3,"size":2}"#
    );
}
