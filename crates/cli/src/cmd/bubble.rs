//! `fissure bubble`: PSY recursive unit-root tests with date-stamping, LPPLS fits, the LPPLS
//! confidence indicator, valuation stretch.

use crate::ctx::Ctx;
use crate::input::SeriesInput;
use crate::output::{print_json, print_table, progress};
use crate::params;
use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand, ValueEnum};
use fissure_bubble::analyse::Transform;
use fissure_bubble::cv::LEVELS;
use fissure_bubble::lppls_plan::{FilterChoice, LpplsCiOptions, LpplsCiPlan, LpplsOptions, LpplsPlan, RelError};
use fissure_bubble::psy_plan::{
    self, CvChoice, CvRuleChoice, Freq, Ic, PlanError, PsyOptions, PsyPlan, WindowConvention,
};
use fissure_bubble::valuation;
use fissure_core::{AssetClass, Chart, ChartData, Line, Series, Span, Text};
use serde_json::json;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum BubbleCmd {
    /// PSY (2015) ADF/SADF/GSADF, the BSADF sequence with critical values, and dated explosive episodes.
    #[command(
        after_help = "Examples:\n  fissure bubble psy IXIC --freq weekly --to 2000-03-10 --from 1994-01-07 --min-window 36\n  fissure bubble psy SHILLER.cape --cv wild --reps 499\n  fissure bubble psy --file data/demo/prices/nasdaq_composite_daily.csv --freq weekly --chart psy.svg --json"
    )]
    Psy(PsyArgs),
    /// One LPPLS fit (Filimonov–Sornette calibration, best of many starts) on the window ending at --end.
    #[command(
        after_help = "Examples:\n  fissure bubble lppls IXIC --end 2000-03-10 --window 500\n  fissure bubble lppls --file prices.csv --json"
    )]
    Lppls(LpplsArgs),
    /// The FCO LPPLS confidence indicator (126 windows of 750→125 days) for every date of a range.
    #[command(
        name = "lppls-ci",
        after_help = "Examples:\n  fissure bubble lppls-ci IXIC --from 2000-01-03 --to 2000-03-10\n  fissure bubble lppls-ci IXIC --from 1999-01-01 --to 2000-03-10 --every 5 --json"
    )]
    LpplsCi(LpplsCiArgs),
    /// Percentile and z-score of a valuation ratio against its own history (and a reference series).
    #[command(
        after_help = "Examples:\n  fissure bubble valuation SHILLER.cape\n  fissure bubble valuation CAPE --vs SHILLER.cape --json"
    )]
    Valuation(ValuationArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FreqArg {
    Daily,
    Weekly,
    Monthly,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum TransformArg {
    Log,
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum IcArg {
    Aic,
    Bic,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq)]
pub enum CvArg {
    /// Monte Carlo under a random walk
    Mc,
    /// Phillips–Shi (2020) wild bootstrap
    Wild,
    /// No critical values (statistics only)
    None,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CvRuleArg {
    /// Quantile of BSADF(r2) at each r2 (PSY 2015)
    Pointwise,
    /// exuber's running maximum of the forward ADF sequence
    Exuber,
    /// One value: quantile of the maximum BSADF over the first Tb observations (Phillips–Shi 2020)
    Tb,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ConventionArg {
    /// Observations (levels) in the smallest window, as psymonitor's swindow0
    Obs,
    /// Regression rows in the smallest window, as exuber's minw
    Rows,
}

#[derive(Debug, Args)]
pub struct PsyArgs {
    #[command(flatten)]
    pub input: SeriesInput,
    /// Resample before testing (last value of each week/month); default: as stored.
    #[arg(long, value_enum)]
    pub freq: Option<FreqArg>,
    /// Transform; default `log` for prices, `none` for ratios and macro series.
    #[arg(long, value_enum)]
    pub transform: Option<TransformArg>,
    /// Fixed ADF lag [range: 0..=10].
    #[arg(long, conflicts_with = "ic", value_parser = params::int::<0, 10>)]
    pub lag: Option<usize>,
    /// Choose the lag per window by an information criterion (psymonitor's rule).
    #[arg(long, value_enum)]
    pub ic: Option<IcArg>,
    /// Maximum lag with --ic [range: 0..=10].
    #[arg(long, default_value_t = 6, value_parser = params::int::<0, 10>)]
    pub max_lag: usize,
    /// Smallest window (default floor((0.01 + 1.8/√T)·T)); counts observations unless --window-convention rows
    /// [range: 4..=10000000; at least 2·lag + 4 and at most the sample].
    #[arg(long, value_parser = params::int::<4, 10_000_000>)]
    pub min_window: Option<usize>,
    #[arg(long, value_enum, default_value_t = ConventionArg::Obs)]
    pub window_convention: ConventionArg,
    /// Critical values.
    #[arg(long, value_enum, default_value_t = CvArg::Mc)]
    pub cv: CvArg,
    /// BSADF critical-value rule (default: pointwise for mc, tb for wild).
    #[arg(long, value_enum)]
    pub cv_rule: Option<CvRuleArg>,
    /// Tb for the tb rule (default: two years of observations + smallest window − 1)
    /// [range: 1..=10000000; between the smallest window and the sample].
    #[arg(long, value_parser = params::int::<1, 10_000_000>)]
    pub tb: Option<usize>,
    /// Replications (Monte Carlo or bootstrap) [range: 10..=100000].
    #[arg(long, default_value_t = 2000, value_parser = params::int::<10, 100_000>)]
    pub reps: usize,
    /// Longest simulated Monte Carlo path: for longer samples the critical values are simulated at
    /// this length and held constant beyond it (the output says so) [range: 50..=100000].
    #[arg(long, default_value_t = 2600, value_parser = params::int::<50, 100_000>)]
    pub mc_max_len: usize,
    #[arg(long, default_value_t = 123)]
    pub seed: u64,
    /// Random-walk drift T^(−η) in the Monte Carlo (psymonitor uses η = 1); default no drift [range: > 0].
    #[arg(long, value_parser = params::positive)]
    pub drift_eta: Option<f64>,
    /// Level for date-stamping.
    #[arg(long, default_value_t = 95, value_parser = parse_level)]
    pub level: u32,
    /// Minimum episode duration δ·log T (δ; default 0 = none) [range: ≥ 0].
    #[arg(long, default_value_t = 0.0, value_parser = params::non_negative)]
    pub min_duration: f64,
    #[arg(long)]
    pub from: Option<NaiveDate>,
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Write an SVG chart of the series with the dated episodes.
    #[arg(long, value_name = "PATH")]
    pub chart: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LpplsArgs {
    #[command(flatten)]
    pub input: SeriesInput,
    /// Last date of the window (default: the last observation).
    #[arg(long)]
    pub end: Option<NaiveDate>,
    /// Window length in observations [range: 20..=100000].
    #[arg(long, default_value_t = 500, value_parser = params::int::<20, 100_000>)]
    pub window: usize,
    /// Local searches (LM from the best screened candidates; the lowest-SSE fit is kept) [range: 1..=1000].
    #[arg(long, default_value_t = 8, value_parser = params::int::<1, 1000>)]
    pub starts: usize,
    /// Random candidate points screened by SSE [range: 1..=100000].
    #[arg(long, default_value_t = 96, value_parser = params::int::<1, 100_000>)]
    pub screen: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Qualification filter.
    #[arg(long, value_enum, default_value_t = FilterArg::Fco)]
    pub filter: FilterArg,
    /// How the FCO relative-error bound aggregates the window's errors.
    #[arg(long, value_enum, default_value_t = RelErrorArg::Mean)]
    pub rel_error: RelErrorArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FilterArg {
    /// FCO filter 1 (Sornette et al. 2015, Table 1)
    Fco,
    /// the `lppls` Python package's defaults
    Lppls,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RelErrorArg {
    /// Mean of |p − p̂|/p̂ over the window (default)
    Mean,
    /// Maximum over the window
    Max,
}

impl From<FilterArg> for FilterChoice {
    fn from(f: FilterArg) -> Self {
        match f {
            FilterArg::Fco => FilterChoice::Fco,
            FilterArg::Lppls => FilterChoice::Lppls,
        }
    }
}

impl From<RelErrorArg> for RelError {
    fn from(r: RelErrorArg) -> Self {
        match r {
            RelErrorArg::Mean => RelError::Mean,
            RelErrorArg::Max => RelError::Max,
        }
    }
}

#[derive(Debug, Args)]
pub struct LpplsCiArgs {
    #[command(flatten)]
    pub input: SeriesInput,
    /// First date of the range (default: 60 observations before --to).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last date of the range (default: the last observation).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Compute every k-th date of the range [range: 1..=100000].
    #[arg(long, default_value_t = 1, value_parser = params::int::<1, 100_000>)]
    pub every: usize,
    /// Longest window (observations) [range: 8..=100000; ≥ --min-window].
    #[arg(long, default_value_t = 750, value_parser = params::int::<8, 100_000>)]
    pub max_window: usize,
    /// Shortest window (observations) [range: 8..=100000].
    #[arg(long, default_value_t = 125, value_parser = params::int::<8, 100_000>)]
    pub min_window: usize,
    /// Step between window lengths [range: 1..=100000].
    #[arg(long, default_value_t = 5, value_parser = params::int::<1, 100_000>)]
    pub step: usize,
    /// Local searches per window (plus a warm start from the next larger window) [range: 1..=100].
    #[arg(long, default_value_t = 2, value_parser = params::int::<1, 100>)]
    pub starts: usize,
    /// Random candidates screened per window [range: 1..=10000].
    #[arg(long, default_value_t = 16, value_parser = params::int::<1, 10_000>)]
    pub screen: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = FilterArg::Fco)]
    pub filter: FilterArg,
    /// How the FCO relative-error bound aggregates the window's errors.
    #[arg(long, value_enum, default_value_t = RelErrorArg::Mean)]
    pub rel_error: RelErrorArg,
}

#[derive(Debug, Args)]
pub struct ValuationArgs {
    #[command(flatten)]
    pub input: SeriesInput,
    /// Reference series id (its whole history is the yardstick).
    #[arg(long)]
    pub vs: Option<String>,
    /// Expanding history needed before a percentile is reported [range: 2..=10000000].
    #[arg(long, default_value_t = 36, value_parser = params::int::<2, 10_000_000>)]
    pub min_history: usize,
}

fn parse_level(s: &str) -> Result<u32, String> {
    match s {
        "90" => Ok(90),
        "95" => Ok(95),
        "99" => Ok(99),
        _ => Err(format!("level must be 90, 95 or 99, not `{s}`")),
    }
}

pub fn run(ctx: &Ctx, cmd: &BubbleCmd) -> anyhow::Result<()> {
    match cmd {
        BubbleCmd::Psy(a) => psy(ctx, a),
        BubbleCmd::Lppls(a) => lppls_one(ctx, a),
        BubbleCmd::LpplsCi(a) => lppls_ci(ctx, a),
        BubbleCmd::Valuation(a) => valuation_cmd(ctx, a),
    }
}

fn is_price(s: &Series) -> bool {
    s.meta.asset_class.is_price() || (s.meta.asset_class == AssetClass::Unknown && s.ohlcv().is_some())
}

/// The library's PSY options from the flags (the transform defaults to log for prices, none otherwise).
fn psy_options(a: &PsyArgs, raw: &Series) -> PsyOptions {
    PsyOptions {
        freq: a.freq.map(|f| match f {
            FreqArg::Daily => Freq::Daily,
            FreqArg::Weekly => Freq::Weekly,
            FreqArg::Monthly => Freq::Monthly,
        }),
        transform: match a.transform {
            Some(TransformArg::Log) => Transform::Log,
            Some(TransformArg::None) => Transform::None,
            None if is_price(raw) => Transform::Log,
            None => Transform::None,
        },
        lag: a.lag,
        ic: a.ic.map(|i| match i {
            IcArg::Aic => Ic::Aic,
            IcArg::Bic => Ic::Bic,
        }),
        max_lag: a.max_lag,
        min_window: a.min_window,
        window_convention: match a.window_convention {
            ConventionArg::Obs => WindowConvention::Obs,
            ConventionArg::Rows => WindowConvention::Rows,
        },
        cv: match a.cv {
            CvArg::Mc => CvChoice::Mc,
            CvArg::Wild => CvChoice::Wild,
            CvArg::None => CvChoice::None,
        },
        cv_rule: a.cv_rule.map(|r| match r {
            CvRuleArg::Pointwise => CvRuleChoice::Pointwise,
            CvRuleArg::Exuber => CvRuleChoice::Exuber,
            CvRuleArg::Tb => CvRuleChoice::Tb,
        }),
        tb: a.tb,
        reps: a.reps,
        seed: a.seed,
        drift_eta: a.drift_eta,
        level: a.level,
        min_duration: a.min_duration,
        from: a.from,
        to: a.to,
        mc_max_len: a.mc_max_len,
    }
}

fn psy(ctx: &Ctx, a: &PsyArgs) -> anyhow::Result<()> {
    let raw = ctx.load_series_from(&a.input, a.from)?;
    let opts = psy_options(a, &raw);
    let plan = PsyPlan::new(&raw, &opts).map_err(|e| match e {
        PlanError::NonPositive { .. } => anyhow::anyhow!("{e}; use --transform none"),
        e => anyhow::Error::new(e),
    })?;
    let (s, transform, lag, w, n) = (&plan.s, plan.transform, plan.lag, plan.w, plan.y.len());
    let pb = progress(a.reps as u64, "critical values");
    if a.cv == CvArg::None || ctx.json || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let cb = |done: usize, _total: usize| pb.set_position(done as u64);
    let cvs = plan.critical_values(Some(&cb)).with_context(|| format!("PSY on `{}`", s.id()))?;
    pb.finish_and_clear();
    let out = plan.outcome(cvs).with_context(|| format!("PSY on `{}`", s.id()))?;
    let r = &out.radf;
    let dates = s.dates();
    let episodes = out.dated(dates);
    if let Some(path) = &a.chart {
        let spans: Vec<Span> = episodes
            .iter()
            .map(|e| Span { start: e.start, end: e.end, label: format!("{} – {} (peak {})", e.start, e.end, e.peak) })
            .collect();
        let chart = Chart {
            id: format!("psy_{}", s.id()),
            title: Text::new(format!("{} — PSY episodes ({}% critical value)", s.id(), a.level), ""),
            caption: Text::default(),
            data: ChartData::Lines {
                lines: vec![Line { label: s.id().to_string(), dates: dates.to_vec(), values: s.values().to_vec() }],
                spans,
                hlines: vec![],
                log_scale: transform == Transform::Log,
            },
        };
        let svg = fissure_report::svg::draw(&chart, fissure_report::Lang::En);
        std::fs::write(path, svg).with_context(|| format!("writing {}", path.display()))?;
    }
    if ctx.json {
        let mut doc = psy_plan::psy_json(&plan, &out);
        doc["bsadf"] = psy_plan::bsadf_records(&plan, &out);
        return print_json(&doc);
    }
    println!(
        "{} — {} observations {} … {}, {:?}, smallest window {} observations, lag {:?}",
        s.id(),
        n,
        dates[0],
        dates[n - 1],
        transform,
        w,
        lag
    );
    let mut rows = vec![];
    for (name, v, c, d) in [
        ("ADF", r.adf, out.cv.as_ref().map(|c| c.adf), out.cv.as_ref().map(|c| &c.adf_distr)),
        ("SADF", r.sadf, out.cv.as_ref().map(|c| c.sadf), out.cv.as_ref().map(|c| &c.sadf_distr)),
        ("GSADF", r.gsadf, out.cv.as_ref().map(|c| c.gsadf), out.cv.as_ref().map(|c| &c.gsadf_distr)),
    ] {
        let mut row = vec![name.to_string(), num_or_na(v, 4)];
        match (c, d) {
            (Some(c), Some(d)) => {
                row.extend(c.iter().map(|x| num_or_na(*x, 3)));
                row.push(num_or_na(fissure_bubble::cv::CriticalValues::p_value(d, v), 4));
            }
            _ => row.extend(["-".into(), "-".into(), "-".into(), "-".into()]),
        }
        rows.push(row);
    }
    print_table(&["statistic", "value", "cv90", "cv95", "cv99", "p-value"], &rows);
    if !r.adf.is_finite() {
        println!("ADF n/a: the full-sample regression is singular (the series is exactly linear or flat).");
    }
    if let Some(note) = &out.cv_note {
        println!("note: {note}");
    }
    if out.cv.is_some() {
        println!();
        if episodes.is_empty() {
            println!("No episode above the {}% critical value.", a.level);
        } else {
            let rows: Vec<Vec<String>> = episodes
                .iter()
                .map(|e| {
                    vec![
                        e.start.to_string(),
                        e.peak.to_string(),
                        e.end.to_string(),
                        e.duration.to_string(),
                        if e.ongoing { "yes".into() } else { "no".into() },
                    ]
                })
                .collect();
            print_table(&["start", "peak", "end", "duration", "ongoing"], &rows);
        }
    }
    let _ = LEVELS;
    Ok(())
}

/// A number with `digits` decimals, or "n/a" when it could not be computed.
pub(crate) fn num_or_na(v: f64, digits: usize) -> String {
    if v.is_finite() {
        format!("{v:.digits$}")
    } else {
        "n/a".into()
    }
}

fn lppls_one(ctx: &Ctx, a: &LpplsArgs) -> anyhow::Result<()> {
    let s = ctx.load_series(&a.input)?;
    let opts = LpplsOptions {
        end: a.end,
        window: a.window,
        starts: a.starts,
        screen: a.screen,
        seed: a.seed,
        filter: a.filter.into(),
        rel_error: a.rel_error.into(),
    };
    let plan = LpplsPlan::new(&s, &opts)?;
    let pb = crate::cmd::busy(ctx, "LPPLS fit");
    let f = plan.run();
    pb.finish_and_clear();
    let f = f?;
    if ctx.json {
        return print_json(&plan.json(&f));
    }
    let (s, filter) = (&plan.s, &plan.filter);
    println!("{} — LPPLS on {} observations {} … {}", s.id(), plan.window, s.dates()[plan.lo], s.dates()[s.len() - 1]);
    let tc_date = fissure_bubble::lppls_plan::from_ordinal(f.tc);
    let rows = vec![
        vec!["tc".into(), format!("{} ({:.2} days)", tc_date.map_or("-".into(), |d| d.to_string()), f.tc)],
        vec!["m".into(), format!("{:.4}", f.m)],
        vec!["omega".into(), format!("{:.4}", f.omega)],
        vec!["A, B".into(), format!("{:.5}, {:.6}", f.a, f.b)],
        vec!["C1, C2".into(), format!("{:.6}, {:.6}", f.c1, f.c2)],
        vec!["SSE".into(), format!("{:.6}", f.sse)],
        vec!["oscillations".into(), format!("{:.3}", f.oscillations(filter.oscillation_divisor))],
        vec!["damping".into(), format!("{:.3}", f.damping())],
        vec!["qualified".into(), format!("{} ({:?} filter)", plan.qualified(&f), a.filter)],
    ];
    print_table(&["parameter", "value"], &rows);
    Ok(())
}

fn lppls_ci(ctx: &Ctx, a: &LpplsCiArgs) -> anyhow::Result<()> {
    let s = ctx.load_series(&a.input)?;
    let opts = LpplsCiOptions {
        from: a.from,
        to: a.to,
        every: a.every,
        max_window: a.max_window,
        min_window: a.min_window,
        step: a.step,
        starts: a.starts,
        screen: a.screen,
        seed: a.seed,
        filter: a.filter.into(),
        rel_error: a.rel_error.into(),
    };
    let plan = LpplsCiPlan::new(&s, &opts)?;
    let pb = progress(plan.ends.len() as u64, "LPPLS windows");
    if ctx.json {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let cb = |done: usize, _: usize| pb.set_position(done as u64);
    let pts = plan.run(Some(&cb));
    pb.finish_and_clear();
    let pts = pts?;
    if ctx.json {
        return print_json(&plan.json(&pts));
    }
    let q = LpplsCiPlan::tc_quantile;
    let rows: Vec<Vec<String>> = pts
        .iter()
        .map(|p| {
            let d = |x: Option<NaiveDate>| x.map_or("-".into(), |d| d.to_string());
            vec![
                s.dates()[p.index].to_string(),
                num_or_na(p.pos_conf, 3),
                num_or_na(p.neg_conf, 3),
                p.windows.to_string(),
                d(q(p, 0.1)),
                d(q(p, 0.5)),
                d(q(p, 0.9)),
            ]
        })
        .collect();
    print_table(&["date", "pos_conf", "neg_conf", "windows", "tc_q10", "tc_q50", "tc_q90"], &rows);
    if pts.iter().any(|p| p.windows == 0) {
        println!("n/a: no window fitted at that date (fewer than {} observations before it).", plan.cfg.min_window);
    }
    Ok(())
}

fn valuation_cmd(ctx: &Ctx, a: &ValuationArgs) -> anyhow::Result<()> {
    let s = ctx.load_series(&a.input)?;
    let v = s.values();
    let sum = valuation::summary(v).with_context(|| format!("series `{}`", s.id()))?;
    let e = valuation::expanding(v, a.min_history)?;
    let vs = match &a.vs {
        Some(id) => {
            let r = ctx.load_stored(id)?;
            Some((id.clone(), valuation::versus(sum.latest, r.values()).with_context(|| format!("reference `{id}`"))?))
        }
        None => None,
    };
    let last = s.last_date();
    if ctx.json {
        return print_json(&json!({
            "id": s.id(), "date": last, "latest": sum.latest, "percentile": sum.percentile, "zscore": sum.zscore,
            "history": sum, "expanding": {"percentile": e.percentile.last(), "zscore": e.zscore.last()},
            "vs": vs.as_ref().map(|(id, r)| json!({"id": id, "result": r})),
            "params": {"first": s.first_date(), "n": v.len(), "min_history": a.min_history},
        }));
    }
    println!("{} on {} = {:.2}", s.id(), crate::output::date_or_dash(last), sum.latest);
    let mut rows = vec![
        vec!["percentile (own history)".into(), num_or_na(sum.percentile, 1)],
        vec!["z-score (own history)".into(), num_or_na(sum.zscore, 2)],
        vec!["min / median / max".into(), format!("{:.2} / {:.2} / {:.2}", sum.min, sum.median, sum.max)],
        vec!["observations".into(), sum.n.to_string()],
    ];
    if let Some((id, r)) = &vs {
        rows.push(vec![format!("vs {id}: latest"), format!("{:.2}", r.reference_latest)]);
        rows.push(vec![format!("vs {id}: ratio"), format!("{:.2}", r.ratio)]);
        rows.push(vec![format!("vs {id}: percentile"), num_or_na(r.percentile_in_reference, 1)]);
        rows.push(vec![format!("vs {id}: z-score"), num_or_na(r.zscore_in_reference, 2)]);
    }
    print_table(&["measure", "value"], &rows);
    Ok(())
}
