//! Financial stress index: standardised indicators on a weekly (Friday) calendar
//! combined by their first principal component, as the St. Louis Fed's STLFSI
//! (Kliesen & Smith 2010, *Economic Synopses* 2010-3; STLFSI v2 2020) and the
//! Kansas City Fed's KCFSI (Hakkio & Keeton 2009, *KC Fed Economic Review* Q2) do.
//!
//! Real-time safe: at each week t only data dated ≤ t enter — every indicator is
//! shifted by its publication lag, standardised by its expanding mean and standard
//! deviation, and the correlation matrix (pairwise over the overlapping history,
//! so indicators with shorter histories join when they have `min_obs` weeks) is
//! re-estimated every week from running sums (O(m²) per week). The value is the
//! PC1 score `Σ_j l_j z_jt / √λ₁` (unit variance), sign-normalised so that the
//! loadings agree with the economic priors (higher = more stress).

use crate::error::{LiquidityError, Result};
use chrono::{Days, NaiveDate};
use fissure_core::{resample, Aggregation, Alignment, Frequency, Panel, Series, SeriesMeta};
use nalgebra::DMatrix;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where an indicator's raw weekly values come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Source {
    /// One stored series.
    Series { id: String },
    /// The difference `a − b` of two series (a yield-curve slope).
    Spread { a: String, b: String },
}

impl Source {
    /// The ids of the series it reads (a spread reads two).
    pub fn ids(&self) -> Vec<String> {
        match self {
            Source::Series { id } => vec![id.clone()],
            Source::Spread { a, b } => vec![a.clone(), b.clone()],
        }
    }
}

/// How the weekly values are transformed before standardisation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "weeks")]
pub enum Transform {
    Level,
    /// x_t − x_{t−h} (h weekly observations).
    Diff(usize),
    /// ln x_t − ln x_{t−h}.
    LogDiff(usize),
}

/// One indicator of the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorSpec {
    /// Label in outputs (`HY_OAS`, `CURVE_10Y_3M`, `USDJPY_4W`, …).
    pub name: String,
    pub source: Source,
    pub transform: Transform,
    /// Weekly aggregation of daily data (STLFSI uses weekly averages).
    pub weekly_mean: bool,
    /// Days between the observation date and its publication (a monthly value
    /// dated on the 1st becomes usable only after this lag).
    pub publication_lag_days: u32,
    /// Economically expected sign of the loading: +1 (higher = more stress),
    /// −1, or 0 (no robust prior; left to the data).
    pub expected_sign: i8,
}

impl IndicatorSpec {
    fn series(name: &str, id: &str, transform: Transform, weekly_mean: bool, lag: u32, sign: i8) -> Self {
        IndicatorSpec {
            name: name.into(),
            source: Source::Series { id: id.into() },
            transform,
            weekly_mean,
            publication_lag_days: lag,
            expected_sign: sign,
        }
    }
}

/// Settings of [`stress_index`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressConfig {
    pub indicators: Vec<IndicatorSpec>,
    /// Weeks of history an indicator needs before it enters the index.
    pub min_obs: usize,
    /// Minimum overlap (weeks) for a pairwise correlation; shorter → 0.
    pub min_pair_obs: usize,
    /// A missing weekly value is filled with the last one at most this many weeks old.
    pub max_fill_weeks: u32,
    /// The index starts when at least this many indicators are active.
    pub min_active: usize,
    /// Indicators that must be active for a week to have a value (the core
    /// stress measures; without them the first PC of yields alone is not stress).
    pub required: Vec<String>,
}

