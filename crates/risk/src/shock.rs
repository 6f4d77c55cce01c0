//! Conditional ("hypothetical") shocks and the reverse stress test.
//!
//! Variables are daily moves: simple returns of prices, changes of rates (percentage
//! points); a basket is the weighted sum of its members' returns. Over a horizon of h days
//! the moves are overlapping h-day moves (compounded returns, summed changes). Drift is
//! neglected (mean 0): a shock is about co-movement.
//!
//! Given shocks m on variables A, the other variables B follow
//! - **full**: the Gaussian conditional law with the full-sample covariance Σ of h-day moves,
//!   E[B|A=m] = Σ_BA Σ_AA⁻¹ m, Cov = Σ_BB − Σ_BA Σ_AA⁻¹ Σ_AB;
//! - **stressed**: the same with Σ estimated on co-crash days only (second moments about 0 of
//!   the daily moves on those days, × h);
//! - **t**: a Student-t copula (Demarta & McNeil 2005) with the empirical margins of the h-day
//!   moves: ν by profile maximum likelihood on a grid, P the correlation of t_ν⁻¹(pseudo-obs.);
//!   the latent shock x_A = t_ν⁻¹(F̂_A(m)) and X_B | x_A ~ t_{ν+k}(P_BA P_AA⁻¹ x_A,
//!   (ν + x_A'P_AA⁻¹x_A)/(ν + k)·(P_BB − P_BA P_AA⁻¹ P_AB)), simulated (seeded) and mapped back
//!   through the empirical quantiles.
//!
//! **Reverse stress test**: the most plausible move r (smallest Mahalanobis distance r'Σ⁻¹r
//! under Σ) with portfolio loss X: r* = −X Σw/(w'Σw), distance X/√(w'Σw); other variables'
//! moves are their conditional expectations given that portfolio move.

use crate::{Result, RiskError};
use chrono::NaiveDate;
use nalgebra::{DMatrix, DVector};
use rand::Rng;
use rand_distr::{ChiSquared as ChiSq, Distribution, StandardNormal};
use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Daily moves of several variables on common dates, row-major T × K.
#[derive(Debug, Clone)]
pub struct Moves {
    pub ids: Vec<String>,
    /// `true` for a rate (moves are changes), `false` for a return.
    pub is_change: Vec<bool>,
    pub dates: Vec<NaiveDate>,
    pub data: Vec<f64>,
}

impl Moves {
    pub fn k(&self) -> usize {
        self.ids.len()
    }
    pub fn t(&self) -> usize {
        self.dates.len()
    }
    pub fn index(&self, id: &str) -> Option<usize> {
        self.ids.iter().position(|i| i == id)
    }
    /// Adds a variable Σ cⱼ·column j (a basket of returns).
    pub fn add_combination(&mut self, id: &str, parts: &[(usize, f64)]) {
        let (t, k) = (self.t(), self.k());
        let mut data = Vec::with_capacity(t * (k + 1));
        for i in 0..t {
            let row = &self.data[i * k..(i + 1) * k];
            data.extend_from_slice(row);
            data.push(parts.iter().map(|(j, c)| c * row[*j]).sum());
        }
        self.data = data;
        self.ids.push(id.to_string());
        self.is_change.push(false);
    }
    /// Overlapping h-day moves (compounded returns, summed changes).
    pub fn horizon(&self, h: usize) -> Moves {
        let (t, k) = (self.t(), self.k());
        if h <= 1 || t < h {
            return self.clone();
        }
        let mut cum = vec![0.0; (t + 1) * k];
        for i in 0..t {
            for j in 0..k {
                let v = self.data[i * k + j];
                cum[(i + 1) * k + j] = cum[i * k + j] + if self.is_change[j] { v } else { (1.0 + v).max(1e-12).ln() };
            }
        }
        let mut data = Vec::with_capacity((t - h + 1) * k);
        for e in h..=t {
            for j in 0..k {
                let s = cum[e * k + j] - cum[(e - h) * k + j];
                data.push(if self.is_change[j] { s } else { s.exp() - 1.0 });
            }
        }
        Moves { ids: self.ids.clone(), is_change: self.is_change.clone(), dates: self.dates[h - 1..].to_vec(), data }
    }
    /// Keeps only the rows dated in `days`.
    pub fn on_days(&self, days: &[NaiveDate]) -> Moves {
        let set: std::collections::HashSet<&NaiveDate> = days.iter().collect();
        let k = self.k();
        let mut dates = Vec::new();
        let mut data = Vec::new();
        for (i, d) in self.dates.iter().enumerate() {
            if set.contains(d) {
                dates.push(*d);
                data.extend_from_slice(&self.data[i * k..(i + 1) * k]);
            }
        }
        Moves { ids: self.ids.clone(), is_change: self.is_change.clone(), dates, data }
    }
}

