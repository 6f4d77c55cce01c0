//! Univariate GARCH(1,1) by maximum likelihood: Bollerslev (1986, *J. Econometrics*
//! 31:307–327), Student-t innovations (Bollerslev 1987), GJR asymmetry (Glosten,
//! Jagannathan & Runkle 1993, *J. Finance* 48:1779–1801).
//!
//! Model: r_t = μ + ε_t, ε_t = σ_t z_t,
//! σ²_t = ω + α ε²_{t−1} + γ ε²_{t−1}·1[ε_{t−1}<0] + β σ²_{t−1}  (γ = 0 unless GJR).
//!
//! Conventions follow `arch` (Sheppard) so results are comparable to it:
//! - σ²_0 = ω + (α + γ/2 + β)·b with the backcast b = Σ_{i<75} w_i e_i², w ∝ 0.94^i,
//!   e = r − r̄ (fixed during estimation);
//! - the same loose variance bounds (EWMA(0.94) of e² ÷/× 1e6, floor var(e)/1e8);
//! - standardized Student-t with ν > 2 (density of z with unit variance);
//! - standard errors: the robust sandwich (Bollerslev & Wooldridge 1992)
//!   H⁻¹ Ĉov(s_t) H⁻¹ / T with H the Hessian of the mean log-likelihood and s_t the
//!   per-observation scores, which is `arch`'s default `cov_type='robust'`. Scores are
//!   analytic; H is central differences of the analytic gradient.
//!
//! Constraints (the open interior of `arch`'s): ω > 0, α ≥ 0, α + γ ≥ 0, β ≥ 0,
//! α + γ/2 + β < 1, ν > 2.05. They are imposed by a smooth reparameterisation
//! (ω = eᵘ, a softmax over (α, α+γ)/2, β and a slack term, ν = 2.05 + eᵘ) and the
//! likelihood is maximised by BFGS on analytic gradients from the best of a grid
//! of starting values. A fit that does not converge is an error. When the likelihood is maximised on
//! the bound α + γ/2 + β = 1 (bitcoin's whole history), the boundary fit is returned, as `arch`
//! returns it, with `integrated = true` and a warning: an integrated GARCH (Engle & Bollerslev 1986,
//! *Econometric Reviews* 5:1–50) has no unconditional variance, and the usual standard errors are not
//! valid on the boundary.

use crate::error::StatsError;
use crate::optim::{bfgs, hessian_from_gradient, BfgsOptions};
use serde::Serialize;
use statrs::function::gamma::{digamma, ln_gamma};

type Result<T> = std::result::Result<T, StatsError>;

/// Innovation distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Innovation {
    #[default]
    Normal,
    /// Standardized Student-t with ν degrees of freedom.
    StudentT,
}

/// Which GARCH(1,1) to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct GarchSpec {
    pub dist: Innovation,
    /// Add the GJR asymmetry term γ.
    pub gjr: bool,
}

/// A fitted GARCH(1,1).
#[derive(Debug, Clone, Serialize)]
pub struct GarchFit {
    pub spec: GarchSpec,
    /// `mu`, `omega`, `alpha`, [`gamma`], `beta`, [`nu`].
    pub param_names: Vec<String>,
    pub params: Vec<f64>,
    /// Robust (sandwich) standard errors, in the order of `params`.
    pub std_errors: Vec<f64>,
    pub loglik: f64,
    pub nobs: usize,
    pub mu: f64,
    pub omega: f64,
    pub alpha: f64,
    pub gamma: Option<f64>,
    pub beta: f64,
    pub nu: Option<f64>,
    /// α + γ/2 + β.
    pub persistence: f64,
    /// σ_t, same length as the data.
    pub conditional_volatility: Vec<f64>,
    /// z_t = (r_t − μ)/σ_t.
    pub std_resid: Vec<f64>,
    pub iterations: usize,
    /// Whether the optimum sits on the stationarity bound α + γ/2 + β = 1 (integrated GARCH).
    pub integrated: bool,
    /// What the user must know before using the fit (e.g. integrated GARCH).
    pub warnings: Vec<String>,
}

