//! Dense linear algebra on `nalgebra`: least squares, covariance, symmetric eigen.

use crate::{Result, StatsError};
use nalgebra::{DMatrix, DVector};

/// Ordinary least squares y = Xβ + ε.
#[derive(Debug, Clone)]
pub struct Ols {
    pub beta: Vec<f64>,
    pub residuals: Vec<f64>,
    /// σ̂² = RSS / (n − k).
    pub sigma2: f64,
    /// Standard errors of β̂ (classical, σ̂²(X'X)⁻¹).
    pub std_errors: Vec<f64>,
    pub rss: f64,
    pub n: usize,
    pub k: usize,
}

/// Cholesky factorisation of a symmetric matrix whose pivots are checked relative to the diagonal
/// they were eliminated from (`crate::tol`): `None` when the matrix is singular at its own scale
/// (a constant or collinear regressor), where nalgebra alone would accept a pivot of rounding noise.
pub fn cholesky_checked(a: DMatrix<f64>) -> Option<nalgebra::Cholesky<f64, nalgebra::Dyn>> {
    let diag: Vec<f64> = (0..a.nrows()).map(|i| a[(i, i)]).collect();
    let c = a.cholesky()?;
    let l = c.l_dirty();
    let ok = diag.iter().enumerate().all(|(j, d)| !crate::tol::negligible(l[(j, j)] * l[(j, j)], *d));
    ok.then_some(c)
}

/// OLS by Cholesky of X'X (an error if X'X is singular at its scale: see [`cholesky_checked`]).
/// `x` is row-major n×k.
pub fn ols(x: &DMatrix<f64>, y: &DVector<f64>) -> Result<Ols> {
    let (n, k) = x.shape();
    if y.len() != n {
        return Err(StatsError::Dimension(format!("X has {n} rows, y has {}", y.len())));
    }
    if n <= k {
        return Err(StatsError::TooFewObservations { needed: k + 1, got: n });
    }
    let xtx = x.transpose() * x;
    let xty = x.transpose() * y;
    let chol = cholesky_checked(xtx)
        .ok_or_else(|| StatsError::Singular("X'X in OLS (a regressor is constant or collinear with others)".into()))?;
    let beta = chol.solve(&xty);
    let resid = y - x * &beta;
    let rss = resid.norm_squared();
    let sigma2 = rss / (n - k) as f64;
    let inv = chol.inverse();
    let std_errors = (0..k).map(|i| (sigma2 * inv[(i, i)]).sqrt()).collect();
    Ok(Ols {
        beta: beta.iter().copied().collect(),
        residuals: resid.iter().copied().collect(),
        sigma2,
        std_errors,
        rss,
        n,
        k,
    })
}

/// Sample covariance matrix (n − 1) of the rows of `data` (n×k, one observation per row).
pub fn covariance(data: &DMatrix<f64>) -> Result<DMatrix<f64>> {
    let n = data.nrows();
    if n < 2 {
        return Err(StatsError::TooFewObservations { needed: 2, got: n });
    }
    let means = data.row_mean();
    let mut c = data.clone();
    for mut row in c.row_iter_mut() {
        row -= &means;
    }
    Ok(c.transpose() * &c / (n as f64 - 1.0))
}

/// Eigen-decomposition of a symmetric matrix, eigenvalues sorted descending,
/// eigenvectors as the matching columns.
pub fn symmetric_eigen_desc(m: &DMatrix<f64>) -> Result<(Vec<f64>, DMatrix<f64>)> {
    if m.nrows() != m.ncols() {
        return Err(StatsError::Dimension("eigen of a non-square matrix".into()));
    }
    let e = nalgebra::SymmetricEigen::new(m.clone());
    let mut order: Vec<usize> = (0..e.eigenvalues.len()).collect();
    order.sort_by(|a, b| e.eigenvalues[*b].total_cmp(&e.eigenvalues[*a]));
    let values = order.iter().map(|&i| e.eigenvalues[i]).collect();
    let vectors = DMatrix::from_fn(m.nrows(), m.ncols(), |r, c| e.eigenvectors[(r, order[c])]);
    Ok((values, vectors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ols_recovers_line() {
        let x = DMatrix::from_fn(5, 2, |r, c| if c == 0 { 1.0 } else { r as f64 });
        let y = DVector::from_vec(vec![1.0, 3.1, 4.9, 7.2, 8.8]);
        let f = ols(&x, &y).unwrap();
        // numpy.polyfit(range(5), y, 1) = [1.97, 1.06]
        assert!((f.beta[1] - 1.97).abs() < 1e-12);
        assert!((f.beta[0] - 1.06).abs() < 1e-12);
    }

    #[test]
    fn eigen_sorted() {
        let m = DMatrix::from_row_slice(2, 2, &[2.0, 1.0, 1.0, 2.0]);
        let (v, _) = symmetric_eigen_desc(&m).unwrap();
        assert!((v[0] - 3.0).abs() < 1e-12 && (v[1] - 1.0).abs() < 1e-12);
    }
}
