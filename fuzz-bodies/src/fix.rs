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
    // As a session reads it, repeating groups and all: the market data readers.
    DICTIONARY.with(|dd| {
        let Some(dd) = dd else { return };
        let Ok(msg) = dd.try_build_message(text) else {
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

thread_local! {
    static DICTIONARY: Option<robofleet_fix::engine::DataDictionary> =
        robofleet_fix::engine::fix44_dictionary().ok();
}