/// Persistence at or above `1 − INTEGRATED_TOL` is the stationarity bound: the reparameterisation
/// approaches it only asymptotically, so a fit this close is `arch`'s boundary solution.
pub const INTEGRATED_TOL: f64 = 1e-6;

const NU_MIN: f64 = 2.05;

/// Fixed quantities of one estimation problem.
struct Problem<'a> {
    y: &'a [f64],
    spec: GarchSpec,
    backcast: f64,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

/// The `arch` backcast: exponentially weighted (0.94) mean of the first ≤ 75 squared residuals.
pub fn backcast(e: &[f64]) -> f64 {
    let tau = e.len().min(75);
    let mut wsum = 0.0;
    let mut s = 0.0;
    let mut w = 1.0;
    for v in &e[..tau] {
        s += w * v * v;
        wsum += w;
        w *= 0.94;
    }
    s / wsum
}

/// `arch`'s variance bounds (`variance_bounds`, power 2).
fn variance_bounds(e: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let n = e.len();
    let init = backcast(e);
    let mut ewma = vec![0.0; n];
    // arch's ewma_recursion: sigma2[0] = initial; sigma2[t] = (1-λ) e²_{t-1} + λ sigma2[t-1]
    for t in 0..n {
        ewma[t] = if t == 0 { init } else { 0.06 * e[t - 1] * e[t - 1] + 0.94 * ewma[t - 1] };
    }
    let mean = e.iter().sum::<f64>() / n as f64;
    let var = e.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
    let max_e2 = e.iter().fold(0.0f64, |m, v| m.max(v * v));
    let (lower_bound, upper_bound) = (var / 1e8, 1e7 * (1.0 + max_e2));
    let min_upper = 1.0 + max_e2;
    let lower = ewma.iter().map(|v| (v / 1e6).max(lower_bound)).collect();
    let upper = ewma.iter().map(|v| (v * 1e6).max(min_upper).min(upper_bound)).collect();
    (lower, upper)
}

impl<'a> Problem<'a> {
    fn new(y: &'a [f64], spec: GarchSpec) -> Self {
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let e: Vec<f64> = y.iter().map(|v| v - mean).collect();
        let (lower, upper) = variance_bounds(&e);
        Problem { y, spec, backcast: backcast(&e), lower, upper }
    }

    fn k(&self) -> usize {
        4 + usize::from(self.spec.gjr) + usize::from(self.spec.dist == Innovation::StudentT)
    }

    fn names(&self) -> Vec<String> {
        let mut v = vec!["mu", "omega", "alpha"];
        if self.spec.gjr {
            v.push("gamma");
        }
        v.push("beta");
        if self.spec.dist == Innovation::StudentT {
            v.push("nu");
        }
        v.into_iter().map(String::from).collect()
    }

    /// Unpacks θ into (μ, ω, α, γ, β, ν).
    fn unpack(&self, th: &[f64]) -> (f64, f64, f64, f64, f64, f64) {
        let mut i = 3;
        let gamma = if self.spec.gjr {
            i += 1;
            th[3]
        } else {
            0.0
        };
        let beta = th[i];
        let nu = if self.spec.dist == Innovation::StudentT { th[i + 1] } else { f64::INFINITY };
        (th[0], th[1], th[2], gamma, beta, nu)
    }

