//! Absorption ratio — Kritzman, Li, Page & Rigobon (2011), "Principal components
//! as a measure of systemic risk", *J. Portfolio Management* 37(4):112–126.
//!
//! AR_t = Σ_{i≤n} λ_i / Σ_{j≤N} λ_j, the share of total variance absorbed by the
//! top n = ⌈f·N⌉ eigenvectors (f = 0.2) of the covariance of the N assets' returns
//! over a trailing window (500 days) with exponential weights of half-life 250
//! days: w_a ∝ 2^{−a/250} for a return a days old (a = 0 for the latest, included).
//! The EW covariance is Σ_a w_a (x_a − m)(x_a − m)' with Σ w = 1 and m = Σ w x
//! (AR is scale-free, so no small-sample factor is applied).
//! Standardized shift ΔAR_t = (mean of the last 15 AR − mean of the last 250 AR)
//! / standard deviation of the last 250 AR (sample).
//!
//! The weighted sums slide in O(N²) per day (S ← λS + x_t x_t' − λ^W x_{t−W} x_{t−W}'),
//! restarted from scratch every block of windows (fixed size, processed in
//! parallel), so the result is independent of the thread count and equals a
//! direct dense computation to ~1e-12.

use crate::error::ContagionError;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use serde::Serialize;

type Result<T> = std::result::Result<T, ContagionError>;

/// Settings of the absorption ratio.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct AbsorptionOptions {
    /// Window length (observations).
    pub window: usize,
    /// Half-life of the exponential weights (observations); `f64::INFINITY` = equal weights.
    pub half_life: f64,
    /// Share of eigenvectors kept (n = ⌈fraction·N⌉).
    pub fraction: f64,
    /// Short and long averaging spans of ΔAR.
    pub shift_short: usize,
    pub shift_long: usize,
}

impl Default for AbsorptionOptions {
    fn default() -> Self {
        AbsorptionOptions { window: 500, half_life: 250.0, fraction: 0.2, shift_short: 15, shift_long: 250 }
    }
}

/// Absorption ratio series.
#[derive(Debug, Clone, Serialize)]
pub struct AbsorptionSeries {
    /// Number of eigenvectors kept.
    pub n_top: usize,
    /// Row index (into the input) of each window's last observation.
    pub end_index: Vec<usize>,
    pub ar: Vec<f64>,
    /// ΔAR aligned with `ar`; NaN for the first `shift_long − 1` values.
    pub delta_ar: Vec<f64>,
}

/// Number of eigenvectors for N assets: ⌈fraction·N⌉, at least 1.
pub fn n_eigenvectors(n_assets: usize, fraction: f64) -> usize {
    ((fraction * n_assets as f64 - 1e-12).ceil() as usize).clamp(1, n_assets.max(1))
}

/// AR of one covariance matrix: top `n_top` eigenvalues over the trace.
pub fn absorption_ratio_of(cov: &DMatrix<f64>, n_top: usize) -> Result<f64> {
    if cov.nrows() != cov.ncols() || cov.nrows() == 0 {
        return Err(ContagionError::Invalid("absorption ratio needs a square covariance matrix".into()));
    }
    // A covariance is positive semi-definite: negative eigenvalues are rounding noise, and keeping
    // them would push AR above 1 (1.0000000000000002).
    let mut ev: Vec<f64> = cov.clone().symmetric_eigenvalues().iter().map(|v| v.max(0.0)).collect();
    ev.sort_by(|a, b| b.total_cmp(a));
    let total: f64 = ev.iter().sum();
    let largest_diag = (0..cov.nrows()).fold(0.0f64, |a, i| a.max(cov[(i, i)].abs()));
    if !total.is_finite() || fissure_stats::tol::negligible(total, largest_diag) || total <= 0.0 {
        return Err(ContagionError::Invalid("absorption ratio: covariance has no variance".into()));
    }
    Ok((ev[..n_top.min(ev.len())].iter().sum::<f64>() / total).min(1.0))
}

