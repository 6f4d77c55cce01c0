//! Vector autoregressions: VAR(p) with intercept by OLS (equation by equation,
//! Lütkepohl 2005, *New Introduction to Multiple Time Series Analysis*, §3.2),
//! lag selection by information criteria (as statsmodels `select_order`),
//! moving-average (impulse) coefficients, and forecast-error variance
//! decompositions: orthogonalised by Cholesky (Lütkepohl §2.3.3) and
//! generalized (Pesaran & Shin 1998, *Economics Letters* 58:17–29; Koop,
//! Pesaran & Potter 1996), row-normalised.
//!
//! [`CrossProducts`] keeps X'X, X'Y, Y'Y of a regression and lets rows be
//! added and removed, so a rolling window costs O(k²) per step instead of
//! O(W·k²) and the solve is a k×k Cholesky.

#![allow(clippy::needless_range_loop)] // index loops mirror the matrix formulas

use crate::tol::negligible;
use crate::{Result, StatsError};
use nalgebra::DMatrix;

/// The fewest residual degrees of freedom a VAR equation may keep: `max(MIN_VAR_DOF, k)` with
/// `k = 1 + Np` regressors. Below that the estimated Σ and FEVD are noise (a VAR(2) on 9 returns,
/// or a rolling window of 11, "explains" 60% of the variance by spillovers), so the fit is refused.
pub const MIN_VAR_DOF: usize = 20;

/// The fewest rows (observations) a VAR(p) with intercept on `n` variables needs:
/// `p` presample rows, `k = 1 + np` regressors and `max(MIN_VAR_DOF, k)` residual degrees of freedom.
pub fn var_min_rows(n: usize, p: usize) -> usize {
    let k = 1 + n * p;
    p + k + MIN_VAR_DOF.max(k)
}

/// A fitted VAR(p) with intercept.
#[derive(Debug, Clone)]
pub struct VarFit {
    /// Number of variables N.
    pub n: usize,
    /// Lag order p.
    pub p: usize,
    /// Observations used in the regression (T − p).
    pub nobs: usize,
    /// Intercepts (length N).
    pub intercept: Vec<f64>,
    /// Φ_1 … Φ_p, each N×N (row = equation).
    pub coefs: Vec<DMatrix<f64>>,
    /// Residual covariance with the degrees-of-freedom correction
    /// Σ̂ = Ê'Ê / (T − p − Np − 1) (statsmodels `sigma_u`).
    pub sigma_u: DMatrix<f64>,
}

/// Running cross-products of a multi-output regression Y = XB + E, with rows
/// that can be added and removed.
#[derive(Debug, Clone)]
pub struct CrossProducts {
    pub xtx: DMatrix<f64>,
    pub xty: DMatrix<f64>,
    pub yty: DMatrix<f64>,
    pub rows: usize,
}

impl CrossProducts {
    pub fn new(k: usize, m: usize) -> Self {
        CrossProducts { xtx: DMatrix::zeros(k, k), xty: DMatrix::zeros(k, m), yty: DMatrix::zeros(m, m), rows: 0 }
    }

    fn update(&mut self, x: &[f64], y: &[f64], sign: f64) {
        let (k, m) = (x.len(), y.len());
        for i in 0..k {
            let xi = sign * x[i];
            for j in i..k {
                self.xtx[(i, j)] += xi * x[j];
            }
            for j in 0..m {
                self.xty[(i, j)] += xi * y[j];
            }
        }
        for i in 0..m {
            let yi = sign * y[i];
            for j in i..m {
                self.yty[(i, j)] += yi * y[j];
            }
        }
    }

    /// Adds the row (x, y).
    pub fn add(&mut self, x: &[f64], y: &[f64]) {
        self.update(x, y, 1.0);
        self.rows += 1;
    }

    /// Removes a row previously added.
    pub fn remove(&mut self, x: &[f64], y: &[f64]) {
        self.update(x, y, -1.0);
        self.rows -= 1;
    }