    /// Log-likelihood, its gradient in θ and (optionally) the per-observation
    /// scores (row-major T×k) and σ²_t.
    fn eval(
        &self,
        th: &[f64],
        want_grad: bool,
        scores: Option<&mut Vec<f64>>,
        sig2_out: Option<&mut Vec<f64>>,
    ) -> (f64, Vec<f64>) {
        if self.spec == GarchSpec::default() && scores.is_none() && sig2_out.is_none() {
            return self.eval_normal(th, want_grad);
        }
        let k = self.k();
        let (mu, omega, alpha, gamma, beta, nu) = self.unpack(th);
        let gjr = self.spec.gjr;
        let student = self.spec.dist == Innovation::StudentT;
        let (ig, ib) = if gjr { (3, 4) } else { (usize::MAX, 3) };
        let inu = k - 1;
        let b = self.backcast;
        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        let (cnu, dcnu) = if student {
            let c = ln_gamma((nu + 1.0) / 2.0) - ln_gamma(nu / 2.0) - 0.5 * (std::f64::consts::PI * (nu - 2.0)).ln();
            let dc = 0.5 * digamma((nu + 1.0) / 2.0) - 0.5 * digamma(nu / 2.0) - 0.5 / (nu - 2.0);
            (c, dc)
        } else {
            (0.0, 0.0)
        };
        let mut ll = 0.0;
        let mut grad = vec![0.0; k];
        // dσ²/dθ for the variance parameters (μ, ω, α, γ, β), carried through the recursion
        let mut ds = [0.0f64; 5];
        let mut ds_prev = [0.0f64; 5];
        let mut s_prev = 0.0;
        let mut e_prev = 0.0;
        let mut scores = scores;
        if let Some(sc) = scores.as_deref_mut() {
            sc.clear();
            sc.resize(self.y.len() * k, 0.0);
        }
        let mut sig2_out = sig2_out;
        if let Some(s) = sig2_out.as_deref_mut() {
            s.clear();
        }
        for (t, &yt) in self.y.iter().enumerate() {
            let mut s2;
            if t == 0 {
                s2 = omega + (alpha + 0.5 * gamma + beta) * b;
                if want_grad {
                    ds = [0.0, 1.0, b, 0.5 * b, b];
                }
            } else {
                let e2 = e_prev * e_prev;
                let neg = e_prev < 0.0;
                s2 = omega + alpha * e2 + if neg { gamma * e2 } else { 0.0 } + beta * s_prev;
                if want_grad {
                    // d e²_{t-1}/dμ = −2 e_{t-1}
                    let de2 = -2.0 * e_prev;
                    ds[0] = alpha * de2 + if neg { gamma * de2 } else { 0.0 } + beta * ds_prev[0];
                    ds[1] = 1.0 + beta * ds_prev[1];
                    ds[2] = e2 + beta * ds_prev[2];
                    ds[3] = if neg { e2 } else { 0.0 } + beta * ds_prev[3];
                    ds[4] = s_prev + beta * ds_prev[4];
                }
            }
            // arch's bounds_check
            if s2 < self.lower[t] {
                s2 = self.lower[t];
                ds = [0.0; 5];
            } else if s2 > self.upper[t] {
                let u = self.upper[t];
                if want_grad {
                    for d in ds.iter_mut() {
                        *d /= s2;
                    }
                }
                s2 = u + (s2 / u).ln();
            }
            let e = yt - mu;
            let (lt, dl_ds2, dl_de, dl_dnu) = if student {
                let q = e * e / (s2 * (nu - 2.0));
                let lt = cnu - 0.5 * s2.ln() - 0.5 * (nu + 1.0) * q.ln_1p();
                let dl_ds2 = -0.5 / s2 + 0.5 * (nu + 1.0) * q / (1.0 + q) / s2;
                let dl_de = -(nu + 1.0) * e / (s2 * (nu - 2.0) * (1.0 + q));
                let dl_dnu = dcnu - 0.5 * q.ln_1p() + 0.5 * (nu + 1.0) * q / ((1.0 + q) * (nu - 2.0));
                (lt, dl_ds2, dl_de, dl_dnu)
            } else {
                let lt = -0.5 * (ln2pi + s2.ln() + e * e / s2);
                (lt, -0.5 * (1.0 / s2 - e * e / (s2 * s2)), -e / s2, 0.0)
            };
            ll += lt;
            if want_grad {
                let mut st = [0.0f64; 6];
                st[0] = -dl_de + dl_ds2 * ds[0];
                st[1] = dl_ds2 * ds[1];
                st[2] = dl_ds2 * ds[2];
                if gjr {
                    st[ig] = dl_ds2 * ds[3];
                }
                st[ib] = dl_ds2 * ds[4];
                if student {
                    st[inu] = dl_dnu;
                }
                for j in 0..k {
                    grad[j] += st[j];
                }
                if let Some(sc) = scores.as_deref_mut() {
                    sc[t * k..(t + 1) * k].copy_from_slice(&st[..k]);
                }
                ds_prev = ds;
            }
            if let Some(s) = sig2_out.as_deref_mut() {
                s.push(s2);
            }
            s_prev = s2;
            e_prev = e;
        }
        (ll, grad)
    }

