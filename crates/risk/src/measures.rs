//! Value-at-Risk and Expected Shortfall of a linear portfolio, with Euler allocation.
//!
//! Loss convention: L = −r_p with r_p = Σ wᵢ rᵢ; VaR and ES are positive fractions of
//! equity (0.023 = a 2.3 % loss). `level` is the confidence level α (0.99).
//!
//! - **Historical**: VaR = type-7 (Hyndman–Fan 1996) quantile of the losses at α;
//!   ES = mean of the losses at or beyond VaR (L ≥ VaR).
//! - **Gaussian**: VaR = −μ_p + σ_p z_α, ES = −μ_p + σ_p φ(z_α)/(1 − α), sample σ (n − 1).
//! - **Cornish–Fisher** (modified VaR; Zangari 1996, Favre & Galeano 2002):
//!   z_cf = z + (z² − 1)S/6 + (z³ − 3z)K/24 − (2z³ − 5z)S²/36 at z = Φ⁻¹(1 − α), population
//!   moments (as PerformanceAnalytics), VaR = −μ_p − σ_p z_cf. Modified ES here is the exact
//!   tail mean of the Cornish–Fisher quantile function, E[z_cf(Z) | Z ≤ z] in closed form with
//!   the truncated normal moments Iᵠ = ∫_{−∞}^{z} uᵠφ(u)du (Iᵠ = −z^{q−1}φ(z) + (q−1)I^{q−2}).
//!   This differs from Boudt, Peterson & Croux (2008), who integrate an Edgeworth density.
//! - **EVT** peaks over threshold (McNeil & Frey 2000): GPD(ξ, β) fitted by ML to the
//!   excesses of the losses over the type-7 quantile u at `1 − tail`;
//!   VaR = u + β/ξ·[((1 − α)·n/n_u)^{−ξ} − 1], ES = (VaR + β − ξu)/(1 − ξ).
//! - **FHS** (Barone-Adesi, Giannopoulos & Vosper 1999): see [`crate::fhs`]; its simulated
//!   scenarios go through the historical estimator.
//!
//! **Euler allocation** (Tasche 1999): VaR and ES are homogeneous of degree 1 in w, so
//! Σ wᵢ ∂VaR/∂wᵢ = VaR. Historical: the type-7 estimator is a linear combination of two
//! order statistics, so the component of asset i is the same combination of −wᵢrᵢ on those
//! two days; ES components are the tail means of −wᵢrᵢ. Gaussian and Cornish–Fisher:
//! analytic gradients through the moments (∂m_k/∂wᵢ = k·E[d_p^{k−1} dᵢ], d = demeaned), O(T·N).
//! EVT: the EVT totals split in the proportions of the historical tail beyond u (stated).

use crate::{Result, RiskError};
use rayon::prelude::*;
use serde::Serialize;
use statrs::distribution::{Continuous, ContinuousCDF, Normal};

/// A VaR/ES estimate with its Euler components (same order as the weights).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Estimate {
    pub var: f64,
    pub es: f64,
    pub var_components: Vec<f64>,
    pub es_components: Vec<f64>,
}

impl Estimate {
    /// Multiplies every number by `k` (√h scaling).
    pub fn scaled(&self, k: f64) -> Estimate {
        Estimate {
            var: self.var * k,
            es: self.es * k,
            var_components: self.var_components.iter().map(|v| v * k).collect(),
            es_components: self.es_components.iter().map(|v| v * k).collect(),
        }
    }
}

pub(crate) fn check_level(level: f64) -> Result<()> {
    if !(level > 0.5 && level < 1.0) {
        return Err(RiskError::Invalid(format!("level {level} must be in (0.5, 1)")));
    }
    Ok(())
}

