//! Correlations: sample, rolling-window and EWMA (RiskMetrics 1996, λ = 0.94 for
//! daily data) correlation matrices; baskets as weighted indices of their members;
//! basket-vs-basket rolling correlation with Fisher-z confidence bands (Fisher 1921:
//! z = atanh r ≈ N(atanh ρ, 1/(n − 3))); percentile of today's value against its
//! own history.

use crate::error::ContagionError;
use crate::turbulence::expanding_percentile;
use nalgebra::DMatrix;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

type Result<T> = std::result::Result<T, ContagionError>;

/// Sample correlation matrix of `rows` (row-major T×N).
pub fn correlation_matrix(rows: &[Vec<f64>]) -> Result<DMatrix<f64>> {
    let n = rows.first().map(|r| r.len()).unwrap_or(0);
    if rows.len() < 3 || n == 0 {
        return Err(ContagionError::TooShort { what: "correlation matrix".into(), needed: 3, got: rows.len() });
    }
    let t = rows.len() as f64;
    let mean: Vec<f64> = (0..n).map(|j| rows.iter().map(|r| r[j]).sum::<f64>() / t).collect();
    let mut c = DMatrix::zeros(n, n);
    for r in rows {
        for i in 0..n {
            let a = r[i] - mean[i];
            for j in 0..=i {
                c[(i, j)] += a * (r[j] - mean[j]);
            }
        }
    }
    Ok(cov_to_corr_lower(&c))
}

/// Correlation from a covariance whose lower triangle is filled; NaN where a variance is 0.
fn cov_to_corr_lower(c: &DMatrix<f64>) -> DMatrix<f64> {
    let n = c.nrows();
    DMatrix::from_fn(n, n, |i, j| {
        let (a, b) = if i >= j { (i, j) } else { (j, i) };
        if a == b {
            return if c[(a, a)] > 0.0 { 1.0 } else { f64::NAN };
        }
        let d = (c[(a, a)] * c[(b, b)]).sqrt();
        if d > 0.0 {
            (c[(a, b)] / d).clamp(-1.0, 1.0)
        } else {
            f64::NAN
        }
    })
}