impl Default for StressConfig {
    /// The default panel on the bundled data (ids of `data/demo/catalog.toml`):
    /// credit spreads, VIX, curve, yield and dollar/yen moves, Fed balance sheet,
    /// reverse repo, money-market assets and margin debt.
    fn default() -> Self {
        use Transform::*;
        let s = IndicatorSpec::series;
        StressConfig {
            indicators: vec![
                s("HY_OAS", "HY_OAS", Level, true, 1, 1),
                s("IG_OAS", "IG_OAS", Level, true, 1, 1),
                s("VIX", "VIX", Level, true, 0, 1),
                IndicatorSpec {
                    name: "CURVE_10Y_3M".into(),
                    source: Source::Spread { a: "US10Y".into(), b: "US3M".into() },
                    transform: Level,
                    weekly_mean: true,
                    publication_lag_days: 1,
                    // bull steepening: the Fed cuts short rates in stress
                    expected_sign: 1,
                },
                s("US10Y_13W", "US10Y", Diff(13), true, 1, -1),
                s("US2Y_13W", "US2Y", Diff(13), true, 1, -1),
                s("USD_BROAD_13W", "USD_BROAD", LogDiff(13), false, 1, 1),
                s("USDJPY_4W", "USDJPY", LogDiff(4), false, 1, -1),
                s("WALCL_13W", "WALCL", LogDiff(13), false, 1, 1),
                s("RRP_13W", "RRP", Diff(13), false, 1, 0),
                // no robust prior: money-market assets swell in flights to safety
                // (2008, 2020) and also when policy rates rise in calm markets (2022–24)
                s("MMF_26W", "MMF", LogDiff(26), false, 7, 0),
                // FINRA publishes month m around the third week of month m+1; the
                // file dates month m on its first day → usable ~50 days later
                s("MARGIN_DEBT_12M", "MARGIN_DEBT", LogDiff(52), false, 50, -1),
            ],
            min_obs: 104,
            min_pair_obs: 52,
            max_fill_weeks: 8,
            min_active: 3,
            required: vec!["HY_OAS".into(), "IG_OAS".into(), "VIX".into()],
        }
    }
}

/// One indicator's loading and contribution on the last date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Loading {
    pub indicator: String,
    pub loading: f64,
    pub expected_sign: i8,
    /// Standardised value on the last date.
    pub z: f64,
    /// `loading · z / √λ₁`; the contributions sum to the last value.
    pub contribution: f64,
}

/// The stress index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StressIndex {
    pub dates: Vec<NaiveDate>,
    pub values: Vec<f64>,
    /// Number of active indicators on each date.
    pub active: Vec<usize>,
    /// Loadings and contributions on the last date (active indicators only).
    pub loadings: Vec<Loading>,
    /// Share of the variance of the active standardised indicators explained by PC1.
    pub explained: f64,
    /// Indicators that were requested but absent from the inputs.
    pub missing: Vec<String>,
}

/// Weekly transformed values of one indicator, or None if its inputs are absent.
fn indicator_series(spec: &IndicatorSpec, data: &BTreeMap<String, Series>) -> Result<Option<Series>> {
    let weekly = |id: &str| -> Result<Option<Series>> {
        let Some(s) = data.get(id) else {
            return Ok(None);
        };
        let lag = Days::new(u64::from(spec.publication_lag_days));
        let dates: Vec<NaiveDate> = s.dates().iter().map(|d| *d + lag).collect();
        let shifted = Series::new(SeriesMeta::new(id), dates, s.values().to_vec())?;
        let agg = if spec.weekly_mean { Aggregation::Mean } else { Aggregation::Last };
        Ok(Some(resample(&shifted, Frequency::Weekly, agg)?))
    };
    let raw = match &spec.source {
        Source::Series { id } => weekly(id)?,
        Source::Spread { a, b } => match (weekly(a)?, weekly(b)?) {
            (Some(x), Some(y)) => {
                let p = Panel::align(&[&x, &y], &Alignment::Intersection)?;
                let (d, rows) = p.complete_rows();
                Some(Series::new(SeriesMeta::new(&spec.name), d, rows.iter().map(|r| r[0] - r[1]).collect())?)
            }
            _ => None,
        },
    };
    let Some(raw) = raw else { return Ok(None) };
    let v = raw.values();
    let d = raw.dates();
    let (dates, values): (Vec<NaiveDate>, Vec<f64>) = match spec.transform {
        Transform::Level => (d.to_vec(), v.to_vec()),
        Transform::Diff(h) => (h..v.len()).map(|i| (d[i], v[i] - v[i - h])).unzip(),
        Transform::LogDiff(h) => {
            (h..v.len()).filter(|&i| v[i] > 0.0 && v[i - h] > 0.0).map(|i| (d[i], (v[i] / v[i - h]).ln())).unzip()
        }
    };
    if dates.is_empty() {
        return Ok(None);
    }
    Ok(Some(Series::new(SeriesMeta::new(&spec.name), dates, values)?))
}