fn check_input(data: &[f64], n: usize, w: &[f64], min_t: usize) -> Result<usize> {
    if n == 0 || w.len() != n || !data.len().is_multiple_of(n) {
        return Err(RiskError::Invalid(format!("{} weights for {} assets", w.len(), n)));
    }
    let t = data.len() / n;
    if t < min_t {
        return Err(RiskError::TooShort { what: "VaR/ES sample".into(), needed: min_t, got: t });
    }
    if let Some(i) = data.iter().position(|v| !v.is_finite()) {
        return Err(RiskError::Invalid(format!("non-finite return at row {}, asset {}", i / n, i % n)));
    }
    Ok(t)
}

/// Portfolio losses −Σ wᵢ rᵢ of each row.
pub fn losses(data: &[f64], n: usize, w: &[f64]) -> Vec<f64> {
    let row = |r: &[f64]| -r.iter().zip(w).map(|(a, b)| a * b).sum::<f64>();
    if data.len() < PARALLEL_MIN {
        data.chunks_exact(n).map(row).collect()
    } else {
        data.par_chunks_exact(n).map(row).collect()
    }
}

/// Panels at least this large (T·N) are processed in parallel, in fixed blocks of rows whose
/// partial sums are added in block order (results do not depend on the thread count).
const PARALLEL_MIN: usize = 1 << 17;
const BLOCK_ROWS: usize = 256;

/// Type-7 position of the α-quantile among `t` sorted values: (lower index, weight of the upper).
fn type7(t: usize, level: f64) -> (usize, f64) {
    let h = (t - 1) as f64 * level;
    let k = (h.floor() as usize).min(t - 1);
    (k, h - k as f64)
}

/// Historical VaR/ES (type-7 quantile; ES = mean loss at or beyond VaR) and Euler components.
pub fn historical(data: &[f64], n: usize, w: &[f64], level: f64) -> Result<Estimate> {
    check_level(level)?;
    let t = check_input(data, n, w, 10)?;
    let l = losses(data, n, w);
    let mut idx: Vec<usize> = (0..t).collect();
    idx.sort_unstable_by(|a, b| l[*a].total_cmp(&l[*b]));
    let (k, g) = type7(t, level);
    let hi = (k + 1).min(t - 1);
    let var = l[idx[k]] + g * (l[idx[hi]] - l[idx[k]]);
    let (ra, rb) = (&data[idx[k] * n..idx[k] * n + n], &data[idx[hi] * n..idx[hi] * n + n]);
    let var_components: Vec<f64> = (0..n).map(|i| -w[i] * ((1.0 - g) * ra[i] + g * rb[i])).collect();
    // tail: losses ≥ VaR (at least the upper order statistic); tolerance for rounding of the interpolation
    let tol = 1e-14 * var.abs().max(1e-300);
    let start = idx.partition_point(|&i| l[i] < var - tol);
    let tail = &idx[start..];
    let m = tail.len() as f64;
    let es = tail.iter().map(|&i| l[i]).sum::<f64>() / m;
    let mut es_components = vec![0.0; n];
    for &s in tail {
        for i in 0..n {
            es_components[i] -= w[i] * data[s * n + i] / m;
        }
    }
    Ok(Estimate { var, es, var_components, es_components })
}

struct Moments {
    mu_p: f64,
    mu: Vec<f64>,
    /// m_k = mean of d_p^k (population), k = 2, 3, 4
    m2: f64,
    m3: f64,
    m4: f64,
    /// c_k[i] = mean of d_p^{k−1} dᵢ (population), k = 2, 3, 4
    c2: Vec<f64>,
    c3: Vec<f64>,
    c4: Vec<f64>,
    t: usize,
}

