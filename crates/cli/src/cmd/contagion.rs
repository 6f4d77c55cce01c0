//! `fissure contagion`: correlations, GARCH/DCC, absorption ratio, turbulence,
//! Diebold–Yilmaz spillovers, cross-asset co-crash days, crowding.

use crate::ctx::Ctx;
use crate::input::{read_series_file, MultiInput, SeriesInput};
use crate::output::{print_json, print_table};
use crate::params;
use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use fissure_contagion::absorption::{absorption_ratio, AbsorptionOptions};
use fissure_contagion::cocrash::{class_of, default_universe, CrashClass};
use fissure_contagion::crowding::{basket_crowding, change_kind_for, positioning};
use fissure_contagion::dcc::fit_dcc;
use fissure_contagion::garch::{fit_garch, GarchSpec, Innovation};
use fissure_contagion::panel::{basket_index, log_return_rows, ReturnRows};
use fissure_contagion::spillover::{rolling_spillover, spillover, Identification, LagChoice, SpilloverOptions};
use fissure_contagion::turbulence::{expanding_percentile, turbulence};
use fissure_core::{Alignment, Series};
use serde_json::{json, Value};

#[derive(Debug, Subcommand)]
pub enum ContagionCmd {
    /// Correlation matrix (rolling window or EWMA) of series or basket indices; for two inputs, the rolling path with Fisher-z bands.
    #[command(
        after_help = "Examples:\n  fissure contagion corr ai precious crypto\n  fissure contagion corr SPY TLT GLD BTC --window 120\n  fissure contagion corr ai precious --ewma 0.94 --json"
    )]
    Corr(CorrArgs),
    /// Univariate GARCH(1,1) by maximum likelihood on percent returns (normal or Student-t, optional GJR), robust standard errors.
    #[command(
        after_help = "Examples:\n  fissure contagion garch SPX --from 2000-01-01 --to 2025-12-31\n  fissure contagion garch BTC --dist t --gjr --json"
    )]
    Garch(GarchArgs),
    /// DCC(1,1) two-step conditional correlations of several series or baskets.
    #[command(
        after_help = "Examples:\n  fissure contagion dcc SPY TLT GLD --from 2015-01-01\n  fissure contagion dcc ai precious crypto --json"
    )]
    Dcc(DccArgs),
    /// Absorption ratio (Kritzman et al. 2011) and its standardized shift ΔAR.
    #[command(
        after_help = "Examples:\n  fissure contagion absorption SPY QQQ IWM XLK XLF XLE XLU XLP XLV TLT GLD SLV HYG\n  fissure contagion absorption defensives tech credit gold --window 250 --json"
    )]
    Absorption(AbsorptionArgs),
    /// Financial turbulence (Kritzman & Li 2010) with magnitude and correlation-surprise parts.
    #[command(
        after_help = "Examples:\n  fissure contagion turbulence SPY TLT GLD HYG XLE --window 500\n  fissure contagion turbulence SPY TLT GLD --json"
    )]
    Turbulence(TurbulenceArgs),
    /// Diebold–Yilmaz spillover table (VAR + FEVD), optionally rolling.
    #[command(
        after_help = "Examples:\n  fissure contagion spillover SPY TLT GLD SLV XLE HYG\n  fissure contagion spillover SPY TLT GLD SLV XLE HYG --rolling 200 --json\n  fissure contagion spillover ai precious crypto --cholesky --lag-ic bic"
    )]
    Spillover(SpilloverArgs),
    /// Cross-asset co-crash days: simultaneous large declines, indiscriminate sell-offs, safe-haven failures.
    #[command(
        after_help = "Examples:\n  fissure contagion cocrash --from 2025-01-01\n  fissure contagion cocrash SPY GLD TLT BTC COPPER WTI --json\n  fissure contagion cocrash NVDA GOLD TLT BTC --class NVDA=equities"
    )]
    Cocrash(CocrashArgs),
    /// Crowding: a basket's correlation and dispersion; positioning and sentiment percentiles.
    #[command(
        after_help = "Examples:\n  fissure contagion crowding ai\n  fissure contagion crowding semis --window 120 --json\n  fissure contagion crowding ai --positioning MARGIN_DEBT --positioning NAAIM"
    )]
    Crowding(CrowdingArgs),
}

