use anyhow::{bail, Context};
use robofleet::control::auth::keys::{public_key_from, KeyPair};
use robofleet::control::client::{ControlClient, CurveClient};
use robofleet::server::{zmq_context, DEFAULT_CONTROL};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The server's control socket (what `serve --control` binds).
    #[arg(long, visible_alias = "endpoint", default_value = DEFAULT_CONTROL)]
    pub control: String,
    /// Longer than the server's 10 s shutdown grace, so `shutdown` is answered in time.
    #[arg(long, default_value_t = 15_000)]
    pub timeout_ms: u64,
    /// This client's key pair (a `.key` file from `robofleet keygen`): talk CURVE to a
    /// server started with --control-auth. Needs --server-key.
    #[arg(long, requires = "server_key")]
    pub key: Option<std::path::PathBuf>,
    /// The server's public key: its `.pub` file, or the 40 characters of Z85.
    #[arg(long, requires = "key")]
    pub server_key: Option<String>,
    #[command(subcommand)]
    pub request: Req,
}

#[derive(clap::Subcommand)]
pub enum Req {
    /// Robots and refused plugin files.
    List,
    /// One robot's status, or all.
    Status {
        robot: Option<String>,
    },
    Start {
        robot: String,
    },
    Stop {
        robot: String,
    },
    Pause {
        robot: String,
    },
    Resume {
        robot: String,
    },
    /// Trading ACTIVE again after the pre-trade checks halted or reduced the robot.
    ResumeTrading {
        robot: String,
    },
    /// Reload a robot's plugin file from disk (restarts its robots).
    Reload {
        robot: String,
    },
    /// Set parameters: `set-params ma_cross fast=3 slow=10`.
    SetParams {
        robot: String,
        params: Vec<String>,
    },
    /// Send a custom command to a robot.
    Command {
        robot: String,
        name: String,
        #[arg(default_value = "")]
        args: String,
    },
    Positions {
        robot: Option<String>,
    },
    /// Orders, newest first, a page at a time (the reply's `next` and `more` say how to go on).
    Orders {
        robot: Option<String>,
        /// Only orders still open (New, Working, PartiallyFilled).
        #[arg(long)]
        open: bool,
        #[arg(long)]
        symbol: Option<String>,
        /// One status: New, Working, PartiallyFilled, Filled, Cancelled or Rejected.
        #[arg(long)]
        status: Option<String>,
        #[command(flatten)]
        page: PageFlags,
    },
    /// Trades, newest first, a page at a time.
    Trades {
        robot: Option<String>,
        #[arg(long)]
        symbol: Option<String>,
        #[command(flatten)]
        page: PageFlags,
    },
    Stats,
    /// The control plane's audit log, newest first.
    Audit {
        /// At most this many entries (1..=10000). [default: 100]
        #[arg(long)]
        limit: Option<u64>,
    },
    /// Engage the fleet's latching kill switch: every robot halted, every working order
    /// cancelled, until `reset-kill-switch`.
    KillSwitch {
        /// Why, for the audit log and the robots' denials.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Reset the kill switch: robots may trade again under their own trading states.
    ResetKillSwitch,
    /// Read the data folder's risk.toml again and give each running robot its new limits.
    ReloadLimits,
    /// Trading ACTIVE again for an account its robots' loss reduced or halted.
    ResumeAccount {
        account: String,
    },
    /// The instrument registry the server runs on.
    Instruments,
    /// Read the data folder's instruments.toml again and tell the robots what changed.
    ReloadInstruments,
    Shutdown,
    /// Send a raw JSON request.
    Raw {
        json: String,
    },
}

#[derive(clap::Args)]
pub struct PageFlags {
    /// At most this many (1..=10000). [default: 100]
    #[arg(long)]
    limit: Option<u64>,
    /// Older than this cursor (a reply's `next`, or a time in ns): the next page back.
    #[arg(long)]
    before: Option<String>,
    /// Newer than this cursor, oldest first: to follow what comes after a page.
    #[arg(long)]
    after: Option<String>,
}

impl PageFlags {
    fn add_to(self, request: &mut Value) {
        let fields = [
            ("limit", self.limit.map(Value::from)),
            ("before", self.before.map(Value::from)),
            ("after", self.after.map(Value::from)),
        ];
        for (k, v) in fields {
            if let Some(v) = v {
                request[k] = v;
            }
        }
    }
}

/// `k=v` with v as int, float, bool or else string.
fn parse_params(pairs: &[String]) -> anyhow::Result<Value> {
    let mut map = Map::new();
    for pair in pairs {
        let Some((k, v)) = pair.split_once('=') else {
            bail!("parameter {pair:?} is not name=value");
        };
        let value = if let Ok(i) = v.parse::<i64>() {
            json!(i)
        } else if let Some(f) = v.parse::<f64>().ok().filter(|f| f.is_finite()) {
            json!(f)
        } else if let Ok(b) = v.parse::<bool>() {
            json!(b)
        } else {
            json!(v)
        };
        map.insert(k.to_string(), value);
    }
    Ok(Value::Object(map))
}

fn build(req: Req) -> anyhow::Result<Value> {
    Ok(match req {
        Req::List => json!({"cmd": "list"}),
        Req::Status { robot } => json!({"cmd": "status", "robot": robot}),
        Req::Start { robot } => json!({"cmd": "start", "robot": robot}),
        Req::Stop { robot } => json!({"cmd": "stop", "robot": robot}),
        Req::Pause { robot } => json!({"cmd": "pause", "robot": robot}),
        Req::Resume { robot } => json!({"cmd": "resume", "robot": robot}),
        Req::ResumeTrading { robot } => json!({"cmd": "resume_trading", "robot": robot}),
        Req::Reload { robot } => json!({"cmd": "reload", "robot": robot}),
        Req::SetParams { robot, params } => {
            json!({"cmd": "set_params", "robot": robot, "params": parse_params(&params)?})
        }
        Req::Command { robot, name, args } => {
            json!({"cmd": "command", "robot": robot, "name": name, "args": args})
        }
        Req::Positions { robot } => json!({"cmd": "positions", "robot": robot}),
        Req::Orders {
            robot,
            open,
            symbol,
            status,
            page,
        } => {
            let mut r = json!({"cmd": "orders", "robot": robot, "open_only": open});
            if let Some(s) = symbol {
                r["symbol"] = json!(s);
            }
            if let Some(s) = status {
                r["status"] = json!(s);
            }
            page.add_to(&mut r);
            r
        }
        Req::Trades {
            robot,
            symbol,
            page,
        } => {
            let mut r = json!({"cmd": "trades", "robot": robot});
            if let Some(s) = symbol {
                r["symbol"] = json!(s);
            }
            page.add_to(&mut r);
            r
        }
        Req::Stats => json!({"cmd": "stats"}),
        Req::Audit { limit } => match limit {
            Some(n) => json!({"cmd": "audit", "limit": n}),
            None => json!({"cmd": "audit"}),
        },
        Req::KillSwitch { reason } => match reason {
            Some(r) => json!({"cmd": "kill_switch", "reason": r}),
            None => json!({"cmd": "kill_switch"}),
        },
        Req::ResetKillSwitch => json!({"cmd": "reset_kill_switch"}),
        Req::ReloadLimits => json!({"cmd": "reload_limits"}),
        Req::ResumeAccount { account } => json!({"cmd": "resume_account", "account": account}),
        Req::Instruments => json!({"cmd": "instruments"}),
        Req::ReloadInstruments => json!({"cmd": "reload_instruments"}),
        Req::Shutdown => json!({"cmd": "shutdown"}),
        Req::Raw { json } => serde_json::from_str(&json).context("raw request is not JSON")?,
    })
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let request = build(args.request)?;
    let mut client = ControlClient::new(
        &zmq_context(),
        &args.control,
        Duration::from_millis(args.timeout_ms),
    );
    if let (Some(key), Some(server)) = (&args.key, &args.server_key) {
        let keys = KeyPair::read(key).map_err(anyhow::Error::msg)?;
        let server = public_key_from(server).map_err(|e| anyhow::anyhow!("--server-key: {e}"))?;
        client = client.with_curve(CurveClient { keys, server });
    }
    let reply = client.request(&request)?;
    // A closed pipe (`ctl stats | head`) is not an error worth a panic.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", serde_json::to_string_pretty(&reply)?);
    if reply["ok"] != json!(true) {
        std::process::exit(1);
    }
    Ok(())
}