    /// OLS coefficients B (k×m) and the residual cross-product Ê'Ê (m×m)
    /// = Y'Y − B'X'Y.
    pub fn solve(&self) -> Result<(DMatrix<f64>, DMatrix<f64>)> {
        let k = self.xtx.nrows();
        if self.rows <= k {
            return Err(StatsError::TooFewObservations { needed: k + 1, got: self.rows });
        }
        let xtx = DMatrix::from_fn(k, k, |i, j| if i <= j { self.xtx[(i, j)] } else { self.xtx[(j, i)] });
        let m = self.yty.nrows();
        let yty = DMatrix::from_fn(m, m, |i, j| if i <= j { self.yty[(i, j)] } else { self.yty[(j, i)] });
        // pivots relative to the diagonal they were eliminated from (collinear or constant regressors)
        let chol = crate::linalg::cholesky_checked(xtx).ok_or_else(|| {
            StatsError::Singular("X'X of the regression (a regressor is constant or collinear with others)".into())
        })?;
        let b = chol.solve(&self.xty);
        let mut ee = &yty - b.transpose() * &self.xty;
        // symmetrise
        for i in 0..m {
            for j in 0..i {
                let v = 0.5 * (ee[(i, j)] + ee[(j, i)]);
                ee[(i, j)] = v;
                ee[(j, i)] = v;
            }
        }
        if let Some(j) = (0..m).find(|&j| negligible(ee[(j, j)], yty[(j, j)])) {
            return Err(StatsError::Singular(format!(
                "variable {j} is fitted exactly (zero residual variance: a constant or redundant series)"
            )));
        }
        Ok((b, ee))
    }
}

/// The regressor row of a VAR(p) with intercept at time t (t ≥ p):
/// `[1, y_{t−1}', …, y_{t−p}']`. `data` is row-major T×N.
pub fn var_regressors(data: &[Vec<f64>], t: usize, p: usize, out: &mut Vec<f64>) {
    out.clear();
    out.push(1.0);
    for l in 1..=p {
        out.extend_from_slice(&data[t - l]);
    }
}

/// Builds a [`VarFit`] from solved cross-products (B is (1+Np)×N).
pub fn var_from_solution(n: usize, p: usize, b: &DMatrix<f64>, ee: &DMatrix<f64>, nobs: usize) -> Result<VarFit> {
    let k = 1 + n * p;
    if nobs <= k {
        return Err(StatsError::TooFewObservations { needed: k + 1, got: nobs });
    }
    let intercept = (0..n).map(|j| b[(0, j)]).collect();
    let coefs = (0..p).map(|l| DMatrix::from_fn(n, n, |eq, var| b[(1 + l * n + var, eq)])).collect();
    let sigma_u = ee / (nobs - k) as f64;
    Ok(VarFit { n, p, nobs, intercept, coefs, sigma_u })
}

fn check_data(data: &[Vec<f64>]) -> Result<usize> {
    let n = data.first().map(|r| r.len()).unwrap_or(0);
    if n == 0 {
        return Err(StatsError::Invalid("VAR: no variables".into()));
    }
    if data.iter().any(|r| r.len() != n) {
        return Err(StatsError::Dimension("VAR: rows of unequal length".into()));
    }
    if data.iter().flatten().any(|v| !v.is_finite()) {
        return Err(StatsError::Invalid("VAR: non-finite value in the data".into()));
    }
    Ok(n)
}

/// Fits a VAR(p) with intercept by OLS on `data` (row-major T×N).
pub fn var_ols(data: &[Vec<f64>], p: usize) -> Result<VarFit> {
    let n = check_data(data)?;
    if p == 0 {
        return Err(StatsError::Invalid("VAR lag order must be at least 1".into()));
    }
    let k = 1 + n * p;
    if data.len() < var_min_rows(n, p) {
        return Err(StatsError::TooFewObservations { needed: var_min_rows(n, p), got: data.len() });
    }
    let mut cp = CrossProducts::new(k, n);
    let mut x = Vec::with_capacity(k);
    for t in p..data.len() {
        var_regressors(data, t, p, &mut x);
        cp.add(&x, &data[t]);
    }
    let (b, ee) = cp.solve()?;
    var_from_solution(n, p, &b, &ee, data.len() - p)
}

/// Information criterion for lag selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoCriterion {
    Aic,
    Bic,
    Hqic,
}