/// Builds the real-time stress index from `data` (series by id).
pub fn stress_index(data: &BTreeMap<String, Series>, cfg: &StressConfig) -> Result<StressIndex> {
    let mut cols = Vec::new();
    let mut specs = Vec::new();
    let mut missing = Vec::new();
    for spec in &cfg.indicators {
        match indicator_series(spec, data)? {
            Some(s) => {
                cols.push(s);
                specs.push(spec.clone());
            }
            None => missing.push(spec.name.clone()),
        }
    }
    if cols.len() < cfg.min_active.max(2) {
        return Err(LiquidityError::Missing(format!(
            "stress index needs at least {} indicators, found {} (missing: {})",
            cfg.min_active.max(2),
            cols.len(),
            missing.join(", ")
        )));
    }
    let refs: Vec<&Series> = cols.iter().collect();
    let mut panel = Panel::align(&refs, &Alignment::Union { max_fill_days: cfg.max_fill_weeks * 7 })?;
    // publication lags shift dates forward: never go past the week of the latest raw observation
    let raw_last =
        specs.iter().flat_map(|s| s.source.ids()).filter_map(|id| data.get(&id).and_then(|s| s.last_date())).max();
    if let Some(d) = raw_last {
        panel = panel.as_of(fissure_core::resample::period_label(d, Frequency::Weekly)?);
    }
    let required: Vec<usize> = cfg.required.iter().filter_map(|r| specs.iter().position(|s| &s.name == r)).collect();
    if required.len() < cfg.required.len() {
        return Err(LiquidityError::Missing(format!("stress index requires {}", cfg.required.join(", "))));
    }
    let m = cols.len();
    let n = panel.len();
    // running sums: per column and per pair
    let mut cnt = vec![0usize; m];
    let mut s1 = vec![0.0; m];
    let mut s2 = vec![0.0; m];
    let mut pn = vec![0usize; m * m];
    let mut px = vec![0.0; m * m];
    let mut pxx = vec![0.0; m * m];
    let mut pxy = vec![0.0; m * m];
    let (mut dates, mut values, mut active_n) = (Vec::new(), Vec::new(), Vec::new());
    type Snapshot = (Vec<usize>, Vec<f64>, Vec<f64>, f64, f64);
    let mut last: Option<Snapshot> = None;
    let signs: Vec<f64> = specs.iter().map(|s| f64::from(s.expected_sign)).collect();
    for t in 0..n {
        let row: Vec<Option<f64>> = (0..m).map(|j| panel.columns[j][t]).collect();
        for j in 0..m {
            if let Some(x) = row[j] {
                cnt[j] += 1;
                s1[j] += x;
                s2[j] += x * x;
                for i in 0..m {
                    if let Some(y) = row[i] {
                        // pair (j, i): sums of x_j, x_j², x_j·x_i over rows where both exist
                        pn[j * m + i] += 1;
                        px[j * m + i] += x;
                        pxx[j * m + i] += x * x;
                        pxy[j * m + i] += x * y;
                    }
                }
            }
        }
        // an indicator whose history has not moved (variance of rounding noise relative to its
        // sum of squares) cannot be standardised: it stays inactive instead of entering with z = 0
        let moves = |j: usize| {
            let nf = cnt[j] as f64;
            !fissure_stats::tol::negligible(s2[j] - s1[j] * s1[j] / nf, s2[j])
        };
        let act: Vec<usize> = (0..m).filter(|&j| cnt[j] >= cfg.min_obs && row[j].is_some() && moves(j)).collect();
        if act.len() < cfg.min_active || required.iter().any(|r| !act.contains(r)) {
            continue;
        }
        let a = act.len();
        let mut c = DMatrix::<f64>::identity(a, a);
        for (ii, &i) in act.iter().enumerate() {
            for (jj, &j) in act.iter().enumerate().skip(ii + 1) {
                let nn = pn[i * m + j];
                let r = if nn >= cfg.min_pair_obs {
                    let nf = nn as f64;
                    let (sx, sy) = (px[i * m + j], px[j * m + i]);
                    let (sxx, syy) = (pxx[i * m + j], pxx[j * m + i]);
                    let sxy = pxy[i * m + j];
                    let cov = sxy - sx * sy / nf;
                    let vx = sxx - sx * sx / nf;
                    let vy = syy - sy * sy / nf;
                    if !fissure_stats::tol::negligible(vx, sxx) && !fissure_stats::tol::negligible(vy, syy) {
                        (cov / (vx.sqrt() * vy.sqrt())).clamp(-1.0, 1.0)
                    } else {
                        0.0
                    }
                } else {
                    0.0
                };
                c[(ii, jj)] = r;
                c[(jj, ii)] = r;
            }
        }
        let (ev, vecs) = fissure_stats::linalg::symmetric_eigen_desc(&c)?;
        let lam = ev[0].max(1e-12);
        let mut l: Vec<f64> = (0..a).map(|r| vecs[(r, 0)]).collect();
        let orient: f64 = act.iter().zip(&l).map(|(&j, v)| signs[j] * v).sum();
        if orient < 0.0 {
            l.iter_mut().for_each(|v| *v = -*v);
        }
        let z: Vec<f64> = act
            .iter()
            .map(|&j| {
                let nf = cnt[j] as f64;
                let mean = s1[j] / nf;
                let var = ((s2[j] - s1[j] * s1[j] / nf) / (nf - 1.0)).max(0.0);
                let x = row[j].unwrap_or(mean);
                if var > 0.0 {
                    (x - mean) / var.sqrt()
                } else {
                    0.0
                }
            })
            .collect();
        let scale = lam.sqrt();
        let v: f64 = l.iter().zip(&z).map(|(a, b)| a * b).sum::<f64>() / scale;
        dates.push(panel.dates[t]);
        values.push(v);
        active_n.push(a);
        let trace = a as f64;
        last = Some((act, l, z, scale, lam / trace));
    }
    let Some((act, l, z, scale, explained)) = last else {
        let history: Vec<String> = specs
            .iter()
            .enumerate()
            .map(|(j, sp)| {
                let req = if required.contains(&j) { ", required" } else { "" };
                let nf = cnt[j] as f64;
                let still = fissure_stats::tol::negligible(s2[j] - s1[j] * s1[j] / nf, s2[j]);
                let flat = if cnt[j] > 1 && still { ", does not move" } else { "" };
                format!("{} {} weeks{req}{flat}", sp.name, cnt[j])
            })
            .collect();
        return Err(LiquidityError::Missing(format!(
            "no week has {} moving indicators with {} weeks of history (and every required one): {}",
            cfg.min_active,
            cfg.min_obs,
            history.join("; ")
        )));
    };
    let loadings = act
        .iter()
        .enumerate()
        .map(|(ii, &j)| Loading {
            indicator: specs[j].name.clone(),
            loading: l[ii],
            expected_sign: specs[j].expected_sign,
            z: z[ii],
            contribution: l[ii] * z[ii] / scale,
        })
        .collect();
    Ok(StressIndex { dates, values, active: active_n, loadings, explained, missing })
}

