//! `risk.toml`: the limits file (documented key by key in `docs/risk.md`). Quantities are
//! integer lots, prices and money decimal strings parsed straight to exact integers, rates
//! integers per second. Every key is optional: a limit that is not set is not checked.
//!
//! `[robots.default]` applies to every robot; `[robots.<name>]` overrides it key by key.
//! Per-symbol limits sit in `symbols.<symbol>` under either (`symbols."*"` for every symbol
//! not named), resolved in this order: the robot's own symbol table, the robot's `"*"`, the
//! default's symbol table, the default's `"*"`, again key by key.

use robofleet_api::{Money, Price};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The limits file's name in the data folder.
pub const FILE_NAME: &str = "risk.toml";

/// Why a limits file was refused.
#[derive(Debug, thiserror::Error)]
pub enum LimitsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
}

/// A token bucket: `rate` operations a second on average, up to `burst` at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    pub rate: u32,
    pub burst: u32,
}

/// At most `max` fills within any `window_ms` milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillLimit {
    pub max: u32,
    pub window_ms: u64,
}

/// A money threshold with two steps: `reduce` (only orders that reduce a position pass),
/// then `halt` (no order passes). Either may be left out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossSteps {
    pub reduce: Option<Money>,
    pub halt: Option<Money>,
}

/// How far a limit price may be from the reference price (the last mid): either bound
/// denies when it is passed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collar {
    /// Percent of the reference price (`"2.5"` is 2.5%).
    pub pct: Option<Price>,
    /// Ticks of the symbol's spec.
    pub ticks: Option<i64>,
}

/// Limits of one robot on one symbol.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SymbolLimits {
    pub max_order_qty: Option<i64>,
    /// price × quantity × the spec's point value, in the spec's currency.
    pub max_notional: Option<Money>,
    /// Net position, counting working orders as if filled, either way.
    pub max_position: Option<i64>,
    pub collar: Option<Collar>,
}

impl SymbolLimits {
    /// `self` where it sets a key, else `base`.
    fn over(&self, base: &SymbolLimits) -> SymbolLimits {
        SymbolLimits {
            max_order_qty: self.max_order_qty.or(base.max_order_qty),
            max_notional: self.max_notional.or(base.max_notional),
            max_position: self.max_position.or(base.max_position),
            collar: self.collar.or(base.collar),
        }
    }
}

/// One `[robots.*]` table as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RobotTable {
    max_working_orders: Option<u32>,
    submits: Option<Rate>,
    amends: Option<Rate>,
    cancels: Option<Rate>,
    fills: Option<FillLimit>,
    duplicate_window_ms: Option<u64>,
    /// `HH:MM` UTC: when the day of `daily_loss` begins.
    day_start: Option<String>,
    daily_loss: Option<LossSteps>,
    drawdown: Option<LossSteps>,
    #[serde(default)]
    symbols: BTreeMap<String, SymbolLimits>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    #[serde(default)]
    robots: BTreeMap<String, RobotTable>,
    #[serde(default)]
    accounts: BTreeMap<String, AccountLimits>,
    /// Limits over every robot together: an account of them all.
    fleet: Option<FleetLimits>,
}

/// The `[fleet]` table.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct FleetLimits {
    max_notional: Option<Money>,
    daily_loss: Option<LossSteps>,
}

/// The name the `[fleet]` table goes by among the accounts (and its member list).
pub const FLEET: &str = "fleet";
pub const EVERY_ROBOT: &str = "*";

/// One `[accounts.<name>]` table: robots that trade one account, and its limits over all
/// of them together.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountLimits {
    pub robots: Vec<String>,
    /// Open notional (positions at the mid, working orders at their price) of every robot
    /// together, per currency.
    pub max_notional: Option<Money>,
    /// The robots' loss since the day began, summed per currency.
    pub daily_loss: Option<LossSteps>,
}

/// The limits of one robot, resolved from the file. As JSON (these field names) it is what
/// the robot's journal keeps (`docs/journal.md`, the `Risk` record).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotLimits {
    pub max_working_orders: Option<u32>,
    pub submits: Option<Rate>,
    pub amends: Option<Rate>,
    /// Cancels are never blocked: going over this is only counted.
    pub cancels: Option<Rate>,
    pub fills: Option<FillLimit>,
    pub duplicate_window_ms: Option<u64>,
    /// Minutes after midnight UTC at which the day of `daily_loss` begins (0 by default).
    pub day_start_min: u32,
    pub daily_loss: LossSteps,
    pub drawdown: LossSteps,
    /// By symbol, `"*"` for the rest, already merged over the defaults.
    pub symbols: BTreeMap<String, SymbolLimits>,
    /// The account the robot trades (`[accounts.<name>]`), if any.
    #[serde(default)]
    pub account: Option<String>,
    /// The file has a `[fleet]` table: the robot counts towards it too.
    #[serde(default)]
    pub fleet: bool,
}