    /// [`Problem::eval`] for the plain normal GARCH(1,1) (the estimation's inner loop): the same
    /// recursion, bounds and derivatives without the Student-t and GJR branches, one division per
    /// observation, and Σ ln σ²_t taken as the logarithm of running products (flushed before they
    /// leave [1e-150, 1e150]), which is the same sum up to rounding at one logarithm per ~dozen
    /// observations instead of one each.
    fn eval_normal(&self, th: &[f64], want_grad: bool) -> (f64, Vec<f64>) {
        let (mu, omega, alpha, beta) = (th[0], th[1], th[2], th[3]);
        let b = self.backcast;
        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        let (mut sum_ln, mut prod, mut sum_q) = (0.0f64, 1.0f64, 0.0f64);
        let mut grad = [0.0f64; 4];
        // dσ²/d(μ, ω, α, β)
        let mut ds = [0.0f64; 4];
        let (mut s_prev, mut e_prev) = (0.0f64, 0.0f64);
        for (t, &yt) in self.y.iter().enumerate() {
            let mut s2;
            if t == 0 {
                s2 = omega + (alpha + beta) * b;
                ds = [0.0, 1.0, b, b];
            } else {
                let e2 = e_prev * e_prev;
                s2 = omega + alpha * e2 + beta * s_prev;
                if want_grad {
                    ds = [
                        alpha * (-2.0 * e_prev) + beta * ds[0],
                        1.0 + beta * ds[1],
                        e2 + beta * ds[2],
                        s_prev + beta * ds[3],
                    ];
                }
            }
            if s2 < self.lower[t] {
                s2 = self.lower[t];
                ds = [0.0; 4];
            } else if s2 > self.upper[t] {
                let u = self.upper[t];
                if want_grad {
                    for d in ds.iter_mut() {
                        *d /= s2;
                    }
                }
                s2 = u + (s2 / u).ln();
            }
            let e = yt - mu;
            let inv = 1.0 / s2;
            let q = e * e * inv;
            sum_q += q;
            prod *= s2;
            if !(1e-150..=1e150).contains(&prod) {
                sum_ln += prod.ln();
                prod = 1.0;
            }
            if want_grad {
                let dl_ds2 = -0.5 * inv * (1.0 - q);
                grad[0] += e * inv + dl_ds2 * ds[0];
                grad[1] += dl_ds2 * ds[1];
                grad[2] += dl_ds2 * ds[2];
                grad[3] += dl_ds2 * ds[3];
            }
            s_prev = s2;
            e_prev = e;
        }
        sum_ln += prod.ln();
        let ll = -0.5 * (self.y.len() as f64 * ln2pi + sum_ln + sum_q);
        (ll, grad.to_vec())
    }

    /// θ from the unconstrained u, and the Jacobian dθ/du (row-major k×k).
    fn constrained(&self, u: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let k = self.k();
        let mut th = vec![0.0; k];
        let mut jac = vec![0.0; k * k];
        th[0] = u[0];
        jac[0] = 1.0;
        th[1] = u[1].exp();
        jac[k + 1] = th[1];
        // softmax block: components c_i e^{u_i}/D with D = 1 + Σ e^{u_i}
        let idx: Vec<usize> = if self.spec.gjr { vec![2, 3, 4] } else { vec![2, 3] };
        let ex: Vec<f64> = idx.iter().map(|&i| u[i].clamp(-700.0, 700.0).exp()).collect();
        let d = 1.0 + ex.iter().sum::<f64>();
        let w: Vec<f64> = ex.iter().map(|v| v / d).collect();
        if self.spec.gjr {
            // a1 = α = 2 w0, a2 = α + γ = 2 w1, β = w2
            th[2] = 2.0 * w[0];
            th[3] = 2.0 * w[1] - 2.0 * w[0];
            th[4] = w[2];
            // dw_i/du_j = w_i (δ_ij − w_j)
            for j in 0..3 {
                let dw: Vec<f64> = (0..3).map(|i| w[i] * (f64::from(u8::from(i == j)) - w[j])).collect();
                jac[2 * k + idx[j]] = 2.0 * dw[0];
                jac[3 * k + idx[j]] = 2.0 * dw[1] - 2.0 * dw[0];
                jac[4 * k + idx[j]] = dw[2];
            }
        } else {
            th[2] = w[0];
            th[3] = w[1];
            for j in 0..2 {
                for i in 0..2 {
                    jac[(2 + i) * k + idx[j]] = w[i] * (f64::from(u8::from(i == j)) - w[j]);
                }
            }
        }
        if self.spec.dist == Innovation::StudentT {
            let i = k - 1;
            th[i] = NU_MIN + u[i].exp();
            jac[i * k + i] = u[i].exp();
        }
        (th, jac)
    }

