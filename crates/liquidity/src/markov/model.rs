//! Model definition, parameter layout and the Hamilton filter / Kim smoother.
//!
//! Model (Hamilton 1989, eq. 4.3; statsmodels' `MarkovRegression` for p = 0 and
//! `MarkovAutoregression` for p > 0):
//!
//! `y_t − x_t'β_{S_t} = Σ_{i=1..p} φ_{i,S_t} (y_{t−i} − x_{t−i}'β_{S_{t−i}}) + ε_t`, `ε_t ~ N(0, σ²_{S_t})`,
//!
//! where `S_t ∈ {0..k−1}` is a first-order Markov chain with `P[i][j] = Pr(S_t = i | S_{t−1} = j)`.
//! The likelihood conditions on the first `p` observations (as statsmodels does); the
//! regime chain is started from its ergodic (steady-state) distribution `p+1` periods
//! before the first modelled observation.

use super::MarkovError;

/// Which parts of the model switch with the regime.
#[derive(Debug, Clone, PartialEq)]
pub struct MsSpec {
    /// Number of regimes k ≥ 2.
    pub k: usize,
    /// Autoregressive order p (0 = switching regression).
    pub order: usize,
    /// For each exogenous column: does its coefficient switch?
    pub switching_exog: Vec<bool>,
    /// Do the AR coefficients switch?
    pub switching_ar: bool,
    /// Does the innovation variance switch?
    pub switching_variance: bool,
}

impl MsSpec {
    /// A switching intercept (the usual "switching mean" model), optional AR(p) with fixed coefficients.
    pub fn switching_mean(k: usize, order: usize, switching_variance: bool) -> Self {
        MsSpec::switching_intercept(k, order, false, switching_variance)
    }

    /// A switching intercept, AR(p) whose coefficients switch or not, variance that switches or not
    /// (the options of `fissure regime markov`).
    pub fn switching_intercept(k: usize, order: usize, switching_ar: bool, switching_variance: bool) -> Self {
        MsSpec { k, order, switching_exog: vec![true], switching_ar, switching_variance }
    }
}

/// Parameters in structured form.
#[derive(Debug, Clone, PartialEq)]
pub struct Structured {
    /// k×k row-major, `p[i*k + j] = Pr(S_t = i | S_{t−1} = j)` (columns sum to one).
    pub p: Vec<f64>,
    /// k×m row-major regression coefficients per regime (`beta[s*m + c]`).
    pub beta: Vec<f64>,
    /// Innovation variance per regime (all equal if not switching).
    pub sigma2: Vec<f64>,
    /// k×p row-major AR coefficients per regime (`ar[s*p + l]` for lag l+1).
    pub ar: Vec<f64>,
}

/// A Markov-switching model on data.
#[derive(Debug, Clone)]
pub struct MarkovSwitching {
    pub spec: MsSpec,
    /// Full dependent series (length T); the first `order` values are conditioned on.
    pub y: Vec<f64>,
    /// Row-major T×m exogenous regressors (a constant column by default).
    pub x: Vec<f64>,
    pub m: usize,
    pub exog_names: Vec<String>,
}

/// Output of the Hamilton filter (and, if requested, the Kim smoother).
#[derive(Debug, Clone)]
pub struct FilterOutput {
    pub loglik: f64,
    /// Per-observation log-likelihood contributions (length nobs).
    pub loglik_obs: Vec<f64>,
    /// nobs × M, `Pr(S_t..S_{t−p} | Y_{t−1})`, M = k^{p+1}, current regime the most significant digit.
    pub predicted_joint: Vec<f64>,
    /// nobs × M, `Pr(S_t..S_{t−p} | Y_t)`.
    pub filtered_joint: Vec<f64>,
    /// nobs × k, `Pr(S_t = s | Y_t)`.
    pub filtered: Vec<f64>,
}

/// Kim (1994) smoother output.
#[derive(Debug, Clone)]
pub struct SmoothOutput {
    pub filter: FilterOutput,
    /// nobs × M, `Pr(S_t..S_{t−p} | Y_T)`.
    pub smoothed_joint: Vec<f64>,
    /// nobs × k, `Pr(S_t = s | Y_T)`.
    pub smoothed: Vec<f64>,
}

