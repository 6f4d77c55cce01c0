//! DCC(1,1) — Engle (2002), "Dynamic conditional correlation", *JBES* 20(3):339–350,
//! estimated by the two-step method of Engle & Sheppard (2001, NBER w8554).
//!
//! Step 1: a univariate GARCH(1,1) per series ([`crate::garch`]) gives z_t = ε_t/σ_t.
//! Step 2: Q_t = (1 − a − b) Q̄ + a z_{t−1} z_{t−1}' + b Q_{t−1}, Q_1 = Q̄ = T⁻¹ Σ z_t z_t',
//! R_t = diag(Q_t)^{−½} Q_t diag(Q_t)^{−½}, and (a, b) maximise the correlation part
//! ℓ_C = −½ Σ_t [ln|R_t| + z_t' R_t⁻¹ z_t − z_t' z_t] subject to a, b ≥ 0, a + b < 1
//! (softmax reparameterisation, BFGS with central-difference gradients from the best
//! point of a small grid). Total log-likelihood = Σ GARCH log-likelihoods + ℓ_C.
//! Standard errors of (a, b) are not reported (the two-step correction of
//! Engle & Sheppard is not implemented).

use crate::error::StatsError;
use crate::garch::{fit_garch, GarchFit, GarchSpec};
use crate::optim::{bfgs, BfgsOptions};
use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::Serialize;

type Result<T> = std::result::Result<T, StatsError>;

/// A fitted DCC(1,1).
#[derive(Debug, Clone, Serialize)]
pub struct DccFit {
    pub names: Vec<String>,
    pub a: f64,
    pub b: f64,
    /// ℓ_C at (a, b).
    pub loglik_correlation: f64,
    /// Σ univariate log-likelihoods + ℓ_C.
    pub loglik: f64,
    pub garch: Vec<GarchFit>,
    /// Q̄.
    pub qbar: Vec<Vec<f64>>,
    /// R_t for every t, row-major N×N flattened (`correlations[t][i*N + j]`).
    pub correlations: Vec<Vec<f64>>,
    /// What the user must know about step 1, each naming its series: the univariate
    /// fits' own warnings (e.g. integrated GARCH) and fits without standard errors.
    pub warnings: Vec<String>,
}

impl DccFit {
    /// Conditional correlation path of the pair (i, j).
    pub fn pair(&self, i: usize, j: usize) -> Vec<f64> {
        let n = self.names.len();
        self.correlations.iter().map(|r| r[i * n + j]).collect()
    }
}

/// ℓ_C and (optionally) the R_t path for given (a, b) and standardized residuals `z` (T×N).
///
/// Evaluated without forming R_t: with D_t = diag(Q_t), ln|R_t| = ln|Q_t| − Σ ln q_ii and
/// z'R_t⁻¹z = z̃'Q_t⁻¹z̃ with z̃ᵢ = zᵢ√q_ii, so one in-place Cholesky factor Q_t = LL' and one
/// forward substitution (‖L⁻¹z̃‖²) per day, on the lower triangle only, with no allocation in the loop.
pub fn dcc_loglik(z: &[Vec<f64>], qbar: &DMatrix<f64>, a: f64, b: f64, mut path: Option<&mut Vec<Vec<f64>>>) -> f64 {
    let n = qbar.nrows();
    let c = 1.0 - a - b;
    // lower triangles, row-major N×N (only j ≤ i is used)
    let qb: Vec<f64> = (0..n * n).map(|k| qbar[(k / n, k % n)]).collect();
    let mut q = qb.clone();
    let mut l = vec![0.0; n * n];
    let mut y = vec![0.0; n];
    let mut ll = 0.0;
    for (t, zt) in z.iter().enumerate() {
        if t > 0 {
            let zp = &z[t - 1];
            for i in 0..n {
                let (qi, qbi) = (&mut q[i * n..i * n + i + 1], &qb[i * n..i * n + i + 1]);
                let azi = a * zp[i];
                for j in 0..=i {
                    qi[j] = c * qbi[j] + azi * zp[j] + b * qi[j];
                }
            }
        }
        // Cholesky of Q_t (lower, in place in `l`) and ln|Q_t|
        let mut ldet_q = 0.0;
        let mut ln_diag = 0.0;
        for i in 0..n {
            for j in 0..=i {
                let (li, lj) = (&l[i * n..i * n + j], &l[j * n..j * n + j]);
                let s = q[i * n + j] - li.iter().zip(lj).map(|(x, y)| x * y).sum::<f64>();
                if i == j {
                    // pivot tolerance relative to the scale of q_ii (not positive definite: no likelihood)
                    if s.is_nan() || s <= 1e-14 * q[i * n + i] {
                        return f64::NAN;
                    }
                    let d = s.sqrt();
                    l[i * n + i] = d;
                    ldet_q += d.ln();
                } else {
                    l[i * n + j] = s / l[j * n + j];
                }
            }
            ln_diag += q[i * n + i].ln();
        }
        // forward substitution L y = z̃
        let mut quad = 0.0;
        let mut zz = 0.0;
        for i in 0..n {
            let zi = zt[i] * q[i * n + i].sqrt();
            let s = zi - l[i * n..i * n + i].iter().zip(&y[..i]).map(|(x, v)| x * v).sum::<f64>();
            y[i] = s / l[i * n + i];
            quad += y[i] * y[i];
            zz += zt[i] * zt[i];
        }
        let ldet = 2.0 * ldet_q - ln_diag;
        ll -= 0.5 * (ldet + quad - zz);
        if let Some(p) = path.as_deref_mut() {
            let d: Vec<f64> = (0..n).map(|i| q[i * n + i].sqrt()).collect();
            p.push(
                (0..n * n)
                    .map(|k| {
                        let (i, j) = (k / n, k % n);
                        if i == j {
                            1.0
                        } else {
                            q[i.max(j) * n + i.min(j)] / (d[i] * d[j])
                        }
                    })
                    .collect(),
            );
        }
    }
    ll
}