    /// Inverse of [`constrained`] for an interior θ.
    fn unconstrained(&self, th: &[f64]) -> Vec<f64> {
        let k = self.k();
        let mut u = vec![0.0; k];
        u[0] = th[0];
        u[1] = th[1].ln();
        let (mu_, _, alpha, gamma, beta, nu) = self.unpack(th);
        let _ = mu_;
        let parts: Vec<f64> =
            if self.spec.gjr { vec![alpha / 2.0, (alpha + gamma) / 2.0, beta] } else { vec![alpha, beta] };
        let slack = 1.0 - parts.iter().sum::<f64>();
        for (j, p) in parts.iter().enumerate() {
            u[2 + j] = (p.max(1e-12) / slack).ln();
        }
        if self.spec.dist == Innovation::StudentT {
            u[k - 1] = (nu - NU_MIN).max(1e-6).ln();
        }
        u
    }

    fn theta(&self, mu: f64, omega: f64, alpha: f64, gamma: f64, beta: f64, nu: f64) -> Vec<f64> {
        let mut th = vec![mu, omega, alpha];
        if self.spec.gjr {
            th.push(gamma);
        }
        th.push(beta);
        if self.spec.dist == Innovation::StudentT {
            th.push(nu);
        }
        th
    }
}

/// Options of [`fit_garch_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GarchFitOptions {
    /// Compute the robust standard errors (a Hessian of 2k gradient evaluations). Without them
    /// `std_errors` is empty: for filters (FHS) that use only the point estimates.
    pub std_errors: bool,
}

impl Default for GarchFitOptions {
    fn default() -> Self {
        GarchFitOptions { std_errors: true }
    }
}

/// Fits a GARCH(1,1) (see the module doc) to returns `y` (e.g. percent returns).
pub fn fit_garch(y: &[f64], spec: GarchSpec) -> Result<GarchFit> {
    fit_garch_with(y, spec, GarchFitOptions::default())
}