/// Second-moment matrix: about the mean (`demean`, n − 1) or about 0 (n).
pub fn covariance(m: &Moves, demean: bool) -> DMatrix<f64> {
    let (t, k) = (m.t(), m.k());
    let mu: Vec<f64> = if demean {
        (0..k).map(|j| (0..t).map(|i| m.data[i * k + j]).sum::<f64>() / t as f64).collect()
    } else {
        vec![0.0; k]
    };
    let mut c = DMatrix::zeros(k, k);
    for i in 0..t {
        let r = &m.data[i * k..(i + 1) * k];
        for a in 0..k {
            let da = r[a] - mu[a];
            for b in a..k {
                c[(a, b)] += da * (r[b] - mu[b]);
            }
        }
    }
    let den = if demean { t as f64 - 1.0 } else { t as f64 };
    for a in 0..k {
        for b in a..k {
            c[(a, b)] /= den;
            c[(b, a)] = c[(a, b)];
        }
    }
    c
}

/// Which covariance conditions the shock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CovKind {
    Full,
    Stressed,
    T,
}

/// One shock: variable index and move (return fraction, or change in the rate's units).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shock {
    pub id: String,
    pub value: f64,
}

/// Conditional distribution summary of one variable (or the portfolio).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Conditional {
    pub id: String,
    pub shocked: bool,
    pub mean: f64,
    pub sd: f64,
    pub q05: f64,
    pub q95: f64,
}

/// Result of [`conditional_shock`].
#[derive(Debug, Clone, Serialize)]
pub struct ShockResult {
    pub cov: CovKind,
    pub horizon: usize,
    pub shocks: Vec<Shock>,
    pub variables: Vec<Conditional>,
    pub portfolio: Conditional,
    /// Observations behind the dependence estimate (rows, or co-crash days).
    pub observations: usize,
    /// Student-t copula degrees of freedom (t only).
    pub nu: Option<f64>,
}

fn sym_sqrt_psd(m: &DMatrix<f64>) -> DMatrix<f64> {
    let e = m.clone().symmetric_eigen();
    let mut d = DMatrix::zeros(m.nrows(), m.ncols());
    for i in 0..m.nrows() {
        d[(i, i)] = e.eigenvalues[i].max(0.0).sqrt();
    }
    &e.eigenvectors * d * e.eigenvectors.transpose()
}

struct Split {
    a: Vec<usize>,
    b: Vec<usize>,
    /// Σ_BA Σ_AA⁻¹ (|B| × |A|)
    coef: DMatrix<f64>,
    /// Σ_BB − Σ_BA Σ_AA⁻¹ Σ_AB
    cond: DMatrix<f64>,
    saa_inv: DMatrix<f64>,
}

fn split(s: &DMatrix<f64>, a: &[usize]) -> Result<Split> {
    let k = s.nrows();
    let b: Vec<usize> = (0..k).filter(|i| !a.contains(i)).collect();
    let sub = |r: &[usize], c: &[usize]| DMatrix::from_fn(r.len(), c.len(), |i, j| s[(r[i], c[j])]);
    let saa = sub(a, a);
    let scale = (0..a.len()).map(|i| saa[(i, i)]).fold(0.0, f64::max);
    let chol = saa.clone().cholesky().ok_or_else(|| {
        RiskError::Invalid("the shocked variables' covariance is singular (a shock repeats another?)".into())
    })?;
    let l = chol.l();
    let min_pivot = (0..a.len()).map(|i| l[(i, i)] * l[(i, i)]).fold(f64::INFINITY, f64::min);
    if !(min_pivot > 1e-10 * scale) {
        return Err(RiskError::Invalid("the shocked variables are (nearly) collinear; drop one of them".into()));
    }
    let saa_inv = chol.inverse();
    let sba = sub(&b, a);
    let coef = &sba * &saa_inv;
    let cond = sub(&b, &b) - &coef * sba.transpose();
    Ok(Split { a: a.to_vec(), b, coef, cond, saa_inv })
}