impl RobotLimits {
    /// The limits on `symbol`.
    pub fn symbol(&self, symbol: &str) -> SymbolLimits {
        match (self.symbols.get(symbol), self.symbols.get("*")) {
            (Some(own), Some(any)) => own.over(any),
            (Some(own), None) => own.clone(),
            (None, Some(any)) => any.clone(),
            (None, None) => SymbolLimits::default(),
        }
    }
}

/// A parsed limits file: every robot's limits.
#[derive(Debug, Default)]
pub struct RiskFile {
    robots: BTreeMap<String, RobotTable>,
    accounts: BTreeMap<String, AccountLimits>,
}

impl RiskFile {
    pub fn load(path: &Path) -> Result<RiskFile, LimitsError> {
        let text = std::fs::read_to_string(path).map_err(|source| LimitsError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        RiskFile::parse(&text).map_err(|message| LimitsError::Parse {
            path: path.to_path_buf(),
            message,
        })
    }

    /// `<data>/risk.toml`, if the data folder has one (`None`: no checks).
    pub fn in_data_dir(data: &Path) -> Result<Option<RiskFile>, LimitsError> {
        let path = data.join(FILE_NAME);
        if !path.exists() {
            return Ok(None);
        }
        RiskFile::load(&path).map(Some)
    }

    /// Parse the file's text; every robot's table is checked here, not when it is used.
    pub fn parse(text: &str) -> Result<RiskFile, String> {
        let doc: FileDoc = toml::from_str(text).map_err(|e| e.to_string())?;
        for (name, table) in &doc.robots {
            check_table(table).map_err(|e| format!("[robots.{name}]: {e}"))?;
        }
        let mut member_of: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, a) in &doc.accounts {
            let err = |e: String| format!("[accounts.{name}]: {e}");
            if name == FLEET {
                return Err(err("the name is the [fleet] table's: choose another".into()));
            }
            if a.robots.is_empty() {
                return Err(err("robots: name at least one robot".into()));
            }
            for robot in &a.robots {
                if let Some(other) = member_of.insert(robot, name) {
                    return Err(err(format!(
                        "robot {robot:?} is already in account {other:?}"
                    )));
                }
            }
            if a.max_notional.is_some_and(|m| m <= Money::ZERO) {
                return Err(err("max_notional must be above 0".into()));
            }
            check_steps("daily_loss", a.daily_loss).map_err(err)?;
        }
        let mut accounts = doc.accounts;
        if let Some(f) = doc.fleet {
            if f.max_notional.is_some_and(|m| m <= Money::ZERO) {
                return Err("[fleet]: max_notional must be above 0".into());
            }
            check_steps("daily_loss", f.daily_loss).map_err(|e| format!("[fleet]: {e}"))?;
            let fleet = AccountLimits {
                robots: vec![EVERY_ROBOT.to_string()],
                max_notional: f.max_notional,
                daily_loss: f.daily_loss,
            };
            accounts.insert(FLEET.to_string(), fleet);
        }
        Ok(RiskFile {
            robots: doc.robots,
            accounts,
        })
    }

    /// The account robot `name` trades, with its limits, if it is in one.
    pub fn account_of(&self, name: &str) -> Option<(&str, &AccountLimits)> {
        self.accounts
            .iter()
            .filter(|(n, _)| n.as_str() != FLEET)
            .find(|(_, a)| a.robots.iter().any(|r| r == name))
            .map(|(n, a)| (n.as_str(), a))
    }

    /// Every account and its limits.
    pub fn accounts(&self) -> &BTreeMap<String, AccountLimits> {
        &self.accounts
    }