/// Pearson correlation of the index with a published weekly index (STLFSI4,
/// NFCI), both on Friday labels, over their overlap: (correlation, overlap weeks).
pub fn correlation_with(index: &StressIndex, other: &Series) -> Result<(f64, usize)> {
    let o = resample(other, Frequency::Weekly, Aggregation::Last)?;
    let mine = Series::new(SeriesMeta::new("fissure_fsi"), index.dates.clone(), index.values.clone())?;
    let p = Panel::align(&[&mine, &o], &Alignment::Intersection)?;
    let (_, rows) = p.complete_rows();
    let x: Vec<f64> = rows.iter().map(|r| r[0]).collect();
    let y: Vec<f64> = rows.iter().map(|r| r[1]).collect();
    Ok((fissure_stats::describe::correlation(&x, &y)?, x.len()))
}

impl StressConfig {
    /// Keeps only the indicators named in `only` (case-insensitive; empty keeps all). An unknown name is
    /// refused with the list of the indicators, never ignored.
    pub fn restrict_to(&mut self, only: &[String]) -> Result<()> {
        if only.is_empty() {
            return Ok(());
        }
        let unknown: Vec<String> = only
            .iter()
            .filter(|o| !self.indicators.iter().any(|i| o.eq_ignore_ascii_case(&i.name)))
            .map(|u| format!("`{u}`"))
            .collect();
        if !unknown.is_empty() {
            let names: Vec<&str> = self.indicators.iter().map(|i| i.name.as_str()).collect();
            return Err(LiquidityError::Invalid(format!(
                "unknown indicator(s) {}; the indicators are {}",
                unknown.join(", "),
                names.join(", ")
            )));
        }
        self.indicators.retain(|i| only.iter().any(|o| o.eq_ignore_ascii_case(&i.name)));
        let kept = &self.indicators;
        self.required.retain(|r| kept.iter().any(|i| &i.name == r));
        Ok(())
    }