/// Settings of [`conditional_shock`].
#[derive(Debug, Clone, Copy)]
pub struct ShockOptions {
    pub kind: CovKind,
    /// Days over which the moves happen.
    pub horizon: usize,
    /// Draws of the t copula.
    pub sims: usize,
    pub seed: u64,
}

/// Conditional distribution of every variable and of the portfolio (`weights` by variable
/// index: the portfolio's assets) under shocks.
pub fn conditional_shock(
    daily: &Moves,
    weights: &[(usize, f64)],
    shocks: &[Shock],
    o: &ShockOptions,
    stressed_days: &[NaiveDate],
) -> Result<ShockResult> {
    let ShockOptions { kind, horizon, sims, seed } = *o;
    if shocks.is_empty() {
        return Err(RiskError::Invalid("give at least one shock ID=MOVE".into()));
    }
    if horizon == 0 || horizon > 250 {
        return Err(RiskError::Invalid(format!("horizon {horizon} must be in 1..=250 days")));
    }
    let a: Vec<usize> = shocks
        .iter()
        .map(|s| daily.index(&s.id).ok_or_else(|| RiskError::UnknownAsset(s.id.clone())))
        .collect::<Result<_>>()?;
    let mvals: Vec<f64> = shocks.iter().map(|s| s.value).collect();
    let hm = daily.horizon(horizon);
    let k = daily.k();
    let mut out_vars: Vec<Conditional> = Vec::with_capacity(k);
    let (portfolio, observations, nu) = match kind {
        CovKind::Full | CovKind::Stressed => {
            let (sigma, obs) = if kind == CovKind::Full {
                (covariance(&hm, true), hm.t())
            } else {
                let sd = daily.on_days(stressed_days);
                if sd.t() < k.max(10) {
                    return Err(RiskError::TooShort {
                        what: "stressed covariance (co-crash days with data for every variable)".into(),
                        needed: k.max(10),
                        got: sd.t(),
                    });
                }
                (covariance(&sd, false) * horizon as f64, sd.t())
            };
            if hm.t() < 30 {
                return Err(RiskError::TooShort { what: "shock sample".into(), needed: 30, got: hm.t() });
            }
            let sp = split(&sigma, &a)?;
            let mv = DVector::from_column_slice(&mvals);
            let mean_b = &sp.coef * &mv;
            let z = 1.6448536269514722;
            let mut mean = vec![0.0; k];
            let mut cov = DMatrix::zeros(k, k);
            for (i, &ai) in sp.a.iter().enumerate() {
                mean[ai] = mvals[i];
            }
            for (i, &bi) in sp.b.iter().enumerate() {
                mean[bi] = mean_b[i];
                for (j, &bj) in sp.b.iter().enumerate() {
                    cov[(bi, bj)] = sp.cond[(i, j)];
                }
            }
            for j in 0..k {
                let sd = cov[(j, j)].max(0.0).sqrt();
                out_vars.push(Conditional {
                    id: daily.ids[j].clone(),
                    shocked: sp.a.contains(&j),
                    mean: mean[j],
                    sd,
                    q05: mean[j] - z * sd,
                    q95: mean[j] + z * sd,
                });
            }
            let pm: f64 = weights.iter().map(|(j, w)| w * mean[*j]).sum();
            let mut pv = 0.0;
            for (i, wi) in weights {
                for (j, wj) in weights {
                    pv += wi * wj * cov[(*i, *j)];
                }
            }
            let psd = pv.max(0.0).sqrt();
            (
                Conditional {
                    id: "portfolio".into(),
                    shocked: false,
                    mean: pm,
                    sd: psd,
                    q05: pm - z * psd,
                    q95: pm + z * psd,
                },
                obs,
                None,
            )
        }
        CovKind::T => {
            let (draws, nu) = t_copula_draws(&hm, &a, &mvals, sims, seed)?;
            for j in 0..k {
                let col: Vec<f64> = draws.chunks_exact(k).map(|r| r[j]).collect();
                out_vars.push(summary(&daily.ids[j], a.contains(&j), &col));
            }
            let p: Vec<f64> = draws.chunks_exact(k).map(|r| weights.iter().map(|(j, w)| w * r[*j]).sum()).collect();
            (summary("portfolio", false, &p), hm.t(), Some(nu))
        }
    };
    Ok(ShockResult { cov: kind, horizon, shocks: shocks.to_vec(), variables: out_vars, portfolio, observations, nu })
}

