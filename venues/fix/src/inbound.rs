//! What a venue sends about our orders: ExecutionReport (`8`) and OrderCancelReject (`9`),
//! read into plain values, and what each means for the order in the store.
//!
//! ExecType (150) decides: `0` New -> `Working`; `F` Trade -> a fill, then the order's
//! status from OrdStatus (39); `5` Replaced -> the amend applied; `4` Canceled and `C`
//! Expired -> `Cancelled`; `8` Rejected -> `Rejected` with the venue's text; `I` Order
//! Status -> the order's state as the venue has it (reconciliation); pending states
//! (`6`, `A`, `E`) change nothing. PossDup and PossResend are read so the adapter can skip
//! what it has seen.

use crate::fields::{self, bad, get, price, qty, side};
use crate::tags::*;
use crate::{ids, time, FixMapError};
use quickfix::{FieldMap, Message};
use robofleet_api::{Money, OrderStatus, Price, Side};
use robofleet_core::store::{OrderChange, Trade};
use robofleet_gateway::ExchangeOutput;

#[derive(Clone, Debug, PartialEq)]
pub enum Inbound {
    Report(Box<ExecReport>),
    CancelReject(CancelReject),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExecReport {
    /// Our order (from the ClOrdID, or OrigClOrdID when the report answers a cancel).
    pub client_id: String,
    pub cl_ord_id: String,
    pub venue_order_id: String,
    pub exec_id: String,
    pub exec_type: char,
    pub ord_status: char,
    pub symbol: String,
    pub side: Side,
    pub last_qty: i64,
    pub last_px: Option<Price>,
    pub cum_qty: i64,
    pub avg_px: Price,
    pub leaves_qty: i64,
    pub order_qty: Option<i64>,
    pub price: Option<Price>,
    pub commission: Option<Money>,
    pub currency: Option<String>,
    pub text: Option<String>,
    pub transact_ns: Option<i64>,
    /// PossDupFlag or PossResend: the venue may have sent it before.
    pub maybe_repeat: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CancelReject {
    pub client_id: String,
    pub cl_ord_id: String,
    /// `1` a cancel, `2` an amend (cancel/replace) was refused.
    pub response_to: char,
    /// CxlRejReason (102): `1` the venue does not know the order.
    pub unknown_order: bool,
    pub text: Option<String>,
}

fn char_of(m: &Message, tag: i32, name: &'static str) -> Result<char, FixMapError> {
    let v = get(m, tag, name)?;
    let mut c = v.chars();
    match (c.next(), c.next()) {
        (Some(ch), None) => Ok(ch),
        _ => Err(bad(tag, name, v, "not one character")),
    }
}

fn flag(m: &Message, tag: i32) -> bool {
    m.with_header(|h| h.get_field(tag)).as_deref() == Some("Y")
}

/// A message from its FIX text (SOH-separated), as QuickFIX reads it off the wire.
pub fn from_text(text: &str) -> Result<Message, FixMapError> {
    Ok(Message::try_from_text(text)?)
}

/// Read a message from the venue's application level.
pub fn read(m: &Message) -> Result<Inbound, FixMapError> {
    let msg_type = fields::msg_type(m)?;
    match msg_type.as_str() {
        "8" => read_report(m).map(|r| Inbound::Report(Box::new(r))),
        "9" => {
            let cl_ord_id = get(m, CL_ORD_ID, "ClOrdID")?;
            let orig = m
                .get_field(ORIG_CL_ORD_ID)
                .unwrap_or_else(|| cl_ord_id.clone());
            Ok(Inbound::CancelReject(CancelReject {
                client_id: ids::client_id_of(&orig).to_string(),
                cl_ord_id,
                response_to: char_of(m, CXL_REJ_RESPONSE_TO, "CxlRejResponseTo")?,
                unknown_order: m.get_field(CXL_REJ_REASON).as_deref() == Some("1"),
                text: m.get_field(TEXT),
            }))
        }
        other => Err(FixMapError::Unexpected(other.to_string())),
    }
}

fn read_report(m: &Message) -> Result<ExecReport, FixMapError> {
    let cl_ord_id = get(m, CL_ORD_ID, "ClOrdID")?;
    let side = side(m)?;
    let commission = match m.get_field(COMMISSION) {
        None => None,
        Some(v) => Some(
            v.parse::<Money>()
                .map_err(|_| bad(COMMISSION, "Commission", v, "not an exact decimal"))?,
        ),
    };
    let transact_ns = match m.get_field(TRANSACT_TIME) {
        None => None,
        Some(v) => Some(
            time::parse(&v)
                .ok_or_else(|| bad(TRANSACT_TIME, "TransactTime", v, "not a UTCTimestamp"))?,
        ),
    };
    Ok(ExecReport {
        client_id: ids::client_id_of(&cl_ord_id).to_string(),
        venue_order_id: get(m, ORDER_ID, "OrderID")?,
        exec_id: get(m, EXEC_ID, "ExecID")?,
        exec_type: char_of(m, EXEC_TYPE, "ExecType")?,
        ord_status: char_of(m, ORD_STATUS, "OrdStatus")?,
        symbol: get(m, SYMBOL, "Symbol")?,
        side,
        last_qty: qty(m, LAST_QTY, "LastQty")?.unwrap_or(0),
        last_px: price(m, LAST_PX, "LastPx")?,
        cum_qty: qty(m, CUM_QTY, "CumQty")?.ok_or(FixMapError::Missing {
            tag: CUM_QTY,
            name: "CumQty",
        })?,
        avg_px: price(m, AVG_PX, "AvgPx")?.unwrap_or(Price::ZERO),
        leaves_qty: qty(m, LEAVES_QTY, "LeavesQty")?.unwrap_or(0),
        order_qty: qty(m, ORDER_QTY, "OrderQty")?,
        price: price(m, PRICE, "Price")?,
        commission,
        currency: m.get_field(CURRENCY),
        text: m.get_field(TEXT),
        transact_ns,
        maybe_repeat: flag(m, POSS_DUP_FLAG) || flag(m, POSS_RESEND),
        cl_ord_id,
    })
}

/// Our status for a FIX OrdStatus; `None` for the pending ones (nothing changes yet).
pub fn status_of(ord_status: char) -> Option<OrderStatus> {
    Some(match ord_status {
        '0' => OrderStatus::Working,
        '1' => OrderStatus::PartiallyFilled,
        '2' => OrderStatus::Filled,
        '4' | 'C' | '3' => OrderStatus::Cancelled,
        '8' => OrderStatus::Rejected,
        _ => return None,
    })
}

impl ExecReport {
    /// What the report means for the order of `robot`: a fill (on a trade) before the
    /// change that reports it. Times are the gateway's to stamp (`ts_ns` 0 here).
    pub fn answers(&self, robot: &str) -> Vec<ExchangeOutput> {
        let mut out = Vec::new();
        let status = match self.exec_type {
            '6' | 'A' | 'E' => return out,
            '0' => Some(OrderStatus::Working),
            '4' | 'C' => Some(OrderStatus::Cancelled),
            '8' => Some(OrderStatus::Rejected),
            _ => status_of(self.ord_status),
        };
        if self.exec_type == 'F' && self.last_qty > 0 {
            if let Some(px) = self.last_px {
                out.push(ExchangeOutput::Fill(Trade {
                    exec_id: self.exec_id.clone(),
                    client_id: self.client_id.clone(),
                    robot: robot.to_string(),
                    symbol: self.symbol.clone(),
                    side: self.side,
                    qty: self.last_qty,
                    price: px,
                    ts_ns: 0,
                    venue_ts_ns: self.transact_ns,
                    fee: self.commission.unwrap_or(Money::ZERO),
                    currency: self.currency.clone(),
                }));
            }
        }
        let Some(status) = status else { return out };
        let replaced = self.exec_type == '5';
        out.push(ExchangeOutput::Change(OrderChange {
            client_id: self.client_id.clone(),
            status,
            filled_qty: self.cum_qty,
            avg_price: self.avg_px,
            // The venue's text says why (a reject, a cancel, an expiry).
            reason: self.text.clone().or_else(|| {
                (status == OrderStatus::Rejected).then(|| "rejected by the venue".into())
            }),
            ts_ns: 0,
            amends: if replaced {
                ids::amend_seq_of(&self.cl_ord_id)
            } else {
                None
            },
            qty: self.order_qty.filter(|_| replaced),
            price: self.price.filter(|_| replaced),
            // "NONE": a venue's word for an order it never took.
            venue_order_id: Some(self.venue_order_id.clone()).filter(|id| id != "NONE"),
        }));
        out
    }
}

#[cfg(test)]
mod tests;