impl MarkovSwitching {
    /// A model of `y` with a constant as the only regressor (switching or not
    /// according to `spec.switching_exog[0]`).
    pub fn with_constant(y: &[f64], spec: MsSpec) -> Result<Self, MarkovError> {
        let t = y.len();
        Self::new(y, vec![1.0; t], vec!["const".into()], spec)
    }

    /// A model of `y` on row-major T×m regressors `x` named `exog_names`.
    pub fn new(y: &[f64], x: Vec<f64>, exog_names: Vec<String>, spec: MsSpec) -> Result<Self, MarkovError> {
        let m = exog_names.len();
        if spec.k < 2 {
            return Err(MarkovError::Spec(format!("need k >= 2 regimes, got {}", spec.k)));
        }
        if spec.switching_exog.len() != m {
            return Err(MarkovError::Spec(format!(
                "switching_exog has {} flags for {m} regressors",
                spec.switching_exog.len()
            )));
        }
        if x.len() != y.len() * m {
            return Err(MarkovError::Spec(format!("x has {} values, expected {}×{m}", x.len(), y.len())));
        }
        let states = spec.k.checked_pow(spec.order as u32 + 1).unwrap_or(usize::MAX);
        if states > 4096 {
            return Err(MarkovError::Spec(format!("k^(p+1) = {states} joint states is too many")));
        }
        let k_params = k_params_of(&spec);
        let nobs = y.len().saturating_sub(spec.order);
        if nobs < 2 * k_params + 2 {
            return Err(MarkovError::TooShort { needed: 2 * k_params + 2 + spec.order, got: y.len() });
        }
        if let Some(i) = y.iter().chain(x.iter()).position(|v| !v.is_finite()) {
            return Err(MarkovError::Data(format!("non-finite value at position {i}")));
        }
        if fissure_stats::tol::is_constant(y) {
            return Err(MarkovError::Data(
                "the modelled series does not move (constant at its precision): no regime variance can be estimated"
                    .into(),
            ));
        }
        Ok(MarkovSwitching { spec, y: y.to_vec(), x, m, exog_names })
    }

    /// Number of modelled observations (T − p).
    pub fn nobs(&self) -> usize {
        self.y.len() - self.spec.order
    }
    pub fn k(&self) -> usize {
        self.spec.k
    }
    /// Number of joint states k^{p+1}.
    pub fn n_states(&self) -> usize {
        self.spec.k.pow(self.spec.order as u32 + 1)
    }
    pub fn k_params(&self) -> usize {
        k_params_of(&self.spec)
    }

    /// Parameter names in statsmodels' order: `p[j->i]` (i < k−1, j < k), then the
    /// regression coefficients (`const[s]` or `const`), `sigma2[s]` or `sigma2`,
    /// then `ar.L{l}[s]` or `ar.L{l}`.
    pub fn param_names(&self) -> Vec<String> {
        let k = self.spec.k;
        let mut v = Vec::new();
        for i in 0..k - 1 {
            for j in 0..k {
                v.push(format!("p[{j}->{i}]"));
            }
        }
        for (c, name) in self.exog_names.iter().enumerate() {
            if self.spec.switching_exog[c] {
                (0..k).for_each(|s| v.push(format!("{name}[{s}]")));
            } else {
                v.push(name.clone());
            }
        }
        if self.spec.switching_variance {
            (0..k).for_each(|s| v.push(format!("sigma2[{s}]")));
        } else {
            v.push("sigma2".into());
        }
        for l in 1..=self.spec.order {
            if self.spec.switching_ar {
                (0..k).for_each(|s| v.push(format!("ar.L{l}[{s}]")));
            } else {
                v.push(format!("ar.L{l}"));
            }
        }
        v
    }