/// Lag order in 1..=max_p minimising the criterion, every candidate fitted on
/// the same sample (the last T − max_p observations), with statsmodels'
/// formulas: ln|Σ̂_mle| + c(T)·(N²p + N)/T, c = 2 (AIC), ln T (BIC), 2 ln ln T (HQIC).
pub fn select_lag(data: &[Vec<f64>], max_p: usize, ic: InfoCriterion) -> Result<usize> {
    let n = check_data(data)?;
    if max_p == 0 {
        return Err(StatsError::Invalid("max lag must be at least 1".into()));
    }
    let mut best = (f64::INFINITY, 1);
    for p in 1..=max_p {
        let sample = &data[max_p - p..];
        let fit = var_ols(sample, p)?;
        let t = fit.nobs as f64;
        let k = 1 + n * p;
        let mle = &fit.sigma_u * ((fit.nobs - k) as f64 / t);
        let ld = mle.determinant().ln();
        let free = (n * n * p + n) as f64;
        let c = match ic {
            InfoCriterion::Aic => 2.0,
            InfoCriterion::Bic => t.ln(),
            InfoCriterion::Hqic => 2.0 * t.ln().ln(),
        };
        let v = ld + c * free / t;
        if v < best.0 {
            best = (v, p);
        }
    }
    Ok(best.1)
}

/// MA coefficients A_0 = I, A_h = Σ_{i=1..min(h,p)} Φ_i A_{h−i}, for h = 0..h_count−1.
pub fn ma_coefficients(coefs: &[DMatrix<f64>], h_count: usize) -> Vec<DMatrix<f64>> {
    let n = coefs.first().map(|c| c.nrows()).unwrap_or(0);
    let mut a: Vec<DMatrix<f64>> = Vec::with_capacity(h_count);
    for h in 0..h_count {
        if h == 0 {
            a.push(DMatrix::identity(n, n));
            continue;
        }
        let mut m = DMatrix::zeros(n, n);
        for (i, phi) in coefs.iter().enumerate().take(h) {
            m += phi * &a[h - 1 - i];
        }
        a.push(m);
    }
    a
}

/// Forecast-error variance decomposition identification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FevdKind {
    /// Orthogonalised by the lower Cholesky factor of Σ (order-dependent).
    Cholesky,
    /// Generalized (Pesaran–Shin), order-invariant, rows renormalised to 1.
    Generalized,
}

/// H-step FEVD matrix θ (N×N, rows = variable whose forecast error is
/// decomposed, columns = shock), summing h = 0..H−1; every row sums to 1.
/// Cholesky: θ_ij = Σ_h (A_h P)_ij² / Σ_h (A_h Σ A_h')_ii.
/// Generalized: θ_ij = σ_jj⁻¹ Σ_h (A_h Σ)_ij² / Σ_h (A_h Σ A_h')_ii, then θ_ij / Σ_j θ_ij.
pub fn fevd(coefs: &[DMatrix<f64>], sigma: &DMatrix<f64>, horizon: usize, kind: FevdKind) -> Result<DMatrix<f64>> {
    let n = sigma.nrows();
    if horizon == 0 {
        return Err(StatsError::Invalid("FEVD horizon must be at least 1".into()));
    }
    if sigma.ncols() != n || coefs.iter().any(|c| c.shape() != (n, n)) {
        return Err(StatsError::Dimension("FEVD: Σ and Φ must be N×N".into()));
    }
    let a = ma_coefficients(coefs, horizon);
    let mut num = DMatrix::zeros(n, n);
    let mut den = vec![0.0; n];
    match kind {
        FevdKind::Cholesky => {
            let p = sigma.clone().cholesky().ok_or_else(|| StatsError::Singular("Σ in Cholesky FEVD".into()))?.l();
            if (0..n).any(|j| negligible(p[(j, j)] * p[(j, j)], sigma[(j, j)])) {
                return Err(StatsError::Singular("Σ in Cholesky FEVD (perfectly correlated residuals)".into()));
            }
            for ah in &a {
                let m = ah * &p;
                for i in 0..n {
                    for j in 0..n {
                        num[(i, j)] += m[(i, j)] * m[(i, j)];
                    }
                }
            }
            for (i, d) in den.iter_mut().enumerate() {
                *d = (0..n).map(|j| num[(i, j)]).sum();
            }
        }
        FevdKind::Generalized => {
            for ah in &a {
                let m = ah * sigma;
                for i in 0..n {
                    for j in 0..n {
                        num[(i, j)] += m[(i, j)] * m[(i, j)];
                    }
                    den[i] += (0..n).map(|k| m[(i, k)] * ah[(i, k)]).sum::<f64>();
                }
            }
            for j in 0..n {
                let sjj = sigma[(j, j)];
                let smax = (0..n).fold(0.0f64, |a, i| a.max(sigma[(i, i)].abs()));
                if negligible(sjj, smax) {
                    return Err(StatsError::Singular(format!("Σ has a non-positive variance at {j}")));
                }
                for i in 0..n {
                    num[(i, j)] /= sjj;
                }
            }
            for (i, d) in den.iter_mut().enumerate() {
                *d = (0..n).map(|j| num[(i, j)]).sum();
            }
        }
    }
    for (i, d) in den.iter().enumerate() {
        if d.is_nan() || *d <= 0.0 || !d.is_finite() {
            return Err(StatsError::Singular(format!("FEVD: zero forecast-error variance for variable {i}")));
        }
        for j in 0..n {
            num[(i, j)] /= d;
        }
    }
    Ok(num)
}