#[derive(Debug, Clone, Args)]
pub struct Span {
    /// First date of the returns used.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<NaiveDate>,
    /// Last date of the returns used.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Args)]
pub struct CorrArgs {
    #[command(flatten)]
    input: MultiInput,
    #[command(flatten)]
    span: Span,
    /// Rolling window (observations) [range: 4..=100000].
    #[arg(long, default_value_t = 60, value_parser = params::int::<4, 100_000>)]
    window: usize,
    /// Use EWMA (RiskMetrics) correlations with this λ instead of a rolling window [range: (0, 1)].
    #[arg(long, value_name = "LAMBDA", value_parser = params::open_unit)]
    ewma: Option<f64>,
    /// Confidence level of the Fisher-z bands [range: (0, 1)].
    #[arg(long, default_value_t = 0.95, value_parser = params::open_unit)]
    conf: f64,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DistArg {
    Normal,
    T,
}

#[derive(Debug, Args)]
pub struct GarchArgs {
    #[command(flatten)]
    input: SeriesInput,
    #[command(flatten)]
    span: Span,
    /// Innovation distribution.
    #[arg(long, value_enum, default_value_t = DistArg::Normal)]
    dist: DistArg,
    /// Add the GJR asymmetry term.
    #[arg(long)]
    gjr: bool,
    /// Returns fitted: 100 × simple returns (arch's usual input) or 100 × log returns.
    #[arg(long, value_enum, default_value_t = ReturnsArg::Simple)]
    returns: ReturnsArg,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum ReturnsArg {
    /// 100 (P_t / P_{t−1} − 1)
    Simple,
    /// 100 ln(P_t / P_{t−1})
    Log,
}

#[derive(Debug, Args)]
pub struct DccArgs {
    #[command(flatten)]
    input: MultiInput,
    #[command(flatten)]
    span: Span,
    /// Student-t GARCH in step 1.
    #[arg(long, value_enum, default_value_t = DistArg::Normal)]
    dist: DistArg,
    /// Include the dated conditional correlation path of every pair in the JSON.
    #[arg(long)]
    paths: bool,
}

#[derive(Debug, Args)]
pub struct AbsorptionArgs {
    #[command(flatten)]
    input: MultiInput,
    #[command(flatten)]
    span: Span,
    /// Covariance window (observations) [range: 10..=100000; more than the number of assets].
    #[arg(long, default_value_t = 500, value_parser = params::int::<10, 100_000>)]
    window: usize,
    /// Half-life of the exponential weights (observations) [range: > 0].
    #[arg(long, default_value_t = 250.0, value_parser = params::positive)]
    half_life: f64,
    /// Share of eigenvectors (n = ceil(fraction × N)) [range: (0, 1]].
    #[arg(long, default_value_t = 0.2, value_parser = params::unit_fraction)]
    fraction: f64,
}

#[derive(Debug, Args)]
pub struct TurbulenceArgs {
    #[command(flatten)]
    input: MultiInput,
    #[command(flatten)]
    span: Span,
    /// Trailing reference window (days before each day) [range: 10..=100000; more than the number of assets].
    #[arg(long, default_value_t = 500, value_parser = params::int::<10, 100_000>)]
    window: usize,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IcArg {
    Aic,
    Bic,
    Hqic,
}

#[derive(Debug, Args)]
pub struct SpilloverArgs {
    #[command(flatten)]
    input: MultiInput,
    #[command(flatten)]
    span: Span,
    /// VAR lag order [range: 1..=20].
    #[arg(long, default_value_t = 2, value_parser = params::int::<1, 20>)]
    lag: usize,
    /// Choose the lag by an information criterion (full-sample table only).
    #[arg(long, value_enum)]
    lag_ic: Option<IcArg>,
    /// Largest lag tried with --lag-ic [range: 1..=20].
    #[arg(long, default_value_t = 8, value_parser = params::int::<1, 20>)]
    max_lag: usize,
    /// Forecast horizon H [range: 1..=1000].
    #[arg(long, default_value_t = 10, value_parser = params::int::<1, 1000>)]
    horizon: usize,
    /// Cholesky FEVD (Diebold–Yilmaz 2009, order-dependent) instead of generalized (2012).
    #[arg(long)]
    cholesky: bool,
    /// Rolling window length: adds a dated total-spillover series [range: 10..=100000; at least
    /// p + k + max(20, k) with k = 1 + N·p regressors].
    #[arg(long, value_name = "W", value_parser = params::int::<10, 100_000>)]
    rolling: Option<usize>,
    /// Step between rolling windows [range: 1..=100000].
    #[arg(long, default_value_t = 1, value_parser = params::int::<1, 100_000>)]
    step: usize,
}

#[derive(Debug, Args)]
pub struct CocrashArgs {
    /// Series ids (default: SPY QQQ GLD SLV COPPER WTI XLE BTC ETH TLT) or basket names (expanded).
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    /// Analyse files instead of stored series (repeatable).
    #[arg(long, value_name = "PATH")]
    file: Vec<std::path::PathBuf>,
    #[command(flatten)]
    file_options: crate::input::FileOptions,
    /// Class of a series the detector does not know: ID=equities|precious_metals|industrial_metals|energy|crypto|long_bonds.
    #[arg(long, value_name = "ID=CLASS")]
    class: Vec<String>,
    #[command(flatten)]
    span: Span,
    /// Large-decline threshold in own-volatility units [range: > 0].
    #[arg(long, default_value_t = 1.5, value_parser = params::positive)]
    threshold: f64,
    /// Trailing volatility window [range: 3..=10000].
    #[arg(long, default_value_t = 60, value_parser = params::int::<3, 10_000>)]
    vol_window: usize,
}

#[derive(Debug, Args)]
pub struct CrowdingArgs {
    /// A basket name (its members) or several series ids.
    #[command(flatten)]
    input: MultiInput,
    #[command(flatten)]
    span: Span,
    /// Trailing window (observations) [range: 4..=100000].
    #[arg(long, default_value_t = 60, value_parser = params::int::<4, 100_000>)]
    window: usize,
    /// Positioning/sentiment series (default: the watchlist's margin_debt, aaii_spread, aaii_equity_allocation, naaim roles).
    #[arg(long, value_name = "ID")]
    positioning: Vec<String>,
}

pub fn run(ctx: &Ctx, cmd: &ContagionCmd) -> anyhow::Result<()> {
    match cmd {
        ContagionCmd::Corr(a) => corr(ctx, a),
        ContagionCmd::Garch(a) => garch(ctx, a),
        ContagionCmd::Dcc(a) => dcc(ctx, a),
        ContagionCmd::Absorption(a) => absorption(ctx, a),
        ContagionCmd::Turbulence(a) => turb(ctx, a),
        ContagionCmd::Spillover(a) => spill(ctx, a),
        ContagionCmd::Cocrash(a) => cocrash(ctx, a),
        ContagionCmd::Crowding(a) => crowding(ctx, a),
    }
}

/// Loads the inputs; a watchlist basket name (not a stored id) becomes its weighted index.
fn load_as_indices(ctx: &Ctx, input: &MultiInput) -> anyhow::Result<Vec<Series>> {
    let mut out = Vec::new();
    for name in &input.ids {
        let stored = ctx.store()?.meta(name).is_ok();
        match (stored, ctx.watchlist()?.basket_weights(name)) {
            (false, Some(members)) => {
                let loaded: Vec<(Series, f64)> = members
                    .iter()
                    .map(|(m, w)| ctx.load_stored(m).map(|s| (s, *w)))
                    .collect::<anyhow::Result<_>>()
                    .with_context(|| format!("basket `{name}`"))?;
                let refs: Vec<(&Series, f64)> = loaded.iter().map(|(s, w)| (s, *w)).collect();
                out.push(basket_index(name, &refs).with_context(|| format!("basket `{name}`"))?);
            }
            _ => out.push(ctx.load_stored(name)?),
        }
    }
    for path in &input.file {
        out.extend(read_series_file(path, &input.file_options.read_options())?);
    }
    Ok(out)
}

fn returns(series: &[Series], span: &Span, min: usize) -> anyhow::Result<ReturnRows> {
    if series.len() < min {
        bail!("need at least {min} series, got {}", series.len());
    }
    let refs: Vec<&Series> = series.iter().collect();
    let names: Vec<&str> = series.iter().map(|s| s.id()).collect();
    let r = log_return_rows(&refs, &Alignment::Intersection, 100.0)
        .with_context(|| format!("aligning the returns of {}", names.join(", ")))?;
    let r = r.between(span.from, span.to);
    if r.rows.is_empty() {
        bail!("{}: no common dates with returns in the requested span", names.join(", "));
    }
    if r.rows.len() < 3 {
        bail!(
            "only {} common returns of {} in the requested span: too few for any estimate",
            r.rows.len(),
            r.names.join(", ")
        );
    }
    // a series whose returns do not vary has no variance, correlation or volatility: refuse, naming it
    for (j, name) in r.names.iter().enumerate() {
        if fissure_stats::tol::is_constant(&r.column(j)) {
            bail!(
                "series `{name}` does not move over {} … {} (every return equal): its variance and correlations are undefined",
                r.dates[0],
                r.dates[r.dates.len() - 1]
            );
        }
    }
    Ok(r)
}

fn f(v: f64, d: usize) -> String {
    crate::cmd::bubble::num_or_na(v, d)
}

/// The most series a command takes: the work and memory of a matrix command grow with N² per date
/// (5,000 columns into `corr` would need tens of GB); aggregate members into baskets instead.
fn check_width(what: &str, n: usize, max: usize) -> anyhow::Result<()> {
    if n > max {
        bail!("{what} takes at most {max} series, got {n}: aggregate members into a watchlist basket");
    }
    Ok(())
}

/// "WHAT of A, B, C (FIRST … LAST)": the context of a family error, naming the series.
fn of(what: &str, r: &ReturnRows) -> String {
    let span = match (r.dates.first(), r.dates.last()) {
        (Some(a), Some(b)) => format!(" ({a} … {b})"),
        _ => String::new(),
    };
    format!("{what} of {}{span}", r.names.join(", "))
}

fn matrix_rows(names: &[String], m: &[Vec<f64>], d: usize) -> Vec<Vec<String>> {
    names
        .iter()
        .zip(m)
        .map(|(n, row)| std::iter::once(n.clone()).chain(row.iter().map(|v| f(*v, d))).collect())
        .collect()
}

fn corr(ctx: &Ctx, a: &CorrArgs) -> anyhow::Result<()> {
    let series = load_as_indices(ctx, &a.input)?;
    check_width("contagion corr", series.len(), 50)?;
    let r = returns(&series, &a.span, 2)?;
    let out = fissure_contagion::json::correlations(&r, a.window, a.ewma, a.conf)
        .with_context(|| of("contagion corr", &r))?;
    let num = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
    let matrix: Vec<Vec<f64>> = out["matrix"]
        .as_array()
        .map(|rows| {
            rows.iter().map(|row| row.as_array().map(|c| c.iter().map(num).collect()).unwrap_or_default()).collect()
        })
        .unwrap_or_default();
    let as_of = out["as_of"].as_str().unwrap_or("").to_string();
    if ctx.json {
        return print_json(&out);
    }
    println!("Correlations ({}) to {as_of}:", out["method"].as_str().unwrap_or(""));
    let mut headers = vec![""];
    headers.extend(r.names.iter().map(String::as_str));
    print_table(&headers, &matrix_rows(&r.names, &matrix, 2));
    println!();
    let rows: Vec<Vec<String>> = out["pairs"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|p| {
                    let g = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);
                    vec![
                        format!("{}–{}", p["a"].as_str().unwrap_or(""), p["b"].as_str().unwrap_or("")),
                        f(g("corr"), 3),
                        format!("[{}, {}]", f(g("lower"), 2), f(g("upper"), 2)),
                        f(g("percentile"), 0),
                        f(g("full_sample"), 3),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    print_table(&["pair", "corr", "band", "pct", "full sample"], &rows);
    match (num(&out["average_pairwise"]), num(&out["average_pairwise_percentile"])) {
        (v, p) if v.is_finite() && p.is_finite() => {
            println!(
                "Average pairwise correlation {v:.3} ({} percentile of its history).",
                fissure_core::family::ordinal_en(p)
            );
        }
        (v, _) if v.is_finite() => {
            println!("Average pairwise correlation {v:.3} (percentile n/a: its history does not move).")
        }
        _ => println!("Average pairwise correlation n/a: a series does not move in the last window."),
    }
    Ok(())
}

fn spec_of(dist: DistArg, gjr: bool) -> GarchSpec {
    GarchSpec { dist: if matches!(dist, DistArg::T) { Innovation::StudentT } else { Innovation::Normal }, gjr }
}

fn garch(ctx: &Ctx, a: &GarchArgs) -> anyhow::Result<()> {
    let s = ctx.load_series_from(&a.input, a.span.from)?;
    let log = a.returns == ReturnsArg::Log;
    let (keep, y) = fissure_contagion::panel::garch_returns(&s, a.span.from, a.span.to, log)?;
    let pb = crate::cmd::busy(ctx, "GARCH fit");
    let fit = fit_garch(&y, spec_of(a.dist, a.gjr)).with_context(|| format!("GARCH fit of `{}`", s.id()));
    pb.finish_and_clear();
    let fit = fit?;
    let out = fissure_contagion::json::garch(&s, &keep, log, &fit, false);
    let last_vol = fit.conditional_volatility.last().copied().unwrap_or(f64::NAN);
    if !ctx.json {
        for w in &fit.warnings {
            eprintln!("warning: `{}`: {w}", s.id());
        }
    }
    if ctx.json {
        return print_json(&out);
    }
    println!(
        "GARCH(1,1){} {} on {} returns of {} ({} … {}):",
        if fit.spec.gjr { "-GJR" } else { "" },
        if fit.nu.is_some() { "Student-t" } else { "normal" },
        fit.nobs,
        s.id(),
        out["from"].as_str().unwrap_or(""),
        out["to"].as_str().unwrap_or("")
    );
    let rows: Vec<Vec<String>> = fit
        .param_names
        .iter()
        .zip(&fit.params)
        .zip(&fit.std_errors)
        .map(|((n, p), e)| vec![n.clone(), format!("{p:.6}"), format!("{e:.6}"), f(p / e, 2)])
        .collect();
    print_table(&["param", "estimate", "robust se", "t"], &rows);
    println!(
        "log-likelihood {:.4}; persistence {:.4}; latest σ {:.3}% daily ({:.1}% annualized)",
        fit.loglik,
        fit.persistence,
        last_vol,
        last_vol * 252f64.sqrt()
    );
    Ok(())
}

fn dcc(ctx: &Ctx, a: &DccArgs) -> anyhow::Result<()> {
    let series = load_as_indices(ctx, &a.input)?;
    check_width("contagion dcc", series.len(), 50)?;
    let r = returns(&series, &a.span, 2)?;
    let cols: Vec<Vec<f64>> = (0..r.names.len()).map(|j| r.column(j)).collect();
    let pb = crate::cmd::busy(ctx, "DCC(1,1) fit");
    let fit = fit_dcc(&r.names, &cols, spec_of(a.dist, false)).with_context(|| of("DCC(1,1)", &r));
    pb.finish_and_clear();
    let fit = fit?;
    let n = r.names.len();
    let last = fit.correlations.last().context("empty DCC path")?;
    let matrix: Vec<Vec<f64>> = (0..n).map(|i| (0..n).map(|j| last[i * n + j]).collect()).collect();
    let out = fissure_contagion::json::dcc(&r, &fit, a.paths).context("empty DCC path")?;
    if ctx.json {
        return print_json(&out);
    }
    println!(
        "DCC(1,1) two-step on {} returns ({} … {}): a = {:.5}, b = {:.5}, log-likelihood {:.3}",
        r.rows.len(),
        r.dates[0],
        r.dates.last().map(|d| d.to_string()).unwrap_or_default(),
        fit.a,
        fit.b,
        fit.loglik
    );
    for w in &fit.warnings {
        eprintln!("warning: {w}");
    }
    let mut headers = vec![""];
    headers.extend(r.names.iter().map(String::as_str));
    println!("Latest conditional correlations:");
    print_table(&headers, &matrix_rows(&r.names, &matrix, 3));
    Ok(())
}

fn absorption(ctx: &Ctx, a: &AbsorptionArgs) -> anyhow::Result<()> {
    let series = ctx.load_many(&a.input)?;
    check_width("contagion absorption", series.len(), 200)?;
    let r = returns(&series, &a.span, 2)?;
    let opts =
        AbsorptionOptions { window: a.window, half_life: a.half_life, fraction: a.fraction, ..Default::default() };
    let pb = crate::cmd::busy(ctx, "absorption ratio");
    let s = absorption_ratio(&r.rows, &opts).with_context(|| of("absorption ratio", &r));
    pb.finish_and_clear();
    let s = s?;
    let dates: Vec<NaiveDate> = s.end_index.iter().map(|&i| r.dates[i]).collect();
    let pct = expanding_percentile(&s.ar);
    if ctx.json {
        return print_json(&fissure_contagion::json::absorption(&r, &s, a.window, a.half_life));
    }
    println!(
        "Absorption ratio of {} assets (top {} eigenvectors, {}-day window, half-life {}):",
        r.names.len(),
        s.n_top,
        a.window,
        a.half_life
    );
    let k = s.ar.len();
    let rows: Vec<Vec<String>> = (k.saturating_sub(10)..k)
        .map(|i| vec![dates[i].to_string(), f(s.ar[i], 4), f(s.delta_ar[i], 2), f(pct[i], 0)])
        .collect();
    print_table(&["date", "AR", "ΔAR", "AR pct"], &rows);
    Ok(())
}

fn turb(ctx: &Ctx, a: &TurbulenceArgs) -> anyhow::Result<()> {
    let series = ctx.load_many(&a.input)?;
    check_width("contagion turbulence", series.len(), 200)?;
    let r = returns(&series, &a.span, 1)?;
    let t = turbulence(&r.rows, a.window).with_context(|| of("turbulence", &r))?;
    let dates: Vec<NaiveDate> = t.index.iter().map(|&i| r.dates[i]).collect();
    let pct = expanding_percentile(&t.turbulence);
    if ctx.json {
        return print_json(&fissure_contagion::json::turbulence(&r, &t, a.window));
    }
    println!(
        "Turbulence of {} assets against the trailing {} days (E = N = {} under normality):",
        r.names.len(),
        a.window,
        r.names.len()
    );
    let k = t.turbulence.len();
    let rows: Vec<Vec<String>> = (k.saturating_sub(10)..k)
        .map(|i| {
            vec![
                dates[i].to_string(),
                f(t.turbulence[i], 2),
                f(t.magnitude[i], 2),
                f(t.correlation_surprise[i], 2),
                f(pct[i], 1),
            ]
        })
        .collect();
    print_table(&["date", "turbulence", "magnitude", "corr. surprise", "pct"], &rows);
    let mut top: Vec<usize> = (0..k).collect();
    top.sort_by(|x, y| t.turbulence[*y].total_cmp(&t.turbulence[*x]));
    let worst: Vec<String> = top.iter().take(5).map(|&i| format!("{} ({:.0})", dates[i], t.turbulence[i])).collect();
    println!("Most turbulent days: {}", worst.join(", "));
    Ok(())
}

fn spill(ctx: &Ctx, a: &SpilloverArgs) -> anyhow::Result<()> {
    let series = load_as_indices(ctx, &a.input)?;
    check_width("contagion spillover", series.len(), 30)?;
    let r = returns(&series, &a.span, 2)?;
    let lag = match a.lag_ic {
        None => LagChoice::Fixed { p: a.lag },
        Some(IcArg::Aic) => LagChoice::Aic { max: a.max_lag },
        Some(IcArg::Bic) => LagChoice::Bic { max: a.max_lag },
        Some(IcArg::Hqic) => LagChoice::Hqic { max: a.max_lag },
    };
    let identification = if a.cholesky { Identification::Cholesky } else { Identification::Generalized };
    let opts = SpilloverOptions { lag, horizon: a.horizon, identification };
    let s = spillover(&r.names, &r.rows, &opts).with_context(|| of("spillover table", &r))?;
    let mut rolling_tail = Vec::new();
    let rs = match a.rolling {
        Some(w) => {
            let ro = SpilloverOptions { lag: LagChoice::Fixed { p: s.p }, ..opts };
            let pb = crate::cmd::busy(ctx, "rolling spillovers");
            let rs = rolling_spillover(&r.names, &r.rows, w, a.step, &ro).with_context(|| of("rolling spillovers", &r));
            pb.finish_and_clear();
            let rs = rs?;
            let dates: Vec<NaiveDate> = rs.end_index.iter().map(|&i| r.dates[i]).collect();
            rolling_tail = dates.iter().zip(&rs.total).rev().take(10).map(|(d, v)| (*d, *v)).collect();
            rolling_tail.reverse();
            Some((w, rs))
        }
        None => None,
    };
    let out = fissure_contagion::json::spillover(&r, &s, rs.as_ref().map(|(w, x)| (*w, a.step, x)));
    if ctx.json {
        return print_json(&out);
    }
    println!(
        "Spillover table (%), VAR({}), H = {}, {:?}; rows receive, columns transmit ({} … {}):",
        s.p,
        s.horizon,
        s.identification,
        r.dates[0],
        r.dates.last().map(|d| d.to_string()).unwrap_or_default()
    );
    let mut headers = vec![""];
    headers.extend(s.names.iter().map(String::as_str));
    headers.push("FROM");
    let mut rows = matrix_rows(&s.names, &s.table, 2);
    for (row, fr) in rows.iter_mut().zip(&s.from) {
        row.push(f(*fr, 2));
    }
    rows.push(
        std::iter::once("TO".to_string())
            .chain(s.to.iter().map(|v| f(*v, 2)))
            .chain(std::iter::once(String::new()))
            .collect(),
    );
    rows.push(
        std::iter::once("NET".to_string())
            .chain(s.net.iter().map(|v| f(*v, 2)))
            .chain(std::iter::once(String::new()))
            .collect(),
    );
    print_table(&headers, &rows);
    println!("Total spillover {:.2}%", s.total);
    if let Some(e) = s.net_edges(0.0).first() {
        println!("Strongest net pairwise link: {} → {} ({:.2} points)", e.from, e.to, e.weight);
    }
    if !rolling_tail.is_empty() {
        println!("Rolling total (last values):");
        let rows: Vec<Vec<String>> = rolling_tail.iter().map(|(d, v)| vec![d.to_string(), f(*v, 2)]).collect();
        print_table(&["date", "total %"], &rows);
    }
    Ok(())
}

fn cocrash(ctx: &Ctx, a: &CocrashArgs) -> anyhow::Result<()> {
    let ids: Vec<String> = if a.ids.is_empty() && a.file.is_empty() {
        default_universe().iter().map(|(i, _)| i.to_string()).collect()
    } else {
        a.ids.clone()
    };
    let input = MultiInput { ids, file: a.file.clone(), file_options: a.file_options.clone() };
    let series = ctx.load_many(&input)?;
    // every --class must be ID=CLASS and name an input series: nothing given is ignored
    for c in &a.class {
        let Some((id, class)) = c.split_once('=') else {
            bail!("--class {c}: expected ID=CLASS (e.g. --class NVDA=equities)");
        };
        CrashClass::parse(class).with_context(|| format!("--class {c}: unknown class `{class}`"))?;
        if !series.iter().any(|s| s.id() == id) {
            let ids: Vec<&str> = series.iter().map(|s| s.id()).collect();
            bail!("--class {c}: `{id}` is not one of the input series ({})", ids.join(", "));
        }
    }
    let mut classes = Vec::new();
    for s in &series {
        let given =
            a.class.iter().find_map(|c| c.split_once('=').filter(|(i, _)| *i == s.id()).map(|(_, c)| c.to_string()));
        let c = match given {
            Some(c) => CrashClass::parse(&c).with_context(|| format!("--class {}={c}: unknown class", s.id()))?,
            None => class_of(s.id())
                .with_context(|| format!("no asset class known for `{}`; give --class {}=CLASS", s.id(), s.id()))?,
        };
        classes.push((s.id().to_string(), c));
    }
    let refs: Vec<&Series> = series.iter().collect();
    let names = classes.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>().join(", ");
    let sc = fissure_contagion::cocrash::scan(&refs, classes, a.threshold, a.vol_window)
        .with_context(|| format!("co-crash days of {names}"))?;
    if ctx.json {
        return print_json(&fissure_contagion::json::cocrash(&sc, a.threshold, a.vol_window, a.span.from, a.span.to));
    }
    let (reference, days, coex) = (&sc.calendar, sc.days_between(a.span.from, a.span.to), &sc.coexceedance);
    println!("{} co-crash days (calendar of {reference}, moves in units of each asset's trailing {}-day volatility, threshold −{}σ):", days.len(), a.vol_window, a.threshold);
    let rows: Vec<Vec<String>> = days
        .iter()
        .map(|d| {
            let flags = match (d.indiscriminate, d.safe_haven_failure) {
                (true, true) => "indiscriminate + safe-haven failure",
                (true, false) => "indiscriminate",
                (false, true) => "safe-haven failure",
                _ => "",
            };
            let assets: Vec<String> = d.assets_down.iter().map(|m| format!("{} {:.1}σ", m.id, m.sigma_move)).collect();
            vec![
                d.date.to_string(),
                format!("{}/{}", d.classes_down.len(), d.classes_available),
                flags.to_string(),
                assets.join(", "),
            ]
        })
        .collect();
    print_table(&["date", "classes down", "flags", "assets down"], &rows);
    println!("Tail co-exceedance with equities, P(class ≤ −{}σ | equities ≤ −{}σ):", a.threshold, a.threshold);
    let rows: Vec<Vec<String>> =
        coex.iter().map(|(c, l, full)| vec![c.as_str().to_string(), f(*l, 2), f(*full, 2)]).collect();
    print_table(&["class", "last 250 days", "full history"], &rows);
    Ok(())
}

fn crowding(ctx: &Ctx, a: &CrowdingArgs) -> anyhow::Result<()> {
    let series = ctx.load_many(&a.input)?;
    check_width("contagion crowding", series.len(), 200)?;
    let r = returns(&series, &a.span, 2)?;
    let c = basket_crowding(&r.rows, a.window).with_context(|| of("basket crowding", &r))?;
    let last = c.end_index.len() - 1;
    let as_of = r.dates[c.end_index[last]];
    let wl = ctx.watchlist()?;
    let pos_ids: Vec<String> = if a.positioning.is_empty() {
        ["margin_debt", "aaii_spread", "aaii_equity_allocation", "naaim"]
            .iter()
            .filter_map(|role| wl.role(role).map(String::from))
            .collect()
    } else {
        a.positioning.clone()
    };
    let mut pos = Vec::new();
    for id in &pos_ids {
        let s = match ctx.load_stored(id) {
            Ok(s) => s,
            Err(e) if a.positioning.is_empty() => {
                eprintln!("note: positioning series `{id}` skipped: {e:#}");
                continue;
            }
            Err(e) => return Err(e),
        };
        let p = positioning(&s, change_kind_for(id))?;
        let k = p.dates.len() - 1;
        pos.push(json!({"id": id, "date": p.dates[k], "level": p.level[k], "level_percentile": p.level_percentile[k],
            "change_12m": p.change_12m[k], "change_percentile": p.change_percentile[k], "change_kind": p.change_kind}));
    }
    let out = json!({"names": r.names, "window": a.window, "as_of": as_of, "avg_correlation": c.avg_correlation[last],
        "correlation_percentile": c.correlation_percentile[last], "dispersion": c.dispersion[last],
        "dispersion_percentile": c.dispersion_percentile[last], "score": c.score[last], "positioning": pos});
    if ctx.json {
        return print_json(&out);
    }
    println!("Crowding of {} ({}-day window) on {as_of}:", r.names.join(", "), a.window);
    print_table(
        &["measure", "value", "percentile"],
        &[
            vec![
                "average pairwise correlation".into(),
                f(c.avg_correlation[last], 3),
                f(c.correlation_percentile[last], 0),
            ],
            vec!["dispersion (% daily)".into(), f(c.dispersion[last], 3), f(c.dispersion_percentile[last], 0)],
            vec!["crowding score (0-100)".into(), f(c.score[last], 0), String::new()],
        ],
    );
    if !pos.is_empty() {
        println!("Positioning and sentiment:");
        let rows: Vec<Vec<String>> = pos
            .iter()
            .map(|p| {
                let g = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);
                vec![
                    p["id"].as_str().unwrap_or("").into(),
                    p["date"].as_str().unwrap_or("").into(),
                    f(g("level"), 2),
                    f(g("level_percentile"), 0),
                    f(g("change_12m"), 2),
                    f(g("change_percentile"), 0),
                ]
            })
            .collect();
        print_table(&["series", "date", "level", "pct", "12m change", "pct"], &rows);
    }
    Ok(())
}
