//! Estimation: EM (an expectation/conditional-maximisation variant of Hamilton
//! 1990, "Analysis of time series subject to changes in regime", J. Econometrics
//! 45) from several starts, then quasi-Newton (BFGS) polishing of the exact
//! log-likelihood in an unconstrained parameterisation; standard errors from the
//! inverse of the numerical Hessian of the log-likelihood in the constrained
//! parameters (statsmodels' `cov_type="approx"`).

use super::model::{valid, MarkovSwitching, Structured};
use super::MarkovError;
use fissure_stats::optim::{bfgs, BfgsOptions};
use rand_distr::{Distribution, Normal, Uniform};
use serde::Serialize;

/// Settings of [`MarkovSwitching::fit`].
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Random starts besides the deterministic one.
    pub random_starts: usize,
    /// EM iterations run from every start before choosing the best one.
    pub search_em_iter: usize,
    /// EM iterations on the chosen start before BFGS (stops earlier when the
    /// log-likelihood gains less than `em_tol`).
    pub em_iter: usize,
    pub em_tol: f64,
    /// Seed of the random starts.
    pub seed: u64,
    /// Compute standard errors (numerical Hessian).
    pub std_errors: bool,
    /// Explicit starting parameters (flat, constrained) tried in addition.
    pub start: Option<Vec<f64>>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            random_starts: 3,
            search_em_iter: 3,
            em_iter: 3,
            em_tol: 1e-6,
            seed: 20_240_805,
            std_errors: true,
            start: None,
        }
    }
}

/// A fitted Markov-switching model.
#[derive(Debug, Clone, Serialize)]
pub struct MsFit {
    pub param_names: Vec<String>,
    /// Flat constrained parameters in statsmodels' order.
    pub params: Vec<f64>,
    /// Standard errors (NaN where the Hessian is not negative definite).
    pub std_errors: Vec<f64>,
    pub loglik: f64,
    /// Log-likelihood after the EM stage (before BFGS).
    pub em_loglik: f64,
    pub aic: f64,
    pub bic: f64,
    /// `transition[i][j] = Pr(S_t = i | S_{t−1} = j)`.
    pub transition: Vec<Vec<f64>>,
    /// 1 / (1 − p_ii).
    pub expected_durations: Vec<f64>,
    /// nobs rows of k probabilities `Pr(S_t = s | Y_t)`.
    pub filtered: Vec<Vec<f64>>,
    /// nobs rows of k probabilities `Pr(S_t = s | Y_T)`.
    pub smoothed: Vec<Vec<f64>>,
    /// BFGS met its gradient tolerance.
    pub converged: bool,
    pub starts: usize,
}

impl MarkovSwitching {
    /// Maximum-likelihood fit: EM from `1 + random_starts` starts
    /// (`search_em_iter` iterations each), EM on the best to `em_tol`, BFGS
    /// polishing, then regimes relabelled in canonical order (ascending variance
    /// when the variance switches, else ascending first switching coefficient).
    pub fn fit(&self, opts: &FitOptions) -> Result<MsFit, MarkovError> {
        let mut starts = vec![self.default_start()?];
        if let Some(s) = &opts.start {
            let st = self.structure(s)?;
            if valid(&st) {
                starts.push(st);
            }
        }
        for r in 0..opts.random_starts {
            starts.push(self.random_start(&starts[0], opts.seed, r as u64));
        }
        let n_starts = starts.len();
        // short EM from every start
        let searched: Vec<(Structured, f64)> =
            starts.into_iter().filter_map(|st| self.em(st, opts.search_em_iter, 0.0).ok()).collect();
        let best = searched
            .into_iter()
            .filter(|(_, ll)| ll.is_finite())
            .fold(None::<(Structured, f64)>, |acc, c| match acc {
                Some(a) if a.1 >= c.1 => Some(a),
                _ => Some(c),
            })
            .ok_or_else(|| MarkovError::Numerical("EM failed from every start".into()))?;
        let (st, em_ll) = self.em(best.0, opts.em_iter, opts.em_tol)?;
        let (flat, ll, converged) = self.polish(&self.flatten(&st), em_ll)?;
        self.finish(flat, ll, em_ll, converged, opts.std_errors, n_starts)
    }

