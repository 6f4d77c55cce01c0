//! `fissure structure`: market-cap concentration and sector/size rotation.

use crate::ctx::Ctx;
use crate::input::{read_series_file, FileOptions};
use crate::output::{print_json, print_table};
use crate::params;
use anyhow::Context;
use clap::{Args, Subcommand};
use fissure_core::CrossSection;
use fissure_structure::concentration::{concentration_history, ConcentrationConfig, MergeRule};
use fissure_structure::rotation::{default_ratios, scan, RatioSpec, RotationConfig};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum StructureCmd {
    /// Concentration of market caps (dual share classes merged): top-k shares, Herfindahl, effective N, Magnificent 7 share.
    #[command(
        after_help = "Examples:\n  fissure structure concentration\n  fissure structure concentration --all --json\n  fissure structure concentration --file sp500_marketcap_snapshots.csv"
    )]
    Concentration(ConcentrationArgs),
    /// Relative-strength ratios with momentum, z-scores and breakouts; high-cut-low days.
    #[command(
        after_help = "Examples:\n  fissure structure rotation\n  fissure structure rotation IWM/SPY XLU+XLP+XLV/XLK --json"
    )]
    Rotation(RotationArgs),
}

#[derive(Debug, Args)]
pub struct ConcentrationArgs {
    /// Stored cross-section id.
    #[arg(long, default_value = "SP500_MCAP")]
    id: String,
    /// Field of the cross-section.
    #[arg(long, default_value = "market_cap_usd_bn")]
    field: String,
    /// Read the snapshots from this file instead of the store.
    #[arg(long, value_name = "PATH")]
    file: Option<PathBuf>,
    /// Add the share classes of an issuer instead of keeping the largest row
    /// (for sources that list each class's own capitalisation).
    #[arg(long)]
    sum_classes: bool,
    /// Print every snapshot (default: the latest and the history table).
    #[arg(long)]
    all: bool,
    /// Largest issuers to list [range: 1..=10000].
    #[arg(long, default_value_t = 10, value_parser = params::int::<1, 10_000>)]
    top: usize,
}

#[derive(Debug, Args)]
pub struct RotationArgs {
    /// Ratios as NUM/DEN with `+` joining basket members (default: IWM/SPY, RUT/SPX, defensives/XLK, value/QQQ, GLD/SPY …).
    #[arg(value_name = "NUM/DEN")]
    ratios: Vec<String>,
    /// Files whose series replace or add to the stored ones (repeat the flag).
    #[arg(long, value_name = "PATH")]
    file: Vec<PathBuf>,
    #[command(flatten)]
    file_options: FileOptions,
    /// Momentum horizon (trading days) [range: 1..=10000].
    #[arg(long, default_value_t = 63, value_parser = params::int::<1, 10_000>)]
    momentum: usize,
    /// Z-score and breakout window (trading days) [range: 3..=100000].
    #[arg(long, default_value_t = 252, value_parser = params::int::<3, 100_000>)]
    window: usize,
    /// Recent breakouts and high-cut-low days to list [range: 0..=10000].
    #[arg(long, default_value_t = 5, value_parser = params::int::<0, 10_000>)]
    recent: usize,
}

fn concentration(ctx: &Ctx, a: &ConcentrationArgs) -> anyhow::Result<()> {
    let sections: Vec<CrossSection> = match &a.file {
        Some(p) => {
            let out = fissure_io::read_file(p, &fissure_io::ReadOptions::default())
                .with_context(|| format!("reading {}", p.display()))?;
            out.sections.into_iter().filter(|s| s.field == a.field).collect()
        }
        None => ctx
            .store()?
            .load_sections(&a.id, &a.field)
            .with_context(|| format!("loading cross-section {} ({})", a.id, a.field))?,
    };
    if sections.is_empty() {
        let source = a.file.as_ref().map_or_else(|| format!("cross-section `{}`", a.id), |p| p.display().to_string());
        anyhow::bail!(
            "{source}: no snapshot of field `{}` (a concentration needs dated market-cap snapshots)",
            a.field
        );
    }
    let mut cfg = ConcentrationConfig::default();
    if a.sum_classes {
        cfg.merge = MergeRule::Sum;
    }
    if !cfg.top_k.contains(&a.top) {
        cfg.top_k.push(a.top);
    }
    let h = concentration_history(&sections, &cfg)?;
    let last = h.last().context("no snapshot")?;
    if ctx.json {
        let snap = |c: &fissure_structure::concentration::Concentration| {
            json!({
                "date": c.date, "total": c.total, "issuers": c.n_issuers, "rows": c.n_rows, "dropped": c.n_dropped,
                "top_k": c.top_k.iter().map(|(k, s)| json!({"k": k, "share": s})).collect::<Vec<_>>(),
                "hhi": c.hhi, "effective_n": c.effective_n, "group": c.group_name, "group_share": c.group_share,
                "group_found": c.group_found,
            })
        };
        return print_json(&json!({
            "latest": snap(last),
            "leaders": last.leaders.iter().take(a.top).map(|i| json!({"issuer": i.key, "symbols": i.symbols, "name": i.name, "value": i.value, "share": i.share})).collect::<Vec<_>>(),
            "history": h.iter().map(snap).collect::<Vec<_>>(),
            "merge_rule": cfg.merge,
        }));
    }
    println!(
        "Concentration on {} ({} issuers from {} rows; classes merged by {}):",
        last.date,
        last.n_issuers,
        last.n_rows,
        if a.sum_classes { "sum" } else { "largest row" }
    );
    let top: Vec<String> = last.top_k.iter().map(|(k, s)| format!("top-{k} {:.1}%", 100.0 * s)).collect();
    println!(
        "  {}; HHI {:.4} ({:.0} on the 10,000 scale); effective N {:.1}; {} share {:.1}%",
        top.join(", "),
        last.hhi,
        last.hhi * 1e4,
        last.effective_n,
        last.group_name,
        100.0 * last.group_share
    );
    let rows: Vec<Vec<String>> = last
        .leaders
        .iter()
        .take(a.top)
        .map(|i| {
            vec![i.key.clone(), i.symbols.join("+"), format!("{:.1}", i.value), format!("{:.2}%", 100.0 * i.share)]
        })
        .collect();
    print_table(&["issuer", "symbols", "value", "share"], &rows);
    let hist: Vec<&fissure_structure::concentration::Concentration> =
        if a.all { h.iter().collect() } else { h.iter().rev().take(8).rev().collect() };
    let rows: Vec<Vec<String>> = hist
        .iter()
        .map(|c| {
            let t10 = c.top_k.iter().find(|t| t.0 == 10).map_or(f64::NAN, |t| t.1);
            vec![
                c.date.to_string(),
                c.n_issuers.to_string(),
                format!("{:.1}%", 100.0 * t10),
                format!("{:.4}", c.hhi),
                format!("{:.1}", c.effective_n),
                format!("{:.1}%", 100.0 * c.group_share),
            ]
        })
        .collect();
    print_table(&["snapshot", "issuers", "top-10", "HHI", "eff. N", "Mag7"], &rows);
    Ok(())
}

