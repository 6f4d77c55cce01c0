//! `fissure liquidity`: financial stress index, yen-carry unwind, rate and yen betas.

use crate::ctx::Ctx;
use crate::input::{read_series_file, FileOptions};
use crate::output::{print_json, print_table};
use crate::params;
use anyhow::Context;
use clap::{Args, Subcommand};
use fissure_core::Series;
use fissure_liquidity::carry::{basket_betas, baskets_named, betas_json, carry_unwind, BasketBetas, CarryConfig};
use fissure_liquidity::stress::{benchmark_correlations, stress_index, stress_json, StressConfig};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum LiquidityCmd {
    /// Real-time financial stress index: first principal component of standardized weekly indicators, with loadings,
    /// contributions and its correlation with STLFSI4 / NFCI.
    #[command(
        after_help = "Examples:\n  fissure liquidity index\n  fissure liquidity index --only HY_OAS,IG_OAS,VIX,CURVE_10Y_3M --json\n  fissure liquidity index --file HY_OAS.csv --file VIX.csv    (a file is read as the indicator its stem names)"
    )]
    Index(IndexArgs),
    /// Yen-carry-unwind indicator (sharp yen appreciation with a VIX jump), dated episodes, and basket betas to USD/JPY.
    #[command(
        after_help = "Examples:\n  fissure liquidity carry\n  fissure liquidity carry ai bitcoin --window 63 --json"
    )]
    Carry(CarryArgs),
    /// Rolling betas of baskets to changes in the 10-year yield (and USD/JPY).
    #[command(
        after_help = "Examples:\n  fissure liquidity rates\n  fissure liquidity rates ai growth value small_caps gold bitcoin --window 126 --json"
    )]
    Rates(RatesArgs),
}

#[derive(Debug, Args)]
pub struct DataArgs {
    /// Files whose series replace or add to the stored ones (repeat the flag).
    #[arg(long, value_name = "PATH")]
    pub file: Vec<PathBuf>,
    #[command(flatten)]
    pub file_options: FileOptions,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    data: DataArgs,
    /// Comma-separated indicator names to keep (default: all twelve).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Weeks of history before an indicator enters [range: 10..=10000].
    #[arg(long, default_value_t = 104, value_parser = params::int::<10, 10_000>)]
    min_weeks: usize,
    /// Rows of the history to print (table mode) [range: 0..=100000].
    #[arg(long, default_value_t = 12, value_parser = params::int::<0, 100_000>)]
    tail: usize,
}

#[derive(Debug, Args)]
pub struct CarryArgs {
    /// Baskets (watchlist names) or series ids to regress on USD/JPY (default: ai growth value small_caps gold bitcoin).
    #[arg(value_name = "BASKET")]
    baskets: Vec<String>,
    #[command(flatten)]
    data: DataArgs,
    /// Rolling-beta window (trading days) [range: 10..=10000].
    #[arg(long, default_value_t = 126, value_parser = params::int::<10, 10_000>)]
    window: usize,
    /// Horizon of the yen and VIX moves (trading days) [range: 1..=250].
    #[arg(long, default_value_t = 5, value_parser = params::int::<1, 250>)]
    horizon: usize,
    /// Episode threshold on min(z_yen, z_vix) [range: > 0].
    #[arg(long, default_value_t = 2.0, value_parser = params::positive)]
    threshold: f64,
}

#[derive(Debug, Args)]
pub struct RatesArgs {
    /// Baskets (watchlist names) or series ids (default: ai growth value small_caps gold bitcoin).
    #[arg(value_name = "BASKET")]
    baskets: Vec<String>,
    #[command(flatten)]
    data: DataArgs,
    /// Rolling-beta window (trading days) [range: 10..=10000].
    #[arg(long, default_value_t = 126, value_parser = params::int::<10, 10_000>)]
    window: usize,
}

fn role(ctx: &Ctx, name: &str, default: &str) -> String {
    ctx.watchlist().ok().and_then(|w| w.role(name).map(str::to_string)).unwrap_or_else(|| default.to_string())
}

