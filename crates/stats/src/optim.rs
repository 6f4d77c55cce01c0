//! General-purpose minimisers for smooth, low-dimensional problems (likelihoods
//! with a handful of parameters): BFGS with a strong-Wolfe line search
//! (Nocedal & Wright 2006, *Numerical Optimization*, Alg. 6.1 and 3.5–3.6),
//! Nelder–Mead (Nelder & Mead 1965; adaptive coefficients of Gao & Han 2012),
//! and finite-difference gradients and Hessians.
//!
//! Bounds are the caller's business: map a bounded parameter to an unbounded
//! one (log, logistic) and minimise in the unbounded space. Every routine
//! returns [`StatsError::NoConvergence`] rather than a half-converged point
//! when it runs out of iterations without meeting its tolerance.

#![allow(clippy::needless_range_loop)] // index loops mirror the matrix formulas

use crate::{Result, StatsError};

/// Settings of [`bfgs`].
#[derive(Debug, Clone, Copy)]
pub struct BfgsOptions {
    /// Stop when the largest absolute gradient component is below this.
    pub grad_tol: f64,
    /// Also stop when a step changes f by less than `f_tol·(1+|f|)` twice in a row.
    pub f_tol: f64,
    pub max_iter: usize,
}

impl Default for BfgsOptions {
    fn default() -> Self {
        BfgsOptions { grad_tol: 1e-8, f_tol: 1e-15, max_iter: 500 }
    }
}

/// Result of a minimisation.
#[derive(Debug, Clone)]
pub struct Minimum {
    pub x: Vec<f64>,
    pub f: f64,
    /// Gradient at `x` (empty for Nelder–Mead).
    pub grad: Vec<f64>,
    pub iterations: usize,
    pub evaluations: usize,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().fold(0.0f64, |m, v| m.max(v.abs()))
}

/// Minimises `f` (returning value and gradient) from `x0` by BFGS with a
/// strong-Wolfe line search (c1 = 1e-4, c2 = 0.9). A non-finite value is
/// treated as +∞ (the line search backs off), so `f` may return NaN/∞
/// outside its domain.
pub fn bfgs<F>(mut f: F, x0: &[f64], opts: &BfgsOptions) -> Result<Minimum>
where
    F: FnMut(&[f64]) -> (f64, Vec<f64>),
{
    let n = x0.len();
    if n == 0 {
        return Err(StatsError::Invalid("bfgs: no parameters".into()));
    }
    let mut evals = 0usize;
    let mut x = x0.to_vec();
    let (mut fx, mut g) = f(&x);
    evals += 1;
    if !fx.is_finite() || g.iter().any(|v| !v.is_finite()) {
        return Err(StatsError::Invalid("bfgs: objective is not finite at the starting point".into()));
    }
    // inverse Hessian approximation, row-major
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    let mut first = true;
    let mut small_steps = 0;
    for iter in 0..opts.max_iter {
        if max_abs(&g) < opts.grad_tol {
            return Ok(Minimum { x, f: fx, grad: g, iterations: iter, evaluations: evals });
        }
        let mut d: Vec<f64> = (0..n).map(|i| -dot(&h[i * n..(i + 1) * n], &g)).collect();
        let mut slope = dot(&d, &g);
        if slope >= 0.0 || !slope.is_finite() {
            // not a descent direction: reset to steepest descent
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] = if i == j { 1.0 } else { 0.0 };
                }
            }
            d = g.iter().map(|v| -v).collect();
            slope = dot(&d, &g);
            first = true;
        }
        let a0 = if first { (1.0 / max_abs(&d)).min(1.0) } else { 1.0 };
        let ls = wolfe_line_search(&mut f, &x, fx, slope, &d, a0, &mut evals);
        let (alpha, fnew, gnew) = match ls {
            Some(v) => v,
            None => {
                if first {
                    // even steepest descent could not decrease f: we are at the
                    // numerical floor; accept if the gradient is small relative to f
                    if max_abs(&g) < opts.grad_tol.max(1e-6) * (1.0 + fx.abs()) {
                        return Ok(Minimum { x, f: fx, grad: g, iterations: iter, evaluations: evals });
                    }
                    return Err(StatsError::NoConvergence(format!(
                        "bfgs: line search failed at iteration {iter} (max |grad| {:.3e})",
                        max_abs(&g)
                    )));
                }
                // retry from steepest descent
                for i in 0..n {
                    for j in 0..n {
                        h[i * n + j] = if i == j { 1.0 } else { 0.0 };
                    }
                }
                first = true;
                continue;
            }
        };
        let s: Vec<f64> = d.iter().map(|v| alpha * v).collect();
        let y: Vec<f64> = gnew.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        let df = fx - fnew;
        x.iter_mut().zip(&s).for_each(|(xi, si)| *xi += si);
        fx = fnew;
        g = gnew;
        if df.abs() <= opts.f_tol * (1.0 + fx.abs()) {
            small_steps += 1;
            if small_steps >= 2 {
                return Ok(Minimum { x, f: fx, grad: g, iterations: iter + 1, evaluations: evals });
            }
        } else {
            small_steps = 0;
        }
        if sy > 1e-300 {
            if first {
                // scale the initial inverse Hessian (N&W eq. 6.20)
                let yy = dot(&y, &y);
                let scale = sy / yy;
                for i in 0..n {
                    h[i * n + i] = scale;
                }
                first = false;
            }
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n).map(|i| dot(&h[i * n..(i + 1) * n], &y)).collect();
            let yhy = dot(&y, &hy);
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
                }
            }
        }
    }
    if max_abs(&g) < opts.grad_tol {
        return Ok(Minimum { x, f: fx, grad: g, iterations: opts.max_iter, evaluations: evals });
    }
    Err(StatsError::NoConvergence(format!(
        "bfgs: {} iterations without convergence (max |grad| {:.3e})",
        opts.max_iter,
        max_abs(&g)
    )))
}