fn ab_from_free(u: &[f64]) -> (f64, f64) {
    let (e0, e1) = (u[0].clamp(-700.0, 700.0).exp(), u[1].clamp(-700.0, 700.0).exp());
    let d = 1.0 + e0 + e1;
    (e0 / d, e1 / d)
}

/// Step 2 only: DCC(1,1) parameters from standardized residuals `z` (T×N).
pub fn fit_dcc_correlation(z: &[Vec<f64>]) -> Result<(f64, f64, f64, DMatrix<f64>)> {
    let n = z.first().map(|r| r.len()).unwrap_or(0);
    if n < 2 {
        return Err(StatsError::Invalid("DCC needs at least two series".into()));
    }
    if z.len() < 100 {
        return Err(StatsError::TooFewObservations { needed: 100, got: z.len() });
    }
    let t = z.len() as f64;
    let mut qbar = DMatrix::zeros(n, n);
    for r in z {
        for i in 0..n {
            for j in 0..n {
                qbar[(i, j)] += r[i] * r[j] / t;
            }
        }
    }
    // the grid is evaluated in parallel; the best point is chosen in grid order (thread-count independent)
    let grid: Vec<(f64, f64)> = [0.005, 0.01, 0.02, 0.05, 0.1]
        .iter()
        .flat_map(|&a| [0.5, 0.8, 0.9, 0.95, 0.98].into_iter().map(move |b| (a, b)))
        .filter(|(a, b)| a + b < 0.999)
        .collect();
    let lls: Vec<f64> = grid.par_iter().map(|&(a, b)| dcc_loglik(z, &qbar, a, b, None)).collect();
    let mut best = (f64::NEG_INFINITY, 0.02, 0.95);
    for (&(a, b), &ll) in grid.iter().zip(&lls) {
        if ll > best.0 {
            best = (ll, a, b);
        }
    }
    if !best.0.is_finite() {
        return Err(StatsError::NoConvergence("DCC: no starting value has a finite likelihood".into()));
    }
    let slack = 1.0 - best.1 - best.2;
    let u0 = [(best.1 / slack).ln(), (best.2 / slack).ln()];
    let f = |u: &[f64]| {
        let (a, b) = ab_from_free(u);
        let v = -dcc_loglik(z, &qbar, a, b, None) / t;
        if v.is_finite() {
            v
        } else {
            f64::NAN
        }
    };
    let obj = |u: &[f64]| {
        let v = f(u);
        if !v.is_finite() {
            return (f64::NAN, vec![f64::NAN; 2]);
        }
        // central differences as `numerical_gradient`, the four evaluations in parallel
        let h: Vec<f64> = (0..2).map(|i| f64::EPSILON.cbrt() * u[i].abs().max(1.0)).collect();
        let pts: Vec<Vec<f64>> = (0..4)
            .map(|k| {
                let mut x = u.to_vec();
                x[k / 2] += if k % 2 == 0 { h[k / 2] } else { -h[k / 2] };
                x
            })
            .collect();
        let fs: Vec<f64> = pts.par_iter().map(|x| f(x)).collect();
        let g = (0..2).map(|i| (fs[2 * i] - fs[2 * i + 1]) / (2.0 * h[i])).collect();
        (v, g)
    };
    let opts = BfgsOptions { grad_tol: 1e-7, f_tol: 1e-14, max_iter: 300 };
    let m = bfgs(obj, &u0, &opts).map_err(|e| e.context("DCC(1,1) correlation step"))?;
    let (a, b) = ab_from_free(&m.x);
    if a + b >= 1.0 - 1e-8 {
        return Err(StatsError::NoConvergence(format!("DCC: a + b = {} reached 1", a + b)));
    }
    Ok((a, b, -m.f * t, qbar))
}