    /// BFGS on the unconstrained parameters, objective −ℓ/nobs with the
    /// analytic gradient (Fisher's identity, [`MarkovSwitching::score`]). Returns the better of the start and the optimum.
    pub(crate) fn polish(&self, flat0: &[f64], ll0: f64) -> Result<(Vec<f64>, f64, bool), MarkovError> {
        let nobs = self.nobs() as f64;
        // analytic score (Fisher's identity, one filter + smoother pass) by the chain rule
        let fg = |u: &[f64]| -> (f64, Vec<f64>) {
            let flat = self.transform(u);
            match self.score(&flat) {
                Ok((ll, g)) if ll.is_finite() => {
                    let gu = self.unconstrained_gradient(u, &g);
                    (-ll / nobs, gu.iter().map(|v| -v / nobs).collect())
                }
                _ => (f64::INFINITY, vec![f64::NAN; u.len()]),
            }
        };
        let u0 = self.untransform(flat0);
        let bo = BfgsOptions { grad_tol: 1e-7, f_tol: 1e-13, max_iter: 400 };
        match bfgs(fg, &u0, &bo) {
            Ok(m) => {
                let flat = self.transform(&m.x);
                let ll = self.loglike(&flat);
                if ll >= ll0 {
                    Ok((flat, ll, true))
                } else {
                    Ok((flat0.to_vec(), ll0, false))
                }
            }
            Err(_) => Ok((flat0.to_vec(), ll0, false)),
        }
    }

    fn finish(
        &self,
        flat: Vec<f64>,
        ll: f64,
        em_ll: f64,
        converged: bool,
        want_se: bool,
        starts: usize,
    ) -> Result<MsFit, MarkovError> {
        let st = self.canonical(&self.structure(&flat)?);
        let flat = self.flatten(&st);
        let sm = self.smooth_structured(&st)?;
        let k = self.spec.k;
        let std_errors = if want_se { self.std_errors(&flat) } else { vec![f64::NAN; flat.len()] };
        let n = self.nobs() as f64;
        let kp = flat.len() as f64;
        Ok(MsFit {
            param_names: self.param_names(),
            std_errors,
            loglik: ll,
            em_loglik: em_ll,
            aic: -2.0 * ll + 2.0 * kp,
            bic: -2.0 * ll + kp * n.ln(),
            transition: (0..k).map(|i| st.p[i * k..(i + 1) * k].to_vec()).collect(),
            expected_durations: (0..k).map(|i| 1.0 / (1.0 - st.p[i * k + i])).collect(),
            filtered: sm.filter.filtered.chunks(k).map(|c| c.to_vec()).collect(),
            smoothed: sm.smoothed.chunks(k).map(|c| c.to_vec()).collect(),
            converged,
            starts,
            params: flat,
        })
    }