fn moments(data: &[f64], n: usize, w: &[f64], t: usize) -> Moments {
    let tf = t as f64;
    let blocks: Vec<&[f64]> = data.chunks(BLOCK_ROWS * n).collect();
    let col_sums = |b: &[f64]| {
        let mut s = vec![0.0; n];
        for r in b.chunks_exact(n) {
            for i in 0..n {
                s[i] += r[i];
            }
        }
        s
    };
    let partial: Vec<Vec<f64>> = if data.len() < PARALLEL_MIN {
        blocks.iter().map(|b| col_sums(b)).collect()
    } else {
        blocks.par_iter().map(|b| col_sums(b)).collect()
    };
    let mut mu = vec![0.0; n];
    for p in &partial {
        for i in 0..n {
            mu[i] += p[i];
        }
    }
    mu.iter_mut().for_each(|m| *m /= tf);
    let mu_p: f64 = mu.iter().zip(w).map(|(a, b)| a * b).sum();
    // per block: [m2, m3, m4, c2 (n), c3 (n), c4 (n)]
    let block_moments = |b: &[f64]| {
        let mut acc = vec![0.0; 3 + 3 * n];
        for r in b.chunks_exact(n) {
            let dp = r.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() - mu_p;
            let (d2, d3) = (dp * dp, dp * dp * dp);
            acc[0] += d2;
            acc[1] += d3;
            acc[2] += d2 * d2;
            let (c2, rest) = acc[3..].split_at_mut(n);
            let (c3, c4) = rest.split_at_mut(n);
            for i in 0..n {
                let di = r[i] - mu[i];
                c2[i] += dp * di;
                c3[i] += d2 * di;
                c4[i] += d3 * di;
            }
        }
        acc
    };
    let partial: Vec<Vec<f64>> = if data.len() < PARALLEL_MIN {
        blocks.iter().map(|b| block_moments(b)).collect()
    } else {
        blocks.par_iter().map(|b| block_moments(b)).collect()
    };
    let mut acc = vec![0.0; 3 + 3 * n];
    for p in &partial {
        for (a, v) in acc.iter_mut().zip(p) {
            *a += v;
        }
    }
    acc.iter_mut().for_each(|x| *x /= tf);
    Moments {
        mu_p,
        mu,
        m2: acc[0],
        m3: acc[1],
        m4: acc[2],
        c2: acc[3..3 + n].to_vec(),
        c3: acc[3 + n..3 + 2 * n].to_vec(),
        c4: acc[3 + 2 * n..].to_vec(),
        t,
    }
}

fn refuse_constant(m: &Moments) -> Result<()> {
    let scale = m.mu.iter().map(|v| v.abs()).fold(0.0, f64::max).max(1e-300);
    if !(m.m2 > 1e-24 * scale * scale) || m.m2 < 1e-30 {
        return Err(RiskError::Invalid("the portfolio's returns are constant (zero variance)".into()));
    }
    Ok(())
}

/// Gaussian VaR/ES with sample (n − 1) variance, and Euler components
/// −μᵢwᵢ + wᵢ(Σw)ᵢ/σ_p · z_α (resp. · φ(z_α)/(1 − α)).
pub fn gaussian(data: &[f64], n: usize, w: &[f64], level: f64) -> Result<Estimate> {
    check_level(level)?;
    let t = check_input(data, n, w, 3)?;
    let m = moments(data, n, w, t);
    refuse_constant(&m)?;
    let corr = m.t as f64 / (m.t as f64 - 1.0);
    let sigma = (m.m2 * corr).sqrt();
    let nd = Normal::new(0.0, 1.0).expect("standard normal");
    let z = nd.inverse_cdf(level);
    let k_es = nd.pdf(z) / (1.0 - level);
    let var = -m.mu_p + sigma * z;
    let es = -m.mu_p + sigma * k_es;
    let ds: Vec<f64> = m.c2.iter().map(|c| c * corr / sigma).collect(); // ∂σ/∂wᵢ
    let var_components = (0..n).map(|i| w[i] * (-m.mu[i] + ds[i] * z)).collect();
    let es_components = (0..n).map(|i| w[i] * (-m.mu[i] + ds[i] * k_es)).collect();
    Ok(Estimate { var, es, var_components, es_components })
}

/// Truncated standard normal moments I^q = ∫_{−∞}^{z} u^q φ(u) du, q = 0..=3.
fn tail_moments(z: f64) -> [f64; 4] {
    let nd = Normal::new(0.0, 1.0).expect("standard normal");
    let (phi, cdf) = (nd.pdf(z), nd.cdf(z));
    let i0 = cdf;
    let i1 = -phi;
    let i2 = -z * phi + i0;
    let i3 = -z * z * phi + 2.0 * i1;
    [i0, i1, i2, i3]
}