/// Loads stored series `ids` (missing ones are skipped with a warning) and the files. A file's series
/// whose id (the file stem, or its column) is not one of `ids` would be ignored: that is an error.
fn load_data(ctx: &Ctx, ids: &[String], data: &DataArgs) -> anyhow::Result<BTreeMap<String, Series>> {
    let mut out = BTreeMap::new();
    for path in &data.file {
        for s in read_series_file(path, &data.file_options.read_options())? {
            if !ids.iter().any(|i| i == s.id()) {
                let mut known: Vec<&str> = ids.iter().map(String::as_str).collect();
                known.sort_unstable();
                known.dedup();
                anyhow::bail!(
                    "{}: series `{}` is not an input of this command, so it would be ignored; name the file after \
                     one of the expected ids ({}) or map a role to it in the watchlist",
                    path.display(),
                    s.id(),
                    known.join(", ")
                );
            }
            out.insert(s.id().to_string(), s);
        }
    }
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        match ctx.load_stored(id) {
            Ok(s) => {
                out.insert(id.clone(), s);
            }
            Err(e) => {
                if !ctx.json {
                    eprintln!("warning: {e:#}");
                }
            }
        }
    }
    Ok(out)
}

fn stress_config(ctx: &Ctx) -> StressConfig {
    let roles = ctx.watchlist().map(|w| w.roles.clone()).unwrap_or_default();
    fissure_liquidity::signals::stress_config_with_roles(&roles)
}

fn index(ctx: &Ctx, a: &IndexArgs) -> anyhow::Result<()> {
    let mut cfg = stress_config(ctx);
    cfg.min_obs = a.min_weeks;
    cfg.restrict_to(&a.only).context("--only")?;
    let mut ids = cfg.series_ids();
    let (st_id, nf_id) = (role(ctx, "stlfsi", "STLFSI4"), role(ctx, "nfci", "NFCI"));
    ids.push(st_id.clone());
    ids.push(nf_id.clone());
    let data = load_data(ctx, &ids, &a.data)?;
    let idx = stress_index(&data, &cfg).context("building the stress index")?;
    let corr = benchmark_correlations(&idx, &data, &[st_id, nf_id]);
    if ctx.json {
        return print_json(&stress_json(&idx, &cfg, &corr));
    }
    let (d, v) = (idx.dates.last().copied(), idx.values.last().copied().unwrap_or(f64::NAN));
    println!(
        "Financial stress index (PC1 of {} indicators, real-time; higher = more stress): {v:+.2} sd on {}",
        idx.loadings.len(),
        crate::output::date_or_dash(d)
    );
    println!("PC1 explains {:.0}% of the active indicators' variance.", 100.0 * idx.explained);
    for (id, c) in &corr {
        if let Some((r, n)) = c {
            println!("Correlation with {id}: {r:.3} over {n} weeks");
        }
    }
    if !idx.missing.is_empty() {
        println!("Missing indicators: {}", idx.missing.join(", "));
    }
    let rows: Vec<Vec<String>> = idx
        .loadings
        .iter()
        .map(|l| {
            vec![
                l.indicator.clone(),
                format!("{:+.3}", l.loading),
                match l.expected_sign {
                    1 => "+".into(),
                    -1 => "-".into(),
                    _ => "?".into(),
                },
                format!("{:+.2}", l.z),
                format!("{:+.3}", l.contribution),
            ]
        })
        .collect();
    print_table(&["indicator", "loading", "expected", "z (last)", "contribution"], &rows);
    let n = idx.dates.len();
    let rows: Vec<Vec<String>> = (n.saturating_sub(a.tail)..n)
        .map(|i| vec![idx.dates[i].to_string(), format!("{:+.3}", idx.values[i]), idx.active[i].to_string()])
        .collect();
    print_table(&["week", "index", "active"], &rows);
    Ok(())
}

/// Baskets from positional names: watchlist baskets, else single series ids.
fn betas(
    ctx: &Ctx,
    names: &[String],
    data_args: &DataArgs,
    cfg: &CarryConfig,
) -> anyhow::Result<(Vec<BasketBetas>, BTreeMap<String, Series>)> {
    let w = ctx.watchlist()?;
    let baskets = baskets_named(names, |n| w.basket_weights(n));
    let (cal, y10, jpy, vix) = (
        role(ctx, "equity_index", "SPX"),
        role(ctx, "us10y", "US10Y"),
        role(ctx, "usdjpy", "USDJPY"),
        role(ctx, "vix", "VIX"),
    );
    let mut ids: Vec<String> = baskets.iter().flat_map(|b| b.members.iter().map(|m| m.0.clone())).collect();
    ids.extend([cal.clone(), y10.clone(), jpy.clone(), vix]);
    let data = load_data(ctx, &ids, data_args)?;
    let bb = basket_betas(&data, &baskets, &cal, &y10, &jpy, cfg).context("rolling betas")?;
    Ok((bb, data))
}

