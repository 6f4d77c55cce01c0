//! Analytic score of the log-likelihood by Fisher's identity: the gradient of
//! log L equals the expected gradient of the complete-data log-likelihood under
//! the smoothed regime probabilities (Louis 1982, *JRSS B* 44; Hamilton 1990 §3).
//! One filter + smoother pass instead of one likelihood per parameter.

use super::model::{digits_of, steady_state, MarkovSwitching, Structured};
use super::MarkovError;

impl MarkovSwitching {
    /// Log-likelihood and its gradient with respect to the flat constrained
    /// parameters (statsmodels order).
    pub fn score(&self, flat: &[f64]) -> Result<(f64, Vec<f64>), MarkovError> {
        let st = self.structure(flat)?;
        if !super::model::valid(&st) {
            return Err(MarkovError::Spec("invalid parameters".into()));
        }
        let (ll, g) = self.score_structured(&st)?;
        Ok((ll, self.flatten_gradient(&g)))
    }

    /// Gradient in structured form (p: k×k for every entry treated as free, beta, sigma2, ar).
    pub(crate) fn score_structured(&self, st: &Structured) -> Result<(f64, Structured), MarkovError> {
        let (k, p, m) = (self.spec.k, self.spec.order, self.m);
        let nst = self.n_states();
        let kp = k.pow(p as u32);
        let nobs = self.nobs();
        let sm = self.smooth_structured(st)?;
        let f = &sm.filter;
        let e = self.residuals(st);
        let u = self.regression_residuals(st);
        let digits: Vec<usize> = (0..nst).flat_map(|x| digits_of(x, k, p)).collect();
        let mut g_beta = vec![0.0; k * m];
        let mut g_ar = vec![0.0; k * p];
        let mut g_s2 = vec![0.0; k];
        for tt in 0..nobs {
            let t = tt + p;
            for x in 0..nst {
                let w = sm.smoothed_joint[tt * nst + x];
                if w == 0.0 {
                    continue;
                }
                let d = &digits[x * (p + 1)..(x + 1) * (p + 1)];
                let d0 = d[0];
                let s2 = st.sigma2[d0];
                let r = e[tt * nst + x];
                g_s2[d0] += w * (-0.5 / s2 + 0.5 * r * r / (s2 * s2));
                let dl_de = -w * r / s2;
                // ∂e/∂β_{s,c} = −x_{t,c}[d0 = s] + Σ_l φ_{d0,l} x_{t−l,c}[d_l = s]
                for c in 0..m {
                    g_beta[d0 * m + c] += dl_de * (-self.x[t * m + c]);
                    for l in 1..=p {
                        g_beta[d[l] * m + c] += dl_de * st.ar[d0 * p + l - 1] * self.x[(t - l) * m + c];
                    }
                }
                // ∂e/∂φ_{d0,l} = −u_{t−l}(d_l)
                for l in 1..=p {
                    g_ar[d0 * p + l - 1] += dl_de * (-u[(t - l) * k + d[l]]);
                }
            }
        }
        // transitions: expected counts, including the step from the initial joint state
        let pm: Vec<f64> = st.p.iter().map(|v| v.max(1e-20)).collect();
        let pi: Vec<f64> = steady_state(&st.p, k).into_iter().map(|v| v.max(1e-20)).collect();
        let finit: Vec<f64> = (0..nst)
            .map(|x| {
                let d = &digits[x * (p + 1)..(x + 1) * (p + 1)];
                let mut v = pi[d[p]];
                for i in 0..p {
                    v *= pm[d[i] * k + d[i + 1]];
                }
                v
            })
            .collect();
        let mut counts = vec![0.0; k * k];
        let mut sm_init = vec![0.0; nst];
        for tt in 0..nobs {
            for xo in 0..nst {
                let fo = if tt == 0 { finit[xo] } else { f.filtered_joint[(tt - 1) * nst + xo] };
                if fo == 0.0 {
                    continue;
                }
                let j = xo / kp;
                let a = xo / k;
                for i in 0..k {
                    let xn = i * kp + a;
                    let pr = f.predicted_joint[tt * nst + xn];
                    if pr > 0.0 {
                        let v = sm.smoothed_joint[tt * nst + xn] * pm[i * k + j] * fo / pr;
                        counts[i * k + j] += v;
                        if tt == 0 {
                            sm_init[xo] += v;
                        }
                    }
                }
            }
        }
        // the chain inside the initial joint state
        for (xo, w) in sm_init.iter().enumerate() {
            let d = &digits[xo * (p + 1)..(xo + 1) * (p + 1)];
            for i in 0..p {
                counts[d[i] * k + d[i + 1]] += w;
            }
        }
        let mut g_p: Vec<f64> = (0..k * k).map(|ij| counts[ij] / pm[ij]).collect();
        // the ergodic start π(P): derivative of Σ_x Sm_init[x] ln π[d_p(x)] by central
        // differences on π alone (no data pass), along each free entry p[j->i] (i < k−1)
        let mut wpi = vec![0.0; k];
        for (xo, w) in sm_init.iter().enumerate() {
            wpi[digits[xo * (p + 1) + p]] += w;
        }
        let h = 1e-6;
        for i in 0..k - 1 {
            for j in 0..k {
                let eval = |delta: f64| {
                    let mut q = st.p.clone();
                    q[i * k + j] += delta;
                    q[(k - 1) * k + j] -= delta;
                    let pq = steady_state(&q, k);
                    (0..k).map(|s| wpi[s] * pq[s].max(1e-20).ln()).sum::<f64>()
                };
                let d = (eval(h) - eval(-h)) / (2.0 * h);
                // stored so that flatten_gradient's (free − last) difference adds exactly d
                g_p[i * k + j] += d;
            }
        }
        Ok((f.loglik, Structured { p: g_p, beta: g_beta, sigma2: g_s2, ar: g_ar }))
    }