    /// Structured parameters from the flat (statsmodels-ordered, constrained) vector.
    pub fn structure(&self, flat: &[f64]) -> Result<Structured, MarkovError> {
        let (k, m, p) = (self.spec.k, self.m, self.spec.order);
        if flat.len() != self.k_params() {
            return Err(MarkovError::Spec(format!("expected {} parameters, got {}", self.k_params(), flat.len())));
        }
        let mut pm = vec![0.0; k * k];
        let mut idx = 0;
        for i in 0..k - 1 {
            for j in 0..k {
                pm[i * k + j] = flat[idx];
                idx += 1;
            }
        }
        for j in 0..k {
            let s: f64 = (0..k - 1).map(|i| pm[i * k + j]).sum();
            pm[(k - 1) * k + j] = 1.0 - s;
        }
        let mut beta = vec![0.0; k * m];
        for c in 0..m {
            if self.spec.switching_exog[c] {
                for s in 0..k {
                    beta[s * m + c] = flat[idx];
                    idx += 1;
                }
            } else {
                for s in 0..k {
                    beta[s * m + c] = flat[idx];
                }
                idx += 1;
            }
        }
        let sigma2 = if self.spec.switching_variance {
            let v = flat[idx..idx + k].to_vec();
            idx += k;
            v
        } else {
            idx += 1;
            vec![flat[idx - 1]; k]
        };
        let mut ar = vec![0.0; k * p];
        for l in 0..p {
            if self.spec.switching_ar {
                for s in 0..k {
                    ar[s * p + l] = flat[idx];
                    idx += 1;
                }
            } else {
                for s in 0..k {
                    ar[s * p + l] = flat[idx];
                }
                idx += 1;
            }
        }
        Ok(Structured { p: pm, beta, sigma2, ar })
    }

    /// Flat (statsmodels-ordered) vector from structured parameters.
    pub fn flatten(&self, st: &Structured) -> Vec<f64> {
        let (k, m, p) = (self.spec.k, self.m, self.spec.order);
        let mut v = Vec::with_capacity(self.k_params());
        for i in 0..k - 1 {
            for j in 0..k {
                v.push(st.p[i * k + j]);
            }
        }
        for c in 0..m {
            if self.spec.switching_exog[c] {
                (0..k).for_each(|s| v.push(st.beta[s * m + c]));
            } else {
                v.push(st.beta[c]);
            }
        }
        if self.spec.switching_variance {
            v.extend_from_slice(&st.sigma2);
        } else {
            v.push(st.sigma2[0]);
        }
        for l in 0..p {
            if self.spec.switching_ar {
                (0..k).for_each(|s| v.push(st.ar[s * p + l]));
            } else {
                v.push(st.ar[l]);
            }
        }
        v
    }

    /// Unconstrained vector (multinomial logit of each transition column, log variance).
    pub fn untransform(&self, flat: &[f64]) -> Vec<f64> {
        let k = self.spec.k;
        let mut u = flat.to_vec();
        for j in 0..k {
            let last = 1.0 - (0..k - 1).map(|i| flat[i * k + j]).sum::<f64>();
            let last = last.max(1e-300);
            for i in 0..k - 1 {
                u[i * k + j] = (flat[i * k + j].max(1e-300) / last).ln();
            }
        }
        for i in self.variance_indices() {
            u[i] = flat[i].max(1e-300).ln();
        }
        u
    }

    /// Constrained vector from the unconstrained one.
    pub fn transform(&self, u: &[f64]) -> Vec<f64> {
        let k = self.spec.k;
        let mut flat = u.to_vec();
        for j in 0..k {
            let mx = (0..k - 1).map(|i| u[i * k + j]).fold(0.0f64, f64::max);
            let denom = (-mx).exp() + (0..k - 1).map(|i| (u[i * k + j] - mx).exp()).sum::<f64>();
            for i in 0..k - 1 {
                flat[i * k + j] = (u[i * k + j] - mx).exp() / denom;
            }
        }
        for i in self.variance_indices() {
            flat[i] = u[i].exp();
        }
        flat
    }