fn rotation(ctx: &Ctx, a: &RotationArgs) -> anyhow::Result<()> {
    let specs: Vec<RatioSpec> = if a.ratios.is_empty() {
        default_ratios()
    } else {
        a.ratios.iter().map(|s| RatioSpec::parse(s)).collect::<Result<_, _>>()?
    };
    let cfg = RotationConfig { momentum: a.momentum, window: a.window, ..Default::default() };
    let mut data = BTreeMap::new();
    for p in &a.file {
        for s in read_series_file(p, &a.file_options.read_options())? {
            data.insert(s.id().to_string(), s);
        }
    }
    let mut ids: Vec<String> = specs.iter().flat_map(|s| s.numerator.iter().chain(&s.denominator).cloned()).collect();
    ids.extend(cfg.leaders.iter().cloned());
    ids.extend(cfg.low_valuation.iter().cloned());
    for id in ids {
        if data.contains_key(&id) {
            continue;
        }
        match ctx.load_stored(&id) {
            Ok(s) => {
                data.insert(id, s);
            }
            Err(e) if !ctx.json => eprintln!("warning: {e:#}"),
            Err(_) => {}
        }
    }
    let sc = scan(&data, &specs, &cfg);
    if ctx.json {
        return print_json(&fissure_structure::json::rotation(&sc, &cfg));
    }
    for (name, why) in &sc.skipped {
        eprintln!("warning: ratio {name}: {why}");
    }
    let ratios = &sc.ratios;
    let rows: Vec<Vec<String>> = ratios
        .iter()
        .filter_map(|r| {
            r.latest().map(|(d, v, m, z)| {
                let recent: Vec<String> =
                    r.breakouts.iter().rev().take(a.recent).map(|b| format!("{} {}", b.date, b.direction)).collect();
                vec![
                    r.name.clone(),
                    d.to_string(),
                    if v.abs() >= 1e6 || (v != 0.0 && v.abs() < 1e-4) { format!("{v:.4e}") } else { format!("{v:.4}") },
                    if m.is_finite() { format!("{m:+.1}%") } else { "n/a".into() },
                    if z.is_finite() { format!("{z:+.2}") } else { "n/a".into() },
                    recent.join(", "),
                ]
            })
        })
        .collect();
    print_table(&["ratio", "date", "value", &format!("{}d momentum", cfg.momentum), "z", "recent breakouts"], &rows);
    let hcl = match &sc.high_cut_low {
        Ok(days) => days,
        Err(why) => {
            println!("High-cut-low days: n/a ({why}).");
            return Ok(());
        }
    };
    println!(
        "High-cut-low days (≥ {} of the Magnificent 7 down ≥ {}% while ≥ {:.0}% of XLE/XLF/XLU/XLP/XLV/IWM rise): {} in total; latest:",
        cfg.min_leaders_down,
        cfg.leader_drop_pct,
        100.0 * cfg.min_low_up_share,
        hcl.len()
    );
    let rows: Vec<Vec<String>> = hcl
        .iter()
        .rev()
        .take(a.recent)
        .map(|d| {
            vec![
                d.date.to_string(),
                d.leaders_down.iter().map(|(s, r)| format!("{s} {r:+.1}%")).collect::<Vec<_>>().join(", "),
                format!("{:+.2}%", d.low_mean_pct),
                format!("{:.0}%", 100.0 * d.low_up_share),
            ]
        })
        .collect();
    print_table(&["date", "leaders down", "low-valuation mean", "up share"], &rows);
    Ok(())
}

pub fn run(ctx: &Ctx, cmd: &StructureCmd) -> anyhow::Result<()> {
    match cmd {
        StructureCmd::Concentration(a) => concentration(ctx, a),
        StructureCmd::Rotation(a) => rotation(ctx, a),
    }
}
