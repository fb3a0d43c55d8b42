//! FIX messages from a venue or a client: QuickFIX's parser, then what the gateway and the
//! paper venue read of them. Any text: a message, a refusal naming the field, never a panic.

use robofleet_fix::{inbound, paper::requests, time};

pub fn fix_message(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(ns) = time::parse(text) {
        // What parses prints back to the same millisecond.
        assert_eq!(
            time::parse(&time::format(ns)),
            Some(ns - ns.rem_euclid(1_000_000))
        );
    }
    if text.contains('\0') {
        return; // not a FIX text: the C++ side takes NUL-terminated strings
    }
    let Ok(msg) = inbound::from_text(text) else {
        return;
    };
    if let Ok(inbound::Inbound::Report(r)) = inbound::read(&msg) {
        // A fill the gateway would write is a positive quantity at a price.
        for answer in r.answers("fuzz") {
            if let robofleet::gateway::ExchangeOutput::Fill(t) = answer {
                assert!(t.qty > 0, "{t:?}");
            }
        }
    }
    let _ = requests::read(&msg, "FUZZ", 0);
    // As a session reads it, repeating groups and all: the market data readers. The input
    // is framed anew (BodyLength and CheckSum made right), so what the fuzzer makes reaches
    // the readers instead of stopping at QuickFIX's framing checks.
    let framed = frame(text);
    DICTIONARY.with(|dd| {
        let Some(dd) = dd else { return };
        let Ok(msg) = dd.try_build_message(&framed) else {
            return;
        };
        let _ = robofleet_fix::md::messages::read_request(&msg);
        if let Ok(robofleet_fix::md::messages::MdMessage::Snapshot { entries, .. }) =
            robofleet_fix::md::messages::read(&msg)
        {
            // Sizes are never negative.
            assert!(entries.iter().all(|e| e.size >= 0), "{entries:?}");
        }
        let _ = requests::read(&msg, "FUZZ", 0);
    });
}

/// `text` as a FIX message with a right BodyLength and CheckSum: its BeginString and
/// BodyLength (if it starts with them) and its CheckSum (if it ends with one) replaced.
fn frame(text: &str) -> String {
    let mut body = text;
    if let Some(rest) = body.strip_prefix("8=") {
        body = rest.split_once('\x01').map_or("", |(_, r)| r);
    }
    if let Some(rest) = body.strip_prefix("9=") {
        body = rest.split_once('\x01').map_or("", |(_, r)| r);
    }
    if let Some(at) = body.rfind("\x0110=") {
        body = &body[..at + 1];
    }
    let head = format!("8=FIX.4.4\x019={}\x01", body.len());
    let sum = head.bytes().chain(body.bytes()).map(u32::from).sum::<u32>() % 256;
    format!("{head}{body}10={sum:03}\x01")
}

thread_local! {
    static DICTIONARY: Option<robofleet_fix::engine::DataDictionary> =
        robofleet_fix::engine::fix44_dictionary().ok();
}
