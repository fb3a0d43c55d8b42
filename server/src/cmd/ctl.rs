use anyhow::{bail, Context};
use robofleet::control::client::ControlClient;
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
    Orders {
        robot: Option<String>,
        #[arg(long)]
        open: bool,
    },
    Trades {
        robot: Option<String>,
    },
    Stats,
    Shutdown,
    /// Send a raw JSON request.
    Raw {
        json: String,
    },
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
        Req::Reload { robot } => json!({"cmd": "reload", "robot": robot}),
        Req::SetParams { robot, params } => {
            json!({"cmd": "set_params", "robot": robot, "params": parse_params(&params)?})
        }
        Req::Command { robot, name, args } => {
            json!({"cmd": "command", "robot": robot, "name": name, "args": args})
        }
        Req::Positions { robot } => json!({"cmd": "positions", "robot": robot}),
        Req::Orders { robot, open } => json!({"cmd": "orders", "robot": robot, "open_only": open}),
        Req::Trades { robot } => json!({"cmd": "trades", "robot": robot}),
        Req::Stats => json!({"cmd": "stats"}),
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
    let reply = client.request(&request)?;
    // A closed pipe (`ctl stats | head`) is not an error worth a panic.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", serde_json::to_string_pretty(&reply)?);
    if reply["ok"] != json!(true) {
        std::process::exit(1);
    }
    Ok(())
}