    /// Gradient with respect to the flat parameters from the structured gradient
    /// (the last row of P is 1 − Σ of the others; shared parameters sum over regimes).
    pub(crate) fn flatten_gradient(&self, g: &Structured) -> Vec<f64> {
        let (k, m, p) = (self.spec.k, self.m, self.spec.order);
        let mut v = Vec::with_capacity(self.k_params());
        for i in 0..k - 1 {
            for j in 0..k {
                v.push(g.p[i * k + j] - g.p[(k - 1) * k + j]);
            }
        }
        for c in 0..m {
            if self.spec.switching_exog[c] {
                (0..k).for_each(|s| v.push(g.beta[s * m + c]));
            } else {
                v.push((0..k).map(|s| g.beta[s * m + c]).sum());
            }
        }
        if self.spec.switching_variance {
            v.extend_from_slice(&g.sigma2);
        } else {
            v.push(g.sigma2.iter().sum());
        }
        for l in 0..p {
            if self.spec.switching_ar {
                (0..k).for_each(|s| v.push(g.ar[s * p + l]));
            } else {
                v.push((0..k).map(|s| g.ar[s * p + l]).sum());
            }
        }
        v
    }

    /// Gradient with respect to the unconstrained parameters of [`MarkovSwitching::transform`].
    pub(crate) fn unconstrained_gradient(&self, u: &[f64], g_flat: &[f64]) -> Vec<f64> {
        let k = self.spec.k;
        let flat = self.transform(u);
        let mut g = g_flat.to_vec();
        for j in 0..k {
            // p_i = e^{u_i} / (1 + Σ e^{u}), ∂p_i/∂u_q = p_i (δ_iq − p_q)
            for q in 0..k - 1 {
                let pq = flat[q * k + j];
                g[q * k + j] =
                    (0..k - 1).map(|i| g_flat[i * k + j] * flat[i * k + j] * ((i == q) as u8 as f64 - pq)).sum();
            }
        }
        for i in self.variance_indices() {
            g[i] = g_flat[i] * flat[i];
        }
        g
    }
}

#[cfg(test)]
mod tests {
    use super::super::{MarkovSwitching, MsSpec};

    fn check(m: &MarkovSwitching, flat: &[f64]) {
        let (ll, g) = m.score(flat).unwrap();
        assert!((ll - m.loglike(flat)).abs() < 1e-9);
        let num = fissure_stats::optim::numerical_gradient(|x| m.loglike(x), flat);
        for (i, (a, b)) in g.iter().zip(&num).enumerate() {
            assert!((a - b).abs() < 1e-4 * b.abs().max(1.0), "param {i}: analytic {a} vs numeric {b}");
        }
        // unconstrained chain rule
        let u = m.untransform(flat);
        let gu = m.unconstrained_gradient(&u, &g);
        let numu = fissure_stats::optim::numerical_gradient(|x| m.loglike(&m.transform(x)), &u);
        for (i, (a, b)) in gu.iter().zip(&numu).enumerate() {
            assert!((a - b).abs() < 1e-4 * b.abs().max(1.0), "unconstrained {i}: {a} vs {b}");
        }
    }

    #[test]
    fn analytic_score_matches_finite_differences() {
        let y: Vec<f64> =
            (0..150).map(|i| ((i * 37 % 101) as f64 / 30.0).sin() * 2.0 + (i % 17) as f64 * 0.1).collect();
        let m = MarkovSwitching::with_constant(&y, MsSpec::switching_mean(2, 0, true)).unwrap();
        check(&m, &[0.9, 0.2, 0.3, 1.1, 0.8, 2.0]);
        let m = MarkovSwitching::with_constant(&y, MsSpec::switching_mean(2, 2, false)).unwrap();
        check(&m, &[0.8, 0.15, 0.5, 1.5, 1.2, 0.3, -0.1]);
        let spec = MsSpec { k: 3, order: 1, switching_exog: vec![true], switching_ar: true, switching_variance: true };
        let m = MarkovSwitching::with_constant(&y, spec).unwrap();
        check(&m, &[0.8, 0.1, 0.05, 0.1, 0.7, 0.15, 0.0, 1.0, 2.0, 0.5, 1.0, 2.0, 0.2, 0.1, -0.2]);
    }
}