    /// Positions of the variance parameters in the flat vector.
    pub fn variance_indices(&self) -> std::ops::Range<usize> {
        let k = self.spec.k;
        let start = k * (k - 1) + self.spec.switching_exog.iter().map(|&s| if s { k } else { 1 }).sum::<usize>();
        let n = if self.spec.switching_variance { k } else { 1 };
        start..start + n
    }

    /// Positions of the regression coefficients in the flat vector.
    pub fn exog_indices(&self) -> std::ops::Range<usize> {
        let k = self.spec.k;
        let start = k * (k - 1);
        start..start + self.spec.switching_exog.iter().map(|&s| if s { k } else { 1 }).sum::<usize>()
    }

    /// Positions of the AR coefficients in the flat vector.
    pub fn ar_indices(&self) -> std::ops::Range<usize> {
        let v = self.variance_indices();
        v.end..self.k_params()
    }

    /// Residuals for every observation and joint state, row-major nobs × M.
    /// `u[t*k + s] = y_t − x_t'β_s`: the regression residual of every observation under every regime.
    pub(crate) fn regression_residuals(&self, st: &Structured) -> Vec<f64> {
        let (k, m) = (self.spec.k, self.m);
        let mut u = vec![0.0; self.y.len() * k];
        for (t, (yt, xt)) in self.y.iter().zip(self.x.chunks_exact(m)).enumerate() {
            for s in 0..k {
                let b = &st.beta[s * m..(s + 1) * m];
                u[t * k + s] = yt - xt.iter().zip(b).map(|(a, c)| a * c).sum::<f64>();
            }
        }
        u
    }

    pub(crate) fn residuals(&self, st: &Structured) -> Vec<f64> {
        let (k, p) = (self.spec.k, self.spec.order);
        // u[t*k + s] = y_t − x_t'β_s
        let u = self.regression_residuals(st);
        let nst = self.n_states();
        let nobs = self.nobs();
        let kp = k.pow(p as u32);
        let mut e = vec![0.0; nobs * nst];
        for tt in 0..nobs {
            let t = tt + p;
            for x in 0..nst {
                let d0 = x / kp;
                let mut r = u[t * k + d0];
                let mut rest = x % kp;
                let mut div = kp;
                for l in 1..=p {
                    div /= k;
                    let dl = rest / div;
                    rest %= div;
                    r -= st.ar[d0 * p + l - 1] * u[(t - l) * k + dl];
                }
                e[tt * nst + x] = r;
            }
        }
        e
    }

    /// Ergodic distribution of the chain: solves (I − P)π = 0 with Σπ = 1.
    pub fn steady_state(&self, st: &Structured) -> Vec<f64> {
        steady_state(&st.p, self.spec.k)
    }

    /// Log-likelihood at the flat constrained parameters (−∞ when they are invalid).
    pub fn loglike(&self, flat: &[f64]) -> f64 {
        match self.structure(flat) {
            Ok(st) if valid(&st) => self.filter_structured(&st, false).map(|f| f.loglik).unwrap_or(f64::NEG_INFINITY),
            _ => f64::NEG_INFINITY,
        }
    }

    /// Hamilton filter at the flat constrained parameters.
    pub fn filter(&self, flat: &[f64]) -> Result<FilterOutput, MarkovError> {
        let st = self.structure(flat)?;
        if !valid(&st) {
            return Err(MarkovError::Spec("invalid parameters (probability outside [0,1] or variance <= 0)".into()));
        }
        self.filter_structured(&st, true)
    }

    /// Hamilton filter and Kim smoother at the flat constrained parameters.
    pub fn smooth(&self, flat: &[f64]) -> Result<SmoothOutput, MarkovError> {
        let st = self.structure(flat)?;
        if !valid(&st) {
            return Err(MarkovError::Spec("invalid parameters (probability outside [0,1] or variance <= 0)".into()));
        }
        self.smooth_structured(&st)
    }