/// Direct EW covariance of `rows` (oldest first) with half-life `hl`, as defined in the module doc.
pub fn ew_covariance(rows: &[Vec<f64>], hl: f64) -> DMatrix<f64> {
    let n = rows[0].len();
    let lam = if hl.is_finite() { 0.5f64.powf(1.0 / hl) } else { 1.0 };
    let w: Vec<f64> = (0..rows.len()).map(|s| lam.powi((rows.len() - 1 - s) as i32)).collect();
    let sw: f64 = w.iter().sum();
    let mut m = DVector::<f64>::zeros(n);
    for (r, wi) in rows.iter().zip(&w) {
        for j in 0..n {
            m[j] += wi / sw * r[j];
        }
    }
    let mut c = DMatrix::zeros(n, n);
    for (r, wi) in rows.iter().zip(&w) {
        let d = DVector::from_iterator(n, r.iter().enumerate().map(|(j, v)| v - m[j]));
        c += (wi / sw) * &d * d.transpose();
    }
    c
}

const BLOCK: usize = 256;

fn check(rows: &[Vec<f64>], window: usize, what: &str) -> Result<usize> {
    let n = rows.first().map(|r| r.len()).unwrap_or(0);
    if n < 2 {
        return Err(ContagionError::Invalid(format!("{what} needs at least two assets")));
    }
    if rows.iter().any(|r| r.len() != n) {
        return Err(ContagionError::Invalid(format!("{what}: rows of unequal length")));
    }
    if let Some(i) = rows.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
        return Err(ContagionError::Invalid(format!("{what}: non-finite value in row {i}")));
    }
    if window < 2 || rows.len() < window {
        return Err(ContagionError::TooShort { what: what.into(), needed: window.max(2), got: rows.len() });
    }
    Ok(n)
}

