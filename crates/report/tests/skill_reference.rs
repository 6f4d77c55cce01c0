//! The skill scores against scikit-learn on the same labels (bundled real data):
//! fixtures `tests/fixtures/skill_input.csv` (written by the `skill_fixture`
//! example) and `tests/fixtures/skill_sklearn.json` (written by
//! `tools/reference/report/skill_sklearn.py`, scikit-learn 1.5.2).

use fissure_report::skill::{auroc, auroc_band, auroc_weighted, brier_skill, Rows, SkillParams};
use fissure_report::warning::roc_curve;

struct Input {
    week: Vec<usize>,
    score: Vec<f64>,
    label: Vec<bool>,
    prob: Vec<Option<f64>>,
    base: Vec<Option<f64>>,
}

fn input() -> Input {
    let text = include_str!("fixtures/skill_input.csv");
    let mut inp = Input { week: vec![], score: vec![], label: vec![], prob: vec![], base: vec![] };
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        inp.week.push(f[0].parse().unwrap());
        inp.score.push(f[2].parse().unwrap());
        inp.label.push(f[3] == "1");
        inp.prob.push(f[4].parse().ok());
        inp.base.push(f[5].parse().ok());
    }
    inp
}

fn reference() -> serde_json::Value {
    serde_json::from_str(include_str!("fixtures/skill_sklearn.json")).unwrap()
}

#[test]
fn auroc_equals_roc_auc_score() {
    let (inp, r) = (input(), reference());
    assert_eq!(inp.score.len(), r["n"].as_u64().unwrap() as usize);
    let a = auroc(&inp.score, &inp.label).unwrap();
    assert!((a - r["auroc"].as_f64().unwrap()).abs() < 1e-12, "{a} vs {}", r["auroc"]);
}

#[test]
fn weighted_auroc_equals_roc_auc_score_with_sample_weights() {
    let (inp, r) = (input(), reference());
    for w in r["weighted"].as_array().unwrap() {
        let weights: Vec<f64> = w["weights"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        let rows: Vec<(f64, bool, f64)> =
            inp.score.iter().zip(&inp.label).zip(&weights).map(|((s, y), w)| (*s, *y, *w)).collect();
        let a = auroc_weighted(&rows).unwrap();
        assert!((a - w["auroc"].as_f64().unwrap()).abs() < 1e-12, "seed {}: {a} vs {}", w["seed"], w["auroc"]);
    }
}

#[test]
fn bootstrap_band_agrees_with_numpy_within_monte_carlo_error() {
    let (inp, r) = (input(), reference());
    let rows: Rows = inp.week.iter().zip(&inp.score).zip(&inp.label).map(|((i, s), y)| (*i, *s, *y)).collect();
    let n_weeks = r["n_weeks"].as_u64().unwrap() as usize;
    let p = SkillParams { boot_reps: 2000, ..SkillParams::default() };
    let b = auroc_band(&rows, n_weeks, &p).unwrap();
    let (lo, hi) = (r["band"]["lo"].as_f64().unwrap(), r["band"]["hi"].as_f64().unwrap());
    // different generators, same scheme: percentiles of 2000 draws agree to about ±0.015
    assert!((b.lo.unwrap() - lo).abs() < 0.02, "lo {:?} vs {lo}", b.lo);
    assert!((b.hi.unwrap() - hi).abs() < 0.02, "hi {:?} vs {hi}", b.hi);
}

#[test]
fn brier_skill_equals_sklearn_brier_score_loss_ratio() {
    let (inp, r) = (input(), reference());
    let lab: Vec<Option<bool>> = inp.label.iter().map(|y| Some(*y)).collect();
    let bs = brier_skill(&inp.prob, &inp.base, &lab, 0).unwrap();
    assert!((bs - r["brier_skill"].as_f64().unwrap()).abs() < 1e-9, "{bs} vs {}", r["brier_skill"]);
}

#[test]
fn roc_curve_equals_sklearn_roc_curve() {
    let (inp, r) = (input(), reference());
    let pts = roc_curve(&inp.score.iter().copied().zip(inp.label.iter().copied()).collect::<Vec<_>>());
    let want: Vec<(f64, f64)> =
        r["roc"].as_array().unwrap().iter().map(|p| (p[0].as_f64().unwrap(), p[1].as_f64().unwrap())).collect();
    // sklearn's curve has one point per distinct threshold, starting at (0, 0)
    assert_eq!(pts.len(), want.len());
    for (a, b) in pts.iter().zip(&want) {
        assert!((a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12, "{a:?} vs {b:?}");
    }
}