fn summary(id: &str, shocked: bool, x: &[f64]) -> Conditional {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0)).max(0.0).sqrt();
    let mut s = x.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    Conditional {
        id: id.to_string(),
        shocked,
        mean,
        sd,
        q05: fissure_stats::describe::quantile_sorted(&s, 0.05),
        q95: fissure_stats::describe::quantile_sorted(&s, 0.95),
    }
}

/// Pseudo-observations (ranks / (T + 1)) of each column.
fn pseudo_obs(m: &Moves) -> (Vec<f64>, Vec<Vec<f64>>) {
    let (t, k) = (m.t(), m.k());
    let mut u = vec![0.0; t * k];
    let mut sorted = Vec::with_capacity(k);
    for j in 0..k {
        let col: Vec<f64> = (0..t).map(|i| m.data[i * k + j]).collect();
        let mut idx: Vec<usize> = (0..t).collect();
        idx.sort_unstable_by(|a, b| col[*a].total_cmp(&col[*b]));
        for (r, &i) in idx.iter().enumerate() {
            u[i * k + j] = (r + 1) as f64 / (t + 1) as f64;
        }
        let mut c = col;
        c.sort_unstable_by(f64::total_cmp);
        sorted.push(c);
    }
    (u, sorted)
}

fn corr_of(x: &[f64], k: usize) -> DMatrix<f64> {
    let t = x.len() / k;
    let m = Moves {
        ids: vec![String::new(); k],
        is_change: vec![false; k],
        dates: vec![NaiveDate::MIN; t],
        data: x.to_vec(),
    };
    let c = covariance(&m, true);
    DMatrix::from_fn(k, k, |i, j| c[(i, j)] / (c[(i, i)] * c[(j, j)]).sqrt())
}

/// t-copula log-likelihood at ν of latent x (T × K) with correlation P.
fn t_copula_loglik(x: &[f64], k: usize, p: &DMatrix<f64>, nu: f64) -> Option<f64> {
    let chol = p.clone().cholesky()?;
    let ldet = 2.0 * (0..k).map(|i| chol.l_dirty()[(i, i)].ln()).sum::<f64>();
    let kf = k as f64;
    let lg = |v: f64| statrs::function::gamma::ln_gamma(v);
    let cst = lg((nu + kf) / 2.0) + (kf - 1.0) * lg(nu / 2.0) - kf * lg((nu + 1.0) / 2.0) - 0.5 * ldet;
    let mut ll = 0.0;
    for r in x.chunks_exact(k) {
        let v = DVector::from_column_slice(r);
        let q = v.dot(&chol.solve(&v));
        ll += cst - (nu + kf) / 2.0 * (1.0 + q / nu).ln();
        for &xi in r {
            ll += (nu + 1.0) / 2.0 * (1.0 + xi * xi / nu).ln();
        }
    }
    Some(ll)
}

