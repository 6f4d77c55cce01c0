//! Markov-switching regressions and autoregressions (Hamilton 1989, *Econometrica*
//! 57(2):357–384): Hamilton filter, Kim (1994, *J. Econometrics* 60:1–22) smoother,
//! EM + BFGS maximum likelihood with several starts, expected durations and
//! standard errors. The parameterisation and the likelihood replicate statsmodels'
//! `MarkovRegression` / `MarkovAutoregression` (conditioning on the first p
//! observations, ergodic initial regime probabilities), so log-likelihoods,
//! parameters and probabilities can be compared one to one.
//!
//! The numerics here are finance-free; they live in this crate because the
//! liquidity family is their only user (move to `fissure-stats` if another
//! family needs them).

mod fit;
mod model;
mod score;

pub use fit::{FitOptions, MsFit};
pub use model::{steady_state, FilterOutput, MarkovSwitching, MsSpec, SmoothOutput, Structured};

use thiserror::Error;

/// Errors of the Markov-switching models.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MarkovError {
    #[error("model specification: {0}")]
    Spec(String),
    #[error("need at least {needed} observations, got {got}")]
    TooShort { needed: usize, got: usize },
    #[error("data: {0}")]
    Data(String),
    #[error("numerical failure: {0}")]
    Numerical(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    fn spec3() -> MsSpec {
        MsSpec { k: 3, order: 2, switching_exog: vec![true], switching_ar: true, switching_variance: true }
    }

    #[test]
    fn parameter_layout_and_transforms_round_trip() {
        let y: Vec<f64> = (0..60).map(|i| (i as f64 * 0.7).sin()).collect();
        let m = MarkovSwitching::with_constant(&y, spec3()).unwrap();
        let names = m.param_names();
        assert_eq!(names.len(), m.k_params());
        assert_eq!(&names[..7], &["p[0->0]", "p[1->0]", "p[2->0]", "p[0->1]", "p[1->1]", "p[2->1]", "const[0]"]);
        assert_eq!(names.last().unwrap(), "ar.L2[2]");
        let mut rng = fissure_stats::rng::seeded(3);
        let mut flat: Vec<f64> = (0..m.k_params()).map(|_| rng.gen_range(0.05..0.3)).collect();
        for i in m.variance_indices() {
            flat[i] = rng.gen_range(0.5..2.0);
        }
        let st = m.structure(&flat).unwrap();
        assert_eq!(m.flatten(&st), flat);
        // columns of the transition matrix sum to one
        for j in 0..3 {
            let s: f64 = (0..3).map(|i| st.p[i * 3 + j]).sum();
            assert!((s - 1.0).abs() < 1e-15);
        }
        let back = m.transform(&m.untransform(&flat));
        for (a, b) in back.iter().zip(&flat) {
            assert!((a - b).abs() < 1e-12);
        }
        // the ergodic distribution is invariant
        let pi = steady_state(&st.p, 3);
        for i in 0..3 {
            let v: f64 = (0..3).map(|j| st.p[i * 3 + j] * pi[j]).sum();
            assert!((v - pi[i]).abs() < 1e-12);
        }
    }

    #[test]
    fn recovers_simulated_regimes() {
        // property check on synthetic data: two regimes N(1, 1) / N(−2, 9), persistence 0.95 / 0.9
        let mut rng = fissure_stats::rng::seeded(11);
        let (mut s, mut y) = (0usize, Vec::new());
        for _ in 0..2000 {
            let stay = if s == 0 { 0.95 } else { 0.9 };
            if rng.gen::<f64>() > stay {
                s = 1 - s;
            }
            let z: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
            y.push(if s == 0 { 1.0 + z } else { -2.0 + 3.0 * z });
        }
        let m = MarkovSwitching::with_constant(&y, MsSpec::switching_mean(2, 0, true)).unwrap();
        let f = m.fit(&FitOptions::default()).unwrap();
        let p = &f.params; // p00, p10, c0, c1, s0, s1
        assert!((p[0] - 0.95).abs() < 0.03 && (p[1] - 0.1).abs() < 0.04, "{p:?}");
        assert!((p[2] - 1.0).abs() < 0.15 && (p[3] + 2.0).abs() < 0.5, "{p:?}");
        assert!((p[4] - 1.0).abs() < 0.2 && (p[5] - 9.0).abs() < 2.0, "{p:?}");
        // deterministic: the same fit on every run
        let g = m.fit(&FitOptions::default()).unwrap();
        assert_eq!(f.params, g.params);
        assert_eq!(f.std_errors, g.std_errors);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(MarkovSwitching::with_constant(&[1.0, 2.0, 3.0], MsSpec::switching_mean(2, 0, false)).is_err());
        let y = vec![0.0; 50];
        assert!(MarkovSwitching::with_constant(&y, MsSpec::switching_mean(1, 0, false)).is_err());
        let mut y: Vec<f64> = (0..50).map(|i| i as f64).collect();
        y[7] = f64::NAN;
        assert!(MarkovSwitching::with_constant(&y, MsSpec::switching_mean(2, 0, false)).is_err());
    }
}