    /// Standard errors: sqrt of the diagonal of −H⁻¹, H the Hessian of ℓ in the
    /// constrained parameters by central differences of the analytic score.
    pub fn std_errors(&self, flat: &[f64]) -> Vec<f64> {
        let n = flat.len();
        let k = self.spec.k;
        let var = self.variance_indices();
        // steps stay inside the domain: probabilities in (0, 1), variances > 0
        let h: Vec<f64> = flat
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let h = 1e-5 * v.abs().max(1e-1);
                if i < k * (k - 1) {
                    h.min(0.5 * v).min(0.5 * (1.0 - v))
                } else if var.contains(&i) {
                    h.min(0.5 * v)
                } else {
                    h
                }
            })
            .collect();
        // columns by central differences of the analytic score
        let cols: Vec<Option<Vec<f64>>> = (0..n)
            .map(|j| {
                let mut x = flat.to_vec();
                x[j] = flat[j] + h[j];
                let gp = self.score(&x).ok()?.1;
                x[j] = flat[j] - h[j];
                let gm = self.score(&x).ok()?.1;
                Some(gp.iter().zip(&gm).map(|(a, b)| (a - b) / (2.0 * h[j])).collect())
            })
            .collect();
        let mut hess = nalgebra::DMatrix::<f64>::zeros(n, n);
        for (j, c) in cols.iter().enumerate() {
            let Some(c) = c else { return vec![f64::NAN; n] };
            for i in 0..n {
                hess[(i, j)] = c[i];
            }
        }
        let hess = 0.5 * (&hess + hess.transpose());
        match (-hess).try_inverse() {
            Some(cov) => (0..n).map(|i| if cov[(i, i)] > 0.0 { cov[(i, i)].sqrt() } else { f64::NAN }).collect(),
            None => vec![f64::NAN; n],
        }
    }

    /// Regimes relabelled: ascending variance if it switches, else ascending
    /// first switching regression coefficient, else ascending first AR coefficient.
    pub fn canonical(&self, st: &Structured) -> Structured {
        let k = self.spec.k;
        let key: Vec<f64> = if self.spec.switching_variance {
            st.sigma2.clone()
        } else if let Some(c) = self.spec.switching_exog.iter().position(|&s| s) {
            (0..k).map(|s| st.beta[s * self.m + c]).collect()
        } else if self.spec.switching_ar && self.spec.order > 0 {
            (0..k).map(|s| st.ar[s * self.spec.order]).collect()
        } else {
            (0..k).map(|s| s as f64).collect()
        };
        let mut perm: Vec<usize> = (0..k).collect();
        perm.sort_by(|a, b| key[*a].total_cmp(&key[*b]));
        let (m, p) = (self.m, self.spec.order);
        let mut out = st.clone();
        for (new, &old) in perm.iter().enumerate() {
            for (new2, &old2) in perm.iter().enumerate() {
                out.p[new * k + new2] = st.p[old * k + old2];
            }
            out.beta[new * m..(new + 1) * m].copy_from_slice(&st.beta[old * m..(old + 1) * m]);
            out.sigma2[new] = st.sigma2[old];
            out.ar[new * p..(new + 1) * p].copy_from_slice(&st.ar[old * p..(old + 1) * p]);
        }
        out
    }

    /// Deterministic start: OLS of y on x, AR(p) of its residuals; the switching
    /// coefficients spread by ±σ/2 around OLS, variances spread, persistence 0.9.
    pub(crate) fn default_start(&self) -> Result<Structured, MarkovError> {
        let (k, m, p) = (self.spec.k, self.m, self.spec.order);
        let t_all = self.y.len();
        let xm = nalgebra::DMatrix::from_row_slice(t_all, m, &self.x);
        let yv = nalgebra::DVector::from_column_slice(&self.y);
        let o = fissure_stats::linalg::ols(&xm, &yv).map_err(|e| MarkovError::Numerical(format!("OLS start: {e}")))?;
        let u = o.residuals;
        let mut phi = vec![0.0; p];
        let mut s2 = o.sigma2;
        if p > 0 {
            let n = t_all - p;
            let lx = nalgebra::DMatrix::from_fn(n, p, |r, c| u[r + p - 1 - c]);
            let ly = nalgebra::DVector::from_fn(n, |r, _| u[r + p]);
            if let Ok(a) = fissure_stats::linalg::ols(&lx, &ly) {
                phi = a.beta;
                s2 = a.sigma2;
            }
        }
        let sd = s2.sqrt();
        let mut beta = vec![0.0; k * m];
        for s in 0..k {
            for c in 0..m {
                let spread =
                    if self.spec.switching_exog[c] && c == 0 { (s as f64 - (k as f64 - 1.0) / 2.0) * sd } else { 0.0 };
                beta[s * m + c] = o.beta[c] + spread;
            }
        }
        let sigma2 = (0..k)
            .map(|s| if self.spec.switching_variance { s2 * (0.5 + 1.5 * s as f64 / (k as f64 - 1.0)) } else { s2 })
            .collect();
        let mut pm = vec![0.1 / (k as f64 - 1.0); k * k];
        (0..k).for_each(|i| pm[i * k + i] = 0.9);
        let ar = (0..k).flat_map(|_| phi.iter().copied()).collect();
        Ok(Structured { p: pm, beta, sigma2, ar })
    }

    /// A seeded random perturbation of the deterministic start.
    pub(crate) fn random_start(&self, base: &Structured, seed: u64, r: u64) -> Structured {
        let mut rng = fissure_stats::rng::stream(seed, r);
        let (k, m, p) = (self.spec.k, self.m, self.spec.order);
        let sd = base.sigma2.iter().sum::<f64>() / k as f64;
        let sd = sd.sqrt();
        let nrm = Normal::new(0.0, 1.0).expect("unit normal");
        let diag = Uniform::new(0.5, 0.98);
        let mut st = base.clone();
        for j in 0..k {
            let d = diag.sample(&mut rng);
            for i in 0..k {
                st.p[i * k + j] = if i == j { d } else { (1.0 - d) / (k as f64 - 1.0) };
            }
        }
        for s in 0..k {
            for c in 0..m {
                if self.spec.switching_exog[c] {
                    st.beta[s * m + c] = base.beta[c] + nrm.sample(&mut rng) * sd;
                }
            }
        }
        if self.spec.switching_variance {
            let base_v = base.sigma2.iter().sum::<f64>() / k as f64;
            for s in 0..k {
                st.sigma2[s] = base_v * (0.5 * nrm.sample(&mut rng)).exp();
            }
        }
        if self.spec.switching_ar {
            for v in st.ar.iter_mut().take(k * p) {
                *v += 0.1 * nrm.sample(&mut rng);
            }
        }
        st
    }

    /// EM / ECM iterations: E-step by the Kim smoother; M-step closed-form for the
    /// transition matrix, conditional weighted least squares for the regression
    /// block given the AR block and vice versa (each linear in its block), then the
    /// variances. Returns the parameters and the log-likelihood at them.
    pub fn em(&self, mut st: Structured, max_iter: usize, tol: f64) -> Result<(Structured, f64), MarkovError> {
        let mut ll_prev = f64::NEG_INFINITY;
        for it in 0..=max_iter {
            let sm = self.smooth_structured(&st)?;
            let ll = sm.filter.loglik;
            if it == max_iter || (it > 0 && (ll - ll_prev).abs() < tol) {
                return Ok((st, ll));
            }
            ll_prev = ll;
            st = self.em_step(&st, &sm)?;
        }
        unreachable!("the loop returns at it == max_iter")
    }

    fn em_step(&self, st: &Structured, sm: &super::model::SmoothOutput) -> Result<Structured, MarkovError> {
        let (k, p) = (self.spec.k, self.spec.order);
        let nst = self.n_states();
        let kp = k.pow(p as u32);
        let nobs = self.nobs();
        let f = &sm.filter;
        let pm: Vec<f64> = st.p.iter().map(|v| v.max(1e-20)).collect();
        // transition: expected transition counts ξ(i, j)
        let mut xi = vec![0.0; k * k];
        for tt in 1..nobs {
            for xo in 0..nst {
                let fo = f.filtered_joint[(tt - 1) * nst + xo];
                if fo == 0.0 {
                    continue;
                }
                let j = xo / kp;
                let a = xo / k;
                for i in 0..k {
                    let xn = i * kp + a;
                    let pr = f.predicted_joint[tt * nst + xn];
                    if pr > 0.0 {
                        xi[i * k + j] += sm.smoothed_joint[tt * nst + xn] * pm[i * k + j] * fo / pr;
                    }
                }
            }
        }
        let mut new = st.clone();
        for j in 0..k {
            let tot: f64 = (0..k).map(|i| xi[i * k + j]).sum();
            if tot > 0.0 {
                for i in 0..k {
                    new.p[i * k + j] = (xi[i * k + j] / tot).clamp(1e-8, 1.0 - 1e-8);
                }
                let s: f64 = (0..k).map(|i| new.p[i * k + j]).sum();
                (0..k).for_each(|i| new.p[i * k + j] /= s);
            }
        }
        let w = &sm.smoothed_joint;
        // regression block, then AR block
        let mut flat = self.flatten(&new);
        for block in [self.exog_indices(), self.ar_indices()] {
            if block.is_empty() {
                continue;
            }
            self.cm_block(&mut flat, block, w, &new.sigma2)?;
        }
        // variances
        let mut st2 = self.structure(&flat)?;
        let e = self.residuals(&st2);
        let mut num = vec![0.0; k];
        let mut den = vec![0.0; k];
        for tt in 0..nobs {
            for x in 0..nst {
                let d0 = x / kp;
                let wx = w[tt * nst + x];
                num[d0] += wx * e[tt * nst + x] * e[tt * nst + x];
                den[d0] += wx;
            }
        }
        if self.spec.switching_variance {
            for s in 0..k {
                if den[s] > 1e-8 {
                    st2.sigma2[s] = (num[s] / den[s]).max(1e-10);
                }
            }
        } else {
            let v = (num.iter().sum::<f64>() / den.iter().sum::<f64>()).max(1e-10);
            st2.sigma2.iter_mut().for_each(|s| *s = v);
        }
        Ok(st2)
    }

    /// Conditional M-step for a block of parameters in which every residual is
    /// affine: minimises Σ_t Σ_X w_tX e_tX(θ)² / σ²_{S_t} by weighted least squares.
    fn cm_block(
        &self,
        flat: &mut [f64],
        block: std::ops::Range<usize>,
        w: &[f64],
        sigma2: &[f64],
    ) -> Result<(), MarkovError> {
        let nb = block.len();
        let k = self.spec.k;
        let kp = k.pow(self.spec.order as u32);
        let nst = self.n_states();
        let mut base = flat.to_vec();
        for i in block.clone() {
            base[i] = 0.0;
        }
        let e0 = self.residuals(&self.structure(&base)?);
        let mut jac = Vec::with_capacity(nb);
        for i in block.clone() {
            let mut u = base.clone();
            u[i] = 1.0;
            let ej = self.residuals(&self.structure(&u)?);
            jac.push(e0.iter().zip(&ej).map(|(a, b)| a - b).collect::<Vec<f64>>());
        }
        let mut a = nalgebra::DMatrix::<f64>::zeros(nb, nb);
        let mut b = nalgebra::DVector::<f64>::zeros(nb);
        for (idx, wv) in w.iter().enumerate() {
            if *wv == 0.0 {
                continue;
            }
            let d0 = (idx % nst) / kp;
            let ww = wv / sigma2[d0];
            for r in 0..nb {
                let jr = jac[r][idx];
                b[r] += ww * jr * e0[idx];
                for c in r..nb {
                    a[(r, c)] += ww * jr * jac[c][idx];
                }
            }
        }
        for r in 0..nb {
            for c in 0..r {
                a[(r, c)] = a[(c, r)];
            }
        }
        if let Some(sol) = fissure_stats::linalg::cholesky_checked(a).map(|ch| ch.solve(&b)) {
            for (j, i) in block.enumerate() {
                if sol[j].is_finite() {
                    flat[i] = sol[j];
                }
            }
        }
        Ok(())
    }
}
