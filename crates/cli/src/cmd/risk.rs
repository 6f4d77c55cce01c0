//! `fissure risk`: portfolio VaR/ES, backtests, scenario replay, conditional and reverse
//! stress tests, the cash buffer. The portfolio is `--portfolio FILE`, `--weights ID=W,…`
//! (with `--file F` for series not in the store), or the watchlist's `[portfolio]`.

use crate::ctx::Ctx;
use crate::input::{read_series_file, FileOptions};
use crate::output::{print_json, print_table};
use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use fissure_app::cocrash_days_of;
use fissure_contagion::cocrash::default_universe;
use fissure_core::Series;
use fissure_risk::backtest::{backtest, BacktestOptions};
use fissure_risk::cash::{advice_check, cash_buffer};
use fissure_risk::fhs::Correlation;
use fissure_risk::portfolio::{parse_portfolio_csv, return_matrix, Portfolio};
use fissure_risk::scenario::{replay_all, select_episodes, Episode, ReplayWithPaths};
use fissure_risk::shock::{self, conditional_shock, covariance, reverse_stress, CovKind, Shock, ShockOptions};
use fissure_risk::signals::PROXY_FACTORS;
use fissure_risk::var::{portfolio_var_methods, Method, Scaling, VarOptions};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum RiskCmd {
    /// Value-at-Risk and Expected Shortfall with Euler contributions by asset and basket.
    #[command(
        after_help = "Examples:\n  fissure risk var\n  fissure risk var --level 0.975 --horizon 10 --method all\n  fissure risk var --portfolio my.csv --method fhs --json\n  fissure risk var --weights SPY=0.6,TLT=0.4 --level 0.99"
    )]
    Var(VarArgs),
    /// Rolling out-of-sample backtests: Kupiec, Christoffersen, Basel traffic light, Acerbi–Székely Z2, ranking.
    #[command(
        after_help = "Examples:\n  fissure risk backtest\n  fissure risk backtest --method historical --window 250 --level 0.975 --json"
    )]
    Backtest(BacktestArgs),
    /// Replays historical sell-offs (built-in, FROM:TO windows, co-crash days) on today's holdings.
    #[command(
        after_help = "Examples:\n  fissure risk scenarios\n  fissure risk scenarios --scenario covid --scenario 2022-01-03:2022-10-12\n  fissure risk scenarios --no-cocrash --json"
    )]
    Scenarios(ScenarioArgs),
    /// Conditional shocks: the other assets and the portfolio given ID=MOVE (basket names allowed).
    #[command(
        after_help = "Examples:\n  fissure risk shock ai=-20%\n  fissure risk shock US10Y=+50bp USDJPY=-5% --cov stressed\n  fissure risk shock GLD=-10% --cov t --json"
    )]
    Shock(ShockArgs),
    /// Reverse stress test: the most plausible move that costs a given loss.
    #[command(
        after_help = "Examples:\n  fissure risk reverse --loss 0.2\n  fissure risk reverse --loss 0.1 --cov full --horizon 1 --json"
    )]
    Reverse(ReverseArgs),
    /// Cash buffer: the cash share that avoids a margin call in each scenario; the 15–20 % advice check.
    #[command(after_help = "Examples:\n  fissure risk cash\n  fissure risk cash --portfolio levered.csv --json")]
    Cash(CashArgs),
}

/// The portfolio and its data (shared by every `risk` command).
#[derive(Debug, Clone, Args)]
pub struct PortfolioArgs {
    /// Portfolio CSV: `id,weight` or `id,quantity` (+ optional `margin`); a `CASH` row gives cash.
    #[arg(long, value_name = "FILE", conflicts_with = "weights")]
    pub portfolio: Option<PathBuf>,
    /// Weights of equity, e.g. `SPY=0.6,TLT=0.4` (instead of a file or the watchlist).
    #[arg(long, value_name = "ID=W,…")]
    pub weights: Option<String>,
    /// Cash as a share of equity with --weights (negative = borrowed); the watchlist's `[portfolio]` has its own `cash`.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub cash: f64,
    /// Scale the weights so that weights + cash = 1 (otherwise such a portfolio is refused).
    #[arg(long)]
    pub normalise: bool,
    /// Price files for assets not in the store (repeat the flag).
    #[arg(long, value_name = "PATH")]
    pub file: Vec<PathBuf>,
    #[command(flatten)]
    pub file_options: FileOptions,
    /// Valuation date (default: the latest date of the holdings' data).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
}

