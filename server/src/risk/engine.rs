//! One robot's pre-trade checks: a synchronous state machine fed the robot's own inputs (its
//! market data, order updates and fills, each at its event time) and asked about each of its
//! orders, amends and cancels. It reads no clock and no other robot, so the same inputs give
//! the same decisions in a replay.

use super::account::PerCurrency;
use super::bucket::Bucket;
use super::limits::{RobotLimits, SymbolLimits};
use super::{Denial, DenyCode, StateChange, TradingState};
use crate::store::{Position, Trade};
use robofleet_api::{Fill, Instruments, Money, OrderRequest, OrderType, OrderUpdate, Price, Side};
use std::collections::{BTreeMap, HashMap, VecDeque};

const MS: i64 = 1_000_000;

/// A working order as the checks count it.
#[derive(Debug)]
struct Working {
    symbol: String,
    side: Side,
    /// Its limit price (`None`: market).
    price: Option<Price>,
    qty: i64,
    remaining: i64,
}

/// What the checks know of one symbol.
#[derive(Debug)]
pub(super) struct SymbolState {
    pub(super) position: Position,
    pub(super) mid: Option<Price>,
    /// Remaining quantity of working orders, by side.
    working_buy: i64,
    working_sell: i64,
}

/// A recent order, for the duplicate window.
#[derive(Debug)]
struct Recent {
    ts: i64,
    symbol: String,
    side: Side,
    price: Option<Price>,
    qty: i64,
}

/// What the checks have done, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RiskCounts {
    pub denied: u64,
    /// Denials by code (`MAX_NOTIONAL`, ...).
    pub denied_by_code: BTreeMap<&'static str, u64>,
    /// Cancels over the `cancels` rate: never blocked, only counted.
    pub cancels_over_rate: u64,
}

#[derive(Debug)]
pub struct RiskEngine {
    robot: String,
    pub(super) limits: RobotLimits,
    pub(super) instruments: Instruments,
    pub(super) state: TradingState,
    pub(super) symbols: HashMap<String, SymbolState>,
    working: HashMap<String, Working>,
    submits: Option<Bucket>,
    amends: Option<Bucket>,
    cancels: Option<Bucket>,
    fills: VecDeque<i64>,
    recent: VecDeque<Recent>,
    /// The day (by `day_start`) and each currency's equity when it began.
    pub(super) day: Option<i64>,
    pub(super) day_base: PerCurrency,
    pub(super) peak: PerCurrency,
    /// The equity of the last mark, its buffer reused (nothing allocated per quote).
    pub(super) equity: PerCurrency,
    pub counts: RiskCounts,
    /// The state of the robot's account, and why (`ACTIVE`: none, or not in one).
    pub(super) account: (TradingState, String),
    /// Keep the day's base even without loss limits of its own (its account's need it).
    pub(super) track_day: bool,
}

impl RiskEngine {
    pub fn new(robot: &str, limits: RobotLimits, instruments: Instruments) -> Self {
        RiskEngine {
            robot: robot.to_string(),
            submits: limits.submits.map(Bucket::new),
            amends: limits.amends.map(Bucket::new),
            cancels: limits.cancels.map(Bucket::new),
            limits,
            instruments,
            state: TradingState::Active,
            symbols: HashMap::new(),
            working: HashMap::new(),
            fills: VecDeque::new(),
            recent: VecDeque::new(),
            day: None,
            day_base: PerCurrency::default(),
            peak: PerCurrency::default(),
            equity: PerCurrency::default(),
            counts: RiskCounts::default(),
            account: (TradingState::Active, String::new()),
            track_day: false,
        }
    }

    /// Start from a position the store holds (a restarted robot).
    pub fn seed_position(&mut self, p: Position) {
        let symbol = p.symbol.clone();
        self.symbol_mut(&symbol).position = p;
    }

    /// Start from an order the store holds open (a restarted robot).
    pub fn seed_working(&mut self, o: &crate::store::Order) {
        let w = Working {
            symbol: o.symbol.clone(),
            side: o.side,
            price: limit_price(&o.order_type),
            qty: o.qty,
            remaining: o.remaining_qty(),
        };
        self.track(&o.client_id, w);
    }