    /// Hamilton (1989) filter in probability space with per-step scaling
    /// (equivalent to statsmodels' log-space recursion).
    pub(crate) fn filter_structured(&self, st: &Structured, store: bool) -> Result<FilterOutput, MarkovError> {
        let (k, p) = (self.spec.k, self.spec.order);
        let nst = self.n_states();
        let kp = k.pow(p as u32);
        let nobs = self.nobs();
        let u = self.regression_residuals(st);
        // digits of every joint state: d[x*(p+1) + l] = S_{t−l}
        let digits: Vec<usize> = (0..nst).flat_map(|x| digits_of(x, k, p)).collect();
        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        let half_log_var: Vec<f64> = st.sigma2.iter().map(|v| 0.5 * (ln2pi + v.ln())).collect();
        let inv2var: Vec<f64> = st.sigma2.iter().map(|v| 0.5 / v).collect();
        // transition matrix floored as statsmodels does (log(max(P, 1e-20)))
        let pm: Vec<f64> = st.p.iter().map(|v| v.max(1e-20)).collect();
        // initial joint over (S_{-1}, …, S_{-p-1})
        let pi: Vec<f64> = steady_state(&st.p, k).into_iter().map(|v| v.max(1e-20)).collect();
        let mut fprev = vec![0.0; nst];
        for (x, f) in fprev.iter_mut().enumerate() {
            let d = &digits[x * (p + 1)..(x + 1) * (p + 1)];
            let mut v = pi[d[p]];
            for i in 0..p {
                v *= pm[d[i] * k + d[i + 1]];
            }
            *f = v;
        }
        // pm_top[sn*nst + xo] = P[sn][top digit of xo]
        let pm_top: Vec<f64> =
            (0..k).flat_map(|sn| (0..nst).map(move |xo| (sn, xo))).map(|(sn, xo)| pm[sn * k + xo / kp]).collect();
        let mut loglik = 0.0;
        let mut ll_obs = Vec::with_capacity(nobs);
        let mut pred_all = if store { Vec::with_capacity(nobs * nst) } else { Vec::new() };
        let mut filt_all = if store { Vec::with_capacity(nobs * nst) } else { Vec::new() };
        let mut filtered = if store { Vec::with_capacity(nobs * k) } else { Vec::new() };
        let mut pred = vec![0.0; nst];
        let mut cl = vec![0.0; nst];
        for tt in 0..nobs {
            let t = tt + p;
            // predicted joint
            for sn in 0..k {
                let row = &pm_top[sn * nst..(sn + 1) * nst];
                for a in 0..kp {
                    let base = a * k;
                    let mut acc = 0.0;
                    for l in 0..k {
                        acc += row[base + l] * fprev[base + l];
                    }
                    pred[sn * kp + a] = acc;
                }
            }
            let mut cmax = f64::NEG_INFINITY;
            for x in 0..nst {
                let d = &digits[x * (p + 1)..(x + 1) * (p + 1)];
                let d0 = d[0];
                let mut r = u[t * k + d0];
                for l in 1..=p {
                    r -= st.ar[d0 * p + l - 1] * u[(t - l) * k + d[l]];
                }
                let c = -half_log_var[d0] - r * r * inv2var[d0];
                cl[x] = c;
                cmax = cmax.max(c);
            }
            let mut lik = 0.0;
            for x in 0..nst {
                let j = pred[x] * (cl[x] - cmax).exp();
                fprev[x] = j;
                lik += j;
            }
            if lik.is_nan() || lik <= 0.0 || !lik.is_finite() || !cmax.is_finite() {
                return Err(MarkovError::Numerical(format!("zero likelihood at observation {tt}")));
            }
            let l = lik.ln() + cmax;
            loglik += l;
            ll_obs.push(l);
            let inv = 1.0 / lik;
            for f in fprev.iter_mut() {
                *f *= inv;
            }
            if store {
                pred_all.extend_from_slice(&pred);
                filt_all.extend_from_slice(&fprev);
                for s in 0..k {
                    filtered.push(fprev[s * kp..(s + 1) * kp].iter().sum());
                }
            }
        }
        Ok(FilterOutput { loglik, loglik_obs: ll_obs, predicted_joint: pred_all, filtered_joint: filt_all, filtered })
    }