/// Reusable buffers of [`RollingVarFevd`].
#[derive(Debug, Clone)]
pub struct RollingVarFevd {
    n: usize,
    p: usize,
    k: usize,
    horizon: usize,
    kind: FevdKind,
    l: Vec<f64>,
    b: Vec<f64>,
    ee: Vec<f64>,
    sigma: Vec<f64>,
    chol: Vec<f64>,
    a: Vec<f64>,
    m: Vec<f64>,
    den: Vec<f64>,
    /// The last FEVD computed (row-major N×N, rows sum to 1).
    pub theta: Vec<f64>,
}

impl RollingVarFevd {
    /// Buffers for a VAR(p) with intercept of `n` variables and an H-step FEVD.
    pub fn new(n: usize, p: usize, horizon: usize, kind: FevdKind) -> Self {
        let k = 1 + n * p;
        RollingVarFevd {
            n,
            p,
            k,
            horizon,
            kind,
            l: vec![0.0; k * k],
            b: vec![0.0; k * n],
            ee: vec![0.0; n * n],
            sigma: vec![0.0; n * n],
            chol: vec![0.0; n * n],
            a: vec![0.0; horizon.max(1) * n * n],
            m: vec![0.0; n * n],
            den: vec![0.0; n],
            theta: vec![0.0; n * n],
        }
    }