fn t_copula_draws(hm: &Moves, a: &[usize], m: &[f64], sims: usize, seed: u64) -> Result<(Vec<f64>, f64)> {
    let (t, k) = (hm.t(), hm.k());
    if t < 100 {
        return Err(RiskError::TooShort { what: "t copula sample".into(), needed: 100, got: t });
    }
    if sims < 1000 {
        return Err(RiskError::Invalid(format!("the t copula needs at least 1000 simulations, got {sims}")));
    }
    let (u, sorted) = pseudo_obs(hm);
    // profile likelihood over ν
    let grid = [3.0, 4.0, 6.0, 10.0, 20.0, 50.0];
    let fits: Vec<(f64, f64, Vec<f64>, DMatrix<f64>)> = grid
        .par_iter()
        .filter_map(|&nu| {
            let td = StudentsT::new(0.0, 1.0, nu).ok()?;
            let x: Vec<f64> = u.iter().map(|v| td.inverse_cdf(*v)).collect();
            let p = corr_of(&x, k);
            let ll = t_copula_loglik(&x, k, &p, nu)?;
            Some((ll, nu, x, p))
        })
        .collect();
    let (_, nu, _, p) = fits
        .into_iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .ok_or_else(|| RiskError::Invalid("t copula: no degrees of freedom gave a finite likelihood".into()))?;
    let td = StudentsT::new(0.0, 1.0, nu).map_err(|e| RiskError::Invalid(format!("t copula: {e}")))?;
    let n1 = (t + 1) as f64;
    let xa: Vec<f64> = a
        .iter()
        .zip(m)
        .map(|(&j, &mv)| {
            let s = &sorted[j];
            let below = s.partition_point(|v| *v <= mv) as f64;
            td.inverse_cdf(((below + 0.5) / n1).clamp(0.5 / n1, 1.0 - 0.5 / n1))
        })
        .collect();
    let sp = split(&p, a)?;
    let xav = DVector::from_column_slice(&xa);
    let mu_b = &sp.coef * &xav;
    let d2 = xav.dot(&(&sp.saa_inv * &xav));
    let kf = a.len() as f64;
    let scale = (nu + d2) / (nu + kf);
    let root = sym_sqrt_psd(&(sp.cond.clone() * scale));
    let dof = nu + kf;
    let chi = ChiSq::new(dof).map_err(|e| RiskError::Invalid(format!("t copula: {e}")))?;
    let nb = sp.b.len();
    const CHUNK: usize = 512;
    let draws: Vec<Vec<f64>> = (0..sims.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut rng = fissure_stats::rng::stream(seed, c as u64);
            let cnt = CHUNK.min(sims - c * CHUNK);
            let mut out = Vec::with_capacity(cnt * k);
            let mut g = vec![0.0; nb];
            for _ in 0..cnt {
                g.iter_mut().for_each(|v| *v = rng.sample(StandardNormal));
                let w: f64 = chi.sample(&mut rng);
                let f = (dof / w).sqrt();
                let mut row = vec![0.0; k];
                for (i, &ai) in sp.a.iter().enumerate() {
                    row[ai] = m[i];
                }
                for (i, &bi) in sp.b.iter().enumerate() {
                    let y = mu_b[i] + f * (0..nb).map(|j| root[(i, j)] * g[j]).sum::<f64>();
                    let uu = td.cdf(y).clamp(0.0, 1.0);
                    row[bi] = fissure_stats::describe::quantile_sorted(&sorted[bi], uu);
                }
                out.extend(row);
            }
            out
        })
        .collect();
    Ok((draws.concat(), nu))
}

/// Result of [`reverse_stress`].
#[derive(Debug, Clone, Serialize)]
pub struct ReverseResult {
    pub loss: f64,
    pub horizon: usize,
    pub cov: CovKind,
    /// Mahalanobis distance of the most plausible shock (in standard deviations).
    pub mahalanobis: f64,
    /// Gaussian probability of a portfolio loss at least `loss` under this covariance.
    pub probability: f64,
    /// Moves of every variable, largest absolute first.
    pub moves: Vec<(String, f64)>,
    pub observations: usize,
}