    /// Kim (1994) smoother on the joint state (S_t, …, S_{t−p}).
    pub(crate) fn smooth_structured(&self, st: &Structured) -> Result<SmoothOutput, MarkovError> {
        let f = self.filter_structured(st, true)?;
        let (k, p) = (self.spec.k, self.spec.order);
        let nst = self.n_states();
        let kp = k.pow(p as u32);
        let nobs = self.nobs();
        let pm: Vec<f64> = st.p.iter().map(|v| v.max(1e-20)).collect();
        let mut sm = vec![0.0; nobs * nst];
        let last = (nobs - 1) * nst;
        sm[last..last + nst].copy_from_slice(&f.filtered_joint[last..last + nst]);
        for tt in (0..nobs - 1).rev() {
            for x in 0..nst {
                let d0 = x / kp;
                let a = x / k;
                let mut acc = 0.0;
                for sn in 0..k {
                    let xn = sn * kp + a;
                    let pr = f.predicted_joint[(tt + 1) * nst + xn];
                    if pr > 0.0 {
                        acc += pm[sn * k + d0] * sm[(tt + 1) * nst + xn] / pr;
                    }
                }
                sm[tt * nst + x] = f.filtered_joint[tt * nst + x] * acc;
            }
        }
        let mut smoothed = Vec::with_capacity(nobs * k);
        for tt in 0..nobs {
            for s in 0..k {
                smoothed.push(sm[tt * nst + s * kp..tt * nst + (s + 1) * kp].iter().sum());
            }
        }
        Ok(SmoothOutput { filter: f, smoothed_joint: sm, smoothed })
    }
}

pub(crate) fn k_params_of(spec: &MsSpec) -> usize {
    let k = spec.k;
    k * (k - 1)
        + spec.switching_exog.iter().map(|&s| if s { k } else { 1 }).sum::<usize>()
        + if spec.switching_variance { k } else { 1 }
        + spec.order * if spec.switching_ar { k } else { 1 }
}

/// Digits of joint state `x`: `[S_t, S_{t−1}, …, S_{t−p}]`.
pub(crate) fn digits_of(x: usize, k: usize, p: usize) -> Vec<usize> {
    let mut d = vec![0; p + 1];
    let mut r = x;
    for i in (0..=p).rev() {
        d[i] = r % k;
        r /= k;
    }
    d
}

pub(crate) fn valid(st: &Structured) -> bool {
    st.p.iter().all(|v| v.is_finite() && (-1e-12..=1.0 + 1e-12).contains(v))
        && st.sigma2.iter().all(|v| v.is_finite() && *v > 0.0)
        && st.beta.iter().chain(st.ar.iter()).all(|v| v.is_finite())
}

/// Ergodic distribution of a left-stochastic k×k matrix (`p[i*k+j] = Pr(i | j)`):
/// least-squares solution of `[(I − P); 1'] π = [0; 1]` (statsmodels' pinv formula).
pub fn steady_state(p: &[f64], k: usize) -> Vec<f64> {
    let a =
        nalgebra::DMatrix::from_fn(
            k + 1,
            k,
            |r, c| {
                if r < k {
                    (if r == c { 1.0 } else { 0.0 }) - p[r * k + c]
                } else {
                    1.0
                }
            },
        );
    let mut b = nalgebra::DVector::zeros(k + 1);
    b[k] = 1.0;
    let ata = a.transpose() * &a;
    let atb = a.transpose() * b;
    match ata.lu().solve(&atb) {
        Some(v) => v.iter().copied().collect(),
        None => vec![1.0 / k as f64; k],
    }
}

#[cfg(test)]
mod spec_tests {
    use super::MsSpec;

    #[test]
    fn switching_intercept_sets_every_switch_and_switching_mean_keeps_ar_fixed() {
        let s = MsSpec::switching_intercept(3, 2, true, false);
        assert_eq!(
            (s.k, s.order, s.switching_exog.clone(), s.switching_ar, s.switching_variance),
            (3, 2, vec![true], true, false)
        );
        assert_eq!(MsSpec::switching_mean(2, 1, true), MsSpec::switching_intercept(2, 1, false, true));
    }
}