/// Two-step DCC(1,1) of aligned return series `returns[j]` (each of length T).
pub fn fit_dcc(names: &[String], returns: &[Vec<f64>], spec: GarchSpec) -> Result<DccFit> {
    if names.len() != returns.len() || names.len() < 2 {
        return Err(StatsError::Invalid("DCC needs at least two named return series".into()));
    }
    let t = returns[0].len();
    if returns.iter().any(|r| r.len() != t) {
        return Err(StatsError::Invalid("DCC: return series are not aligned".into()));
    }
    let garch: Vec<GarchFit> = returns
        .par_iter()
        .zip(names.par_iter())
        .map(|(r, name)| {
            fit_garch(r, spec).map_err(|e| StatsError::Invalid(format!("DCC step 1, series `{name}`: {e}")))
        })
        .collect::<Result<Vec<_>>>()?;
    let z: Vec<Vec<f64>> = (0..t).map(|i| garch.iter().map(|g| g.std_resid[i]).collect()).collect();
    let (a, b, llc, qbar) = fit_dcc_correlation(&z)?;
    let mut path = Vec::with_capacity(t);
    dcc_loglik(&z, &qbar, a, b, Some(&mut path));
    let n = names.len();
    let warnings = step1_warnings(names, &garch);
    Ok(DccFit {
        names: names.to_vec(),
        a,
        b,
        loglik_correlation: llc,
        loglik: garch.iter().map(|g| g.loglik).sum::<f64>() + llc,
        qbar: (0..n).map(|i| (0..n).map(|j| qbar[(i, j)]).collect()).collect(),
        correlations: path,
        garch,
        warnings,
    })
}

