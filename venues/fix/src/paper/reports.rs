//! The paper venue's answers as FIX: ExecutionReport (`8`) and OrderCancelReject (`9`),
//! from the simulated exchange's order changes and fills.

use crate::engine::SessionKey;
use crate::outbound::side_code;
use crate::tags::*;
use crate::{time, FixMapError};
use quickfix::{FieldMap, Message};
use robofleet_api::{OrderStatus, Price, Side};
use robofleet_core::store::{OrderChange, Trade};

/// What the venue keeps of an order to report on it.
#[derive(Clone, Debug)]
pub struct PaperOrder {
    pub session: SessionKey,
    pub venue_order_id: String,
    /// The ClOrdID of the request being answered, and the one it replaces, if any.
    pub cl_ord_id: String,
    pub orig_cl_ord_id: Option<String>,
    pub symbol: String,
    pub side: Side,
    pub qty: i64,
    pub price: Option<Price>,
    /// As last reported: status, filled quantity, average price.
    pub status: OrderStatus,
    pub reason: Option<String>,
    pub cum_qty: i64,
    pub avg_px: Price,
}

fn message(msg_type: &str) -> Result<Message, FixMapError> {
    let mut m = Message::new();
    m.with_header_mut(|h| h.set_field(MSG_TYPE, msg_type))?;
    Ok(m)
}

pub fn ord_status_code(status: OrderStatus, filled: i64) -> &'static str {
    match status {
        OrderStatus::New => "A",
        OrderStatus::Working if filled > 0 => "1",
        OrderStatus::Working => "0",
        OrderStatus::PartiallyFilled => "1",
        OrderStatus::Filled => "2",
        OrderStatus::Cancelled => "4",
        OrderStatus::Rejected | OrderStatus::Denied => "8",
    }
}

/// An ExecutionReport of `exec_type` for `change` (and the `fill` it reports, on a trade).
pub fn execution_report(
    o: &PaperOrder,
    exec_id: &str,
    exec_type: char,
    change: &OrderChange,
    fill: Option<&Trade>,
    now_ns: i64,
) -> Result<Message, FixMapError> {
    let mut m = message("8")?;
    m.set_field(ORDER_ID, o.venue_order_id.as_str())?;
    m.set_field(CL_ORD_ID, o.cl_ord_id.as_str())?;
    if let Some(orig) = &o.orig_cl_ord_id {
        m.set_field(ORIG_CL_ORD_ID, orig.as_str())?;
    }
    m.set_field(EXEC_ID, exec_id)?;
    m.set_field(EXEC_TYPE, exec_type.to_string())?;
    m.set_field(
        ORD_STATUS,
        ord_status_code(change.status, change.filled_qty),
    )?;
    m.set_field(SYMBOL, o.symbol.as_str())?;
    m.set_field(SIDE, side_code(o.side))?;
    m.set_field(ORDER_QTY, o.qty)?;
    if let Some(p) = o.price {
        m.set_field(PRICE, p.to_string())?;
    }
    if let Some(t) = fill {
        m.set_field(LAST_QTY, t.qty)?;
        m.set_field(LAST_PX, t.price.to_string())?;
        if t.currency.is_some() {
            m.set_field(COMMISSION, t.fee.to_string())?;
        }
        if let Some(c) = &t.currency {
            m.set_field(CURRENCY, c.as_str())?;
        }
    }
    let leaves = if change.status.is_terminal() {
        0
    } else {
        (o.qty - change.filled_qty).max(0)
    };
    m.set_field(CUM_QTY, change.filled_qty)?;
    m.set_field(LEAVES_QTY, leaves)?;
    m.set_field(AVG_PX, change.avg_price.to_string())?;
    if let Some(r) = &change.reason {
        m.set_field(TEXT, r.as_str())?;
    }
    if exec_type == '8' {
        // OrdRejReason 99: other (the text says why).
        m.set_field(ORD_REJ_REASON, "99")?;
    }
    m.set_field(TRANSACT_TIME, time::format(now_ns))?;
    Ok(m)
}

/// The answer to an OrderStatusRequest for an order the venue does not know (any more).
pub fn unknown_order_status(
    cl_ord_id: &str,
    symbol: &str,
    side: Side,
    exec_id: &str,
    now_ns: i64,
) -> Result<Message, FixMapError> {
    let mut m = message("8")?;
    m.set_field(ORDER_ID, "NONE")?;
    m.set_field(CL_ORD_ID, cl_ord_id)?;
    m.set_field(EXEC_ID, exec_id)?;
    m.set_field(EXEC_TYPE, "I")?;
    m.set_field(ORD_STATUS, "8")?;
    // OrdRejReason 5: unknown order.
    m.set_field(ORD_REJ_REASON, "5")?;
    m.set_field(SYMBOL, symbol)?;
    m.set_field(SIDE, side_code(side))?;
    m.set_field(LEAVES_QTY, 0)?;
    m.set_field(CUM_QTY, 0)?;
    m.set_field(AVG_PX, "0")?;
    m.set_field(TEXT, "unknown order")?;
    m.set_field(TRANSACT_TIME, time::format(now_ns))?;
    Ok(m)
}

/// An OrderCancelReject: the cancel (`'1'`) or amend (`'2'`) request `cl_ord_id` refused.
pub fn cancel_reject(
    o: Option<&PaperOrder>,
    cl_ord_id: &str,
    orig: &str,
    response_to: char,
    status: &str,
    why: &str,
) -> Result<Message, FixMapError> {
    let mut m = message("9")?;
    m.set_field(ORDER_ID, o.map_or("NONE", |o| o.venue_order_id.as_str()))?;
    m.set_field(CL_ORD_ID, cl_ord_id)?;
    m.set_field(ORIG_CL_ORD_ID, orig)?;
    m.set_field(ORD_STATUS, status)?;
    m.set_field(CXL_REJ_RESPONSE_TO, response_to.to_string())?;
    // CxlRejReason: 1 unknown order, 99 other.
    m.set_field(CXL_REJ_REASON, if o.is_none() { "1" } else { "99" })?;
    m.set_field(TEXT, why)?;
    Ok(m)
}
