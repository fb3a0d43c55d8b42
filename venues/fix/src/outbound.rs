//! The gateway's requests as FIX 4.4 messages: NewOrderSingle (`D`), OrderCancelRequest
//! (`F`), OrderCancelReplaceRequest (`G`). Prices go as their exact decimal text, never
//! through floating point; quantities as integer lots.

use crate::tags::*;
use crate::{ids, time, FixMapError};
use quickfix::{FieldMap, Message};
use robofleet_api::{OrderType, Price, Side, TimeInForce};
use robofleet_core::store::{AmendRequest, Order};

pub fn side_code(side: Side) -> &'static str {
    match side {
        Side::Buy => "1",
        Side::Sell => "2",
    }
}

pub fn tif_code(tif: TimeInForce) -> &'static str {
    match tif {
        TimeInForce::Day => "0",
        TimeInForce::Gtc => "1",
        TimeInForce::Ioc => "3",
        TimeInForce::Fok => "4",
    }
}

pub(crate) fn message(msg_type: &str) -> Result<Message, FixMapError> {
    let mut m = Message::new();
    m.with_header_mut(|h| h.set_field(MSG_TYPE, msg_type))?;
    Ok(m)
}

/// The fields that say what the order is: symbol, side, quantity, type, price, time in force.
fn order_fields(
    m: &mut Message,
    order: &Order,
    qty: i64,
    price: Option<Price>,
) -> Result<(), FixMapError> {
    m.set_field(SYMBOL, order.symbol.as_str())?;
    m.set_field(SIDE, side_code(order.side))?;
    m.set_field(ORDER_QTY, qty)?;
    match (order.order_type, price) {
        (OrderType::Market, _) => m.set_field(ORD_TYPE, "1")?,
        (OrderType::Limit { price: own }, amended) => {
            m.set_field(ORD_TYPE, "2")?;
            m.set_field(PRICE, amended.unwrap_or(own).to_string())?;
        }
    }
    m.set_field(TIME_IN_FORCE, tif_code(order.tif))?;
    Ok(())
}

/// NewOrderSingle for `order`, ClOrdID its client id.
pub fn new_order_single(order: &Order, now_ns: i64) -> Result<Message, FixMapError> {
    let mut m = message("D")?;
    m.set_field(CL_ORD_ID, order.client_id.as_str())?;
    order_fields(&mut m, order, order.qty, None)?;
    m.set_field(TRANSACT_TIME, time::format(now_ns))?;
    Ok(m)
}

/// OrderCancelRequest `n` for `order`, whose ClOrdID at the venue is now `current`.
pub fn cancel_request(
    order: &Order,
    current: &str,
    n: u32,
    now_ns: i64,
) -> Result<Message, FixMapError> {
    let mut m = message("F")?;
    m.set_field(ORIG_CL_ORD_ID, current)?;
    m.set_field(CL_ORD_ID, ids::cancel_id(&order.client_id, n))?;
    m.set_field(SYMBOL, order.symbol.as_str())?;
    m.set_field(SIDE, side_code(order.side))?;
    m.set_field(ORDER_QTY, order.qty)?;
    m.set_field(TRANSACT_TIME, time::format(now_ns))?;
    Ok(m)
}

/// OrderCancelReplaceRequest for `amend` of `order` (ClOrdID at the venue now `current`):
/// the order's new total quantity and price, the rest as it was.
pub fn replace_request(
    order: &Order,
    current: &str,
    amend: &AmendRequest,
    now_ns: i64,
) -> Result<Message, FixMapError> {
    let mut m = message("G")?;
    m.set_field(ORIG_CL_ORD_ID, current)?;
    m.set_field(CL_ORD_ID, ids::amend_id(&order.client_id, amend.seq))?;
    order_fields(&mut m, order, amend.qty.unwrap_or(order.qty), amend.price)?;
    m.set_field(TRANSACT_TIME, time::format(now_ns))?;
    Ok(m)
}

/// OrderStatusRequest (`H`) for `order`, ClOrdID at the venue `current`: the venue answers
/// with an ExecutionReport of ExecType `I` (OrdStatus `8` if it does not know the order).
pub fn status_request(order: &Order, current: &str) -> Result<Message, FixMapError> {
    let mut m = message("H")?;
    m.set_field(CL_ORD_ID, current)?;
    m.set_field(SYMBOL, order.symbol.as_str())?;
    m.set_field(SIDE, side_code(order.side))?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use robofleet_api::OrderRequest;

    pub(crate) fn order(price: &str, tif: TimeInForce) -> Order {
        let req = OrderRequest {
            client_id: "ma_si-7".into(),
            order_seq: 7,
            symbol: "Si".into(),
            side: Side::Sell,
            qty: 3,
            order_type: OrderType::Limit {
                price: price.parse().unwrap(),
            },
            tif,
        };
        Order::new_request("ma_si", req, 1_793_602_800_000_000_000)
    }

    fn fields(m: &Message) -> String {
        m.to_fix_string().unwrap().replace('\x01', "|")
    }

    #[test]
    fn a_new_order_carries_its_exact_price_and_our_id() {
        let m = new_order_single(
            &order("100001.25", TimeInForce::Ioc),
            1_793_602_800_200_000_000,
        )
        .unwrap();
        let text = fields(&m);
        for want in [
            "35=D|",
            "|11=ma_si-7|",
            "|38=3|",
            "|40=2|",
            "|44=100001.25|",
            "|54=2|",
            "|55=Si|",
            "|59=3|",
            "|60=20261102-07:00:00.200|",
        ] {
            assert!(text.contains(want), "{want} not in {text}");
        }
    }

    #[test]
    fn an_amend_and_a_cancel_name_the_order_and_get_ids_of_their_own() {
        let o = order("100001", TimeInForce::Day);
        let amend = AmendRequest {
            seq: 2,
            price: Some("99999.5".parse().unwrap()),
            qty: None,
        };
        let text = fields(&replace_request(&o, "ma_si-7/a1", &amend, 0).unwrap());
        for want in [
            "35=G|",
            "|41=ma_si-7/a1|",
            "|11=ma_si-7/a2|",
            "|44=99999.5|",
            "|38=3|",
            "|59=0|",
        ] {
            assert!(text.contains(want), "{want} not in {text}");
        }
        let text = fields(&cancel_request(&o, "ma_si-7/a2", 1, 0).unwrap());
        for want in [
            "35=F|",
            "|41=ma_si-7/a2|",
            "|11=ma_si-7/c1|",
            "|54=2|",
            "|55=Si|",
        ] {
            assert!(text.contains(want), "{want} not in {text}");
        }
        assert!(!text.contains("|44="), "{text}");
    }
}