/// Cornish–Fisher quantile coefficients at the lower-tail z: z_cf = a0 + aS·S + aK·K + aS2·S².
fn cf_coefficients(z: f64) -> [f64; 4] {
    [z, (z * z - 1.0) / 6.0, (z * z * z - 3.0 * z) / 24.0, -(2.0 * z * z * z - 5.0 * z) / 36.0]
}

/// Tail mean E[z_cf(Z) | Z ≤ z] coefficients (same layout as [`cf_coefficients`]).
fn cf_es_coefficients(z: f64) -> [f64; 4] {
    let [i0, i1, i2, i3] = tail_moments(z);
    [i1 / i0, (i2 - i0) / 6.0 / i0, (i3 - 3.0 * i1) / 24.0 / i0, -(2.0 * i3 - 5.0 * i1) / 36.0 / i0]
}

/// Skewness and excess kurtosis of the portfolio (population moments).
pub fn skew_kurt(data: &[f64], n: usize, w: &[f64]) -> Result<(f64, f64)> {
    let t = check_input(data, n, w, 3)?;
    let m = moments(data, n, w, t);
    refuse_constant(&m)?;
    Ok((m.m3 / m.m2.powf(1.5), m.m4 / (m.m2 * m.m2) - 3.0))
}

/// Cornish–Fisher (modified) VaR and ES with analytic Euler components.
pub fn cornish_fisher(data: &[f64], n: usize, w: &[f64], level: f64) -> Result<Estimate> {
    check_level(level)?;
    let t = check_input(data, n, w, 10)?;
    let m = moments(data, n, w, t);
    refuse_constant(&m)?;
    let sigma = m.m2.sqrt();
    let s = m.m3 / m.m2.powf(1.5);
    let k = m.m4 / (m.m2 * m.m2) - 3.0;
    let z = Normal::new(0.0, 1.0).expect("standard normal").inverse_cdf(1.0 - level);
    let eval = |c: [f64; 4]| {
        let q = c[0] + c[1] * s + c[2] * k + c[3] * s * s;
        let dq_ds = c[1] + 2.0 * c[3] * s;
        let dq_dk = c[2];
        let total = -m.mu_p - sigma * q;
        let comps: Vec<f64> = (0..n)
            .map(|i| {
                let dsig = m.c2[i] / sigma;
                let dskew = 3.0 * m.c3[i] / m.m2.powf(1.5) - 3.0 * m.m3 * m.c2[i] / m.m2.powf(2.5);
                let dkurt = 4.0 * m.c4[i] / (m.m2 * m.m2) - 4.0 * m.m4 * m.c2[i] / m.m2.powi(3);
                w[i] * (-m.mu[i] - dsig * q - sigma * (dq_ds * dskew + dq_dk * dkurt))
            })
            .collect();
        (total, comps)
    };
    let (var, var_components) = eval(cf_coefficients(z));
    let (es, es_components) = eval(cf_es_coefficients(z));
    Ok(Estimate { var, es, var_components, es_components })
}

/// A fitted generalised Pareto tail.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct GpdTail {
    pub threshold: f64,
    pub xi: f64,
    pub beta: f64,
    pub n_exceed: usize,
    pub n: usize,
}

