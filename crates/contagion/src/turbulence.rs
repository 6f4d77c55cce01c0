//! Financial turbulence — Kritzman & Li (2010), "Skulls, financial turbulence, and
//! risk management", *Financial Analysts Journal* 66(5):30–41 (after Chow, Jacquier,
//! Kritzman & Lowry 1999).
//!
//! d_t = (y_t − μ)' Σ⁻¹ (y_t − μ), the squared Mahalanobis distance of day t's
//! return vector from the mean μ and sample covariance Σ (n − 1) of the trailing
//! `window` days *before* t (real-time: day t is not in its own reference window).
//! Split (Kinlaw & Turkington 2014, "Correlation surprise", *J. Asset Management*
//! 14:385–399): magnitude m_t = (y_t − μ)' diag(Σ)⁻¹ (y_t − μ) (correlations
//! ignored) and correlation surprise c_t = d_t / m_t (> 1 when the day's
//! co-movements are unusual given the correlations). Under normality E[d_t] = N,
//! so d_t / N is also reported.
//!
//! The window sums Σy, Σyy' slide in O(N²) per day, restarted every fixed block of
//! days (processed in parallel); each day costs one N×N Cholesky solve.

use crate::error::ContagionError;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use serde::Serialize;

type Result<T> = std::result::Result<T, ContagionError>;

/// Turbulence series, one value per day from row `window` on.
#[derive(Debug, Clone, Serialize)]
pub struct TurbulenceSeries {
    pub window: usize,
    /// Row index of each day (its reference window is the `window` rows before it).
    pub index: Vec<usize>,
    /// d_t.
    pub turbulence: Vec<f64>,
    /// d_t / N.
    pub normalized: Vec<f64>,
    /// m_t.
    pub magnitude: Vec<f64>,
    /// d_t / m_t.
    pub correlation_surprise: Vec<f64>,
}

const BLOCK: usize = 256;

/// One day's (d, m) from the reference mean and covariance.
pub fn mahalanobis_parts(y: &[f64], mean: &[f64], cov: &DMatrix<f64>) -> Option<(f64, f64)> {
    let n = y.len();
    let d = DVector::from_iterator(n, (0..n).map(|i| y[i] - mean[i]));
    // pivots checked relative to the diagonal (a constant or collinear asset makes Σ singular)
    let chol = fissure_stats::linalg::cholesky_checked(cov.clone())?;
    let z = chol.solve(&d);
    let dist = d.dot(&z);
    let mag = (0..n).map(|i| d[i] * d[i] / cov[(i, i)]).sum::<f64>();
    Some((dist, mag))
}

/// Turbulence of every row of `rows` (row-major T×N returns) against its trailing `window`.
pub fn turbulence(rows: &[Vec<f64>], window: usize) -> Result<TurbulenceSeries> {
    let n = rows.first().map(|r| r.len()).unwrap_or(0);
    if n < 1 || rows.iter().any(|r| r.len() != n) {
        return Err(ContagionError::Invalid("turbulence: rows must be non-empty and of equal length".into()));
    }
    if let Some(i) = rows.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
        return Err(ContagionError::Invalid(format!("turbulence: non-finite value in row {i}")));
    }
    if window <= n + 1 || rows.len() <= window {
        return Err(ContagionError::TooShort {
            what: format!("turbulence with {n} assets"),
            needed: window.max(n + 2) + 1,
            got: rows.len(),
        });
    }
    let days: Vec<usize> = (window..rows.len()).collect();
    let wf = window as f64;
    let parts: Vec<(f64, f64)> = days
        .par_chunks(BLOCK)
        .map(|blk| -> Result<Vec<(f64, f64)>> {
            let first = blk[0];
            let mut s1 = vec![0.0; n];
            let mut s2 = DMatrix::<f64>::zeros(n, n);
            let add = |s1: &mut Vec<f64>, s2: &mut DMatrix<f64>, r: &[f64], sign: f64| {
                for i in 0..n {
                    s1[i] += sign * r[i];
                    for j in 0..=i {
                        s2[(i, j)] += sign * r[i] * r[j];
                    }
                }
            };
            for r in &rows[first - window..first] {
                add(&mut s1, &mut s2, r, 1.0);
            }
            let mut out = Vec::with_capacity(blk.len());
            for &t in blk {
                if t > first {
                    add(&mut s1, &mut s2, &rows[t - 1], 1.0);
                    add(&mut s1, &mut s2, &rows[t - 1 - window], -1.0);
                }
                let mean: Vec<f64> = s1.iter().map(|v| v / wf).collect();
                let cov = DMatrix::from_fn(n, n, |i, j| {
                    let (a, b) = if i >= j { (i, j) } else { (j, i) };
                    (s2[(a, b)] - wf * mean[a] * mean[b]) / (wf - 1.0)
                });
                let p = mahalanobis_parts(&rows[t], &mean, &cov).ok_or_else(|| {
                    ContagionError::Invalid(format!("turbulence: covariance of the window before row {t} is singular"))
                })?;
                out.push(p);
            }
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let turbulence: Vec<f64> = parts.iter().map(|p| p.0).collect();
    Ok(TurbulenceSeries {
        window,
        index: days,
        normalized: turbulence.iter().map(|d| d / n as f64).collect(),
        magnitude: parts.iter().map(|p| p.1).collect(),
        correlation_surprise: parts.iter().map(|p| if p.1 > 0.0 { p.0 / p.1 } else { f64::NAN }).collect(),
        turbulence,
    })
}

/// Expanding percentile rank (0–100) of each value among all values up to and
/// including it (real-time); NaN values are skipped and give NaN.
pub fn expanding_percentile(x: &[f64]) -> Vec<f64> {
    // O(n log n) with a Fenwick tree over the ranks of the finite values
    let mut sorted: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let mut tree = vec![0usize; sorted.len() + 1];
    let mut seen = 0usize;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    x.iter()
        .map(|v| {
            if !v.is_finite() {
                return f64::NAN;
            }
            lo = lo.min(*v);
            hi = hi.max(*v);
            let r = sorted.partition_point(|s| s < v) + 1; // 1-based rank of v
            let mut i = r;
            while i < tree.len() {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
            seen += 1;
            let mut le = 0;
            let mut i = r;
            while i > 0 {
                le += tree[i];
                i -= i & i.wrapping_neg();
            }
            // a history that has not moved has no rank (a constant is not at its 100th percentile)
            if fissure_stats::tol::negligible(hi / 2.0 - lo / 2.0, lo.abs().max(hi.abs()) / 2.0) {
                return f64::NAN;
            }
            100.0 * le as f64 / seen as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expanding_percentile_matches_naive() {
        let x = [3.0, 1.0, 2.0, f64::NAN, 2.0, 5.0, 0.5];
        let got = expanding_percentile(&x);
        let mut hist = Vec::new();
        for (i, v) in x.iter().enumerate() {
            if v.is_nan() {
                assert!(got[i].is_nan());
                continue;
            }
            hist.push(*v);
            let want = fissure_stats::describe::percentile_rank(&hist, *v);
            // a one-value (constant) history has no rank in either
            assert!((got[i] - want).abs() < 1e-12 || (got[i].is_nan() && want.is_nan()), "{i}: {} vs {want}", got[i]);
        }
    }
}
