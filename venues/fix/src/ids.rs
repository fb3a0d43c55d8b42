//! ClOrdIDs. A FIX venue wants a new ClOrdID for every request about an order: the order's
//! own is our `client_id` (`<robot>-<seq>`, unique across the store); amend `n` of it is
//! `<client_id>/a<n>` and a cancel `<client_id>/c<n>`. `/` is never in a client id (robot
//! names come from file names), so each ClOrdID says which order it is about, also after
//! a restart with nothing in memory.

/// The ClOrdID of amend `seq` of `client_id`.
pub fn amend_id(client_id: &str, seq: u32) -> String {
    format!("{client_id}/a{seq}")
}

/// The ClOrdID of cancel request `n` of `client_id`.
pub fn cancel_id(client_id: &str, n: u32) -> String {
    format!("{client_id}/c{n}")
}

/// The order a ClOrdID is about.
pub fn client_id_of(cl_ord_id: &str) -> &str {
    cl_ord_id.split_once('/').map_or(cl_ord_id, |(c, _)| c)
}

/// The amend a ClOrdID is, if it is one.
pub fn amend_seq_of(cl_ord_id: &str) -> Option<u32> {
    cl_ord_id.split_once("/a")?.1.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_id_names_its_order() {
        assert_eq!(client_id_of("ma_si-17"), "ma_si-17");
        assert_eq!(client_id_of(&amend_id("ma_si-17", 3)), "ma_si-17");
        assert_eq!(client_id_of(&cancel_id("ma_si-17", 1)), "ma_si-17");
        assert_eq!(amend_seq_of(&amend_id("ma_si-17", 3)), Some(3));
        assert_eq!(amend_seq_of(&cancel_id("ma_si-17", 1)), None);
        assert_eq!(amend_seq_of("ma_si-17"), None);
    }
}
