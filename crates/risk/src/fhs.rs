//! Filtered historical simulation (Barone-Adesi, Giannopoulos & Vosper 1999,
//! *J. Futures Markets* 19(5):583–602).
//!
//! 1. A GARCH(1,1) per asset (`fissure_stats::garch`, normal QML on percent returns,
//!    the `arch` conventions) gives standardised residuals zᵢ,t = εᵢ,t/σᵢ,t and the
//!    one-step variance forecast σ²ᵢ,T+1 = ω + αε²ᵢ,T + βσ²ᵢ,T.
//! 2. Correlation: **DCC** (Engle 2002, `fissure_stats::dcc`): the residual vectors are
//!    decorrelated with the DCC path, e_t = L_t⁻¹ z_t (L_t the Cholesky factor of R_t),
//!    and re-correlated with the one-step forecast R_T+1 = corr(Q_T+1); R is held at R_T+1
//!    over the horizon. **Constant**: the residual vectors z_t are bootstrapped as they
//!    are, which keeps their sample correlation.
//! 3. Each path draws whole residual vectors (days) uniformly with replacement, so the
//!    cross-sectional dependence beyond correlation is kept, and runs the GARCH recursion
//!    forward for `horizon` days; the h-day buy-and-hold return of each asset is
//!    Π(1 + r) − 1 (a one-day loss is floored at −100 %). Paths are simulated in chunks, each from its own ChaCha stream
//!    (`rng::stream(seed, chunk)`), so results do not depend on the thread count.

use crate::portfolio::ReturnMatrix;
use crate::{Result, RiskError};
use fissure_stats::garch::{fit_garch_with, GarchFitOptions, GarchSpec};
use nalgebra::DMatrix;
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;

/// How FHS models the cross-asset correlation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Correlation {
    Dcc,
    Constant,
}

/// A fitted FHS model (percent units internally).
#[derive(Debug, Clone)]
pub struct FhsModel {
    pub ids: Vec<String>,
    pub mu: Vec<f64>,
    pub omega: Vec<f64>,
    pub alpha: Vec<f64>,
    pub beta: Vec<f64>,
    /// σ²ᵢ,T+1 (percent²).
    pub sigma2_next: Vec<f64>,
    /// Residual vectors to bootstrap, T × N row-major (decorrelated under DCC).
    pub resid: Vec<f64>,
    /// Lower Cholesky factor of R_T+1 (row-major N × N) under DCC.
    pub chol_next: Option<Vec<f64>>,
    pub correlation: Correlation,
    /// DCC (a, b) when used.
    pub dcc: Option<(f64, f64)>,
}