/// What a Markov-switching fit is run on: the series, weekly (last close) or not, as log or simple returns or
/// as levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MsReturns {
    Log,
    Simple,
}

/// The observations of `s` a fit takes: resampled to weekly when asked, turned into returns when asked, times
/// `scale`. Returns the transformed series (its dates label the regime probabilities) and the values.
pub fn observations(
    s: &fissure_core::Series,
    weekly: bool,
    returns: Option<MsReturns>,
    scale: f64,
) -> Result<(fissure_core::Series, Vec<f64>), fissure_core::CoreError> {
    let s = if weekly {
        fissure_core::resample(s, fissure_core::Frequency::Weekly, fissure_core::Aggregation::Last)?
    } else {
        s.clone()
    };
    let s = match returns {
        Some(MsReturns::Log) => fissure_core::log_returns(&s)?,
        Some(MsReturns::Simple) => fissure_core::simple_returns(&s)?,
        None => s,
    };
    let y = s.values().iter().map(|v| v * scale).collect();
    Ok((s, y))
}

/// `fissure regime markov`: the fit of `spec` on the observations `s` (from [`observations`]) — parameters
/// with standard errors, likelihood and criteria, transition matrix, expected durations, and the filtered and
/// smoothed regime probabilities by date.
pub fn markov_json(
    s: &fissure_core::Series,
    nobs: usize,
    spec: &MsSpec,
    returns: Option<MsReturns>,
    scale: f64,
    fit: &MsFit,
) -> serde_json::Value {
    use serde_json::json;
    let dates = s.dates().get(spec.order..).unwrap_or_default();
    let params: serde_json::Map<String, serde_json::Value> =
        fit.param_names.iter().zip(&fit.params).map(|(n, v)| (n.clone(), json!(v))).collect();
    let se: serde_json::Map<String, serde_json::Value> =
        fit.param_names.iter().zip(&fit.std_errors).map(|(n, v)| (n.clone(), json!(v))).collect();
    json!({
        "series": s.id(), "nobs": nobs, "k": spec.k, "order": spec.order,
        "switching_variance": spec.switching_variance, "switching_ar": spec.switching_ar,
        "returns": returns, "scale": scale,
        "param_names": fit.param_names, "params": params, "std_errors": se, "loglik": fit.loglik, "aic": fit.aic, "bic": fit.bic,
        "transition": fit.transition, "expected_durations": fit.expected_durations, "converged": fit.converged,
        "regime_order": if spec.switching_variance { "ascending variance" } else { "ascending constant" },
        "filtered": dates.iter().zip(&fit.filtered).map(|(d, p)| json!({"date": d, "p": p})).collect::<Vec<_>>(),
        "smoothed": dates.iter().zip(&fit.smoothed).map(|(d, p)| json!({"date": d, "p": p})).collect::<Vec<_>>(),
    })
}
