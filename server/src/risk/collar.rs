//! The price collar: a limit price may be at most `pct` percent and at most `ticks` ticks
//! from the reference price (the last mid). With no reference price, nothing passes.

use super::limits::Collar;
use super::{Denial, DenyCode};
use robofleet_api::money::SCALE;
use robofleet_api::{Instrument, Price};

pub fn check(
    collar: Collar,
    price: Price,
    mid: Option<Price>,
    spec: Option<&Instrument>,
) -> Result<(), Denial> {
    let bounds = describe(collar);
    let Some(mid) = mid else {
        return Err(Denial {
            code: DenyCode::PriceCollar,
            limit: bounds,
            value: "no reference price".into(),
        });
    };
    let distance = (i128::from(price.raw()) - i128::from(mid.raw())).abs();
    // distance / mid × 100 > pct, in integers: distance × 100 × SCALE > pct × mid.
    let over_pct = collar.pct.is_some_and(|pct| {
        distance * 100 * i128::from(SCALE) > i128::from(pct.raw()) * i128::from(mid.raw())
    });
    let over_ticks = match (collar.ticks, spec) {
        (Some(ticks), Some(spec)) => {
            distance > i128::from(ticks) * i128::from(spec.tick_size.raw())
        }
        _ => false,
    };
    if over_pct || over_ticks {
        return Err(Denial {
            code: DenyCode::PriceCollar,
            limit: format!("{bounds} of mid {mid}"),
            value: price.to_string(),
        });
    }
    Ok(())
}

fn describe(c: Collar) -> String {
    match (c.pct, c.ticks) {
        (Some(p), Some(t)) => format!("±{p}% and ±{t} ticks"),
        (Some(p), None) => format!("±{p}%"),
        (None, Some(t)) => format!("±{t} ticks"),
        (None, None) => "no bound".into(),
    }
}
