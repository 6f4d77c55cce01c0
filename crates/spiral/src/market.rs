//! The simulated market, estimated from data: starting prices, daily volatilities
//! (window and RiskMetrics EWMA), the covariance and its Cholesky factor for
//! Gaussian draws, the joint historical days for the bootstrap, average daily
//! volumes, and the recent price history the trend followers read.

use crate::config::SpiralConfig;
use crate::{Result, SpiralError};
use chrono::NaiveDate;
use fissure_core::{Alignment, Panel, Series};
use nalgebra::DMatrix;
use serde::Serialize;
use std::collections::BTreeMap;

/// Days of volume whose median dollar volume is the ADV.
pub const ADV_DAYS: usize = 63;

/// Everything the engine reads about the assets (immutable, shared by all paths).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Market {
    pub ids: Vec<String>,
    /// Last date of the data; simulated day 1 is the next business day.
    pub start_date: NaiveDate,
    pub price0: Vec<f64>,
    /// Daily σ over the estimation window.
    pub sigma_window: Vec<f64>,
    /// RiskMetrics EWMA daily σ at the start.
    pub sigma_ewma: Vec<f64>,
    /// Average daily volume, US$ bn.
    pub adv: Vec<f64>,
    /// Correlation matrix, row-major K×K.
    pub corr: Vec<f64>,
    /// Lower Cholesky factor of the covariance, row-major K×K.
    #[serde(skip)]
    pub chol: Vec<f64>,
    /// Historical joint daily returns (rows of K) for the bootstrap.
    #[serde(skip)]
    pub boot: Vec<f64>,
    /// σ_ewma / σ_window per asset: the exogenous draws (Gaussian or bootstrap) are scaled by it, so that
    /// the noise has the state's (RiskMetrics) volatility and the window's correlation, as in filtered
    /// historical simulation (Barone-Adesi, Giannopoulos & Vosper 1999). Without it the noise of a calm
    /// state would be the window's, and the agents' EWMA σ would drift up over the horizon: vol targeters
    /// and trend followers would sell on pure noise.
    pub noise_scale: Vec<f64>,
    /// Closes of the last `history_len` days, oldest first, rows of K (the last row is `price0`).
    #[serde(skip)]
    pub history: Vec<f64>,
    pub history_len: usize,
    /// Observations in the estimation window.
    pub window_obs: usize,
    /// Per asset: (yield id, duration) for yield shocks.
    pub yields: Vec<Option<(String, f64)>>,
    /// Margin investors' equity resolved from positioning data (bn), one per margin population.
    pub margin_capital: Vec<f64>,
    /// How each asset's ADV was obtained.
    pub adv_notes: Vec<String>,
    /// Days in the window dropped for a non-positive price of some asset.
    pub dropped_days: Vec<NaiveDate>,
}

impl Market {
    pub fn k(&self) -> usize {
        self.ids.len()
    }