impl GpdTail {
    /// VaR at `level` (must lie beyond the threshold's level).
    pub fn var(&self, level: f64) -> Result<f64> {
        let p_u = self.n_exceed as f64 / self.n as f64;
        if 1.0 - level >= p_u {
            return Err(RiskError::Invalid(format!(
                "EVT: level {level} is not beyond the threshold (exceedance share {p_u:.3}); lower --evt-tail or raise the level"
            )));
        }
        let r = (1.0 - level) / p_u;
        Ok(if self.xi.abs() < 1e-9 {
            self.threshold - self.beta * r.ln()
        } else {
            self.threshold + self.beta / self.xi * (r.powf(-self.xi) - 1.0)
        })
    }
    /// ES at `level` = (VaR + β − ξu)/(1 − ξ), ξ < 1.
    pub fn es(&self, level: f64) -> Result<f64> {
        if self.xi >= 1.0 {
            return Err(RiskError::Invalid(format!("EVT: ξ = {:.3} ≥ 1, the tail has no finite mean (ES)", self.xi)));
        }
        Ok((self.var(level)? + self.beta - self.xi * self.threshold) / (1.0 - self.xi))
    }
}

/// GPD negative log-likelihood of excesses y (β > 0).
fn gpd_nll(y: &[f64], xi: f64, beta: f64) -> f64 {
    if !(beta > 0.0) {
        return f64::INFINITY;
    }
    let n = y.len() as f64;
    if xi.abs() < 1e-9 {
        return n * beta.ln() + y.iter().sum::<f64>() / beta;
    }
    let mut s = 0.0;
    for v in y {
        let a = 1.0 + xi * v / beta;
        if a <= 0.0 {
            return f64::INFINITY;
        }
        s += a.ln();
    }
    n * beta.ln() + (1.0 + 1.0 / xi) * s
}

/// ML fit of a GPD (ξ, β) to positive excesses (location 0), as
/// `scipy.stats.genpareto.fit(y, floc=0)`; Nelder–Mead on (ξ, ln β) from the
/// method-of-moments start (Hosking & Wallis 1987).
pub fn fit_gpd(excess: &[f64]) -> Result<(f64, f64)> {
    if excess.len() < 20 {
        return Err(RiskError::TooShort {
            what: "GPD fit (excesses over the threshold)".into(),
            needed: 20,
            got: excess.len(),
        });
    }
    let m = excess.iter().sum::<f64>() / excess.len() as f64;
    let v = excess.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (excess.len() as f64 - 1.0);
    if !(v > 1e-24 * m * m) {
        return Err(RiskError::Invalid("GPD fit: the excesses are constant".into()));
    }
    let xi0 = (0.5 * (1.0 - m * m / v)).clamp(-0.4, 0.8);
    let beta0 = 0.5 * m * (m * m / v + 1.0);
    let opts = fissure_stats::optim::NelderMeadOptions { f_tol: 1e-13, x_tol: 1e-10, ..Default::default() };
    let mut best: Option<fissure_stats::optim::Minimum> = None;
    let mut last_err = None;
    for start in [[0.1, m.ln()], [xi0, beta0.ln()], [-0.1, m.ln()]] {
        // a start outside the support (1 + ξy/β ≤ 0 for some y) is skipped
        if !gpd_nll(excess, start[0], start[1].exp()).is_finite() {
            continue;
        }
        match fissure_stats::optim::nelder_mead(|p| gpd_nll(excess, p[0], p[1].exp()), &start, &opts) {
            Ok(r) if best.as_ref().is_none_or(|b| r.f < b.f) => best = Some(r),
            Ok(_) => {}
            Err(e) => last_err = Some(e),
        }
    }
    if best.is_none() {
        if let Some(e) = last_err {
            return Err(RiskError::Stats { what: "GPD fit".into(), source: e });
        }
    }
    let b = best.ok_or_else(|| RiskError::Invalid("GPD fit failed".into()))?;
    if !b.f.is_finite() {
        return Err(RiskError::Invalid("GPD fit: no finite likelihood".into()));
    }
    Ok((b.x[0], b.x[1].exp()))
}

/// Fits the POT tail of losses `l`: threshold at the type-7 quantile 1 − `tail`.
pub fn gpd_tail(l: &[f64], tail: f64) -> Result<GpdTail> {
    if !(tail > 0.0 && tail < 0.5) {
        return Err(RiskError::Invalid(format!("EVT tail share {tail} must be in (0, 0.5)")));
    }
    let mut s = l.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    let u = fissure_stats::describe::quantile_sorted(&s, 1.0 - tail);
    let excess: Vec<f64> = s.iter().filter(|v| **v > u).map(|v| v - u).collect();
    let (xi, beta) = fit_gpd(&excess)?;
    Ok(GpdTail { threshold: u, xi, beta, n_exceed: excess.len(), n: l.len() })
}