    /// Solves the regression held in `cp` (rows = observations of the VAR) and
    /// computes the FEVD into `self.theta`, without allocating. Same numbers as
    /// [`CrossProducts::solve`] + [`var_from_solution`] + [`fevd`] up to rounding.
    pub fn update(&mut self, cp: &CrossProducts) -> Result<()> {
        let (n, p, k) = (self.n, self.p, self.k);
        if cp.xtx.nrows() != k || cp.yty.nrows() != n {
            return Err(StatsError::Dimension("RollingVarFevd: cross-products of another shape".into()));
        }
        if cp.rows < k + MIN_VAR_DOF.max(k) {
            return Err(StatsError::TooFewObservations { needed: k + MIN_VAR_DOF.max(k), got: cp.rows });
        }
        // Cholesky of X'X (upper triangle stored in cp.xtx) into lower L
        let l = &mut self.l;
        for j in 0..k {
            let mut d = cp.xtx[(j, j)];
            for t in 0..j {
                d -= l[j * k + t] * l[j * k + t];
            }
            if negligible(d, cp.xtx[(j, j)]) {
                return Err(StatsError::Singular("X'X of the regression".into()));
            }
            let d = d.sqrt();
            l[j * k + j] = d;
            for i in j + 1..k {
                let mut v = cp.xtx[(j, i)];
                for t in 0..j {
                    v -= l[i * k + t] * l[j * k + t];
                }
                l[i * k + j] = v / d;
            }
        }
        // B = (X'X)^{-1} X'Y, column by column (b row-major k×n)
        for c in 0..n {
            for i in 0..k {
                let mut v = cp.xty[(i, c)];
                for t in 0..i {
                    v -= l[i * k + t] * self.b[t * n + c];
                }
                self.b[i * n + c] = v / l[i * k + i];
            }
            for i in (0..k).rev() {
                let mut v = self.b[i * n + c];
                for t in i + 1..k {
                    v -= l[t * k + i] * self.b[t * n + c];
                }
                self.b[i * n + c] = v / l[i * k + i];
            }
        }
        // Σ = (Y'Y − B'X'Y) / (T − k)
        let dof = (cp.rows - k) as f64;
        for i in 0..n {
            for j in i..n {
                let mut v = cp.yty[(i, j)];
                for t in 0..k {
                    v -= self.b[t * n + i] * cp.xty[(t, j)];
                }
                self.ee[i * n + j] = v;
            }
        }
        for i in 0..n {
            for j in i..n {
                let v = 0.5 * (self.ee[i * n + j] + if i == j { self.ee[i * n + j] } else { self.ee_sym(i, j, cp) });
                self.sigma[i * n + j] = v / dof;
                self.sigma[j * n + i] = v / dof;
            }
            if negligible(self.ee[i * n + i], cp.yty[(i, i)]) {
                return Err(StatsError::Singular(format!(
                    "variable {i} is fitted exactly (zero residual variance: a constant or redundant series)"
                )));
            }
        }
        // MA coefficients A_h (row-major n×n each), Φ_l[eq][var] = b[(1 + l·n + var), eq]
        let h = self.horizon;
        self.a[..n * n].iter_mut().for_each(|v| *v = 0.0);
        for i in 0..n {
            self.a[i * n + i] = 1.0;
        }
        for hh in 1..h {
            let (done, rest) = self.a.split_at_mut(hh * n * n);
            let cur = &mut rest[..n * n];
            cur.iter_mut().for_each(|v| *v = 0.0);
            for lag in 0..p.min(hh) {
                let prev = &done[(hh - 1 - lag) * n * n..(hh - lag) * n * n];
                for r in 0..n {
                    for c in 0..n {
                        let mut v = 0.0;
                        for t in 0..n {
                            v += self.b[(1 + lag * n + t) * n + r] * prev[t * n + c];
                        }
                        cur[r * n + c] += v;
                    }
                }
            }
        }
        // FEVD
        let th = &mut self.theta;
        th.iter_mut().for_each(|v| *v = 0.0);
        self.den.iter_mut().for_each(|v| *v = 0.0);
        let right: &[f64] = match self.kind {
            FevdKind::Generalized => &self.sigma,
            FevdKind::Cholesky => {
                let c = &mut self.chol;
                c.iter_mut().for_each(|v| *v = 0.0);
                for j in 0..n {
                    let mut d = self.sigma[j * n + j];
                    for t in 0..j {
                        d -= c[j * n + t] * c[j * n + t];
                    }
                    if negligible(d, self.sigma[j * n + j]) {
                        return Err(StatsError::Singular("Σ in Cholesky FEVD".into()));
                    }
                    let d = d.sqrt();
                    c[j * n + j] = d;
                    for i in j + 1..n {
                        let mut v = self.sigma[i * n + j];
                        for t in 0..j {
                            v -= c[i * n + t] * c[j * n + t];
                        }
                        c[i * n + j] = v / d;
                    }
                }
                &self.chol
            }
        };
        for hh in 0..h {
            let ah = &self.a[hh * n * n..(hh + 1) * n * n];
            for r in 0..n {
                for c in 0..n {
                    let mut v = 0.0;
                    for t in 0..n {
                        v += ah[r * n + t] * right[t * n + c];
                    }
                    self.m[r * n + c] = v;
                }
            }
            for r in 0..n {
                for c in 0..n {
                    th[r * n + c] += self.m[r * n + c] * self.m[r * n + c];
                }
            }
        }
        if self.kind == FevdKind::Generalized {
            for c in 0..n {
                let s = self.sigma[c * n + c];
                let smax = (0..n).fold(0.0f64, |a, i| a.max(self.sigma[i * n + i].abs()));
                if negligible(s, smax) {
                    return Err(StatsError::Singular(format!("Σ has a non-positive variance at {c}")));
                }
                for r in 0..n {
                    th[r * n + c] /= s;
                }
            }
        }
        for r in 0..n {
            let d: f64 = th[r * n..(r + 1) * n].iter().sum();
            if d.is_nan() || d <= 0.0 || !d.is_finite() {
                return Err(StatsError::Singular(format!("FEVD: zero forecast-error variance for variable {r}")));
            }
            th[r * n..(r + 1) * n].iter_mut().for_each(|v| *v /= d);
        }
        Ok(())
    }