/// [`fit_garch`] with options (e.g. without the standard errors).
pub fn fit_garch_with(y: &[f64], spec: GarchSpec, options: GarchFitOptions) -> Result<GarchFit> {
    let what = "GARCH(1,1) fit";
    if y.len() < 100 {
        return Err(StatsError::TooFewObservations { needed: 100, got: y.len() });
    }
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(StatsError::Invalid(format!("{what}: non-finite return at index {i}")));
    }
    let pb = Problem::new(y, spec);
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    if var <= 0.0 {
        return Err(StatsError::Invalid(format!("{what}: the returns have zero variance")));
    }
    // grid of starting values (as arch): persistence × α (× γ)
    let nu0 = 8.0;
    let mut best: Option<(f64, Vec<f64>)> = None;
    let gammas: &[f64] = if spec.gjr { &[0.01, 0.05, 0.1, 0.2] } else { &[0.0] };
    for &p in &[0.5, 0.7, 0.9, 0.98] {
        for &a in &[0.01, 0.05, 0.1, 0.2] {
            for &g in gammas {
                let b = p - a - 0.5 * g;
                if b <= 0.0 {
                    continue;
                }
                let th = pb.theta(mean, var * (1.0 - p), a, g, b, nu0);
                let (ll, _) = pb.eval(&th, false, None, None);
                if ll.is_finite() && best.as_ref().is_none_or(|(b, _)| ll > *b) {
                    best = Some((ll, th));
                }
            }
        }
    }
    let (_, th0) =
        best.ok_or_else(|| StatsError::NoConvergence(format!("{what}: no starting value has a finite likelihood")))?;
    let u0 = pb.unconstrained(&th0);
    let k = pb.k();
    let objective = |u: &[f64]| -> (f64, Vec<f64>) {
        let (th, jac) = pb.constrained(u);
        let (ll, g) = pb.eval(&th, true, None, None);
        if !ll.is_finite() {
            return (f64::NAN, vec![f64::NAN; k]);
        }
        // minimise −ℓ/T; chain rule through the reparameterisation
        let gu: Vec<f64> = (0..k).map(|j| -(0..k).map(|i| g[i] * jac[i * k + j]).sum::<f64>() / n).collect();
        (-ll / n, gu)
    };
    let opts = BfgsOptions { grad_tol: 1e-9, f_tol: 1e-16, max_iter: 1000 };
    let m = bfgs(objective, &u0, &opts).map_err(|e| e.context(what))?;
    let (th, _) = pb.constrained(&m.x);
    let mut sig2 = Vec::new();
    let mut scores = Vec::new();
    let (ll, _) = pb.eval(&th, true, Some(&mut scores), Some(&mut sig2));
    if !ll.is_finite() {
        return Err(StatsError::NoConvergence(format!("{what}: non-finite log-likelihood at the optimum")));
    }
    let std_errors = if options.std_errors {
        robust_std_errors(&pb, &th, &scores).unwrap_or_else(|| vec![f64::NAN; k])
    } else {
        Vec::new()
    };
    let (mu, omega, alpha, gamma, beta, nu) = pb.unpack(&th);
    let persistence = alpha + 0.5 * gamma + beta;
    let integrated = persistence >= 1.0 - INTEGRATED_TOL;
    let mut warnings = Vec::new();
    if integrated {
        warnings.push(format!(
            "integrated GARCH: the likelihood is maximised on the stationarity bound (persistence α+γ/2+β = \
             {persistence:.6}); volatility shocks never decay, the unconditional variance does not exist, and the \
             standard errors of α and β are not valid on the boundary"
        ));
    }
    let vol: Vec<f64> = sig2.iter().map(|s| s.sqrt()).collect();
    let std_resid = y.iter().zip(&vol).map(|(r, s)| (r - mu) / s).collect();
    Ok(GarchFit {
        spec,
        param_names: pb.names(),
        params: th.clone(),
        std_errors,
        loglik: ll,
        nobs: y.len(),
        mu,
        omega,
        alpha,
        gamma: spec.gjr.then_some(gamma),
        beta,
        nu: (spec.dist == Innovation::StudentT).then_some(nu),
        persistence,
        conditional_volatility: vol,
        std_resid,
        iterations: m.iterations,
        integrated,
        warnings,
    })
}

/// Robust sandwich covariance as `arch` (`compute_param_cov(robust=True)`):
/// H = ∇²ℓ/T, C = cov(s_t) (demeaned, T−1), V = H⁻¹ C H⁻¹ / T.
fn robust_std_errors(pb: &Problem, th: &[f64], scores: &[f64]) -> Option<Vec<f64>> {
    let k = th.len();
    let t = pb.y.len();
    let h = hessian_from_gradient(|x| pb.eval(x, true, None, None).1, th);
    let hm = nalgebra::DMatrix::from_row_slice(k, k, &h) / t as f64;
    let hinv = hm.try_inverse()?;
    let mut mean = vec![0.0; k];
    for r in 0..t {
        for j in 0..k {
            mean[j] += scores[r * k + j] / t as f64;
        }
    }
    let mut c = nalgebra::DMatrix::zeros(k, k);
    for r in 0..t {
        for i in 0..k {
            let a = scores[r * k + i] - mean[i];
            for j in 0..k {
                c[(i, j)] += a * (scores[r * k + j] - mean[j]);
            }
        }
    }
    c /= (t - 1) as f64;
    let v = &hinv * c * &hinv / t as f64;
    Some((0..k).map(|i| v[(i, i)].max(0.0).sqrt()).collect())
}