    /// The ids of the series the indicators read (a spread reads two).
    pub fn series_ids(&self) -> Vec<String> {
        self.indicators.iter().flat_map(|i| i.source.ids()).collect()
    }
}

/// The index's correlation with each published benchmark index of `data` (`(id, (r, weeks))`); a benchmark
/// absent from `data`, or without overlap, has `None`.
pub fn benchmark_correlations(
    idx: &StressIndex,
    data: &BTreeMap<String, Series>,
    ids: &[String],
) -> Vec<(String, Option<(f64, usize)>)> {
    ids.iter().map(|id| (id.clone(), data.get(id).and_then(|s| correlation_with(idx, s).ok()))).collect()
}

/// The document of `fissure liquidity index --json`: the weekly index, the last date's loadings and
/// contributions, the benchmarks' correlations (those that could be computed) and the configuration.
pub fn stress_json(
    idx: &StressIndex,
    cfg: &StressConfig,
    corr: &[(String, Option<(f64, usize)>)],
) -> serde_json::Value {
    use serde_json::json;
    let series: Vec<_> = idx.dates.iter().zip(&idx.values).map(|(d, v)| json!({"date": d, "value": v})).collect();
    let mut correlation = serde_json::Map::new();
    for (id, c) in corr {
        if let Some((r, n)) = c {
            correlation.insert(id.clone(), json!({"correlation": r, "weeks": n}));
        }
    }
    json!({
        "series": series,
        "loadings": idx.loadings.iter().map(|l| json!({"indicator": l.indicator, "loading": l.loading, "expected_sign": l.expected_sign})).collect::<Vec<_>>(),
        "contributions": idx.loadings.iter().map(|l| json!({"indicator": l.indicator, "z": l.z, "contribution": l.contribution})).collect::<Vec<_>>(),
        "last_date": idx.dates.last(),
        "last_value": idx.values.last(),
        "explained_share": idx.explained,
        "missing_indicators": idx.missing,
        "correlation": correlation,
        "config": cfg,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restrict_to_keeps_the_named_indicators_and_refuses_unknown_ones() {
        let mut cfg = StressConfig::default();
        let first = cfg.indicators[0].name.clone();
        let e = cfg.clone().restrict_to(&["nope".into(), first.to_uppercase()]).unwrap_err();
        assert!(e.to_string().starts_with("unknown indicator(s) `nope`; the indicators are "), "{e}");
        cfg.restrict_to(&[first.to_uppercase()]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.indicators.len(), 1);
        assert!(cfg.required.iter().all(|r| *r == first));
        assert_eq!(cfg.series_ids(), ["HY_OAS"]);
        // a spread reads both of its series
        let mut curve = StressConfig::default();
        curve.restrict_to(&["curve_10y_3m".into(), "VIX".into()]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(curve.series_ids(), ["VIX", "US10Y", "US3M"]);
    }

    #[test]
    fn stress_json_lists_only_the_correlations_that_exist() {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap_or_default();
        let idx = StressIndex {
            dates: vec![d0, d0 + Days::new(7)],
            values: vec![0.5, -0.25],
            active: vec![3, 3],
            loadings: vec![],
            explained: 0.6,
            missing: vec!["VIX".into()],
        };
        let doc = stress_json(&idx, &StressConfig::default(), &[("A".into(), Some((0.9, 52))), ("B".into(), None)]);
        assert_eq!(doc["correlation"], serde_json::json!({"A": {"correlation": 0.9, "weeks": 52}}));
        assert_eq!(doc["last_value"], serde_json::json!(-0.25));
        assert_eq!(doc["series"].as_array().map(Vec::len), Some(2));
        assert_eq!(doc["missing_indicators"], serde_json::json!(["VIX"]));
    }
}