/// Fits the per-asset GARCH(1,1) filters (in parallel) and, for DCC, the correlation step.
pub fn fit(m: &ReturnMatrix, correlation: Correlation) -> Result<FhsModel> {
    let (t, n) = (m.t(), m.n());
    if t < 250 {
        return Err(RiskError::TooShort { what: "FHS (GARCH filter)".into(), needed: 250, got: t });
    }
    let fits = (0..n)
        .into_par_iter()
        .map(|j| {
            let y: Vec<f64> = m.column(j).iter().map(|v| 100.0 * v).collect();
            // point estimates only: the filter does not use standard errors
            fit_garch_with(&y, GarchSpec::default(), GarchFitOptions { std_errors: false })
                .map_err(|e| RiskError::Stats { what: format!("FHS GARCH(1,1) of `{}`", m.ids[j]), source: e })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut z = vec![0.0; t * n];
    for (j, f) in fits.iter().enumerate() {
        for i in 0..t {
            z[i * n + j] = f.std_resid[i];
        }
    }
    let sigma2_next: Vec<f64> = fits
        .iter()
        .map(|f| {
            let s = f.conditional_volatility[t - 1];
            let e = f.std_resid[t - 1] * s;
            f.omega + f.alpha * e * e + f.beta * s * s
        })
        .collect();
    let (resid, chol_next, dcc) = match correlation {
        Correlation::Constant => (z, None, None),
        Correlation::Dcc => {
            if n < 2 {
                (z, None, None)
            } else {
                let rows: Vec<Vec<f64>> = z.chunks_exact(n).map(|r| r.to_vec()).collect();
                let (a, b, _, qbar) = fissure_stats::dcc::fit_dcc_correlation(&rows)
                    .map_err(RiskError::stats("FHS DCC(1,1) correlation step"))?;
                let mut q = qbar.clone();
                let mut e = vec![0.0; t * n];
                for i in 0..t {
                    if i > 0 {
                        let zp = &rows[i - 1];
                        for r in 0..n {
                            for c in 0..n {
                                q[(r, c)] = (1.0 - a - b) * qbar[(r, c)] + a * zp[r] * zp[c] + b * q[(r, c)];
                            }
                        }
                    }
                    let l = chol_of_corr(&q)
                        .ok_or_else(|| RiskError::Invalid(format!("FHS DCC: R_t not positive definite at row {i}")))?;
                    let sol = l
                        .solve_lower_triangular(&nalgebra::DVector::from_column_slice(&rows[i]))
                        .ok_or_else(|| RiskError::Invalid(format!("FHS DCC: singular R_t at row {i}")))?;
                    e[i * n..(i + 1) * n].copy_from_slice(sol.as_slice());
                }
                let zp = &rows[t - 1];
                let qn =
                    DMatrix::from_fn(n, n, |r, c| (1.0 - a - b) * qbar[(r, c)] + a * zp[r] * zp[c] + b * q[(r, c)]);
                let l = chol_of_corr(&qn)
                    .ok_or_else(|| RiskError::Invalid("FHS DCC: R_T+1 not positive definite".into()))?;
                let flat: Vec<f64> = (0..n * n).map(|k| l[(k / n, k % n)]).collect();
                (e, Some(flat), Some((a, b)))
            }
        }
    };
    Ok(FhsModel {
        ids: m.ids.clone(),
        mu: fits.iter().map(|f| f.mu).collect(),
        omega: fits.iter().map(|f| f.omega).collect(),
        alpha: fits.iter().map(|f| f.alpha).collect(),
        beta: fits.iter().map(|f| f.beta).collect(),
        sigma2_next,
        resid,
        chol_next,
        correlation: if dcc.is_some() { Correlation::Dcc } else { Correlation::Constant },
        dcc,
    })
}

fn chol_of_corr(q: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let n = q.nrows();
    let d: Vec<f64> = (0..n).map(|i| q[(i, i)].sqrt()).collect();
    let r = DMatrix::from_fn(n, n, |i, j| if i == j { 1.0 } else { q[(i, j)] / (d[i] * d[j]) });
    r.cholesky().map(|c| c.l())
}

/// Simulates `sims` paths of `horizon` days; returns sims × N h-day simple returns (fractions).
pub fn simulate(model: &FhsModel, sims: usize, horizon: usize, seed: u64) -> Result<Vec<f64>> {
    if sims < 100 {
        return Err(RiskError::Invalid(format!("FHS needs at least 100 simulations, got {sims}")));
    }
    if horizon == 0 {
        return Err(RiskError::Invalid("horizon must be at least 1 day".into()));
    }
    let n = model.ids.len();
    let t = model.resid.len() / n;
    // Under DCC the residual rows are re-correlated with L_T+1 once (R is held over the horizon), not per draw.
    let recorrelated: Option<Vec<f64>> = model.chol_next.as_ref().map(|l| {
        let mut z = vec![0.0; t * n];
        z.par_chunks_exact_mut(n).zip(model.resid.par_chunks_exact(n)).for_each(|(zr, e)| {
            for i in 0..n {
                let row = &l[i * n..i * n + i + 1];
                zr[i] = row.iter().zip(e).map(|(a, b)| a * b).sum();
            }
        });
        z
    });
    let resid: &[f64] = recorrelated.as_deref().unwrap_or(&model.resid);
    #[cfg(target_arch = "x86_64")]
    let avx2 = std::arch::is_x86_feature_detected!("avx2");
    #[cfg(not(target_arch = "x86_64"))]
    let avx2 = false;
    const CHUNK: usize = 256;
    let chunks = sims.div_ceil(CHUNK);
    let out: Vec<Vec<f64>> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut rng = fissure_stats::rng::stream(seed, c as u64);
            let m = CHUNK.min(sims - c * CHUNK);
            let mut res = Vec::with_capacity(m * n);
            let mut s2 = vec![0.0; n];
            let mut growth = vec![0.0; n];
            let (mu, omega, alpha, beta) = (&model.mu[..n], &model.omega[..n], &model.alpha[..n], &model.beta[..n]);
            for _ in 0..m {
                s2.copy_from_slice(&model.sigma2_next);
                growth.iter_mut().for_each(|g| *g = 1.0);
                for _ in 0..horizon {
                    let s = rng.gen_range(0..t);
                    let z = &resid[s * n..(s + 1) * n];
                    garch_step(avx2, &mut s2, &mut growth, z, [mu, omega, alpha, beta]);
                }
                res.extend(growth.iter().map(|g| g - 1.0));
            }
            res
        })
        .collect();
    Ok(out.concat())
}

/// One simulated day for every asset: ε = σ z, r = (μ + ε)/100, growth × max(1 + r, 1e-12),
/// σ² ← ω + αε² + βσ² (`p` = [μ, ω, α, β]). One vectorisable loop; the AVX2 build performs the same
/// IEEE operations (no FMA contraction), so results are bitwise identical on every x86-64 CPU.
fn garch_step(avx2: bool, s2: &mut [f64], growth: &mut [f64], z: &[f64], p: [&[f64]; 4]) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: `avx2` is true only when the CPU reports AVX2 (checked in `simulate`).
        return unsafe { garch_step_avx2(s2, growth, z, p) };
    }
    let _ = avx2;
    garch_step_generic(s2, growth, z, p)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn garch_step_avx2(s2: &mut [f64], growth: &mut [f64], z: &[f64], p: [&[f64]; 4]) {
    garch_step_generic(s2, growth, z, p)
}

#[inline(always)]
fn garch_step_generic(s2: &mut [f64], growth: &mut [f64], z: &[f64], p: [&[f64]; 4]) {
    let n = s2.len();
    let (growth, z) = (&mut growth[..n], &z[..n]);
    let (mu, omega, alpha, beta) = (&p[0][..n], &p[1][..n], &p[2][..n], &p[3][..n]);
    for i in 0..n {
        let eps = s2[i].sqrt() * z[i];
        let r = (mu[i] + eps) / 100.0;
        growth[i] *= (1.0 + r).max(1e-12);
        s2[i] = omega[i] + alpha[i] * eps * eps + beta[i] * s2[i];
    }
}