/// Log-likelihood of given parameters (same conventions as [`fit_garch`]),
/// for comparing fits: `params` in the order of [`GarchFit::param_names`].
pub fn garch_loglik(y: &[f64], spec: GarchSpec, params: &[f64]) -> Result<f64> {
    let pb = Problem::new(y, spec);
    if params.len() != pb.k() {
        return Err(StatsError::Invalid(format!("expected {} parameters, got {}", pb.k(), params.len())));
    }
    Ok(pb.eval(params, false, None, None).0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::numerical_gradient;
    use rand::Rng;
    use rand_distr::StandardNormal;

    fn simulate(n: usize, omega: f64, alpha: f64, beta: f64, seed: u64) -> Vec<f64> {
        let mut rng = crate::rng::seeded(seed);
        let mut s2 = omega / (1.0 - alpha - beta);
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            let z: f64 = rng.sample(StandardNormal);
            let e = s2.sqrt() * z;
            out.push(0.05 + e);
            s2 = omega + alpha * e * e + beta * s2;
        }
        out
    }

    #[test]
    fn analytic_gradient_matches_finite_differences() {
        let y = simulate(2000, 0.05, 0.08, 0.9, 1);
        for spec in [
            GarchSpec { dist: Innovation::Normal, gjr: false },
            GarchSpec { dist: Innovation::StudentT, gjr: false },
            GarchSpec { dist: Innovation::StudentT, gjr: true },
        ] {
            let pb = Problem::new(&y, spec);
            let th = pb.theta(0.04, 0.06, 0.07, 0.03, 0.88, 7.0);
            let (_, g) = pb.eval(&th, true, None, None);
            let gn = numerical_gradient(|x| pb.eval(x, false, None, None).0, &th);
            for (a, b) in g.iter().zip(&gn) {
                assert!((a - b).abs() < 1e-4 * (1.0 + b.abs()), "{spec:?}: {g:?} vs {gn:?}");
            }
            // the reparameterisation round-trips
            let (th2, _) = pb.constrained(&pb.unconstrained(&th));
            for (a, b) in th.iter().zip(&th2) {
                assert!((a - b).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn normal_fast_path_equals_the_general_recursion() {
        let y = simulate(3000, 0.05, 0.08, 0.9, 7);
        let pb = Problem::new(&y, GarchSpec::default());
        for th in [[0.04, 0.06, 0.07, 0.88], [0.0, 1e-4, 0.3, 0.69], [0.1, 5.0, 0.0, 0.0]] {
            let (ll, g) = pb.eval(&th, true, None, None);
            // the general loop runs when the scores are asked for
            let mut sc = Vec::new();
            let (ll2, g2) = pb.eval(&th, true, Some(&mut sc), None);
            assert!((ll - ll2).abs() < 1e-12 * ll2.abs(), "{ll} vs {ll2}");
            for (a, b) in g.iter().zip(&g2) {
                assert!((a - b).abs() < 1e-10 * (1.0 + b.abs()), "{g:?} vs {g2:?}");
            }
            assert_eq!(pb.eval(&th, false, None, None).0.to_bits(), ll.to_bits());
        }
    }

    #[test]
    fn recovers_simulated_parameters() {
        let y = simulate(20_000, 0.05, 0.08, 0.9, 3);
        let f = fit_garch(&y, GarchSpec::default()).unwrap();
        assert!((f.alpha - 0.08).abs() < 0.015, "{f:?}");
        assert!((f.beta - 0.9).abs() < 0.02);
        assert!((f.mu - 0.05).abs() < 0.03);
        assert!(f.std_errors.iter().all(|s| s.is_finite() && *s > 0.0));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(fit_garch(&[0.1; 10], GarchSpec::default()), Err(StatsError::TooFewObservations { .. })));
        assert!(fit_garch(&[0.0; 500], GarchSpec::default()).is_err());
        let mut y = simulate(500, 0.05, 0.08, 0.9, 4);
        y[7] = f64::NAN;
        assert!(matches!(fit_garch(&y, GarchSpec::default()), Err(StatsError::Invalid(_))));
    }
}