fn betas_table(bb: &[BasketBetas]) {
    let rows: Vec<Vec<String>> = bb
        .iter()
        .filter_map(|b| {
            b.latest().map(|(d, br, bj, r2)| {
                vec![
                    b.basket.clone(),
                    d.to_string(),
                    format!("{br:+.2}"),
                    format!("{bj:+.2}"),
                    format!("{r2:.2}"),
                    b.members_used.join(" "),
                ]
            })
        })
        .collect();
    print_table(&["basket", "date", "β 10y (%/pp)", "β USDJPY (%/%)", "R²", "members"], &rows);
}

fn carry(ctx: &Ctx, a: &CarryArgs) -> anyhow::Result<()> {
    let cfg = CarryConfig { window: a.window, horizon: a.horizon, threshold: a.threshold, ..Default::default() };
    let (bb, data) = betas(ctx, &a.baskets, &a.data, &cfg)?;
    let (cal, jpy, vix) = (role(ctx, "equity_index", "SPX"), role(ctx, "usdjpy", "USDJPY"), role(ctx, "vix", "VIX"));
    let cu = carry_unwind(&data, &cal, &jpy, &vix, &cfg).context("carry-unwind indicator")?;
    let i = cu.score.len().saturating_sub(1);
    if ctx.json {
        return print_json(&json!({
            "indicator": {"date": cu.dates.get(i), "value": cu.score.get(i), "z_yen": cu.z_yen.get(i), "z_vix": cu.z_vol.get(i)},
            "series": cu.dates.iter().enumerate().map(|(k, d)| json!({"date": d, "value": cu.score[k], "z_yen": cu.z_yen[k], "z_vix": cu.z_vol[k]})).collect::<Vec<_>>(),
            "episodes": cu.episodes,
            "betas": betas_json(&bb),
            "config": cfg,
        }));
    }
    if let (Some(d), Some(v)) = (cu.dates.get(i), cu.score.get(i)) {
        println!(
            "Yen carry-unwind indicator on {d}: {v:+.2} (z of {}-day yen appreciation {:+.2}, z of VIX change {:+.2}; episodes at ≥ {})",
            cfg.horizon, cu.z_yen[i], cu.z_vol[i], cfg.threshold
        );
    }
    let rows: Vec<Vec<String>> = cu
        .episodes
        .iter()
        .map(|e| {
            vec![
                e.start.to_string(),
                e.end.to_string(),
                e.peak.to_string(),
                format!("{:.2}", e.peak_score),
                format!("{:+.1}%", e.yen_move_pct),
                format!("{:+.1}", e.vix_change),
                format!("{:.1}", e.vix_at_peak),
            ]
        })
        .collect();
    print_table(&["start", "end", "peak", "score", "yen move", "ΔVIX", "VIX"], &rows);
    println!("Rolling {}-day betas (basket % return per +1% USD/JPY, i.e. a weaker yen; and per +1 pp of the 10-year yield):", cfg.window);
    betas_table(&bb);
    Ok(())
}

fn rates(ctx: &Ctx, a: &RatesArgs) -> anyhow::Result<()> {
    let cfg = CarryConfig { window: a.window, ..Default::default() };
    let (bb, _) = betas(ctx, &a.baskets, &a.data, &cfg)?;
    if ctx.json {
        return print_json(&json!({"betas": betas_json(&bb), "window": cfg.window,
            "units": {"beta_rate": "% basket return per +1 percentage point of the 10-year yield", "beta_usdjpy": "% per +1% USD/JPY"}}));
    }
    println!(
        "Rolling {}-day regressions of basket log returns on Δ10-year yield and Δln USD/JPY (latest window):",
        cfg.window
    );
    betas_table(&bb);
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: &LiquidityCmd) -> anyhow::Result<()> {
    match cmd {
        LiquidityCmd::Index(a) => index(ctx, a),
        LiquidityCmd::Carry(a) => carry(ctx, a),
        LiquidityCmd::Rates(a) => rates(ctx, a),
    }
}
