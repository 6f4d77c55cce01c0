//! `fissure`: an observatory for the cracks that open before a market breaks.
//!
//! This binary only parses arguments, wires library calls together and prints;
//! every computation lives in the library crates.

mod cmd;
mod ctx;
mod input;
mod output;
mod params;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "fissure",
    version,
    about = "Measure bubbles, crowding, contagion, liquidity stress and market concentration on real data",
    after_help = "Examples:\n  fissure ingest --demo                       load the bundled real data set\n  fissure ingest ../shared/data/prices         ingest every file of a folder\n  fissure list\n  fissure show SPX --from 2026-02-01\n  fissure report                              the full report on the bundled data"
)]
struct Cli {
    /// The store file (default: a per-user path; see `fissure list --json`).
    #[arg(long, global = true, env = "FISSURE_STORE", value_name = "PATH")]
    store: Option<PathBuf>,
    /// Watchlist TOML (baskets, roles, portfolio, report settings); default: the embedded one.
    #[arg(long, global = true, env = "FISSURE_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Machine-readable JSON on stdout instead of tables.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ingest files or folders of prices and macro series into the store (all or nothing).
    Ingest(cmd::ingest::IngestArgs),
    /// List the stored series and cross-sections.
    List(cmd::list::ListArgs),
    /// Print a stored series (any revision).
    Show(cmd::show::ShowArgs),
    /// Export stored series to CSV or Parquet.
    Export(cmd::export::ExportArgs),
    /// The full report: signals, gauges, skill of the warnings; bilingual HTML, charts, JSON.
    Report(cmd::report::ReportArgs),
    /// Bubbles: PSY date-stamping, LPPLS fits and confidence, valuation stretch.
    #[command(subcommand)]
    Bubble(cmd::bubble::BubbleCmd),
    /// Crowding and contagion: correlations, GARCH/DCC, absorption ratio, turbulence, spillovers, co-crash days.
    #[command(subcommand)]
    Contagion(cmd::contagion::ContagionCmd),
    /// Liquidity: financial stress index, yen-carry unwind, rate and yen betas of baskets.
    #[command(subcommand)]
    Liquidity(cmd::liquidity::LiquidityCmd),
    /// Regimes: Markov-switching models (Hamilton filter, Kim smoother).
    #[command(subcommand)]
    Regime(cmd::regime::RegimeCmd),
    /// Market structure: market-cap concentration and sector/size rotation.
    #[command(subcommand)]
    Structure(cmd::structure::StructureCmd),
    /// The AI deal network: cycles, circulation, round-trip revenue, concentration, DebtRank, clearing.
    #[command(subcommand)]
    Network(cmd::network::NetworkCmd),
    /// The capex–revenue gap: intensity, required revenue, the claims check.
    #[command(subcommand)]
    Capex(cmd::capex::CapexCmd),
    /// The live dashboard and the REST API (auth, alerts, scheduled refresh) on this machine.
    #[cfg(feature = "server")]
    Serve(cmd::serve::ServeArgs),
    /// Bearer tokens of `fissure serve`: create (shown once), list, revoke.
    #[cfg(feature = "server")]
    #[command(subcommand)]
    Token(cmd::token::TokenCmd),
    /// Portfolio risk: VaR/ES with contributions, backtests, scenario replay, conditional and reverse stress tests, cash buffer.
    #[command(subcommand)]
    Risk(cmd::risk::RiskCmd),
    /// Simulation: the liquidity spiral (CTA stops, margin calls, yen-carry unwind) and replays of real days.
    #[command(subcommand)]
    Simulate(cmd::simulate::SimulateCmd),
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let ctx = ctx::Ctx::new(cli.store, cli.config, cli.json);
    match &cli.command {
        Command::Ingest(a) => cmd::ingest::run(&ctx, a),
        Command::List(a) => cmd::list::run(&ctx, a),
        Command::Show(a) => cmd::show::run(&ctx, a),
        Command::Export(a) => cmd::export::run(&ctx, a),
        Command::Report(a) => cmd::report::run(&ctx, a),
        Command::Bubble(c) => cmd::bubble::run(&ctx, c),
        Command::Contagion(c) => cmd::contagion::run(&ctx, c),
        Command::Liquidity(c) => cmd::liquidity::run(&ctx, c),
        Command::Regime(c) => cmd::regime::run(&ctx, c),
        Command::Structure(c) => cmd::structure::run(&ctx, c),
        Command::Network(c) => cmd::network::run(&ctx, c),
        Command::Capex(c) => cmd::capex::run(&ctx, c),
        #[cfg(feature = "server")]
        Command::Serve(a) => cmd::serve::run(&ctx, a),
        #[cfg(feature = "server")]
        Command::Token(c) => cmd::token::run(&ctx, c),
        Command::Risk(c) => cmd::risk::run(&ctx, c),
        Command::Simulate(c) => cmd::simulate::run(&ctx, c),
    }
}

/// A closed stdout (`fissure list | head`) ends the program quietly, as Unix tools do:
/// the default SIGPIPE action is restored (Rust ignores it, which turns every later write
/// into an error or a panic). Sockets are unaffected: Rust writes them with MSG_NOSIGNAL.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: `signal` with SIG_DFL installs no handler; called once, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// True if the error is (caused by) writing to a closed pipe.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

fn main() -> ExitCode {
    quiet_on_closed_pipe();
    // clap exits with code 2 on usage errors by itself.
    let cli = Cli::parse();
    let result = run(cli).and_then(|()| output::flush().map_err(anyhow::Error::from));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = output::flush();
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
