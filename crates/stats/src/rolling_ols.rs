//! Rolling least squares `y = a + X b + e` over a trailing window in O(n·p²)
//! by running sums of the cross-products (add the entering row, remove the
//! leaving one), re-summed from scratch every `window` steps so rounding drift
//! stays bounded. Rows with a missing value are skipped (they count towards the
//! window length but not the sums).

use crate::{Result, StatsError};
use nalgebra::{DMatrix, DVector};

/// Rolling OLS estimates at one row.
#[derive(Debug, Clone, PartialEq)]
pub struct RollingFit {
    /// Intercept then slopes.
    pub coef: Vec<f64>,
    pub r2: f64,
    /// Complete rows in the window.
    pub n: usize,
}

/// Fits `y` on an intercept and the regressors `x[j]` (each as long as `y`)
/// over the trailing `window` rows ending at each row; `None` before the first
/// full window, when fewer than `min_obs` complete rows are in the window, or
/// when the window's design is singular.
pub fn rolling_ols(
    y: &[Option<f64>],
    x: &[Vec<Option<f64>>],
    window: usize,
    min_obs: usize,
) -> Result<Vec<Option<RollingFit>>> {
    let n = y.len();
    let p = x.len() + 1;
    if x.iter().any(|c| c.len() != n) {
        return Err(StatsError::Dimension("rolling_ols: regressors and y differ in length".into()));
    }
    if window < 2 || min_obs < p + 1 {
        return Err(StatsError::Invalid(format!(
            "rolling_ols: window {window}, min_obs {min_obs} for {p} coefficients"
        )));
    }
    let row = |i: usize| -> Option<(Vec<f64>, f64)> {
        let yi = y[i]?;
        let mut r = Vec::with_capacity(p);
        r.push(1.0);
        for c in x {
            r.push(c[i]?);
        }
        Some((r, yi))
    };
    let mut xtx = vec![0.0; p * p];
    let mut xty = vec![0.0; p];
    let (mut sy, mut syy, mut cnt) = (0.0, 0.0, 0usize);
    let add = |i: usize, sign: f64, xtx: &mut [f64], xty: &mut [f64], sy: &mut f64, syy: &mut f64, cnt: &mut usize| {
        if let Some((r, yi)) = row(i) {
            for a in 0..p {
                xty[a] += sign * r[a] * yi;
                for b in 0..p {
                    xtx[a * p + b] += sign * r[a] * r[b];
                }
            }
            *sy += sign * yi;
            *syy += sign * yi * yi;
            if sign > 0.0 {
                *cnt += 1;
            } else {
                *cnt -= 1;
            }
        }
    };
    let mut out = Vec::with_capacity(n);
    for t in 0..n {
        if t >= window && (t % window) == 0 {
            // re-sum the window (t−window+1 ..= t−1) from scratch, then add t below
            xtx.iter_mut().for_each(|v| *v = 0.0);
            xty.iter_mut().for_each(|v| *v = 0.0);
            sy = 0.0;
            syy = 0.0;
            cnt = 0;
            for i in t + 1 - window..t {
                add(i, 1.0, &mut xtx, &mut xty, &mut sy, &mut syy, &mut cnt);
            }
        } else if t >= window {
            add(t - window, -1.0, &mut xtx, &mut xty, &mut sy, &mut syy, &mut cnt);
        }
        add(t, 1.0, &mut xtx, &mut xty, &mut sy, &mut syy, &mut cnt);
        if t + 1 < window || cnt < min_obs {
            out.push(None);
            continue;
        }
        let a = DMatrix::from_row_slice(p, p, &xtx);
        let b = DVector::from_column_slice(&xty);
        let fit = crate::linalg::cholesky_checked(a.clone()).map(|c| c.solve(&b)).map(|coef| {
            let nf = cnt as f64;
            let tss = syy - sy * sy / nf;
            // RSS = y'y − 2β'X'y + β'X'Xβ
            let xb = &a * &coef;
            let rss = syy - 2.0 * coef.dot(&b) + coef.dot(&xb);
            let r2 = if crate::tol::negligible(tss, syy) { f64::NAN } else { (1.0 - rss / tss).clamp(0.0, 1.0) };
            RollingFit { coef: coef.iter().copied().collect(), r2, n: cnt }
        });
        out.push(fit);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::ols;

    #[test]
    fn matches_direct_ols_on_every_window() {
        let mut rng = crate::rng::seeded(7);
        use rand_distr::{Distribution, Normal};
        let nd = Normal::new(0.0, 1.0).unwrap();
        let n = 400;
        let x1: Vec<f64> = (0..n).map(|_| nd.sample(&mut rng)).collect();
        let x2: Vec<f64> = (0..n).map(|_| nd.sample(&mut rng)).collect();
        let y: Vec<Option<f64>> = (0..n)
            .map(|i| if i % 37 == 5 { None } else { Some(0.3 + 1.5 * x1[i] - 0.7 * x2[i] + nd.sample(&mut rng)) })
            .collect();
        let xs = vec![x1.iter().map(|v| Some(*v)).collect(), x2.iter().map(|v| Some(*v)).collect()];
        let w = 60;
        let fits = rolling_ols(&y, &xs, w, 10).unwrap();
        for (t, fit) in fits.iter().enumerate().skip(w - 1) {
            let rows: Vec<usize> = (t + 1 - w..=t).filter(|&i| y[i].is_some()).collect();
            let xm = DMatrix::from_fn(rows.len(), 3, |r, c| match c {
                0 => 1.0,
                1 => x1[rows[r]],
                _ => x2[rows[r]],
            });
            let yv = DVector::from_fn(rows.len(), |r, _| y[rows[r]].unwrap());
            let o = ols(&xm, &yv).unwrap();
            let f = fit.as_ref().unwrap();
            assert_eq!(f.n, rows.len());
            for j in 0..3 {
                assert!((f.coef[j] - o.beta[j]).abs() < 1e-10, "t {t} coef {j}");
            }
        }
        assert!(fits[w - 2].is_none());
    }
}
