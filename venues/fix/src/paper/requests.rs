//! The paper venue's side of the messages: NewOrderSingle, OrderCancelRequest and
//! OrderCancelReplaceRequest read into the simulated exchange's inputs.

use crate::fields::{self, bad, get, side};
use crate::tags::*;
use crate::{ids, FixMapError};
use quickfix::{FieldMap, Message};
use robofleet_api::{OrderRequest, OrderType, Price, Side, TimeInForce};
use robofleet_core::store::{AmendRequest, Order};

/// A request from a client session.
#[derive(Clone, Debug, PartialEq)]
pub enum VenueRequest {
    New(Box<Order>),
    Cancel {
        client_id: String,
        cl_ord_id: String,
    },
    Replace {
        client_id: String,
        cl_ord_id: String,
        amend: AmendRequest,
    },
    Status {
        client_id: String,
        cl_ord_id: String,
        symbol: String,
        side: Side,
    },
    /// A MarketDataRequest.
    MarketData(crate::md::messages::MdRequest),
    /// Not a message: the session logged out (its subscriptions end; its orders are
    /// cancelled if the venue cancels on disconnect).
    Disconnected,
}

/// The order's quantity: required, whole lots above 0.
fn qty(m: &Message) -> Result<i64, FixMapError> {
    match fields::qty(m, ORDER_QTY, "OrderQty")? {
        Some(q) if q > 0 => Ok(q),
        Some(q) => Err(bad(ORDER_QTY, "OrderQty", q.to_string(), "not above 0")),
        None => Err(FixMapError::Missing {
            tag: ORDER_QTY,
            name: "OrderQty",
        }),
    }
}

fn price(m: &Message) -> Result<Option<Price>, FixMapError> {
    fields::price(m, PRICE, "Price")
}

fn order_type(m: &Message) -> Result<OrderType, FixMapError> {
    match get(m, ORD_TYPE, "OrdType")?.as_str() {
        "1" => Ok(OrderType::Market),
        "2" => match price(m)? {
            Some(price) => Ok(OrderType::Limit { price }),
            None => Err(FixMapError::Missing {
                tag: PRICE,
                name: "Price",
            }),
        },
        other => Err(bad(
            ORD_TYPE,
            "OrdType",
            other.into(),
            "not 1 (market) or 2 (limit)",
        )),
    }
}

fn tif(m: &Message) -> Result<TimeInForce, FixMapError> {
    match m.get_field(TIME_IN_FORCE).as_deref() {
        None | Some("0") => Ok(TimeInForce::Day),
        Some("1") => Ok(TimeInForce::Gtc),
        Some("3") => Ok(TimeInForce::Ioc),
        Some("4") => Ok(TimeInForce::Fok),
        Some(other) => Err(bad(
            TIME_IN_FORCE,
            "TimeInForce",
            other.into(),
            "not 0, 1, 3 or 4",
        )),
    }
}

/// Read a client's application message; `owner` (the session's SenderCompID) is whose
/// orders they are.
pub fn read(m: &Message, owner: &str, now_ns: i64) -> Result<VenueRequest, FixMapError> {
    let msg_type = fields::msg_type(m)?;
    if msg_type == "V" {
        return crate::md::messages::read_request(m).map(VenueRequest::MarketData);
    }
    let cl_ord_id = get(m, CL_ORD_ID, "ClOrdID")?;
    match msg_type.as_str() {
        "D" => {
            let req = OrderRequest {
                client_id: cl_ord_id,
                order_seq: 0,
                symbol: get(m, SYMBOL, "Symbol")?,
                side: side(m)?,
                qty: qty(m)?,
                order_type: order_type(m)?,
                tif: tif(m)?,
            };
            Ok(VenueRequest::New(Box::new(Order::new_request(
                owner, req, now_ns,
            ))))
        }
        "H" => Ok(VenueRequest::Status {
            client_id: ids::client_id_of(&cl_ord_id).to_string(),
            cl_ord_id,
            symbol: get(m, SYMBOL, "Symbol")?,
            side: side(m)?,
        }),
        "F" => Ok(VenueRequest::Cancel {
            client_id: ids::client_id_of(&cl_ord_id).to_string(),
            cl_ord_id,
        }),
        "G" => {
            let seq = ids::amend_seq_of(&cl_ord_id)
                .ok_or_else(|| bad(CL_ORD_ID, "ClOrdID", cl_ord_id.clone(), "not <order>/a<n>"))?;
            let amend = AmendRequest {
                seq,
                price: price(m)?,
                qty: Some(qty(m)?),
            };
            Ok(VenueRequest::Replace {
                client_id: ids::client_id_of(&cl_ord_id).to_string(),
                cl_ord_id,
                amend,
            })
        }
        other => Err(FixMapError::Unexpected(other.to_string())),
    }
}