/// The most plausible move costing `loss` (fraction of equity) under `sigma` (h-day).
pub fn reverse_stress(
    ids: &[String],
    sigma: &DMatrix<f64>,
    weights: &[(usize, f64)],
    loss: f64,
) -> Result<(f64, Vec<(String, f64)>)> {
    if !(loss > 0.0 && loss < 10.0) {
        return Err(RiskError::Invalid(format!("loss {loss} must be a positive fraction (0.2 = 20 %)")));
    }
    let k = ids.len();
    let mut w = DVector::zeros(k);
    for (j, v) in weights {
        w[*j] = *v;
    }
    let sw = sigma * &w;
    let var = w.dot(&sw);
    let scale = (0..k).map(|i| sigma[(i, i)]).fold(0.0, f64::max);
    if !(var > 1e-14 * scale.max(1e-300)) {
        return Err(RiskError::Invalid("the portfolio's variance is zero under this covariance".into()));
    }
    let mut moves: Vec<(String, f64)> = (0..k).map(|i| (ids[i].clone(), -loss * sw[i] / var)).collect();
    moves.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    Ok((loss / var.sqrt(), moves))
}

/// Gaussian tail probability Φ(−d).
pub fn normal_tail(d: f64) -> f64 {
    statrs::distribution::Normal::new(0.0, 1.0).expect("standard normal").cdf(-d)
}

/// Whether a series moves by changes (a rate or spread in percent) rather than returns.
pub fn is_rate_series(s: &fissure_core::Series) -> bool {
    matches!(s.meta.asset_class, fissure_core::AssetClass::Rate | fissure_core::AssetClass::Spread)
        || s.meta.unit.eq_ignore_ascii_case("percent")
}

/// Parses the move of `ID=MOVE`: for a rate (`is_rate`) `+50bp` = +0.5 percentage points (a plain number is
/// in points; `%` is refused); for a return `-20%`, `-2000bp` or `-0.2`.
pub fn parse_move(spec: &str, is_rate: bool) -> Result<f64> {
    let bad = |why: String| RiskError::Invalid(format!("shock `{spec}`: {why}"));
    let (_, mv) = spec.split_once('=').ok_or_else(|| RiskError::Invalid(format!("shock `{spec}` is not ID=MOVE")))?;
    let mv = mv.trim();
    let (body, unit) = if let Some(b) = mv.strip_suffix("bp") {
        (b, "bp")
    } else if let Some(b) = mv.strip_suffix('%') {
        (b, "%")
    } else {
        (mv, "")
    };
    let v: f64 = body.trim().parse().map_err(|_| bad(format!("`{mv}` is not a number")))?;
    if !v.is_finite() {
        return Err(bad("not finite".into()));
    }
    Ok(match (unit, is_rate) {
        ("bp", true) => v / 100.0, // percentage points
        ("bp", false) => v / 10_000.0,
        ("%", true) => return Err(bad("give a rate's move in bp (e.g. +50bp)".into())),
        ("%", false) => v / 100.0,
        _ => v,
    })
}

/// The variables of a conditional shock: the holdings, each shocked id — or, for a name that is not a series
/// but a watchlist basket, its members (the basket becomes a combination) — and the `extra` ids that exist.
#[derive(Debug, Clone, PartialEq)]
pub struct ShockVariables {
    /// Series to load, in this order: holdings first.
    pub ids: Vec<String>,
    /// Baskets to add as combinations: (name, [(member, weight)]).
    pub baskets: Vec<(String, Vec<(String, f64)>)>,
}

/// Chooses the [`ShockVariables`]; `is_series(id)` says whether a series of that id can be loaded,
/// `basket(name)` gives a watchlist basket's members and weights.
pub fn shock_variables(
    holdings: Vec<String>,
    targets: &[String],
    extra: &[&str],
    is_series: impl Fn(&str) -> bool,
    basket: impl Fn(&str) -> Option<Vec<(String, f64)>>,
) -> ShockVariables {
    let mut ids = holdings;
    let mut baskets = Vec::new();
    let push = |ids: &mut Vec<String>, id: &str| {
        if !ids.iter().any(|i| i == id) {
            ids.push(id.to_string());
        }
    };
    for t in targets {
        match (is_series(t), basket(t)) {
            (false, Some(members)) => {
                for (m, _) in &members {
                    push(&mut ids, m);
                }
                baskets.push((t.clone(), members));
            }
            _ => push(&mut ids, t),
        }
    }
    for e in extra {
        if is_series(e) {
            push(&mut ids, e);
        }
    }
    ShockVariables { ids, baskets }
}