    /// Working orders: symbol, limit price (`None`: market), remaining lots.
    pub(super) fn working_orders(&self) -> impl Iterator<Item = (&str, Option<Price>, i64)> + '_ {
        self.working
            .values()
            .map(|w| (w.symbol.as_str(), w.price, w.remaining))
    }

    /// Count `w` as working from now.
    fn track(&mut self, client_id: &str, w: Working) {
        self.add_working(&w.symbol, w.side, w.remaining);
        self.working.insert(client_id.to_string(), w);
    }

    /// A spec that came into effect (effective-dated, as the robot gets it).
    pub fn on_instrument(&mut self, spec: robofleet_api::Instrument) {
        self.instruments.insert(spec);
    }

    pub fn state(&self) -> TradingState {
        self.state
    }

    /// New limits from now on (an operator's `reload_limits`). What the checks know stays:
    /// positions, working orders, mids, the trading state, the loss base and peak; a
    /// throttle whose rate changed starts again full.
    pub fn set_limits(&mut self, limits: RobotLimits) {
        let keep = |old: Option<Bucket>, was: Option<super::limits::Rate>, now| {
            if was == now {
                old
            } else {
                now.map(Bucket::new)
            }
        };
        self.submits = keep(self.submits.take(), self.limits.submits, limits.submits);
        self.amends = keep(self.amends.take(), self.limits.amends, limits.amends);
        self.cancels = keep(self.cancels.take(), self.limits.cancels, limits.cancels);
        self.limits = limits;
    }

    pub fn limits(&self) -> &RobotLimits {
        &self.limits
    }

    /// An operator's resume: trading is active again (a loss still over its limit halts or
    /// reduces it again at the next mark).
    pub fn resume(&mut self) {
        self.state = TradingState::Active;
        self.fills.clear();
    }

    fn symbol_mut(&mut self, symbol: &str) -> &mut SymbolState {
        // Looked up first: the key is allocated only for a new symbol.
        if !self.symbols.contains_key(symbol) {
            let state = SymbolState {
                position: Position::new(&self.robot, symbol),
                mid: None,
                working_buy: 0,
                working_sell: 0,
            };
            self.symbols.insert(symbol.to_string(), state);
        }
        self.symbols
            .get_mut(symbol)
            .expect("the symbol was just added")
    }

    /// A quote (or a book's best levels): its mid is the reference price, and marks the
    /// position. May change the trading state (loss limits).
    pub fn on_quote(
        &mut self,
        symbol: &str,
        bid: Price,
        ask: Price,
        ts: i64,
    ) -> Option<StateChange> {
        if !bid.is_positive() || !ask.is_positive() {
            return None;
        }
        self.symbol_mut(symbol).mid = Some(Price::mid(bid, ask));
        self.mark(ts)
    }

    /// A fill of one of the robot's orders.
    pub fn on_fill(&mut self, fill: &Fill, ts: i64) -> Option<StateChange> {
        let spec = self.instruments.at(&fill.symbol, ts).cloned();
        let trade = Trade {
            exec_id: fill.exec_id.clone(),
            client_id: fill.client_id.clone(),
            robot: self.robot.clone(),
            symbol: fill.symbol.clone(),
            side: fill.side,
            qty: fill.qty,
            price: fill.price,
            ts_ns: ts,
            venue_ts_ns: Some(ts),
            fee: spec
                .as_ref()
                .map_or(Money::ZERO, |s| s.fee(fill.price, fill.qty)),
            currency: spec.as_ref().map(|s| s.currency.clone()),
        };
        self.symbol_mut(&fill.symbol)
            .position
            .apply(&trade, spec.as_ref());
        if let Some(w) = self.working.get_mut(&fill.client_id) {
            let done = fill.qty.min(w.remaining);
            w.remaining -= done;
            let (symbol, side) = (w.symbol.clone(), w.side);
            self.add_working(&symbol, side, -done);
        }
        if let Some(limit) = self.limits.fills {
            self.fills.push_back(ts);
            let window = (limit.window_ms as i64).saturating_mul(MS);
            while self.fills.front().is_some_and(|&t| ts - t >= window) {
                self.fills.pop_front();
            }
            if self.fills.len() as u64 > u64::from(limit.max) && self.state != TradingState::Halted
            {
                self.state = TradingState::Halted;
                return Some(StateChange {
                    state: TradingState::Halted,
                    code: "EXECUTION_THROTTLE",
                    limit: format!("{} fills in {} ms", limit.max, limit.window_ms),
                    value: format!("{} fills", self.fills.len()),
                });
            }
        }
        self.mark(ts)
    }

    /// An order update: what is left of the order works (nothing once it has finished).
    pub fn on_order_update(&mut self, u: &OrderUpdate) {
        let Some(w) = self.working.get_mut(&u.client_id) else {
            return;
        };
        let left = if u.status.is_terminal() {
            0
        } else {
            u.remaining_qty.max(0)
        };
        let change = left - w.remaining;
        w.remaining = left;
        w.qty = u.filled_qty + left;
        let (symbol, side) = (w.symbol.clone(), w.side);
        if u.status.is_terminal() {
            self.working.remove(&u.client_id);
        }
        self.add_working(&symbol, side, change);
    }

    fn add_working(&mut self, symbol: &str, side: Side, qty: i64) {
        let s = self.symbol_mut(symbol);
        match side {
            Side::Buy => s.working_buy += qty,
            Side::Sell => s.working_sell += qty,
        }
    }

    /// A new order: `Ok` lets it through (and counts it as working from now), `Err` says why
    /// not.
    pub fn check_submit(&mut self, req: &OrderRequest, ts: i64) -> Result<(), Denial> {
        let result = self.submit_checks(req, ts);
        match &result {
            Ok(()) => {
                let w = Working {
                    symbol: req.symbol.clone(),
                    side: req.side,
                    price: limit_price(&req.order_type),
                    qty: req.qty,
                    remaining: req.qty,
                };
                self.track(&req.client_id, w);
                if self.limits.duplicate_window_ms.is_some() {
                    self.recent.push_back(Recent {
                        ts,
                        symbol: req.symbol.clone(),
                        side: req.side,
                        price: limit_price(&req.order_type),
                        qty: req.qty,
                    });
                }
            }
            Err(d) => self.count_denial(d),
        }
        result
    }

    fn submit_checks(&mut self, req: &OrderRequest, ts: i64) -> Result<(), Denial> {
        let limits = self.limits.symbol(&req.symbol);
        self.state_check(&req.symbol, req.side, req.qty)?;
        let price = limit_price(&req.order_type);
        let prices = Prices {
            collar: price,
            notional: price,
        };
        self.order_checks(&limits, &req.symbol, req.side, prices, req.qty, req.qty, ts)?;
        if let Some(max) = self.limits.max_working_orders {
            let working = self.working.len() as u64;
            if working + 1 > u64::from(max) {
                return Err(deny(DenyCode::MaxWorkingOrders, max, working + 1));
            }
        }
        if let Some(window_ms) = self.limits.duplicate_window_ms {
            let window = (window_ms as i64).saturating_mul(MS);
            while self.recent.front().is_some_and(|r| ts - r.ts >= window) {
                self.recent.pop_front();
            }
            let same = self.recent.iter().rev().find(|r| {
                r.symbol == req.symbol && r.side == req.side && r.price == price && r.qty == req.qty
            });
            if let Some(r) = same {
                return Err(Denial {
                    code: DenyCode::DuplicateOrder,
                    limit: format!("{window_ms} ms"),
                    value: format!("{} ms after the same order", (ts - r.ts) / MS),
                });
            }
        }
        if let Some(b) = self.submits.as_mut() {
            b.take(ts)
                .map_err(|r| deny(DenyCode::SubmitThrottle, r, "more"))?;
        }
        Ok(())
    }

    /// An amend of a working order to a new price and/or total quantity.
    pub fn check_amend(
        &mut self,
        client_id: &str,
        price: Option<Price>,
        qty: Option<i64>,
        ts: i64,
    ) -> Result<(), Denial> {
        let result = self.amend_checks(client_id, price, qty, ts);
        if let Err(d) = &result {
            self.count_denial(d);
        }
        result
    }

    fn amend_checks(
        &mut self,
        client_id: &str,
        price: Option<Price>,
        qty: Option<i64>,
        ts: i64,
    ) -> Result<(), Denial> {
        // An order the checks do not know (finished) is for the venue to refuse.
        let Some(w) = self.working.get(client_id) else {
            return Ok(());
        };
        let (symbol, side, old_price) = (w.symbol.clone(), w.side, w.price);
        let new_qty = qty.unwrap_or(w.qty);
        let growth = (new_qty - w.qty).max(0);
        if self.state == TradingState::Halted {
            return Err(halted());
        }
        if self.state == TradingState::Reducing && growth > 0 {
            return Err(Denial {
                code: DenyCode::ReduceOnly,
                limit: "reduce only".into(),
                value: format!("quantity up by {growth}"),
            });
        }
        let limits = self.limits.symbol(&symbol);
        let prices = Prices {
            collar: price,
            notional: price.or(old_price),
        };
        self.order_checks(&limits, &symbol, side, prices, new_qty, growth, ts)?;
        if let Some(b) = self.amends.as_mut() {
            b.take(ts)
                .map_err(|r| deny(DenyCode::AmendThrottle, r, "more"))?;
        }
        Ok(())
    }

    fn count_denial(&mut self, d: &Denial) {
        self.counts.denied += 1;
        *self
            .counts
            .denied_by_code
            .entry(d.code.as_str())
            .or_default() += 1;
    }

    /// A cancel: never blocked, only counted when over its rate.
    pub fn on_cancel(&mut self, ts: i64) {
        if let Some(b) = self.cancels.as_mut() {
            if b.take(ts).is_err() {
                self.counts.cancels_over_rate += 1;
            }
        }
    }

    /// HALTED lets nothing through; REDUCING only what brings a position towards flat.
    fn state_check(&self, symbol: &str, side: Side, qty: i64) -> Result<(), Denial> {
        match self.state.max(self.account.0) {
            TradingState::Active => Ok(()),
            TradingState::Halted if self.state != TradingState::Halted => Err(Denial {
                code: DenyCode::Halted,
                limit: self.account.1.clone(),
                value: "an order".into(),
            }),
            TradingState::Halted => Err(halted()),
            TradingState::Reducing => {
                let (pos, same_side) = self.symbols.get(symbol).map_or((0, 0), |s| {
                    let same = match side {
                        Side::Buy => s.working_buy,
                        Side::Sell => s.working_sell,
                    };
                    (s.position.qty, same)
                });
                let reduces = match side {
                    Side::Buy => pos < 0,
                    Side::Sell => pos > 0,
                };
                if reduces && qty + same_side <= pos.abs() {
                    Ok(())
                } else {
                    Err(Denial {
                        code: DenyCode::ReduceOnly,
                        limit: "reduce only".into(),
                        value: format!("{side:?} {qty} against a position of {pos}"),
                    })
                }
            }
        }
    }

    /// Quantity, collar, notional and position of an order of `qty` lots at `prices` that
    /// adds `added` lots to its side's working orders (a new order all
    /// of them, an amend what it grows by; an amend that does not grow cannot raise the
    /// position).
    #[allow(clippy::too_many_arguments)]
    fn order_checks(
        &self,
        limits: &SymbolLimits,
        symbol: &str,
        side: Side,
        prices: Prices,
        qty: i64,
        added: i64,
        ts: i64,
    ) -> Result<(), Denial> {
        if let Some(max) = limits.max_order_qty {
            if qty > max {
                return Err(deny(DenyCode::MaxOrderQty, max, qty));
            }
        }
        let state = self.symbols.get(symbol);
        let mid = state.and_then(|s| s.mid);
        let spec = self.instruments.at(symbol, ts);
        if let (Some(collar), Some(px)) = (limits.collar, prices.collar) {
            super::collar::check(collar, px, mid, spec)?;
        }
        if let Some(max) = limits.max_notional {
            let Some(px) = prices.notional.or(mid) else {
                return Err(deny(DenyCode::MaxNotional, max, "no reference price"));
            };
            let points = i128::from(px.raw()) * i128::from(qty);
            let notional = match spec {
                Some(spec) => spec.money_for_points(points),
                None => Money::from_raw(points),
            }
            .abs();
            if notional > max {
                return Err(deny(DenyCode::MaxNotional, max, notional));
            }
        }
        if let (Some(max), true) = (limits.max_position, added > 0) {
            let (pos, buy, sell) = state.map_or((0, 0, 0), |s| {
                (s.position.qty, s.working_buy, s.working_sell)
            });
            let worst = match side {
                Side::Buy => pos + buy + added,
                Side::Sell => sell + added - pos,
            };
            if worst > max {
                return Err(deny(DenyCode::MaxPosition, max, worst));
            }
        }
        Ok(())
    }
}

/// The prices an order is checked at: the collar's (a new limit price; `None` for a market
/// order or an amend that keeps its price) and the notional's (`None`: at the mid).
#[derive(Clone, Copy)]
struct Prices {
    collar: Option<Price>,
    notional: Option<Price>,
}

fn limit_price(t: &OrderType) -> Option<Price> {
    match t {
        OrderType::Limit { price } => Some(*price),
        OrderType::Market => None,
    }
}

fn deny(code: DenyCode, limit: impl std::fmt::Display, value: impl std::fmt::Display) -> Denial {
    Denial {
        code,
        limit: limit.to_string(),
        value: value.to_string(),
    }
}

fn halted() -> Denial {
    Denial {
        code: DenyCode::Halted,
        limit: "halted".into(),
        value: "an order".into(),
    }
}