/// EVT (POT/GPD) VaR/ES; components in the proportions of the historical tail beyond u.
pub fn evt(data: &[f64], n: usize, w: &[f64], level: f64, tail: f64) -> Result<(Estimate, GpdTail)> {
    check_level(level)?;
    let t = check_input(data, n, w, 100)?;
    let l = losses(data, n, w);
    let g = gpd_tail(&l, tail)?;
    let var = g.var(level)?;
    let es = g.es(level)?;
    let mut share = vec![0.0; n];
    let mut tot = 0.0;
    for s in 0..t {
        if l[s] > g.threshold {
            tot += l[s];
            for i in 0..n {
                share[i] -= w[i] * data[s * n + i];
            }
        }
    }
    share.iter_mut().for_each(|v| *v /= tot);
    let est = Estimate {
        var,
        es,
        var_components: share.iter().map(|s| s * var).collect(),
        es_components: share.iter().map(|s| s * es).collect(),
    };
    Ok((est, g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn historical_matches_type7_by_hand() {
        // losses 1..=10 (%), level 0.9: h = 9·0.9 = 8.1 → 9 + 0.1·(10 − 9) = 9.1
        let data: Vec<f64> = (1..=10).map(|v| -(v as f64) / 100.0).collect();
        let e = historical(&data, 1, &[1.0], 0.9).unwrap();
        assert!((e.var - 0.091).abs() < 1e-12, "{e:?}");
        assert!((e.es - 0.10).abs() < 1e-12);
        assert!((e.var_components[0] - e.var).abs() < 1e-15);
    }

    #[test]
    fn cornish_fisher_reduces_to_gaussian_population_without_skew() {
        // symmetric two-point-ish sample with kurtosis: check against the formula by hand
        let x = [-0.02, -0.01, 0.0, 0.01, 0.02, -0.015, 0.015, 0.005, -0.005, 0.0];
        let e = cornish_fisher(&x, 1, &[1.0], 0.95).unwrap();
        let n = x.len() as f64;
        let mu = x.iter().sum::<f64>() / n;
        let m2 = x.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / n;
        let m4 = x.iter().map(|v| (v - mu).powi(4)).sum::<f64>() / n;
        let k = m4 / (m2 * m2) - 3.0;
        let z: f64 = -1.6448536269514722;
        let zcf = z + (z.powi(3) - 3.0 * z) * k / 24.0; // S = 0
        assert!((e.var - (-mu - m2.sqrt() * zcf)).abs() < 1e-12, "{} vs {}", e.var, -mu - m2.sqrt() * zcf);
    }

    #[test]
    fn tail_moments_recursion() {
        let [i0, i1, i2, i3] = tail_moments(-1.0);
        // numeric integration check
        let nd = Normal::new(0.0, 1.0).unwrap();
        let mut s = [0.0; 4];
        let h = 1e-4;
        for step in 0..110_000 {
            let m: f64 = -12.0 + (step as f64 + 0.5) * h;
            for (q, v) in s.iter_mut().enumerate() {
                *v += m.powi(q as i32) * nd.pdf(m) * h;
            }
        }
        for (a, b) in [i0, i1, i2, i3].iter().zip(&s) {
            assert!((a - b).abs() < 1e-7, "{a} vs {b}");
        }
    }

    #[test]
    fn refuses_constant_returns() {
        assert!(gaussian(&[0.01; 50], 1, &[1.0], 0.99).is_err());
        assert!(cornish_fisher(&[0.01; 50], 1, &[1.0], 0.99).is_err());
        assert!(historical(&[0.01; 50], 1, &[1.0], 1.5).is_err());
    }
}