fn parse_level(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v > 0.5 && v < 1.0 {
        Ok(v)
    } else {
        Err(format!("{v} is not in (0.5, 1)"))
    }
}

fn parse_unit_share(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v > 0.0 && v < 0.5 {
        Ok(v)
    } else {
        Err(format!("{v} is not in (0, 0.5)"))
    }
}

fn parse_loss(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number"))?;
    if v > 0.0 && v <= 1.0 {
        Ok(v)
    } else {
        Err(format!("{v} is not in (0, 1]"))
    }
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum MethodArg {
    Historical,
    Gaussian,
    CornishFisher,
    Fhs,
    Evt,
    All,
}

impl MethodArg {
    fn methods(self) -> Vec<Method> {
        match self {
            MethodArg::Historical => vec![Method::Historical],
            MethodArg::Gaussian => vec![Method::Gaussian],
            MethodArg::CornishFisher => vec![Method::CornishFisher],
            MethodArg::Fhs => vec![Method::Fhs],
            MethodArg::Evt => vec![Method::Evt],
            MethodArg::All => Method::ALL.to_vec(),
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CorrArg {
    Dcc,
    Constant,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CovArg {
    Full,
    Stressed,
    T,
}

#[derive(Debug, Args)]
pub struct VarArgs {
    #[command(flatten)]
    p: PortfolioArgs,
    /// Confidence level α, in (0.5, 1).
    #[arg(long, default_value_t = 0.99, value_parser = parse_level)]
    level: f64,
    /// Horizon in trading days (1..=250); > 1 gives overlapping and √h-scaled figures (FHS simulates).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=250))]
    horizon: u16,
    /// Method.
    #[arg(long, value_enum, default_value_t = MethodArg::Historical)]
    method: MethodArg,
    /// Days of history used (the most recent; 0 = all common history); at least 250.
    #[arg(long, default_value_t = 1000)]
    lookback: usize,
    /// EVT: share of the losses above the GPD threshold, in (0, 0.5).
    #[arg(long, default_value_t = 0.1, value_parser = parse_unit_share)]
    evt_tail: f64,
    /// FHS: simulated paths (≥ 100).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(100..=10_000_000))]
    sims: u32,
    /// FHS: correlation model.
    #[arg(long, value_enum, default_value_t = CorrArg::Dcc)]
    corr: CorrArg,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    #[command(flatten)]
    p: PortfolioArgs,
    /// Method(s) to backtest.
    #[arg(long, value_enum, default_value_t = MethodArg::All)]
    method: MethodArg,
    /// Estimation window of each forecast (days, 100..=5000).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u16).range(100..=5000))]
    window: u16,
    /// Confidence level α, in (0.5, 1).
    #[arg(long, default_value_t = 0.99, value_parser = parse_level)]
    level: f64,
    /// FHS: refit the GARCH every this many days (1..=250).
    #[arg(long, default_value_t = 21, value_parser = clap::value_parser!(u16).range(1..=250))]
    refit: u16,
    /// Simulations of the Z2 null distribution (100..=100000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(100..=100_000))]
    sims: u32,
    /// EVT: share of the losses above the GPD threshold, in (0, 0.5).
    #[arg(long, default_value_t = 0.1, value_parser = parse_unit_share)]
    evt_tail: f64,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    #[command(flatten)]
    p: PortfolioArgs,
    /// A built-in name (see `--help` of docs/risk.md), FROM:TO, or one date; repeatable. Default: every built-in episode.
    #[arg(long, value_name = "NAME|FROM:TO")]
    scenario: Vec<String>,
    /// Do not add the co-crash days flagged by the contagion detector.
    #[arg(long)]
    no_cocrash: bool,
    /// Include each scenario's P&L path in the JSON.
    #[arg(long)]
    paths: bool,
}

#[derive(Debug, Args)]
pub struct ShockArgs {
    #[command(flatten)]
    p: PortfolioArgs,
    /// Shocks ID=MOVE: `-20%` (a return), `+50bp` (a rate change, or 0.5 % of a price), or a plain number (fraction, or the rate's units).
    #[arg(value_name = "ID=MOVE", required = true)]
    shocks: Vec<String>,
    /// Dependence: full-sample covariance, stressed (co-crash days), or Student-t copula.
    #[arg(long, value_enum, default_value_t = CovArg::Full)]
    cov: CovArg,
    /// Horizon in trading days over which the moves happen (1..=250).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=250))]
    horizon: u16,
    /// Simulations of the t copula (1000..=1000000).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1000..=1_000_000))]
    sims: u32,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

#[derive(Debug, Args)]
pub struct ReverseArgs {
    #[command(flatten)]
    p: PortfolioArgs,
    /// Portfolio loss to reach, as a fraction of equity, in (0, 1].
    #[arg(long, value_parser = parse_loss)]
    loss: f64,
    /// Covariance: stressed (co-crash days) or full sample.
    #[arg(long, value_enum, default_value_t = CovArg::Stressed)]
    cov: CovArg,
    /// Horizon in trading days (1..=250).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=250))]
    horizon: u16,
}

#[derive(Debug, Args)]
pub struct CashArgs {
    #[command(flatten)]
    p: PortfolioArgs,
    /// Do not add the co-crash days to the scenarios.
    #[arg(long)]
    no_cocrash: bool,
    /// Leverages of the advice check (comma-separated, each in [1, 10]).
    #[arg(long, value_delimiter = ',', default_value = "1,1.25,1.5,2,3")]
    leverage: Vec<f64>,
}

pub fn run(ctx: &Ctx, cmd: &RiskCmd) -> anyhow::Result<()> {
    match cmd {
        RiskCmd::Var(a) => var(ctx, a),
        RiskCmd::Backtest(a) => run_backtest(ctx, a),
        RiskCmd::Scenarios(a) => scenarios(ctx, a),
        RiskCmd::Shock(a) => run_shock(ctx, a),
        RiskCmd::Reverse(a) => reverse(ctx, a),
        RiskCmd::Cash(a) => cash(ctx, a),
    }
}

/// The loaded portfolio with its series (base currency conversion happens in the library).
struct Loaded {
    pf: Portfolio,
    series: Vec<Series>,
    usdjpy: Option<Series>,
    as_of: NaiveDate,
    /// Extra series from --file (for proxies and shocks).
    files: BTreeMap<String, Series>,
}

impl Loaded {
    fn refs(&self) -> Vec<&Series> {
        self.series.iter().collect()
    }
    fn portfolio_json(&self) -> Value {
        fissure_risk::json::portfolio(&self.pf, self.as_of)
    }
}

fn load_id(ctx: &Ctx, files: &BTreeMap<String, Series>, id: &str) -> anyhow::Result<Series> {
    if let Some(s) = files.get(id) {
        return Ok(s.clone());
    }
    let store = ctx.store()?;
    if store.meta(id).is_err() {
        bail!(fissure_risk::RiskError::UnknownAsset(id.to_string()));
    }
    ctx.load_stored(id)
}

fn load_portfolio(ctx: &Ctx, a: &PortfolioArgs) -> anyhow::Result<Loaded> {
    let mut files = BTreeMap::new();
    for f in &a.file {
        for s in read_series_file(f, &a.file_options.read_options())? {
            files.insert(s.id().to_string(), s);
        }
    }
    let (entries, quantities, cash, origin) = if let Some(p) = &a.portfolio {
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let f = parse_portfolio_csv(&text, &p.display().to_string())?;
        (f.entries, f.quantities, f.cash, p.display().to_string())
    } else if let Some(w) = &a.weights {
        let mut e = Vec::new();
        for part in w.split(',').filter(|s| !s.trim().is_empty()) {
            let (id, v) = part.split_once('=').with_context(|| format!("--weights: `{part}` is not ID=W"))?;
            let v: f64 = v.trim().parse().with_context(|| format!("--weights: weight of `{id}` is not a number"))?;
            e.push((id.trim().to_string(), v, None));
        }
        (e, false, a.cash, "--weights".to_string())
    } else {
        let w = ctx.watchlist()?;
        if w.portfolio.is_empty() {
            bail!("no portfolio: give --portfolio FILE or --weights ID=W,…, or add a [portfolio] to the watchlist");
        }
        // cash and margins of the watchlist's [portfolio] (checked when it was parsed)
        let (e, cash) = fissure_app::watchlist_portfolio(w, a.cash)?;
        (e, false, cash, "the watchlist's [portfolio]".to_string())
    };
    let req = fissure_app::PortfolioRequest {
        entries: &entries,
        quantities,
        cash,
        normalise: a.normalise,
        as_of: a.as_of,
        origin: &origin,
    };
    let usdjpy_id = || anyhow::Ok(ctx.watchlist()?.role("usdjpy").unwrap_or("USDJPY").to_string());
    let l = fissure_app::load_portfolio(&req, usdjpy_id, |id| load_id(ctx, &files, id))?;
    let fissure_app::LoadedPortfolio { pf, series, usdjpy, as_of } = l;
    Ok(Loaded { pf, series, usdjpy, as_of, files })
}

fn baskets_of(ctx: &Ctx) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
    Ok(ctx.watchlist()?.baskets.clone())
}

fn pct(v: f64, d: usize) -> String {
    if v.is_finite() {
        format!("{:.*}%", d, 100.0 * v)
    } else {
        "n/a".into()
    }
}

fn num(v: f64, d: usize) -> String {
    if v.is_finite() {
        format!("{v:.d$}")
    } else {
        "n/a".into()
    }
}

fn scaling_name(s: Scaling) -> &'static str {
    match s {
        Scaling::OneDay => "one day",
        Scaling::Overlapping => "overlapping",
        Scaling::Sqrt => "sqrt(h)",
        Scaling::Simulated => "simulated",
    }
}

fn var(ctx: &Ctx, a: &VarArgs) -> anyhow::Result<()> {
    let l = load_portfolio(ctx, &a.p)?;
    let m = return_matrix(&l.refs(), l.usdjpy.as_ref(), Some(l.as_of))?;
    if a.lookback != 0 && a.lookback < 250 {
        bail!("--lookback {} must be 0 (all) or at least 250 days", a.lookback);
    }
    let m = m.tail(a.lookback);
    let opts = VarOptions {
        level: a.level,
        horizon: a.horizon as usize,
        evt_tail: a.evt_tail,
        sims: a.sims as usize,
        seed: a.seed,
        correlation: match a.corr {
            CorrArg::Dcc => Correlation::Dcc,
            CorrArg::Constant => Correlation::Constant,
        },
    };
    let baskets = baskets_of(ctx)?;
    let results = portfolio_var_methods(&m, &l.pf, &a.method.methods(), &opts, &baskets)?;
    if ctx.json {
        return print_json(&fissure_risk::json::var(l.portfolio_json(), &results)?);
    }
    println!(
        "Portfolio VaR/ES at {:.1}% over {} day(s), loss as a share of equity (ES = mean loss at or beyond VaR); {} return days {} → {} (as of {}).",
        100.0 * a.level,
        a.horizon,
        m.t(),
        m.dates.first().map_or("-".into(), |d| d.to_string()),
        m.dates.last().map_or("-".into(), |d| d.to_string()),
        l.as_of
    );
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| vec![r.method.as_str().into(), scaling_name(r.scaling).into(), pct(r.var, 2), pct(r.es, 2)])
        .collect();
    print_table(&["method", "horizon scaling", "VaR", "ES"], &rows);
    if let Some(r) = results.first() {
        println!("\nEuler contributions ({}, {}); they sum to the totals:", r.method.as_str(), scaling_name(r.scaling));
        let mut rows: Vec<Vec<String>> = r
            .components
            .iter()
            .map(|c| {
                vec![
                    c.id.clone(),
                    pct(c.weight, 1),
                    pct(c.var, 3),
                    pct(c.es, 3),
                    c.marginal_var.map_or("n/a".into(), |v| num(v, 4)),
                ]
            })
            .collect();
        rows.push(vec!["total".into(), pct(l.pf.leverage(), 1), pct(r.var, 3), pct(r.es, 3), String::new()]);
        print_table(&["asset", "weight", "VaR part", "ES part", "marginal VaR"], &rows);
        if !r.baskets.is_empty() {
            println!("\nBy watchlist basket (baskets may overlap):");
            let rows: Vec<Vec<String>> =
                r.baskets.iter().map(|c| vec![c.id.clone(), pct(c.weight, 1), pct(c.var, 3), pct(c.es, 3)]).collect();
            print_table(&["basket", "weight", "VaR part", "ES part"], &rows);
        }
    }
    Ok(())
}

fn run_backtest(ctx: &Ctx, a: &BacktestArgs) -> anyhow::Result<()> {
    let l = load_portfolio(ctx, &a.p)?;
    let m = return_matrix(&l.refs(), l.usdjpy.as_ref(), Some(l.as_of))?;
    let r = m.portfolio(&l.pf.weights());
    let o = BacktestOptions {
        window: a.window as usize,
        level: a.level,
        refit: a.refit as usize,
        evt_tail: a.evt_tail,
        sims: a.sims as usize,
        seed: a.seed,
    };
    let (res, _) = backtest(&r, &m.dates, &a.method.methods(), &o).context("backtest")?;
    if ctx.json {
        return print_json(&fissure_risk::json::backtest(l.portfolio_json(), a.level, a.window, &res));
    }
    println!(
        "Backtest of 1-day VaR/ES at {:.1}%: {} forecasts {} → {}, each from the previous {} days (ranked by the FZ0 loss).",
        100.0 * a.level,
        res.first().map_or(0, |r| r.forecasts),
        res.first().and_then(|r| r.first_date).map_or("-".into(), |d| d.to_string()),
        res.first().and_then(|r| r.last_date).map_or("-".into(), |d| d.to_string()),
        a.window
    );
    let mut sorted: Vec<_> = res.iter().collect();
    sorted.sort_by_key(|r| r.rank);
    let rows: Vec<Vec<String>> = sorted
        .iter()
        .map(|r| {
            vec![
                r.rank.to_string(),
                r.method.as_str().into(),
                format!("{} / {:.1}", r.exceptions, r.expected),
                num(r.kupiec.p, 3),
                num(r.christoffersen.p_ind, 3),
                num(r.christoffersen.p_cc, 3),
                format!("{} ({} in 250)", r.traffic_light, r.exceptions_250),
                num(r.es_test.z2, 3),
                num(r.es_test.p, 3),
                num(r.fz0, 4),
            ]
        })
        .collect();
    print_table(
        &[
            "rank",
            "method",
            "exceptions / expected",
            "Kupiec p",
            "indep. p",
            "cc p",
            "traffic light",
            "Z2",
            "Z2 p",
            "FZ0",
        ],
        &rows,
    );
    Ok(())
}

fn cocrash_days(ctx: &Ctx, as_of: NaiveDate) -> anyhow::Result<Vec<NaiveDate>> {
    let store = ctx.store()?;
    let mut map = BTreeMap::new();
    for (id, _) in default_universe() {
        if store.meta(id).is_ok() {
            map.insert(id.to_string(), ctx.load_stored(id)?.as_of(as_of));
        }
    }
    Ok(cocrash_days_of(&map))
}

/// Proxy candidates: the standard factors in the store, --file series, and the holdings.
fn factors(ctx: &Ctx, l: &Loaded) -> anyhow::Result<Vec<Series>> {
    let store = ctx.store()?;
    let mut out: Vec<Series> = Vec::new();
    for id in PROXY_FACTORS {
        if let Some(s) = l.files.get(id) {
            out.push(s.as_of(l.as_of));
        } else if store.meta(id).is_ok() {
            out.push(ctx.load_stored(id)?.as_of(l.as_of));
        }
    }
    for s in l.files.values().chain(&l.series) {
        if !out.iter().any(|o| o.id() == s.id()) {
            out.push(s.as_of(l.as_of));
        }
    }
    Ok(out)
}

fn held_usd(l: &Loaded) -> anyhow::Result<Vec<Series>> {
    l.series.iter().map(|s| Ok(fissure_risk::portfolio::to_usd(s, l.usdjpy.as_ref())?.as_of(l.as_of))).collect()
}

fn episodes(ctx: &Ctx, given: &[String], no_cocrash: bool, as_of: NaiveDate) -> anyhow::Result<Vec<Episode>> {
    let cocrash = if given.is_empty() && !no_cocrash { cocrash_days(ctx, as_of)? } else { Vec::new() };
    Ok(select_episodes(given, as_of, &cocrash)?)
}

fn replays(
    ctx: &Ctx,
    l: &Loaded,
    eps: &[Episode],
    strict: bool,
) -> anyhow::Result<(Vec<ReplayWithPaths>, Vec<String>)> {
    let held = held_usd(l)?;
    let fac = factors(ctx, l)?;
    let fac_refs: Vec<&Series> = fac.iter().collect();
    let pairs: Vec<(&Series, f64)> = held.iter().zip(l.pf.weights()).collect();
    let (out, skipped) = replay_all(&pairs, &fac_refs, eps, strict)?;
    for s in &skipped {
        eprintln!("warning: scenario skipped: {s}");
    }
    Ok((out, skipped))
}

fn scenarios(ctx: &Ctx, a: &ScenarioArgs) -> anyhow::Result<()> {
    let l = load_portfolio(ctx, &a.p)?;
    let eps = episodes(ctx, &a.scenario, a.no_cocrash, l.as_of)?;
    let (rs, skipped) = replays(ctx, &l, &eps, !a.scenario.is_empty())?;
    if ctx.json {
        return print_json(&fissure_risk::json::scenarios(
            l.portfolio_json(),
            rs.iter().map(|(r, _)| r),
            a.paths,
            &skipped,
        ));
    }
    println!(
        "Today's holdings (as of {}) replayed through past windows; P&L in % of equity, close of start → close of end:",
        l.as_of
    );
    let rows: Vec<Vec<String>> = rs
        .iter()
        .map(|(r, _)| {
            let worst = r.contributions.iter().min_by(|a, b| a.contribution_pct.total_cmp(&b.contribution_pct));
            vec![
                r.name.clone(),
                format!("{} → {}", r.start, r.end),
                format!("{:.2}", r.pnl_pct),
                format!("{:.2}", r.worst_pct),
                r.worst_date.to_string(),
                worst.map_or(String::new(), |c| format!("{} {:.2}", c.id, c.contribution_pct)),
                r.proxies
                    .iter()
                    .map(|p| format!("{}≈{:.2}×{} (R² {:.2})", p.id, p.beta, p.proxy, p.r2))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    print_table(&["scenario", "window", "P&L %", "worst %", "worst date", "largest drag", "proxies"], &rows);
    Ok(())
}

/// Builds the shock variables (fissure_risk::shock::shock_variables): holdings, shocked ids or basket members,
/// plus the `extra` ids that exist, from the --file series and the store.
fn shock_moves(
    ctx: &Ctx,
    l: &Loaded,
    targets: &[String],
    extra: &[&str],
) -> anyhow::Result<(shock::Moves, Vec<(usize, f64)>)> {
    let w = ctx.watchlist()?;
    // the store is opened only when an id is not a --file series (a files-only run needs none)
    let is_series = |id: &str| l.files.contains_key(id) || ctx.store().is_ok_and(|s| s.meta(id).is_ok());
    let vars = shock::shock_variables(l.pf.ids(), targets, extra, is_series, |t| w.basket_weights(t));
    let series: Vec<Series> = vars
        .ids
        .iter()
        .map(|id| load_id(ctx, &l.files, id).with_context(|| format!("shock variable `{id}`")))
        .collect::<anyhow::Result<_>>()?;
    let refs: Vec<&Series> = series.iter().collect();
    let holdings: Vec<(String, f64)> = l.pf.holdings.iter().map(|h| (h.id.clone(), h.weight)).collect();
    Ok(shock::shock_moves(&vars, &refs, &holdings, l.usdjpy.as_ref(), Some(l.as_of))?)
}

fn fmt_move(v: f64, is_change: bool) -> String {
    if is_change {
        format!("{:+.0}bp", 100.0 * v)
    } else {
        format!("{:+.2}%", 100.0 * v)
    }
}

fn run_shock(ctx: &Ctx, a: &ShockArgs) -> anyhow::Result<()> {
    let l = load_portfolio(ctx, &a.p)?;
    let targets: Vec<String> = a
        .shocks
        .iter()
        .map(|s| {
            s.split_once('=').map(|(i, _)| i.trim().to_string()).with_context(|| format!("shock `{s}` is not ID=MOVE"))
        })
        .collect::<anyhow::Result<_>>()?;
    let (mv, weights) = shock_moves(ctx, &l, &targets, &[])?;
    let shocks: Vec<Shock> = a
        .shocks
        .iter()
        .zip(&targets)
        .map(|(s, id)| {
            let j = mv.index(id).expect("variable added");
            Ok(Shock { id: id.clone(), value: shock::parse_move(s, mv.is_change[j])? })
        })
        .collect::<anyhow::Result<_>>()?;
    let kind = match a.cov {
        CovArg::Full => CovKind::Full,
        CovArg::Stressed => CovKind::Stressed,
        CovArg::T => CovKind::T,
    };
    let days = if kind == CovKind::Stressed { cocrash_days(ctx, l.as_of)? } else { vec![] };
    let so = ShockOptions { kind, horizon: a.horizon as usize, sims: a.sims as usize, seed: a.seed };
    let r = conditional_shock(&mv, &weights, &shocks, &so, &days)?;
    if ctx.json {
        return print_json(&fissure_risk::json::shock(l.portfolio_json(), &mv, &r));
    }
    println!(
        "Conditional {}-day moves given {} ({:?} dependence, {} observations{}):",
        a.horizon,
        a.shocks.join(", "),
        r.cov,
        r.observations,
        r.nu.map_or(String::new(), |n| format!(", t copula ν = {n}"))
    );
    let rows: Vec<Vec<String>> = r
        .variables
        .iter()
        .zip(&mv.is_change)
        .map(|(v, c)| {
            vec![
                v.id.clone(),
                if v.shocked { "shock".into() } else { String::new() },
                fmt_move(v.mean, *c),
                fmt_move(v.q05, *c),
                fmt_move(v.q95, *c),
            ]
        })
        .collect();
    print_table(&["variable", "", "expected", "5%", "95%"], &rows);
    let p = &r.portfolio;
    println!(
        "Portfolio: expected {:+.2}%, 5% quantile {:+.2}%, 95% quantile {:+.2}% of equity.",
        100.0 * p.mean,
        100.0 * p.q05,
        100.0 * p.q95
    );
    Ok(())
}

/// Factors whose implied moves the reverse stress test reports (if stored).
const REVERSE_FACTORS: [&str; 6] = ["SPX", "IXIC", "US10Y", "USDJPY", "GOLD", "VIX"];

fn reverse(ctx: &Ctx, a: &ReverseArgs) -> anyhow::Result<()> {
    let l = load_portfolio(ctx, &a.p)?;
    let (mv, weights) = shock_moves(ctx, &l, &[], &REVERSE_FACTORS)?;
    let h = a.horizon as usize;
    let (sigma, obs) = match a.cov {
        CovArg::Stressed => {
            let days = cocrash_days(ctx, l.as_of)?;
            let sd = mv.on_days(&days);
            if sd.t() < mv.k().max(10) {
                bail!(
                    "stressed covariance: only {} co-crash days have data for every variable (need {})",
                    sd.t(),
                    mv.k().max(10)
                );
            }
            (covariance(&sd, false) * h as f64, sd.t())
        }
        CovArg::Full => {
            let hm = mv.horizon(h);
            (covariance(&hm, true), hm.t())
        }
        CovArg::T => bail!("--cov t is for `risk shock`; the reverse stress test uses full or stressed"),
    };
    let (d, moves) = reverse_stress(&mv.ids, &sigma, &weights, a.loss)?;
    let prob = shock::normal_tail(d);
    let is_holding = |id: &str| l.pf.holdings.iter().any(|h| h.id == id);
    let change = |id: &str| mv.index(id).map(|j| mv.is_change[j]).unwrap_or(false);
    if ctx.json {
        return print_json(&fissure_risk::json::reverse(
            l.portfolio_json(),
            &l.pf,
            &mv,
            a.loss,
            h,
            a.cov == CovArg::Stressed,
            d,
            &moves,
            obs,
        ));
    }
    println!(
        "Most plausible {h}-day move costing {:.1}% of equity ({} covariance, {obs} observations): {d:.2} standard deviations away, Gaussian probability {:.2e}.",
        100.0 * a.loss,
        if a.cov == CovArg::Stressed { "stressed (co-crash days)" } else { "full-sample" },
        prob
    );
    let rows: Vec<Vec<String>> = moves
        .iter()
        .map(|(id, m)| {
            vec![id.clone(), if is_holding(id) { "holding".into() } else { "factor".into() }, fmt_move(*m, change(id))]
        })
        .collect();
    print_table(&["variable", "", "move"], &rows);
    Ok(())
}

fn cash(ctx: &Ctx, a: &CashArgs) -> anyhow::Result<()> {
    if let Some(l) = a.leverage.iter().find(|l| !(**l >= 1.0 && **l <= 10.0)) {
        bail!("--leverage {l} must be in [1, 10]");
    }
    let l = load_portfolio(ctx, &a.p)?;
    let eps = episodes(ctx, &[], a.no_cocrash, l.as_of)?;
    let (rs, skipped) = replays(ctx, &l, &eps, false)?;
    let w = l.pf.weights();
    let margins: Vec<f64> = l.pf.holdings.iter().map(|h| h.margin).collect();
    let res: Vec<_> = rs.iter().map(|(r, p)| cash_buffer(&r.name, &r.path_dates, p, &w, &margins)).collect();
    let advice = advice_check(&rs, &w, &margins, &a.leverage);
    if ctx.json {
        return print_json(&fissure_risk::json::cash(l.portfolio_json(), &res, &advice, &skipped));
    }
    println!(
        "Cash buffer (margin requirements: {}); leverage {:.2}, cash {:.1}% of equity.",
        l.pf.holdings.iter().map(|h| format!("{} {:.0}%", h.id, 100.0 * h.margin)).collect::<Vec<_>>().join(", "),
        l.pf.leverage(),
        100.0 * l.pf.cash
    );
    let rows: Vec<Vec<String>> = res
        .iter()
        .filter(|r| r.required_cash_share > 0.0 || r.margin_call || !r.scenario.starts_with("cocrash"))
        .map(|r| {
            vec![
                r.scenario.clone(),
                pct(r.required_cash_share, 1),
                if r.margin_call { "yes".into() } else { "no".into() },
                r.first_call_date.map_or(String::new(), |d| d.to_string()),
                pct(r.forced_sale, 1),
                pct(r.min_equity, 1),
            ]
        })
        .collect();
    print_table(
        &["scenario", "cash needed", "margin call as held", "first call", "forced sale", "lowest equity"],
        &rows,
    );
    println!("\nThe 15–20% cash advice for this mix at each leverage (worst scenario):");
    let rows: Vec<Vec<String>> = advice
        .iter()
        .map(|r| {
            vec![
                num(r.leverage, 2),
                r.worst_scenario.clone(),
                pct(r.required_cash_share, 1),
                if r.holds_at_15 { "yes".into() } else { "no".into() },
                if r.holds_at_20 { "yes".into() } else { "no".into() },
            ]
        })
        .collect();
    print_table(&["leverage", "worst scenario", "cash needed", "15% enough", "20% enough"], &rows);
    Ok(())
}