/// Strong-Wolfe line search (N&W Alg. 3.5 with zoom 3.6, cubic/bisection interpolation).
fn wolfe_line_search<F>(
    f: &mut F,
    x: &[f64],
    f0: f64,
    slope0: f64,
    d: &[f64],
    a_init: f64,
    evals: &mut usize,
) -> Option<(f64, f64, Vec<f64>)>
where
    F: FnMut(&[f64]) -> (f64, Vec<f64>),
{
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    let mut eval = |a: f64, evals: &mut usize| -> (f64, f64, Vec<f64>) {
        let xa: Vec<f64> = x.iter().zip(d).map(|(xi, di)| xi + a * di).collect();
        let (fa, ga) = f(&xa);
        *evals += 1;
        if !fa.is_finite() || ga.iter().any(|v| !v.is_finite()) {
            (f64::INFINITY, f64::NAN, ga)
        } else {
            let s = dot(&ga, d);
            (fa, s, ga)
        }
    };
    let mut a_prev = 0.0;
    let mut f_prev = f0;
    let mut s_prev = slope0;
    let mut a = a_init;
    for i in 0..40 {
        let (fa, sa, ga) = eval(a, evals);
        if !fa.is_finite() {
            // outside the domain: shrink
            a = a_prev + 0.25 * (a - a_prev);
            if a - a_prev < 1e-16 {
                return None;
            }
            continue;
        }
        if fa > f0 + C1 * a * slope0 || (i > 0 && fa >= f_prev) {
            return zoom(&mut eval, f0, slope0, a_prev, f_prev, s_prev, a, fa, sa, evals);
        }
        if sa.abs() <= -C2 * slope0 {
            return Some((a, fa, ga));
        }
        if sa >= 0.0 {
            return zoom(&mut eval, f0, slope0, a, fa, sa, a_prev, f_prev, s_prev, evals);
        }
        a_prev = a;
        f_prev = fa;
        s_prev = sa;
        a *= 2.0;
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn zoom<E>(
    eval: &mut E,
    f0: f64,
    slope0: f64,
    mut lo: f64,
    mut f_lo: f64,
    mut s_lo: f64,
    mut hi: f64,
    mut f_hi: f64,
    mut s_hi: f64,
    evals: &mut usize,
) -> Option<(f64, f64, Vec<f64>)>
where
    E: FnMut(f64, &mut usize) -> (f64, f64, Vec<f64>),
{
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    let mut best: Option<(f64, f64, Vec<f64>)> = None;
    for _ in 0..60 {
        // cubic interpolation between lo and hi, safeguarded
        let mut a = cubic_min(lo, f_lo, s_lo, hi, f_hi, s_hi);
        let (l, u) = if lo < hi { (lo, hi) } else { (hi, lo) };
        let w = u - l;
        if !a.is_finite() || a < l + 0.1 * w || a > u - 0.1 * w {
            a = 0.5 * (lo + hi);
        }
        let (fa, sa, ga) = eval(a, evals);
        if fa.is_finite()
            && fa < f0
            && match &best {
                None => true,
                Some(b) => fa < b.1,
            }
        {
            best = Some((a, fa, ga.clone()));
        }
        if !fa.is_finite() || fa > f0 + C1 * a * slope0 || fa >= f_lo {
            hi = a;
            f_hi = fa;
            s_hi = sa;
        } else {
            if sa.abs() <= -C2 * slope0 {
                return Some((a, fa, ga));
            }
            if sa * (hi - lo) >= 0.0 {
                hi = lo;
                f_hi = f_lo;
                s_hi = s_lo;
            }
            lo = a;
            f_lo = fa;
            s_lo = sa;
        }
        if (hi - lo).abs() < 1e-16 * (1.0 + lo.abs()) {
            break;
        }
    }
    // accept the best sufficient-decrease point found, if any
    best.filter(|b| b.1 < f0)
}

fn cubic_min(a: f64, fa: f64, sa: f64, b: f64, fb: f64, sb: f64) -> f64 {
    if !fb.is_finite() || !sb.is_finite() {
        return f64::NAN;
    }
    let d1 = sa + sb - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - sa * sb;
    if disc < 0.0 {
        return f64::NAN;
    }
    let d2 = (b - a).signum() * disc.sqrt();
    b - (b - a) * (sb + d2 - d1) / (sb - sa + 2.0 * d2)
}

/// Settings of [`nelder_mead`].
#[derive(Debug, Clone, Copy)]
pub struct NelderMeadOptions {
    /// Stop when the spread of f over the simplex is below `f_tol·(1+|f_best|)`
    /// and the simplex diameter is below `x_tol`.
    pub f_tol: f64,
    pub x_tol: f64,
    pub max_iter: usize,
    /// Initial step of each coordinate (relative to |x0_i|, absolute 0.00025 if x0_i = 0 as in scipy).
    pub initial_step: f64,
}

impl Default for NelderMeadOptions {
    fn default() -> Self {
        NelderMeadOptions { f_tol: 1e-12, x_tol: 1e-10, max_iter: 20_000, initial_step: 0.05 }
    }
}

/// Minimises `f` by the Nelder–Mead simplex with the adaptive coefficients of
/// Gao & Han (2012) (reflection 1, expansion 1+2/n, contraction 0.75−1/(2n),
/// shrink 1−1/n). Non-finite values count as +∞.
pub fn nelder_mead<F>(mut f: F, x0: &[f64], opts: &NelderMeadOptions) -> Result<Minimum>
where
    F: FnMut(&[f64]) -> f64,
{
    let n = x0.len();
    if n == 0 {
        return Err(StatsError::Invalid("nelder_mead: no parameters".into()));
    }
    let nf = n as f64;
    let (rho, chi, psi, sigma) = (1.0, 1.0 + 2.0 / nf, 0.75 - 1.0 / (2.0 * nf), 1.0 - 1.0 / nf);
    let mut evals = 0usize;
    let mut fv = |x: &[f64], evals: &mut usize| {
        *evals += 1;
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let mut simplex: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..n {
        let mut p = x0.to_vec();
        p[i] = if p[i] != 0.0 { p[i] * (1.0 + opts.initial_step) } else { 0.00025 };
        simplex.push(p);
    }
    let mut vals: Vec<f64> = simplex.iter().map(|p| fv(p, &mut evals)).collect();
    if !vals[0].is_finite() {
        return Err(StatsError::Invalid("nelder_mead: objective is not finite at the starting point".into()));
    }
    for iter in 0..opts.max_iter {
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|a, b| vals[*a].total_cmp(&vals[*b]));
        simplex = order.iter().map(|&i| simplex[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        let spread = vals[n] - vals[0];
        let diam = simplex[1..]
            .iter()
            .map(|p| p.iter().zip(&simplex[0]).fold(0.0f64, |m, (a, b)| m.max((a - b).abs())))
            .fold(0.0f64, f64::max);
        if spread.is_finite() && spread <= opts.f_tol * (1.0 + vals[0].abs()) && diam <= opts.x_tol {
            return Ok(Minimum {
                x: simplex[0].clone(),
                f: vals[0],
                grad: vec![],
                iterations: iter,
                evaluations: evals,
            });
        }
        let centroid: Vec<f64> = (0..n).map(|j| simplex[..n].iter().map(|p| p[j]).sum::<f64>() / nf).collect();
        let along = |t: f64| -> Vec<f64> { (0..n).map(|j| centroid[j] + t * (simplex[n][j] - centroid[j])).collect() };
        let xr = along(-rho);
        let fr = fv(&xr, &mut evals);
        if fr < vals[0] {
            let xe = along(-rho * chi);
            let fe = fv(&xe, &mut evals);
            if fe < fr {
                simplex[n] = xe;
                vals[n] = fe;
            } else {
                simplex[n] = xr;
                vals[n] = fr;
            }
            continue;
        }
        if fr < vals[n - 1] {
            simplex[n] = xr;
            vals[n] = fr;
            continue;
        }
        let (xc, fc) = if fr < vals[n] {
            let xc = along(-rho * psi);
            let fc = fv(&xc, &mut evals);
            (xc, fc)
        } else {
            let xc = along(psi);
            let fc = fv(&xc, &mut evals);
            (xc, fc)
        };
        if fc < vals[n].min(fr) {
            simplex[n] = xc;
            vals[n] = fc;
            continue;
        }
        // shrink towards the best vertex
        for i in 1..=n {
            for j in 0..n {
                simplex[i][j] = simplex[0][j] + sigma * (simplex[i][j] - simplex[0][j]);
            }
            vals[i] = fv(&simplex[i], &mut evals);
        }
    }
    Err(StatsError::NoConvergence(format!("nelder_mead: {} iterations without convergence", opts.max_iter)))
}

/// Central-difference gradient of `f` at `x` with step `h_i = eps^(1/3)·max(|x_i|, 1)`.
pub fn numerical_gradient<F>(mut f: F, x: &[f64]) -> Vec<f64>
where
    F: FnMut(&[f64]) -> f64,
{
    let mut xp = x.to_vec();
    (0..x.len())
        .map(|i| {
            let h = f64::EPSILON.cbrt() * x[i].abs().max(1.0);
            xp[i] = x[i] + h;
            let fp = f(&xp);
            xp[i] = x[i] - h;
            let fm = f(&xp);
            xp[i] = x[i];
            (fp - fm) / (2.0 * h)
        })
        .collect()
}

/// Hessian by central differences of an analytic gradient, symmetrised;
/// step `h_i = eps^(1/3)·max(|x_i|, 1e-2)`. Row-major n×n.
pub fn hessian_from_gradient<G>(mut grad: G, x: &[f64]) -> Vec<f64>
where
    G: FnMut(&[f64]) -> Vec<f64>,
{
    let n = x.len();
    let mut hm = vec![0.0; n * n];
    let mut xp = x.to_vec();
    for j in 0..n {
        let h = f64::EPSILON.cbrt() * x[j].abs().max(1e-2);
        xp[j] = x[j] + h;
        let gp = grad(&xp);
        xp[j] = x[j] - h;
        let gm = grad(&xp);
        xp[j] = x[j];
        for i in 0..n {
            hm[i * n + j] = (gp[i] - gm[i]) / (2.0 * h);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let v = 0.5 * (hm[i * n + j] + hm[j * n + i]);
            hm[i * n + j] = v;
            hm[j * n + i] = v;
        }
    }
    hm
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rosen(x: &[f64]) -> (f64, Vec<f64>) {
        let (a, b) = (x[0], x[1]);
        let f = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
        let g = vec![-2.0 * (1.0 - a) - 400.0 * a * (b - a * a), 200.0 * (b - a * a)];
        (f, g)
    }

    #[test]
    fn bfgs_rosenbrock() {
        let m = bfgs(rosen, &[-1.2, 1.0], &BfgsOptions::default()).unwrap();
        assert!((m.x[0] - 1.0).abs() < 1e-7 && (m.x[1] - 1.0).abs() < 1e-7, "{:?}", m.x);
    }

    #[test]
    fn bfgs_reports_non_convergence() {
        let opts = BfgsOptions { max_iter: 3, ..Default::default() };
        assert!(matches!(bfgs(rosen, &[-1.2, 1.0], &opts), Err(StatsError::NoConvergence(_))));
    }

    #[test]
    fn bfgs_backs_off_outside_domain() {
        // f = x - ln x has its minimum at 1, undefined for x <= 0
        let f = |x: &[f64]| {
            if x[0] <= 0.0 {
                (f64::NAN, vec![f64::NAN])
            } else {
                (x[0] - x[0].ln(), vec![1.0 - 1.0 / x[0]])
            }
        };
        let m = bfgs(f, &[20.0], &BfgsOptions::default()).unwrap();
        assert!((m.x[0] - 1.0).abs() < 1e-7);
    }

    #[test]
    fn nelder_mead_rosenbrock_and_quadratic() {
        let m = nelder_mead(|x| rosen(x).0, &[-1.2, 1.0], &NelderMeadOptions::default()).unwrap();
        assert!((m.x[0] - 1.0).abs() < 1e-5 && (m.x[1] - 1.0).abs() < 1e-5, "{:?}", m.x);
        let q = |x: &[f64]| (x[0] - 3.0).powi(2) + 2.0 * (x[1] + 1.0).powi(2) + 0.5 * (x[2] - 0.5).powi(2);
        let m = nelder_mead(q, &[0.0, 0.0, 0.0], &NelderMeadOptions::default()).unwrap();
        assert!((m.x[0] - 3.0).abs() < 1e-5 && (m.x[1] + 1.0).abs() < 1e-5 && (m.x[2] - 0.5).abs() < 1e-5);
    }

    #[test]
    fn finite_differences() {
        let g = numerical_gradient(|x| rosen(x).0, &[0.3, -0.2]);
        let ga = rosen(&[0.3, -0.2]).1;
        assert!((g[0] - ga[0]).abs() < 1e-6 && (g[1] - ga[1]).abs() < 1e-6);
        let h = hessian_from_gradient(|x| rosen(x).1, &[1.0, 1.0]);
        // analytic Hessian at (1,1): [[802, -400], [-400, 200]]
        assert!((h[0] - 802.0).abs() < 1e-4 && (h[1] + 400.0).abs() < 1e-4 && (h[3] - 200.0).abs() < 1e-4);
    }
}
