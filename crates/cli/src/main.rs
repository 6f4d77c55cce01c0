//! `fissure`: an observatory for the cracks that open before a market breaks.
//!
//! This binary only parses arguments, wires library calls together and prints;
//! every computation lives in the library crates.

mod cmd;
mod ctx;
mod input;
mod output;

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
        Command::Simulate(c) => cmd::simulate::run(&ctx, c),
    }
}

fn main() -> ExitCode {
    // clap exits with code 2 on usage errors by itself.
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