    pub fn index(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|a| a.eq_ignore_ascii_case(id))
    }

    /// Estimates the market from stored series (truncated at `as_of` when given).
    pub fn estimate(series: &BTreeMap<String, Series>, cfg: &SpiralConfig, as_of: Option<NaiveDate>) -> Result<Market> {
        let get = |id: &str| -> Result<Series> {
            let s = series.get(id).ok_or_else(|| SpiralError::MissingSeries(id.to_string()))?;
            Ok(match as_of {
                Some(d) => s.as_of(d),
                None => s.clone(),
            })
        };
        let assets: Vec<Series> = cfg.assets.iter().map(|a| get(&a.id)).collect::<Result<_>>()?;
        let refs: Vec<&Series> = assets.iter().collect();
        let panel = Panel::align(&refs, &Alignment::Intersection)
            .map_err(|e| SpiralError::Data { id: "assets".into(), msg: e.to_string() })?;
        let (all_dates, all_rows) = panel.complete_rows();
        // Days with a non-positive price (WTI on 2020-04-20) have no return: dropped and reported.
        let mut dates = Vec::with_capacity(all_dates.len());
        let mut rows = Vec::with_capacity(all_rows.len());
        let mut dropped_days = Vec::new();
        for (d, r) in all_dates.into_iter().zip(all_rows) {
            if r.iter().all(|v| *v > 0.0) {
                dates.push(d);
                rows.push(r);
            } else {
                dropped_days.push(d);
            }
        }
        let k = cfg.assets.len();
        let history_len = cfg.history_needed();
        if rows.len() < 61.max(history_len) {
            return Err(SpiralError::Data {
                id: "assets".into(),
                msg: format!(
                    "{} common dates of {}; the simulator needs at least {} (window and the agents' lookbacks)",
                    rows.len(),
                    cfg.assets.iter().map(|a| a.id.as_str()).collect::<Vec<_>>().join(", "),
                    61.max(history_len)
                ),
            });
        }
        let n = rows.len();
        let start = n.saturating_sub(cfg.simulation.window + 1).min(n - history_len);
        dropped_days.retain(|d| *d >= dates[start]);
        let mut rets: Vec<f64> = Vec::with_capacity((n - start) * k);
        for t in start + 1..n {
            for j in 0..k {
                rets.push(rows[t][j] / rows[t - 1][j] - 1.0);
            }
        }
        let m = rets.len() / k;
        let data = DMatrix::from_row_slice(m, k, &rets);
        let cov = fissure_stats::linalg::covariance(&data).map_err(|e| SpiralError::Params(e.to_string()))?;
        let sigma_window: Vec<f64> = (0..k).map(|j| cov[(j, j)].max(0.0).sqrt()).collect();
        for (j, s) in sigma_window.iter().enumerate() {
            // Relative tolerance: a daily σ below 1e-8 is a constant series.
            if s.is_nan() || *s <= 1e-8 {
                return Err(SpiralError::Data {
                    id: cfg.assets[j].id.clone(),
                    msg: "constant prices in the window".into(),
                });
            }
        }
        let mut corr = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..k {
                corr[i * k + j] = cov[(i, j)] / (sigma_window[i] * sigma_window[j]);
            }
        }
        // Cholesky with a tolerance relative to the diagonal scale.
        let mut chol = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..=i {
                let mut s = cov[(i, j)];
                for p in 0..j {
                    s -= chol[i * k + p] * chol[j * k + p];
                }
                if i == j {
                    if s <= 1e-10 * cov[(i, i)] {
                        return Err(SpiralError::NotPositiveDefinite);
                    }
                    chol[i * k + i] = s.sqrt();
                } else {
                    chol[i * k + j] = s / chol[j * k + j];
                }
            }
        }
        // RiskMetrics EWMA over the window, started at the first 20 days' mean square.
        let lambda = cfg.simulation.ewma_lambda;
        let mut sigma_ewma = vec![0.0; k];
        for (j, se) in sigma_ewma.iter_mut().enumerate() {
            let init = m.min(20);
            let mut v = (0..init).map(|t| rets[t * k + j].powi(2)).sum::<f64>() / init as f64;
            for t in init..m {
                v = lambda * v + (1.0 - lambda) * rets[t * k + j].powi(2);
            }
            *se = v.sqrt().max(1e-6);
        }
        let mut history = Vec::with_capacity(history_len * k);
        for row in &rows[n - history_len..] {
            history.extend_from_slice(row);
        }
        let price0 = rows[n - 1].clone();
        let start_date = dates[n - 1];
        // ADV.
        let mut adv = Vec::with_capacity(k);
        let mut adv_notes = Vec::with_capacity(k);
        for a in &cfg.assets {
            if let Some(v) = a.adv_usd_bn {
                adv.push(v);
                adv_notes.push(format!("{}: stated {v:.1} bn ({})", a.id, a.adv_source));
                continue;
            }
            let mut total = 0.0;
            for id in &a.adv_series {
                let s = get(id)?;
                let vol = s
                    .ohlcv()
                    .map(|o| &o.volume)
                    .ok_or_else(|| SpiralError::Data { id: id.clone(), msg: "no volume column for the ADV".into() })?;
                let mut dv: Vec<f64> = s
                    .values()
                    .iter()
                    .zip(vol)
                    .rev()
                    .filter_map(|(c, v)| v.filter(|v| *v > 0.0).map(|v| if a.adv_volume_in_usd { v } else { c * v }))
                    .take(ADV_DAYS)
                    .collect();
                if dv.len() < 20 {
                    return Err(SpiralError::Data {
                        id: id.clone(),
                        msg: format!("{} days with volume; the ADV needs 20", dv.len()),
                    });
                }
                dv.sort_by(f64::total_cmp);
                total += fissure_stats::describe::quantile_sorted(&dv, 0.5) * a.adv_multiplier * a.adv_scale / 1e9;
            }
            adv.push(total);
            adv_notes.push(format!("{}: {total:.1} bn estimated ({})", a.id, a.adv_source));
        }
        let mut margin_capital = Vec::with_capacity(cfg.margin.len());
        for mc in &cfg.margin {
            let cap = match &mc.capital_series {
                Some(id) => {
                    let s = get(id)?;
                    let v = s
                        .values()
                        .last()
                        .copied()
                        .ok_or_else(|| SpiralError::Data { id: id.clone(), msg: "empty positioning series".into() })?;
                    v * mc.capital_per_unit
                }
                None => mc.capital,
            };
            margin_capital.push(cap);
        }
        let noise_scale: Vec<f64> = sigma_ewma.iter().zip(&sigma_window).map(|(e, w)| e / w).collect();
        Ok(Market {
            ids: cfg.assets.iter().map(|a| a.id.clone()).collect(),
            start_date,
            price0,
            sigma_window,
            sigma_ewma,
            adv,
            corr,
            chol,
            noise_scale,
            boot: rets,
            history,
            history_len,
            window_obs: m,
            yields: cfg.assets.iter().map(|a| a.yield_id.clone().zip(a.duration)).collect(),
            margin_capital,
            adv_notes,
            dropped_days,
        })
    }

    /// A synthetic market (property tests, benchmarks): K assets at price 100,
    /// daily σ `sigma`, equal correlation `rho`, ADV `adv`, flat history.
    pub fn synthetic(ids: &[&str], sigma: f64, rho: f64, adv: f64, history_len: usize, start: NaiveDate) -> Market {
        let k = ids.len();
        let mut corr = vec![rho; k * k];
        for i in 0..k {
            corr[i * k + i] = 1.0;
        }
        let mut chol = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..=i {
                let mut s = corr[i * k + j] * sigma * sigma;
                for p in 0..j {
                    s -= chol[i * k + p] * chol[j * k + p];
                }
                chol[i * k + j] = if i == j { s.max(0.0).sqrt() } else { s / chol[j * k + j] };
            }
        }
        // A gentle up-trend so that trend followers start long.
        let hl = history_len.max(2);
        let mut history = Vec::with_capacity(hl * k);
        for t in 0..hl {
            let p = 100.0 * (1.0 + 0.0004 * (t as f64 - (hl - 1) as f64));
            history.resize(history.len() + k, p);
        }
        Market {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            start_date: start,
            price0: vec![100.0; k],
            sigma_window: vec![sigma; k],
            sigma_ewma: vec![sigma; k],
            adv: vec![adv; k],
            corr,
            chol,
            noise_scale: vec![1.0; k],
            boot: Vec::new(),
            history,
            history_len: hl,
            window_obs: 0,
            yields: vec![None; k],
            margin_capital: Vec::new(),
            adv_notes: Vec::new(),
            dropped_days: Vec::new(),
        }
    }
}