/// Absorption ratio and ΔAR for every window of `rows` (row-major T×N returns, oldest first).
pub fn absorption_ratio(rows: &[Vec<f64>], opts: &AbsorptionOptions) -> Result<AbsorptionSeries> {
    let n = check(rows, opts.window, "absorption ratio")?;
    let valid = opts.half_life > 0.0 && opts.fraction > 0.0 && opts.fraction <= 1.0;
    if !valid {
        return Err(ContagionError::Invalid("absorption ratio: half-life must be > 0 and fraction in (0, 1]".into()));
    }
    let n_top = n_eigenvectors(n, opts.fraction);
    let w = opts.window;
    let lam = if opts.half_life.is_finite() { 0.5f64.powf(1.0 / opts.half_life) } else { 1.0 };
    let lam_w = lam.powi(w as i32);
    let ends: Vec<usize> = (w - 1..rows.len()).collect();
    // AR is invariant to a common scale: divide by the largest magnitude so that returns at 1e-300
    // or 1e300 neither underflow nor overflow in the cross-products.
    let scale = rows.iter().flatten().fold(0.0f64, |a, v| a.max(v.abs()));
    if scale.is_nan() || scale <= 0.0 {
        return Err(ContagionError::Invalid("absorption ratio: every return is zero (no asset moves)".into()));
    }
    let scaled: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|v| v / scale).collect()).collect();
    let rows = &scaled[..];
    let ar: Vec<f64> = ends
        .par_chunks(BLOCK)
        .map(|blk| -> Result<Vec<f64>> {
            let mut out = Vec::with_capacity(blk.len());
            let first = blk[0];
            // weighted sums for the window ending at `first`
            let mut s0 = 0.0;
            let mut s1 = vec![0.0; n];
            let mut s2 = DMatrix::<f64>::zeros(n, n);
            for r in &rows[first + 1 - w..=first] {
                s0 = lam * s0 + 1.0;
                for i in 0..n {
                    s1[i] = lam * s1[i] + r[i];
                }
                for i in 0..n {
                    for j in 0..=i {
                        s2[(i, j)] = lam * s2[(i, j)] + r[i] * r[j];
                    }
                }
            }
            for &end in blk {
                if end > first {
                    let (new, old) = (&rows[end], &rows[end - w]);
                    s0 = lam * s0 + 1.0 - lam_w;
                    for i in 0..n {
                        s1[i] = lam * s1[i] + new[i] - lam_w * old[i];
                    }
                    for i in 0..n {
                        for j in 0..=i {
                            s2[(i, j)] = lam * s2[(i, j)] + new[i] * new[j] - lam_w * old[i] * old[j];
                        }
                    }
                }
                let cov = DMatrix::from_fn(n, n, |i, j| {
                    let (a, b) = if i >= j { (i, j) } else { (j, i) };
                    s2[(a, b)] / s0 - (s1[a] / s0) * (s1[b] / s0)
                });
                // the centred trace against the uncentred one it was cancelled from
                let raw_trace: f64 = (0..n).map(|i| s2[(i, i)] / s0).sum();
                let trace: f64 = (0..n).map(|i| cov[(i, i)]).sum();
                if fissure_stats::tol::negligible(trace, raw_trace) {
                    return Err(ContagionError::Invalid(format!(
                        "absorption ratio, window ending at row {end}: no asset moves in the window (zero variance)"
                    )));
                }
                out.push(absorption_ratio_of(&cov, n_top).map_err(|e| {
                    ContagionError::Invalid(format!("absorption ratio, window ending at row {end}: {e}"))
                })?);
            }
            Ok(out)
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .collect();
    let delta_ar = standardized_shift(&ar, opts.shift_short, opts.shift_long);
    Ok(AbsorptionSeries { n_top, end_index: ends, ar, delta_ar })
}

/// ΔAR_t = (mean of the last `short` − mean of the last `long`) / sd of the last `long`
/// (sample, n − 1); NaN until `long` values exist or when the sd is zero relative to the level
/// (a constant AR gives rounding noise, not a shift).
pub fn standardized_shift(x: &[f64], short: usize, long: usize) -> Vec<f64> {
    let mut out = vec![f64::NAN; x.len()];
    if short == 0 || long < 2 || short > long {
        return out;
    }
    for t in long - 1..x.len() {
        let l = &x[t + 1 - long..=t];
        let s = &x[t + 1 - short..=t];
        let ml = l.iter().sum::<f64>() / long as f64;
        let ms = s.iter().sum::<f64>() / short as f64;
        let sd = (l.iter().map(|v| (v - ml) * (v - ml)).sum::<f64>() / (long - 1) as f64).sqrt();
        if !fissure_stats::tol::negligible(sd, ml.abs()) {
            out[t] = (ms - ml) / sd;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frds_toy_oracle() {
        // frds AbsorptionRatio docstring: 3 assets × 6 observations, np.cov (ddof 1), n = 1
        let a = [
            [0.015, 0.031, 0.007, 0.034, 0.014, 0.011],
            [0.012, 0.063, 0.027, 0.023, 0.073, 0.055],
            [0.072, 0.043, 0.097, 0.078, 0.036, 0.083],
        ];
        let obs = DMatrix::from_fn(6, 3, |r, c| a[c][r]);
        let cov = fissure_stats::linalg::covariance(&obs).unwrap();
        let ar = absorption_ratio_of(&cov, n_eigenvectors(3, 0.2)).unwrap();
        assert!((ar - 0.7746543307660252).abs() < 1e-12, "{ar}");
    }

    #[test]
    fn scale_free_bounded_and_no_shift_from_noise() {
        let rows: Vec<Vec<f64>> = (0..400)
            .map(|i| {
                let a = ((i * 37 % 101) as f64).sin();
                vec![a, 0.5 * a + ((i * 13 % 17) as f64).cos(), ((i * 7 % 23) as f64).sin()]
            })
            .collect();
        let opts =
            AbsorptionOptions { window: 100, half_life: 50.0, shift_short: 5, shift_long: 50, ..Default::default() };
        let base = absorption_ratio(&rows, &opts).unwrap();
        for scale in [1e-300, 1e300] {
            let sc: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|v| v * scale).collect()).collect();
            let s = absorption_ratio(&sc, &opts).unwrap();
            for (a, b) in base.ar.iter().zip(&s.ar) {
                assert!((a - b).abs() < 1e-9 && *b <= 1.0, "scale {scale}: {a} vs {b}");
            }
        }
        // one asset only moves: AR is exactly 1 in every window and ΔAR is n/a, not a shift
        let one: Vec<Vec<f64>> = rows.iter().map(|r| vec![r[0], 0.0, 0.0]).collect();
        let s = absorption_ratio(&one, &opts).unwrap();
        assert!(s.ar.iter().all(|v| *v <= 1.0 && (*v - 1.0).abs() < 1e-12));
        assert!(s.delta_ar.iter().all(|v| v.is_nan()));
        // nothing moves: refused
        let zero: Vec<Vec<f64>> = rows.iter().map(|_| vec![0.0; 3]).collect();
        assert!(absorption_ratio(&zero, &opts).is_err());
    }

    #[test]
    fn n_top_is_ceiling() {
        assert_eq!(n_eigenvectors(3, 0.2), 1);
        assert_eq!(n_eigenvectors(10, 0.2), 2);
        assert_eq!(n_eigenvectors(11, 0.2), 3);
        assert_eq!(n_eigenvectors(51, 0.2), 11);
    }
}
