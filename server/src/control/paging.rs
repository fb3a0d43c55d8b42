//! The paging fields of `orders` and `trades` (`limit`, `before`, `after`, `status`), checked
//! into store queries, and the page as a reply.

use super::protocol::CtlError;
use crate::store::page::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::store::{Cursor, Page, PageQuery};
use robofleet_api::OrderStatus;
use serde::Serialize;
use serde_json::{json, Value};

fn bad(msg: String) -> CtlError {
    CtlError::new("bad_field", msg)
}

/// `limit` (1..=10000, default 100) and the `before`/`after` cursors: a string
/// `"<ns>:<id>"` (a page's `next`) or `"<ns>"`, or an integer ns.
pub fn page_query(
    limit: Option<&Value>,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<PageQuery, CtlError> {
    let limit = match limit {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(v) => match v.as_u64() {
            Some(n) if (1..=MAX_LIMIT as u64).contains(&n) => n as usize,
            _ => {
                return Err(bad(format!(
                    "limit must be an integer from 1 to {MAX_LIMIT}, got {v}"
                )))
            }
        },
    };
    Ok(PageQuery {
        limit,
        before: cursor("before", before)?,
        after: cursor("after", after)?,
    })
}

fn cursor(name: &str, v: Option<&Value>) -> Result<Option<Cursor>, CtlError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Cursor::parse(s)
            .map(Some)
            .map_err(|e| bad(format!("{name}: {e}"))),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|ns| Some(Cursor { ns, id: None }))
            .ok_or_else(|| bad(format!("{name}: {n} is not an integer ns"))),
        Some(other) => Err(bad(format!(
            "{name} must be a cursor string (\"<ns>:<id>\") or an integer ns, got {other}"
        ))),
    }
}

/// An order status by its name (`"PartiallyFilled"`).
pub fn order_status(name: Option<&str>) -> Result<Option<OrderStatus>, CtlError> {
    let Some(name) = name else {
        return Ok(None);
    };
    serde_json::from_value(json!(name)).map(Some).map_err(|_| {
        bad(format!(
            "status {name:?} is not one of New, Working, PartiallyFilled, Filled, Cancelled, Rejected, Denied"
        ))
    })
}

/// `{"<key>": [items], "more": bool, "next": cursor of the last item or null}`.
pub fn page_reply<T: Serialize>(
    key: &str,
    page: Page<T>,
    cursor_of: impl Fn(&T) -> Cursor,
) -> Result<Value, CtlError> {
    let next = page.items.last().map(|t| cursor_of(t).to_string());
    let items =
        serde_json::to_value(&page.items).map_err(|e| CtlError::new("internal", e.to_string()))?;
    Ok(json!({key: items, "more": page.more, "next": next}))
}