/// Rolling Pearson correlation of two equal-length series over `window`
/// observations, by running sums of the demeaned-at-start data (O(n)).
/// Element i is the window ending at `window − 1 + i`.
pub fn rolling_correlation(x: &[f64], y: &[f64], window: usize) -> Result<Vec<f64>> {
    if x.len() != y.len() {
        return Err(ContagionError::Invalid(format!("rolling correlation: lengths {} and {}", x.len(), y.len())));
    }
    if window < 3 || x.len() < window {
        return Err(ContagionError::TooShort {
            what: "rolling correlation".into(),
            needed: window.max(3),
            got: x.len(),
        });
    }
    // shift by the first window's means to limit cancellation
    let (cx, cy) = (x[..window].iter().sum::<f64>() / window as f64, y[..window].iter().sum::<f64>() / window as f64);
    // correlation is scale-free: divide by the largest deviation so 1e-300 / 1e300 data neither
    // underflow nor overflow in the squares
    let dev = |v: &[f64], c: f64| v.iter().fold(0.0f64, |m, a| m.max((a - c).abs()));
    let (kx, ky) = (dev(x, cx), dev(y, cy));
    let (kx, ky) = (if kx > 0.0 { kx } else { 1.0 }, if ky > 0.0 { ky } else { 1.0 });
    let (mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let w = window as f64;
    let mut out = Vec::with_capacity(x.len() - window + 1);
    // largest uncentred sums seen: the sliding sums carry rounding noise relative to them
    let (mut px, mut py) = (0.0f64, 0.0f64);
    for i in 0..x.len() {
        let (a, b) = ((x[i] - cx) / kx, (y[i] - cy) / ky);
        sx += a;
        sy += b;
        sxx += a * a;
        syy += b * b;
        sxy += a * b;
        if i >= window {
            let (a, b) = ((x[i - window] - cx) / kx, (y[i - window] - cy) / ky);
            sx -= a;
            sy -= b;
            sxx -= a * a;
            syy -= b * b;
            sxy -= a * b;
        }
        if i + 1 >= window {
            let vx = sxx - sx * sx / w;
            let vy = syy - sy * sy / w;
            let c = sxy - sx * sy / w;
            px = px.max(sxx);
            py = py.max(syy);
            let flat = fissure_stats::tol::negligible(vx, px) || fissure_stats::tol::negligible(vy, py);
            out.push(if flat { f64::NAN } else { (c / (vx.sqrt() * vy.sqrt())).clamp(-1.0, 1.0) });
        }
    }
    Ok(out)
}

/// Rolling correlation matrices (window ending at each row from `window − 1`).
pub fn rolling_correlation_matrices(rows: &[Vec<f64>], window: usize) -> Result<Vec<DMatrix<f64>>> {
    if rows.len() < window || window < 3 {
        return Err(ContagionError::TooShort {
            what: "rolling correlation".into(),
            needed: window.max(3),
            got: rows.len(),
        });
    }
    let n = rows[0].len();
    let mut out = Vec::with_capacity(rows.len() - window + 1);
    let cols: Vec<Vec<f64>> = (0..n).map(|j| rows.iter().map(|r| r[j]).collect()).collect();
    let mut pair = vec![vec![Vec::new(); n]; n];
    for i in 0..n {
        for j in 0..i {
            pair[i][j] = rolling_correlation(&cols[i], &cols[j], window)?;
        }
    }
    for w in 0..=rows.len() - window {
        out.push(DMatrix::from_fn(n, n, |i, j| match i.cmp(&j) {
            std::cmp::Ordering::Equal => 1.0,
            std::cmp::Ordering::Greater => pair[i][j][w],
            std::cmp::Ordering::Less => pair[j][i][w],
        }));
    }
    Ok(out)
}

/// EWMA (RiskMetrics) correlation matrices: S_t = λ S_{t−1} + (1 − λ) r_t r_t'
/// (zero-mean returns), R_t = diag(S_t)^{−½} S_t diag(S_t)^{−½}. S is started at
/// the zero-mean second moments of the first `warmup` rows and the output starts
/// at row `warmup − 1`.
pub fn ewma_correlation_matrices(rows: &[Vec<f64>], lambda: f64, warmup: usize) -> Result<Vec<DMatrix<f64>>> {
    if !(0.0..1.0).contains(&lambda) {
        return Err(ContagionError::Invalid(format!("EWMA λ = {lambda} must be in [0, 1)")));
    }
    let warmup = warmup.max(2);
    if rows.len() < warmup {
        return Err(ContagionError::TooShort { what: "EWMA correlation".into(), needed: warmup, got: rows.len() });
    }
    let n = rows[0].len();
    let mut s = DMatrix::zeros(n, n);
    for r in &rows[..warmup] {
        for i in 0..n {
            for j in 0..=i {
                s[(i, j)] += r[i] * r[j] / warmup as f64;
            }
        }
    }
    let mut out = vec![cov_to_corr_lower(&s)];
    for r in &rows[warmup..] {
        for i in 0..n {
            for j in 0..=i {
                s[(i, j)] = lambda * s[(i, j)] + (1.0 - lambda) * r[i] * r[j];
            }
        }
        out.push(cov_to_corr_lower(&s));
    }
    Ok(out)
}

/// Mean of the off-diagonal entries (NaN entries skipped).
pub fn average_pairwise(c: &DMatrix<f64>) -> f64 {
    let n = c.nrows();
    let mut s = 0.0;
    let mut k = 0usize;
    for i in 0..n {
        for j in 0..i {
            if c[(i, j)].is_finite() {
                s += c[(i, j)];
                k += 1;
            }
        }
    }
    if k == 0 {
        f64::NAN
    } else {
        s / k as f64
    }
}

/// Fisher-z confidence band of a correlation `r` estimated from `n` observations at level `conf`.
pub fn fisher_band(r: f64, n: usize, conf: f64) -> (f64, f64) {
    if n <= 3 || !r.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let q = Normal::new(0.0, 1.0).map(|d| d.inverse_cdf(0.5 + conf / 2.0)).unwrap_or(1.959963984540054);
    let z = r.clamp(-0.999_999_999, 0.999_999_999).atanh();
    let se = 1.0 / ((n - 3) as f64).sqrt();
    ((z - q * se).tanh(), (z + q * se).tanh())
}

/// Weighted basket return per row: Σ w_j r_j over the members present, weights
/// renormalised over them; `None` when less than `min_weight` of the weight is present.
pub fn basket_returns(members: &[Vec<Option<f64>>], weights: &[f64], min_weight: f64) -> Result<Vec<Option<f64>>> {
    if members.is_empty() || members.len() != weights.len() {
        return Err(ContagionError::Invalid("basket: need one weight per member".into()));
    }
    if weights.iter().any(|w| w.is_nan() || *w < 0.0 || !w.is_finite()) {
        return Err(ContagionError::Invalid("basket: weights must be finite and ≥ 0".into()));
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(ContagionError::Invalid("basket: weights sum to zero".into()));
    }
    let t = members[0].len();
    if members.iter().any(|m| m.len() != t) {
        return Err(ContagionError::Invalid("basket: members are not aligned".into()));
    }
    Ok((0..t)
        .map(|i| {
            let (mut s, mut w) = (0.0, 0.0);
            for (m, wj) in members.iter().zip(weights) {
                if let Some(v) = m[i] {
                    s += wj * v;
                    w += wj;
                }
            }
            (w / total >= min_weight && w > 0.0).then(|| s / w)
        })
        .collect())
}

/// A basket-vs-basket rolling correlation with bands and percentiles.
#[derive(Debug, Clone, Serialize)]
pub struct PairCorrelation {
    pub a: String,
    pub b: String,
    pub window: usize,
    /// Row index (into the input) of each window's last observation.
    pub end_index: Vec<usize>,
    pub corr: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Expanding percentile (0–100) of each value against the history up to it.
    pub percentile: Vec<f64>,
}

/// Rolling correlation of two return series with 95% Fisher bands and expanding percentiles.
pub fn pair_correlation(a: &str, b: &str, x: &[f64], y: &[f64], window: usize, conf: f64) -> Result<PairCorrelation> {
    let corr = rolling_correlation(x, y, window)?;
    let (lower, upper) = corr.iter().map(|r| fisher_band(*r, window, conf)).unzip();
    Ok(PairCorrelation {
        a: a.into(),
        b: b.into(),
        window,
        end_index: (window - 1..x.len()).collect(),
        percentile: expanding_percentile(&corr),
        corr,
        lower,
        upper,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolling_matches_direct_and_bands_contain_estimate() {
        let x: Vec<f64> = (0..300).map(|i| ((i * 37 % 101) as f64).sin()).collect();
        let y: Vec<f64> = (0..300).map(|i| ((i * 13 % 97) as f64).cos() + 0.5 * x[i]).collect();
        let r = rolling_correlation(&x, &y, 60).unwrap();
        for (w, v) in r.iter().enumerate() {
            let d = fissure_stats::describe::correlation(&x[w..w + 60], &y[w..w + 60]).unwrap();
            assert!((v - d).abs() < 1e-12);
        }
        let (lo, hi) = fisher_band(0.5, 60, 0.95);
        assert!(lo < 0.5 && hi > 0.5);
        // atanh(0.5) ± 1.96/sqrt(57)
        assert!((lo - (0.5f64.atanh() - 1.959963984540054 / 57f64.sqrt()).tanh()).abs() < 1e-9);
        let rows: Vec<Vec<f64>> = x.iter().zip(&y).map(|(a, b)| vec![*a, *b]).collect();
        let m = correlation_matrix(&rows).unwrap();
        let d = fissure_stats::describe::correlation(&x, &y).unwrap();
        assert!((m[(0, 1)] - d).abs() < 1e-12 && (m[(1, 0)] - d).abs() < 1e-12);
        let mats = rolling_correlation_matrices(&rows, 60).unwrap();
        assert!((mats[5][(1, 0)] - r[5]).abs() < 1e-15);
    }

    #[test]
    fn ewma_recursion_and_baskets() {
        let rows: Vec<Vec<f64>> = (0..100).map(|i| vec![(i as f64).sin(), (i as f64 * 0.7).cos()]).collect();
        let e = ewma_correlation_matrices(&rows, 0.94, 20).unwrap();
        assert_eq!(e.len(), 81);
        // direct: same recursion on the covariance
        let mut s = [0.0; 3];
        for r in &rows[..20] {
            s[0] += r[0] * r[0] / 20.0;
            s[1] += r[1] * r[0] / 20.0;
            s[2] += r[1] * r[1] / 20.0;
        }
        for r in &rows[20..] {
            s[0] = 0.94 * s[0] + 0.06 * r[0] * r[0];
            s[1] = 0.94 * s[1] + 0.06 * r[1] * r[0];
            s[2] = 0.94 * s[2] + 0.06 * r[1] * r[1];
        }
        assert!((e[80][(1, 0)] - s[1] / (s[0] * s[2]).sqrt()).abs() < 1e-12);
        let b =
            basket_returns(&[vec![Some(1.0), None, None], vec![Some(3.0), Some(2.0), None]], &[0.5, 0.5], 0.5).unwrap();
        assert_eq!(b, vec![Some(2.0), Some(2.0), None]);
    }
}