/// The moves of the loaded variables (`series`, in the order of `vars.ids`) with the baskets added, and the
/// holdings' (variable index, weight).
pub fn shock_moves(
    vars: &ShockVariables,
    series: &[&fissure_core::Series],
    holdings: &[(String, f64)],
    usdjpy: Option<&fissure_core::Series>,
    as_of: Option<NaiveDate>,
) -> Result<(Moves, Vec<(usize, f64)>)> {
    let mut mv = moves_from_series(series, usdjpy, as_of)?;
    let missing = |id: &str| RiskError::Invalid(format!("shock variable `{id}` was not loaded"));
    for (name, members) in &vars.baskets {
        let parts: Vec<(usize, f64)> =
            members.iter().map(|(m, c)| Ok((mv.index(m).ok_or_else(|| missing(m))?, *c))).collect::<Result<_>>()?;
        mv.add_combination(name, &parts);
    }
    let weights =
        holdings.iter().map(|(id, w)| Ok((mv.index(id).ok_or_else(|| missing(id))?, *w))).collect::<Result<_>>()?;
    Ok((mv, weights))
}

/// Daily moves of `series` on their common dates ≤ `as_of`: simple returns of prices (JPY
/// prices converted to USD with `usdjpy`), changes of rates.
pub fn moves_from_series(
    series: &[&fissure_core::Series],
    usdjpy: Option<&fissure_core::Series>,
    as_of: Option<NaiveDate>,
) -> Result<Moves> {
    use std::collections::BTreeMap;
    if series.is_empty() {
        return Err(RiskError::Invalid("no variables".into()));
    }
    let conv: Vec<fissure_core::Series> = series
        .iter()
        .map(|s| {
            let s = if is_rate_series(s) { (*s).clone() } else { crate::portfolio::to_usd(s, usdjpy)? };
            Ok(match as_of {
                Some(d) => s.as_of(d),
                None => s,
            })
        })
        .collect::<Result<_>>()?;
    let mut count: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for s in &conv {
        for d in s.dates() {
            *count.entry(*d).or_default() += 1;
        }
    }
    let dates: Vec<NaiveDate> = count.into_iter().filter(|(_, c)| *c == conv.len()).map(|(d, _)| d).collect();
    if dates.len() < 3 {
        return Err(RiskError::TooShort {
            what: "common dates of the shock variables".into(),
            needed: 3,
            got: dates.len(),
        });
    }
    let k = conv.len();
    let is_change: Vec<bool> = conv.iter().map(is_rate_series).collect();
    let mut lv = vec![0.0; dates.len() * k];
    for (j, s) in conv.iter().enumerate() {
        if !is_change[j] {
            if let Some(i) = s.values().iter().position(|v| !(*v > 0.0)) {
                return Err(RiskError::Invalid(format!("`{}` is not a positive price on {}", s.id(), s.dates()[i])));
            }
        }
        let mut p = 0;
        for (i, d) in dates.iter().enumerate() {
            while s.dates()[p] < *d {
                p += 1;
            }
            lv[i * k + j] = s.values()[p];
        }
    }
    let mut data = Vec::with_capacity((dates.len() - 1) * k);
    for i in 1..dates.len() {
        for j in 0..k {
            let (a, b) = (lv[(i - 1) * k + j], lv[i * k + j]);
            data.push(if is_change[j] { b - a } else { b / a - 1.0 });
        }
    }
    Ok(Moves { ids: conv.iter().map(|s| s.id().to_string()).collect(), is_change, dates: dates[1..].to_vec(), data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_move_units_and_refusals() {
        assert_eq!(parse_move("SPX=-20%", false).unwrap(), -0.2);
        assert_eq!(parse_move("SPX=-2000bp", false).unwrap(), -0.2);
        assert_eq!(parse_move("SPX=-0.2", false).unwrap(), -0.2);
        assert_eq!(parse_move("US10Y=+50bp", true).unwrap(), 0.5);
        assert!(parse_move("US10Y=+1%", true).unwrap_err().to_string().contains("in bp"));
        assert!(parse_move("SPX=abc", false).unwrap_err().to_string().contains("not a number"));
        assert!(parse_move("SPX", false).unwrap_err().to_string().contains("ID=MOVE"));
        assert!(parse_move("SPX=inf", false).is_err());
    }

    #[test]
    fn shock_variables_expand_baskets_and_keep_existing_extras() {
        let series = ["A", "B", "M1", "M2", "X"];
        let is_series = |id: &str| series.contains(&id);
        let basket = |t: &str| (t == "BASK").then(|| vec![("M1".to_string(), 0.5), ("B".to_string(), 0.5)]);
        let targets = vec!["BASK".to_string(), "X".to_string(), "A".to_string()];
        let v = shock_variables(vec!["A".into(), "B".into()], &targets, &["X", "NOPE", "M2"], is_series, basket);
        assert_eq!(v.ids, ["A", "B", "M1", "X", "M2"]);
        assert_eq!(v.baskets.len(), 1);
        assert_eq!(v.baskets[0].0, "BASK");
        // a name that is a series is a series, even if a basket has that name
        let v = shock_variables(vec![], &["M1".to_string()], &[], is_series, |_| Some(vec![("A".to_string(), 1.0)]));
        assert_eq!((v.ids, v.baskets.len()), (vec!["M1".to_string()], 0));
    }

    fn opts(kind: CovKind, sims: usize) -> ShockOptions {
        ShockOptions { kind, horizon: 1, sims, seed: 7 }
    }

    fn gaussian_moves(t: usize, rho: f64, seed: u64) -> Moves {
        let mut rng = fissure_stats::rng::seeded(seed);
        let mut data = Vec::with_capacity(2 * t);
        for _ in 0..t {
            let a: f64 = rng.sample(StandardNormal);
            let b: f64 = rng.sample(StandardNormal);
            data.push(0.01 * a);
            data.push(0.02 * (rho * a + (1.0 - rho * rho).sqrt() * b));
        }
        Moves {
            ids: vec!["A".into(), "B".into()],
            is_change: vec![false, false],
            dates: (0..t).map(|i| NaiveDate::from_num_days_from_ce_opt(730_000 + i as i32).unwrap()).collect(),
            data,
        }
    }

    #[test]
    fn gaussian_conditioning_is_the_regression() {
        let m = gaussian_moves(20_000, 0.6, 1);
        let s = [Shock { id: "A".into(), value: -0.03 }];
        let r = conditional_shock(&m, &[(1, 1.0)], &s, &opts(CovKind::Full, 0), &[]).unwrap();
        // E[B | A = −3 %] = ρ σ_B/σ_A · (−3 %) = 0.6·2·(−3 %) = −3.6 %
        assert!((r.variables[1].mean - (-0.036)).abs() < 0.002, "{:?}", r.variables[1]);
        assert!((r.portfolio.mean - r.variables[1].mean).abs() < 1e-15);
        // conditional sd = σ_B √(1 − ρ²) = 1.6 %
        assert!((r.variables[1].sd - 0.016).abs() < 0.0005);
    }

    #[test]
    fn t_copula_moves_the_other_asset_the_same_way() {
        let m = gaussian_moves(3000, 0.6, 2);
        let s = [Shock { id: "A".into(), value: -0.02 }];
        let r = conditional_shock(&m, &[(1, 1.0)], &s, &opts(CovKind::T, 4000), &[]).unwrap();
        assert!(r.variables[1].mean < -0.01, "{:?}", r.variables[1]);
        let r2 = conditional_shock(&m, &[(1, 1.0)], &s, &opts(CovKind::T, 4000), &[]).unwrap();
        assert_eq!(r.variables[1], r2.variables[1], "seeded");
    }

    #[test]
    fn reverse_stress_costs_exactly_the_loss() {
        let m = gaussian_moves(5000, 0.3, 3);
        let c = covariance(&m, true);
        let w = [(0, 0.5), (1, 0.5)];
        let (d, moves) = reverse_stress(&m.ids, &c, &w, 0.1).unwrap();
        let get = |id: &str| moves.iter().find(|x| x.0 == id).unwrap().1;
        assert!((0.5 * get("A") + 0.5 * get("B") + 0.1).abs() < 1e-12);
        assert!(d > 0.0);
        assert_eq!(moves[0].0, "B", "the more volatile asset moves most");
    }
}