    /// The limits of robot `name`: its table over `[robots.default]`.
    pub fn for_robot(&self, name: &str) -> RobotLimits {
        let empty = RobotTable::default();
        let base = self.robots.get("default").unwrap_or(&empty);
        let own = self.robots.get(name).unwrap_or(&empty);
        let mut symbols = BTreeMap::new();
        for (symbol, _) in base.symbols.iter().chain(own.symbols.iter()) {
            let pick = |t: &RobotTable| {
                let exact = t.symbols.get(symbol.as_str());
                let any = t.symbols.get("*");
                match (exact, any) {
                    (Some(e), Some(a)) => e.over(a),
                    (Some(e), None) => e.clone(),
                    (None, Some(a)) => a.clone(),
                    (None, None) => SymbolLimits::default(),
                }
            };
            symbols.insert(symbol.clone(), pick(own).over(&pick(base)));
        }
        let steps = |o: Option<LossSteps>, b: Option<LossSteps>| {
            let (o, b) = (o.unwrap_or_default(), b.unwrap_or_default());
            LossSteps {
                reduce: o.reduce.or(b.reduce),
                halt: o.halt.or(b.halt),
            }
        };
        let day_start = own.day_start.as_deref().or(base.day_start.as_deref());
        RobotLimits {
            max_working_orders: own.max_working_orders.or(base.max_working_orders),
            submits: own.submits.or(base.submits),
            amends: own.amends.or(base.amends),
            cancels: own.cancels.or(base.cancels),
            fills: own.fills.or(base.fills),
            duplicate_window_ms: own.duplicate_window_ms.or(base.duplicate_window_ms),
            // Checked at parse time: a bad value never gets here.
            day_start_min: day_start.and_then(parse_hhmm).unwrap_or(0),
            daily_loss: steps(own.daily_loss, base.daily_loss),
            drawdown: steps(own.drawdown, base.drawdown),
            symbols,
            account: self.account_of(name).map(|(a, _)| a.to_string()),
            fleet: self.accounts.contains_key(FLEET),
        }
    }
}

fn check_table(t: &RobotTable) -> Result<(), String> {
    if let Some(s) = &t.day_start {
        parse_hhmm(s).ok_or_else(|| format!("day_start {s:?} is not HH:MM (UTC)"))?;
    }
    if t.max_working_orders == Some(0) {
        return Err("max_working_orders must be at least 1".into());
    }
    for (what, rate) in [
        ("submits", t.submits),
        ("amends", t.amends),
        ("cancels", t.cancels),
    ] {
        if let Some(r) = rate {
            if r.rate == 0 || r.burst == 0 {
                return Err(format!("{what}: rate and burst must be at least 1"));
            }
        }
    }
    if let Some(f) = t.fills {
        if f.max == 0 || f.window_ms == 0 {
            return Err("fills: max and window_ms must be at least 1".into());
        }
    }
    for (what, steps) in [("daily_loss", t.daily_loss), ("drawdown", t.drawdown)] {
        check_steps(what, steps)?;
    }
    for (symbol, s) in &t.symbols {
        let bad = |what: &str| Err(format!("symbols.{symbol}: {what} must be above 0"));
        if s.max_order_qty.is_some_and(|q| q <= 0) {
            return bad("max_order_qty");
        }
        if s.max_notional.is_some_and(|m| m <= Money::ZERO) {
            return bad("max_notional");
        }
        if s.max_position.is_some_and(|q| q < 0) {
            return Err(format!("symbols.{symbol}: max_position must be 0 or more"));
        }
        if let Some(c) = s.collar {
            if c.pct.is_some_and(|p| !p.is_positive()) || c.ticks.is_some_and(|t| t <= 0) {
                return bad("collar pct and ticks");
            }
        }
    }
    Ok(())
}

fn check_steps(what: &str, steps: Option<LossSteps>) -> Result<(), String> {
    let steps = steps.unwrap_or_default();
    for m in [steps.reduce, steps.halt].into_iter().flatten() {
        if m <= Money::ZERO {
            return Err(format!("{what}: amounts are losses, above 0"));
        }
    }
    if let (Some(r), Some(h)) = (steps.reduce, steps.halt) {
        if h < r {
            return Err(format!("{what}: halt ({h}) is below reduce ({r})"));
        }
    }
    Ok(())
}

/// `HH:MM` as minutes after midnight.
fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl RobotLimits {
    /// As the journal's `Risk` record and `ControlMsg::Limits` carry it.
    pub fn to_json(&self) -> String {
        // Plain data with string keys: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<RobotLimits, String> {
        serde_json::from_str(text).map_err(|e| format!("limits do not decode: {e}"))
    }
}