    fn ee_sym(&self, i: usize, j: usize, cp: &CrossProducts) -> f64 {
        // the (j, i) element computed from the other side, for a symmetric Σ as in `solve`
        let n = self.n;
        let mut v = cp.yty[(i, j)];
        for t in 0..self.k {
            v -= self.b[t * n + j] * cp.xty[(t, i)];
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn simulate(t: usize) -> Vec<Vec<f64>> {
        let mut rng = crate::rng::seeded(7);
        let mut y = vec![vec![0.0, 0.0]];
        for _ in 1..t {
            let prev = y.last().unwrap().clone();
            let e1: f64 = rng.gen::<f64>() - 0.5;
            let e2: f64 = rng.gen::<f64>() - 0.5;
            y.push(vec![0.1 + 0.5 * prev[0] + 0.2 * prev[1] + e1, -0.2 + 0.3 * prev[0] + e2 + 0.5 * e1]);
        }
        y
    }

    #[test]
    fn var_recovers_coefficients_and_fevd_rows_sum_to_one() {
        let y = simulate(20_000);
        let f = var_ols(&y, 1).unwrap();
        assert!((f.coefs[0][(0, 0)] - 0.5).abs() < 0.02);
        assert!((f.coefs[0][(0, 1)] - 0.2).abs() < 0.02);
        assert!((f.coefs[0][(1, 0)] - 0.3).abs() < 0.02);
        assert!(f.coefs[0][(1, 1)].abs() < 0.02);
        for kind in [FevdKind::Cholesky, FevdKind::Generalized] {
            let th = fevd(&f.coefs, &f.sigma_u, 10, kind).unwrap();
            for i in 0..2 {
                let s: f64 = (0..2).map(|j| th[(i, j)]).sum();
                assert!((s - 1.0).abs() < 1e-12);
            }
        }
        assert_eq!(select_lag(&y, 4, InfoCriterion::Bic).unwrap(), 1);
    }

    #[test]
    fn too_few_observations_or_a_constant_series_are_refused() {
        let y = simulate(300);
        // a VAR(2) on 9 returns of 2 series: 5 regressors, 2 residual degrees of freedom
        assert!(matches!(var_ols(&y[..9], 2), Err(StatsError::TooFewObservations { .. })));
        assert_eq!(var_min_rows(2, 2), 2 + 5 + 20);
        assert!(var_ols(&y[..var_min_rows(2, 2)], 2).is_ok());
        // a constant variable: its lag is collinear with the intercept
        let c: Vec<Vec<f64>> = y.iter().map(|r| vec![r[0], 3.0]).collect();
        assert!(matches!(var_ols(&c, 1), Err(StatsError::Singular(_))));
    }

    #[test]
    fn cross_products_add_remove_match_direct() {
        let y = simulate(300);
        let p = 2;
        let k = 1 + 2 * p;
        let mut cp = CrossProducts::new(k, 2);
        let mut x = Vec::new();
        for t in p..200 {
            var_regressors(&y, t, p, &mut x);
            cp.add(&x, &y[t]);
        }
        // slide by 50
        for s in 0..50 {
            var_regressors(&y, 200 + s, p, &mut x);
            cp.add(&x, &y[200 + s]);
            var_regressors(&y, p + s, p, &mut x);
            cp.remove(&x, &y[p + s]);
        }
        let (b, ee) = cp.solve().unwrap();
        let slid = var_from_solution(2, p, &b, &ee, cp.rows).unwrap();
        let direct = var_ols(&y[50..250], p).unwrap();
        for kind in [FevdKind::Generalized, FevdKind::Cholesky] {
            let mut fast = RollingVarFevd::new(2, p, 10, kind);
            fast.update(&cp).unwrap();
            let th = fevd(&direct.coefs, &direct.sigma_u, 10, kind).unwrap();
            for i in 0..2 {
                for j in 0..2 {
                    assert!((fast.theta[i * 2 + j] - th[(i, j)]).abs() < 1e-12);
                }
            }
        }
        for l in 0..p {
            assert!((&slid.coefs[l] - &direct.coefs[l]).amax() < 1e-10);
        }
        assert!((&slid.sigma_u - &direct.sigma_u).amax() < 1e-10);
    }
}
