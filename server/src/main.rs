//! The `robofleet` command: one file per subcommand under `cmd/`.

mod cmd;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "robofleet",
    version,
    about = "Run a fleet of algorithmic-trading robot plugins"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server: robots from a plugin folder, control socket, market data, gateway.
    Serve(cmd::serve::Args),
    /// Talk to a running server over its control socket.
    Ctl(cmd::ctl::Args),
    /// Run the order gateway as its own process on a shared (MongoDB) store.
    Gateway(cmd::gateway::Args),
    /// Publish market data (CSV replay, synthetic, or a FIX venue's) over ZeroMQ.
    Feed(cmd::feed::Args),
    /// Run a venue for gateways to connect to: the simulated exchange behind FIX 4.4.
    Venue(cmd::venue::Args),
    /// Run the demo fleet: synthetic feed, example robots, gateway, live summary.
    Demo(cmd::demo::Args),
    /// Run one robot over historical market data and write a report.
    Backtest(cmd::backtest::Args),
    /// Rebuild robots from their journals through a plugin build; check a new build.
    Replay(cmd::replay::Args),
    /// Manage the local stores: `import` the embedded store's log into SQLite.
    Store(cmd::store::Args),
    /// Make a CURVE key pair for the control socket (a server's or a client's).
    Keygen(cmd::keygen::Args),
    /// Create a robot crate of its own from the template robot, ready to build and drop in.
    New(cmd::new::Args),
    /// (internal) Load one plugin file in this short-lived process and report: the server
    /// runs it on every new build, so a file that crashes the loader kills only this.
    #[command(name = "__probe-plugin", hide = true)]
    ProbePlugin {
        /// The file the trader dropped in, named in the verdict.
        #[arg(long)]
        label: std::path::PathBuf,
        /// The file to load (the server's private copy).
        file: std::path::PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    if let Command::ProbePlugin { label, file } = &cli.command {
        std::process::exit(robofleet::plugin::probe::probe_main(label, file));
    }
    // The demo prints its own summary; robots' own log lines would drown it.
    let default_level = match cli.command {
        Command::Demo(_) | Command::Backtest(_) => "warn",
        _ => "info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve(a) => cmd::serve::run(a),
        Command::Ctl(a) => cmd::ctl::run(a),
        Command::Feed(a) => cmd::feed::run(a),
        Command::Gateway(a) => cmd::gateway::run(a),
        Command::Venue(a) => cmd::venue::run(a),
        Command::Demo(a) => cmd::demo::run(a),
        Command::Backtest(a) => cmd::backtest::run(a),
        Command::Replay(a) => cmd::replay::run(a),
        Command::New(a) => cmd::new::run(a),
        Command::Keygen(a) => cmd::keygen::run(a),
        Command::Store(a) => cmd::store::run(a),
        Command::ProbePlugin { .. } => Ok(()),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
