//! `fissure simulate`: the liquidity-spiral simulator (Monte Carlo with agents) and replays of real days.

use crate::ctx::Ctx;
use crate::output::{print_json, print_table};
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use fissure_core::Series;
use fissure_spiral::config::{Exogenous, ImpactModel};
use fissure_spiral::{
    parse_spec, replay, simulate_maybe_baseline, simulate_path, AgentClass, Market, Shock, SpiralConfig,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum SimulateCmd {
    /// Monte Carlo of a shock with trend followers, vol targeters, margin-constrained investors, yen-carry traders and
    /// liquidity providers; amplification against the no-agent counterfactual on the same random numbers.
    #[command(
        after_help = "Examples:\n  fissure simulate spiral --shock SPX=-0.05\n  fissure simulate spiral --shock SPX=-5% --shock USDJPY=-3% --paths 5000 --json\n  fissure simulate spiral --shock US10Y=+50bp --no-agents cta,margin\n  fissure simulate spiral --shock SPX=-0.05 --no-agents all      (amplification exactly 1)\n  fissure simulate params > my-agents.toml; fissure simulate spiral --agents my-agents.toml --shock GOLD=-4%"
    )]
    Spiral(SpiralArgs),
    /// Replays a real day (2024-08-05, 2026-02-12): its exogenous inputs on the previous close's state, compared with
    /// what the market did.
    #[command(
        after_help = "Examples:\n  fissure simulate replay 2026-02-12\n  fissure simulate replay 2024-08-05 --json"
    )]
    Replay(ReplayArgs),
    /// Prints the default parameter file (cited calibration) to copy and edit.
    Params,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExogenousArg {
    Gaussian,
    Bootstrap,
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImpactArg {
    Sqrt,
    Exponential,
    Linear,
}

/// Options shared by the simulate commands.
#[derive(Debug, Args)]
pub struct AgentsArgs {
    /// Parameter file (TOML) of the assets and agents; default: the bundled one (`fissure simulate params`).
    #[arg(long, value_name = "FILE")]
    agents: Option<PathBuf>,
    /// Agent classes to remove: cta, vol_target, margin, carry, liquidity, leverage, or all.
    #[arg(long, value_delimiter = ',', value_name = "CLASS")]
    no_agents: Vec<String>,
    /// Use data up to this date only (the state of that day's close).
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct SpiralArgs {
    /// Shock on day 1, ASSET=MOVE (repeat): SPX=-0.05, SPX=-5%, US10Y=+25bp (yield), BOJ=+25bp, USDJPY=-3%.
    #[arg(long, value_name = "ASSET=MOVE", default_value = "SPX=-0.05")]
    shock: Vec<String>,
    #[command(flatten)]
    common: AgentsArgs,
    /// Monte Carlo paths, 1–1,000,000 (default: the parameter file's, 2,000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    paths: Option<u32>,
    /// Trading days per path, 1–5,000 (default: the parameter file's, 20).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=5000))]
    steps: Option<u32>,
    /// Seed of the random numbers (default: the parameter file's); results do not depend on the thread count.
    #[arg(long)]
    seed: Option<u64>,
    /// Exogenous returns: Gaussian with the estimated covariance, bootstrap of historical days, or none.
    #[arg(long, value_enum)]
    exogenous: Option<ExogenousArg>,
    /// Price-impact law: square root (Bouchaud), exponential (Cont–Schaanning), linear.
    #[arg(long, value_enum)]
    impact: Option<ImpactArg>,
    /// Only the named assets move on day 1 (no conditional propagation to the others).
    #[arg(long)]
    no_propagation: bool,
    /// Writes one simulated path (dated daily returns, with and without agents) as JSON, for a portfolio stress test.
    #[arg(long, value_name = "FILE")]
    scenario_out: Option<PathBuf>,
    /// Which path `--scenario-out` writes (0-based).
    #[arg(long, default_value_t = 0)]
    scenario_path: usize,
    /// Skip the no-shock run (same draws) behind the baseline and the net amplification; it doubles the work.
    #[arg(long)]
    no_baseline: bool,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The day to replay.
    #[arg(value_name = "YYYY-MM-DD")]
    date: NaiveDate,
    #[command(flatten)]
    common: AgentsArgs,
}

pub fn run(ctx: &Ctx, c: &SimulateCmd) -> anyhow::Result<()> {
    match c {
        SimulateCmd::Spiral(a) => spiral(ctx, a),
        SimulateCmd::Replay(a) => replay_cmd(ctx, a),
        SimulateCmd::Params => {
            print!("{}", fissure_spiral::config::DEFAULT_TOML);
            Ok(())
        }
    }
}

/// The configuration with `--agents` and `--no-agents` applied; returns the removed classes.
fn load_config(a: &AgentsArgs) -> anyhow::Result<(SpiralConfig, Vec<AgentClass>)> {
    let mut cfg = SpiralConfig::load(a.agents.as_deref())?;
    let removed = AgentClass::parse_list(&a.no_agents).context("--no-agents")?;
    cfg.without(&removed);
    Ok((cfg, removed))
}

fn load_series(ctx: &Ctx, cfg: &SpiralConfig) -> anyhow::Result<BTreeMap<String, Series>> {
    let mut out = BTreeMap::new();
    for id in cfg.series_needed() {
        let s = ctx.load_stored(&id).with_context(|| "the simulator's parameter file names this series")?;
        out.insert(id, s);
    }
    Ok(out)
}

fn spiral(ctx: &Ctx, a: &SpiralArgs) -> anyhow::Result<()> {
    let (mut cfg, removed) = load_config(&a.common)?;
    if let Some(p) = a.paths {
        cfg.simulation.paths = p as usize;
    }
    if let Some(s) = a.steps {
        cfg.simulation.steps = s as usize;
    }
    if let Some(s) = a.seed {
        cfg.simulation.seed = s;
    }
    if let Some(e) = a.exogenous {
        cfg.simulation.exogenous = match e {
            ExogenousArg::Gaussian => Exogenous::Gaussian,
            ExogenousArg::Bootstrap => Exogenous::Bootstrap,
            ExogenousArg::None => Exogenous::None,
        };
    }
    if let Some(i) = a.impact {
        cfg.impact.model = match i {
            ImpactArg::Sqrt => ImpactModel::Sqrt,
            ImpactArg::Exponential => ImpactModel::Exponential,
            ImpactArg::Linear => ImpactModel::Linear,
        };
    }
    if a.no_propagation {
        cfg.simulation.propagate_shock = false;
    }
    cfg.validate()?;
    let series = load_series(ctx, &cfg)?;
    let market = Market::estimate(&series, &cfg, a.common.as_of).context("estimating the market from the store")?;
    let specs = a.shock.iter().map(|s| parse_spec(s)).collect::<Result<Vec<_>, _>>()?;
    let shock = Shock::build(&specs, &market, &cfg)?;
    let (res, base) = simulate_maybe_baseline(&cfg, &market, &shock, !a.no_baseline);
    if let Some(path) = &a.scenario_out {
        anyhow::ensure!(
            a.scenario_path < cfg.simulation.paths,
            "--scenario-path {} is not below --paths {}",
            a.scenario_path,
            cfg.simulation.paths
        );
        let p = simulate_path(&cfg, &market, &shock, a.scenario_path);
        let text = serde_json::to_string_pretty(&p)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
        if !ctx.json {
            eprintln!("wrote path {} ({} days) to {}", a.scenario_path, p.dates.len(), path.display());
        }
    }
    if ctx.json {
        return print_json(&fissure_spiral::json::spiral(&res, &market, &cfg, &removed, base.as_ref()));
    }
    println!(
        "Liquidity-spiral simulation: {} paths × {} days from the close of {}, seed {}; shock {}",
        res.paths,
        res.steps,
        res.start_date,
        res.seed,
        res.shock.specs.join(", ")
    );
    if !removed.is_empty() {
        println!("Agents removed: {}", removed.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "));
    }
    match &res.amplification {
        Some(q) => println!(
            "Amplification (loss with agents / loss without, same random numbers): median {:.3} [p05 {:.3}, p95 {:.3}]",
            q.median, q.p05, q.p95
        ),
        None => println!("Amplification: {}", res.amplification_note.as_deref().unwrap_or("n/a")),
    }
    if let Some(b) = &base {
        let part: Vec<String> = b
            .endogenous
            .iter()
            .map(|(id, q)| q.map_or(format!("{id} n/a"), |q| format!("{id} {:+.2}%", 100.0 * q.median)))
            .collect();
        println!(
            "Without the shock (same random numbers) the agents alone move prices by (median): {}; margin calls in {:.0}% of paths",
            part.join(", "),
            100.0 * b.margin_call_share
        );
        if let Some(q) = &b.amplification_net {
            println!(
                "Amplification net of that (the shock's own effect through the agents): median {:.3} [p05 {:.3}, p95 {:.3}]",
                q.median, q.p05, q.p95
            );
            if let Some(plain) = &res.amplification {
                let drift = plain.median - q.median;
                if drift.abs() > 0.25 {
                    println!(
                        "Note: {drift:+.2} of the median amplification is the agents' drift without the shock over these {} days; read the net figure for the shock itself.",
                        res.steps
                    );
                }
            }
        }
    }
    let pct = |v: f64| format!("{:+.2}%", 100.0 * v);
    let rows: Vec<Vec<String>> = res
        .returns
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                pct(r.with_agents.median),
                pct(r.with_agents.p05),
                pct(r.with_agents.p95),
                pct(r.without_agents.median),
                pct(r.endogenous.median),
            ]
        })
        .collect();
    print_table(&["asset", "with agents", "p05", "p95", "without agents", "agents' part"], &rows);
    if !res.flows.is_empty() {
        println!();
        let rows: Vec<Vec<String>> = res
            .flows
            .iter()
            .map(|f| {
                vec![
                    f.class.as_str().to_string(),
                    format!("{:+.1}", f.net_sales.median),
                    format!("{:+.1}", f.net_sales.p05),
                    format!("{:+.1}", f.net_sales.p95),
                ]
            })
            .collect();
        print_table(&["agents", "net sales $bn (median)", "p05", "p95"], &rows);
    }
    println!(
        "Forced (margin-call) sales: median {:.1} bn [p95 {:.1}]; margin calls in {:.0}% of paths; stop levels hit per path: {:.2}",
        res.forced_sales.median,
        res.forced_sales.p95,
        100.0 * res.margin_call_share,
        res.stop_triggers.mean
    );
    if res.impact_bound_paths > 0 {
        println!(
            "Note: in {} paths a day's price impact reached its bound (−99% or +100%), outside the laws' measured \
             range: read the medians and bands, not the means.",
            res.impact_bound_paths
        );
    }
    if res.floor_hit_paths > 0 {
        println!("Note: {} paths hit the 1%-of-previous-close price floor.", res.floor_hit_paths);
    }
    Ok(())
}