/// The step-1 warnings of [`DccFit::warnings`], prefixed by the series they concern.
pub fn step1_warnings(names: &[String], garch: &[GarchFit]) -> Vec<String> {
    let mut out = Vec::new();
    for (name, g) in names.iter().zip(garch) {
        out.extend(g.warnings.iter().map(|w| format!("series `{name}`: {w}")));
        if g.std_errors.iter().any(|v| !v.is_finite()) {
            out.push(format!(
                "series `{name}`: the GARCH standard errors could not be computed (singular robust covariance); \
                 its parameters are point estimates only"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;
    use rand_distr::StandardNormal;

    /// Simulates a 3-asset DCC-GARCH with known (a, b).
    fn simulate(t: usize, a: f64, b: f64, seed: u64) -> Vec<Vec<f64>> {
        let mut rng = crate::rng::seeded(seed);
        let n = 3;
        let qbar = DMatrix::from_row_slice(3, 3, &[1.0, 0.5, 0.2, 0.5, 1.0, 0.3, 0.2, 0.3, 1.0]);
        let mut q = qbar.clone();
        let (om, al, be): (f64, f64, f64) = (0.05, 0.08, 0.9);
        let mut s2: Vec<f64> = vec![om / (1.0 - al - be); n];
        let mut zp = vec![0.0; n];
        let mut out: Vec<Vec<f64>> = (0..n).map(|_| Vec::with_capacity(t)).collect();
        for i in 0..t {
            if i > 0 {
                for r in 0..n {
                    for c in 0..n {
                        q[(r, c)] = (1.0 - a - b) * qbar[(r, c)] + a * zp[r] * zp[c] + b * q[(r, c)];
                    }
                }
            }
            let d: Vec<f64> = (0..n).map(|k| q[(k, k)].sqrt()).collect();
            let rm = DMatrix::from_fn(n, n, |r, c| q[(r, c)] / (d[r] * d[c]));
            let l = rm.cholesky().unwrap().l();
            let e: Vec<f64> = (0..n).map(|_| rng.sample(StandardNormal)).collect();
            let z: Vec<f64> = (0..n).map(|r| (0..n).map(|c| l[(r, c)] * e[c]).sum()).collect();
            for k in 0..n {
                let eps = s2[k].sqrt() * z[k];
                out[k].push(eps);
                s2[k] = om + al * eps * eps + be * s2[k];
            }
            zp = z;
        }
        out
    }

    /// ℓ_C by its definition: R_t formed explicitly, ln|R_t| and z'R_t⁻¹z by nalgebra's Cholesky.
    fn loglik_by_definition(z: &[Vec<f64>], qbar: &DMatrix<f64>, a: f64, b: f64) -> f64 {
        let n = qbar.nrows();
        let mut q = qbar.clone();
        let mut ll = 0.0;
        for (t, zt) in z.iter().enumerate() {
            if t > 0 {
                let zp = &z[t - 1];
                q = qbar * (1.0 - a - b) + DMatrix::from_fn(n, n, |i, j| a * zp[i] * zp[j]) + &q * b;
            }
            let d: Vec<f64> = (0..n).map(|i| q[(i, i)].sqrt()).collect();
            let r = DMatrix::from_fn(n, n, |i, j| q[(i, j)] / (d[i] * d[j]));
            let ch = r.cholesky().unwrap();
            let zv = nalgebra::DVector::from_column_slice(zt);
            ll -= 0.5 * (ch.determinant().ln() + zv.dot(&ch.solve(&zv)) - zv.dot(&zv));
        }
        ll
    }

    #[test]
    fn loglik_equals_its_definition() {
        let r = simulate(400, 0.05, 0.9, 11);
        let z: Vec<Vec<f64>> = (0..400).map(|i| (0..3).map(|k| r[k][i]).collect()).collect();
        let qbar = DMatrix::from_fn(3, 3, |i, j| z.iter().map(|v| v[i] * v[j]).sum::<f64>() / 400.0);
        for (a, b) in [(0.05, 0.9), (0.01, 0.98), (0.2, 0.5)] {
            let fast = dcc_loglik(&z, &qbar, a, b, None);
            let slow = loglik_by_definition(&z, &qbar, a, b);
            assert!((fast - slow).abs() < 1e-9 * slow.abs().max(1.0), "({a}, {b}): {fast} vs {slow}");
        }
        let mut path = Vec::new();
        dcc_loglik(&z, &qbar, 0.05, 0.9, Some(&mut path));
        assert_eq!(path.len(), 400);
        assert!(path.iter().all(|m| (0..3).all(|i| m[i * 3 + i] == 1.0) && (m[1] - m[3]).abs() < 1e-15));
    }

    #[test]
    fn recovers_known_parameters_on_simulated_data() {
        let r = simulate(6000, 0.04, 0.93, 5);
        let names: Vec<String> = ["x", "y", "z"].iter().map(|s| s.to_string()).collect();
        let f = fit_dcc(&names, &r, GarchSpec::default()).unwrap();
        assert!((f.a - 0.04).abs() < 0.012, "a = {}", f.a);
        assert!((f.b - 0.93).abs() < 0.03, "b = {}", f.b);
        assert_eq!(f.correlations.len(), 6000);
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        let p = f.pair(0, 1);
        assert!(p.iter().all(|v| v.abs() < 1.0));
        // the optimum beats neighbouring points
        let z: Vec<Vec<f64>> = (0..6000).map(|i| f.garch.iter().map(|g| g.std_resid[i]).collect()).collect();
        let qb = DMatrix::from_fn(3, 3, |i, j| f.qbar[i][j]);
        for (da, db) in [(0.002, 0.0), (-0.002, 0.0), (0.0, 0.002), (0.0, -0.002)] {
            assert!(dcc_loglik(&z, &qb, f.a + da, f.b + db, None) < f.loglik_correlation + 1e-9);
        }
    }
}
