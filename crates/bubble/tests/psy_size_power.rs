//! Size and power of the PSY tests by simulation (seeded; synthetic data only here).

use fissure_bubble::cv::{critical_values, BsadfCvRule, CvMethod};
use fissure_bubble::datestamp;
use fissure_bubble::psy::{radf, LagSelection, MinWindow, PsyConfig};
use rand::Rng;
use rand_distr::StandardNormal;

fn cfg() -> PsyConfig {
    PsyConfig { lag: LagSelection::Fixed(0), min_window: MinWindow::Default }
}

#[test]
fn size_on_random_walks_is_close_to_nominal() {
    let n = 100;
    let c = critical_values(
        &vec![0.0; n],
        &cfg(),
        CvMethod::MonteCarlo { reps: 1000, seed: 1, drift_eta: None },
        BsadfCvRule::Pointwise,
        None,
    )
    .unwrap();
    let sims = 600;
    let (mut rej_g, mut rej_s) = (0, 0);
    for k in 0..sims {
        let mut r = fissure_stats::rng::stream(777, k);
        let mut y = vec![0.0; n];
        for t in 1..n {
            y[t] = y[t - 1] + r.sample::<f64, _>(StandardNormal);
        }
        let s = radf(&y, &cfg()).unwrap();
        rej_g += (s.gsadf > c.gsadf[1]) as usize;
        rej_s += (s.sadf > c.sadf[1]) as usize;
    }
    let (pg, ps) = (rej_g as f64 / sims as f64, rej_s as f64 / sims as f64);
    // nominal 5%; binomial sd ≈ 0.9% plus CV estimation noise
    assert!((0.02..=0.085).contains(&pg), "GSADF size {pg}");
    assert!((0.02..=0.085).contains(&ps), "SADF size {ps}");
}

/// An explosive episode planted in a random walk (PWY 2011 / PSY 2015 style DGP:
/// y_t = δ y_{t−1} + ε_t on [τe, τf], collapse back to the pre-bubble level after τf).
#[test]
fn detects_and_dates_a_planted_bubble() {
    let n = 200;
    let (te, tf, delta) = (120usize, 145usize, 1.04);
    let c = critical_values(
        &vec![0.0; n],
        &cfg(),
        CvMethod::MonteCarlo { reps: 500, seed: 2, drift_eta: None },
        BsadfCvRule::Pointwise,
        None,
    )
    .unwrap();
    let sims = 60;
    let (mut detected, mut dated_close) = (0, 0);
    for k in 0..sims {
        let mut r = fissure_stats::rng::stream(4242, k);
        let mut y = vec![100.0; n];
        for t in 1..n {
            let e: f64 = r.sample(StandardNormal);
            y[t] = if (te..=tf).contains(&t) {
                delta * y[t - 1] + e
            } else if t == tf + 1 {
                y[te - 1] + e
            } else {
                y[t - 1] + e
            };
        }
        let s = radf(&y, &cfg()).unwrap();
        if s.gsadf > c.gsadf[1] {
            detected += 1;
        }
        let cv95: Vec<f64> = c.bsadf.iter().map(|v| v[1]).collect();
        let eps = datestamp::episodes(&s.bsadf, &cv95, s.first, datestamp::min_duration(n, 1.0)).unwrap();
        if let Some(e) = eps.iter().find(|e| e.end > te) {
            if e.start >= te.saturating_sub(2) && e.start <= te + 12 && e.end >= tf.saturating_sub(5) {
                dated_close += 1;
            }
        }
    }
    assert!(detected as f64 >= 0.9 * sims as f64, "power {detected}/{sims}");
    assert!(dated_close as f64 >= 0.75 * sims as f64, "dated near the planted episode {dated_close}/{sims}");
}