fn replay_cmd(ctx: &Ctx, a: &ReplayArgs) -> anyhow::Result<()> {
    anyhow::ensure!(a.common.as_of.is_none(), "--as-of does not apply to a replay (the state is the previous close)");
    let (cfg, removed) = load_config(&a.common)?;
    let def = replay::find(a.date)?;
    let series = load_series(ctx, &cfg)?;
    let r = replay::run(&def, &series, &cfg)?;
    if ctx.json {
        return print_json(&fissure_spiral::json::replay(&r, &removed));
    }
    println!("Replay of {} — {} (state of the {} close)", r.date, r.title, r.previous_date);
    println!("Exogenous inputs: {}", r.exogenous.join(", "));
    let pct = |v: f64| format!("{:+.2}%", 100.0 * v);
    let rows: Vec<Vec<String>> = r
        .assets
        .iter()
        .map(|x| {
            vec![
                x.id.clone(),
                pct(x.exogenous),
                pct(x.simulated),
                x.actual.map_or("n/a".into(), pct),
                match x.ok_sign {
                    Some(true) if x.flat => "flat ok".into(),
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => "n/a".into(),
                },
                x.factor.map_or("-".into(), |f| format!("{f:.2}")),
            ]
        })
        .collect();
    print_table(&["asset", "exogenous", "simulated", "actual", "sign", "factor"], &rows);
    println!(
        "Signs {}; largest factor {:.2} (bound {:.1}: {}).",
        if r.all_signs_match { "all match" } else { "do NOT all match" },
        r.max_factor,
        r.factor_bound,
        if r.within_factor { "within" } else { "outside" }
    );
    let flows: Vec<String> = r.flows.iter().map(|(c, v)| format!("{} {:+.1}", c.as_str(), v)).collect();
    println!(
        "Net sales by agents ($bn): {}; forced sales {:.1} bn; stops hit {}.",
        flows.join(", "),
        r.forced_sales,
        r.stop_triggers
    );
    if !r.missing.is_empty() {
        println!("No real move in the data for: {}", r.missing.join(", "));
    }
    println!("\n{}", r.rationale);
    Ok(())
}
