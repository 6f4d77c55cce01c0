//! The PSY plan shared by the CLI and the Python package: option refusals, refusals before any critical
//! value is simulated, the defaults of the critical-value rules, and the document.

use chrono::{Days, NaiveDate};
use fissure_bubble::analyse::Transform;
use fissure_bubble::cv::BsadfCvRule;
use fissure_bubble::psy_plan::{psy_json, CvChoice, CvRuleChoice, PlanError, PsyOptions, PsyPlan};
use fissure_core::{Series, SeriesMeta};

fn series(id: &str, v: Vec<f64>) -> Series {
    let d0 = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let dates = (0..v.len()).map(|i| d0 + Days::new(i as u64)).collect();
    Series::new(SeriesMeta::new(id), dates, v).unwrap()
}

/// A random walk that turns explosive in its last fifth (deterministic).
fn bubble(n: usize) -> Vec<f64> {
    let mut y = vec![100.0];
    for i in 1..n {
        let e = 0.01 * ((i as f64 * 12.9898).sin() * 43758.5453).fract();
        let g = if i > 4 * n / 5 { 1.02 } else { 1.0 };
        y.push(y[i - 1] * g * (1.0 + e - 0.005));
    }
    y
}

#[test]
fn options_are_refused_by_range() {
    let s = series("X", bubble(300));
    for (o, want) in [
        (
            PsyOptions { lag: Some(1), ic: Some(fissure_bubble::psy_plan::Ic::Aic), ..Default::default() },
            "cannot be used together",
        ),
        (PsyOptions { lag: Some(11), ..Default::default() }, "lag 11"),
        (PsyOptions { reps: 5, ..Default::default() }, "too few"),
        (PsyOptions { level: 97, ..Default::default() }, "90, 95 or 99"),
        (PsyOptions { min_duration: -1.0, ..Default::default() }, "min_duration"),
        (PsyOptions { min_window: Some(3), ..Default::default() }, "min_window 3"),
    ] {
        let e = PsyPlan::new(&s, &o).unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
}

#[test]
fn degenerate_levels_are_refused_before_simulating() {
    let flat = series("FLAT", vec![5.0; 300]);
    let e = PsyPlan::new(&flat, &PsyOptions { reps: 100_000, ..Default::default() }).unwrap_err();
    assert!(matches!(e, PlanError::Series { .. }) && format!("{e:#}").contains("FLAT"), "{e}");
    let mut v = bubble(300);
    v[7] = -1.0;
    match PsyPlan::new(&series("NEG", v), &PsyOptions::default()).unwrap_err() {
        PlanError::NonPositive { series, date, value, hint } => {
            assert_eq!((series.as_str(), date.to_string(), value, hint), ("NEG", "2020-01-08".to_string(), -1.0, ""));
        }
        e => panic!("{e}"),
    }
}

#[test]
fn rule_defaults_and_the_document() {
    let s = series("B", bubble(400));
    let mc = PsyPlan::new(&s, &PsyOptions { reps: 50, ..Default::default() }).unwrap();
    assert!(matches!(mc.cv, Some((_, BsadfCvRule::Pointwise))));
    let wild = PsyPlan::new(&s, &PsyOptions { reps: 50, cv: CvChoice::Wild, ..Default::default() }).unwrap();
    assert!(matches!(wild.cv, Some((_, BsadfCvRule::SupTb(_)))));
    let ex =
        PsyPlan::new(&s, &PsyOptions { reps: 50, cv_rule: Some(CvRuleChoice::Exuber), ..Default::default() }).unwrap();
    assert!(matches!(ex.cv, Some((_, BsadfCvRule::ExuberCummax))));
    assert!(mc.shared_cv_key().is_some() && wild.shared_cv_key().is_none());
    let out = mc.outcome(mc.critical_values(None).unwrap()).unwrap();
    let doc = psy_json(&mc, &out);
    assert_eq!(doc["params"]["transform"], serde_json::json!(Transform::Log));
    assert_eq!(doc["params"]["n"], 400);
    assert!(doc["gsadf"].as_f64().unwrap() > doc["cv"]["gsadf"]["95"].as_f64().unwrap(), "{}", doc["gsadf"]);
    assert!(!doc["episodes"].as_array().unwrap().is_empty(), "the explosive end is an episode");
    let recs = fissure_bubble::psy_plan::bsadf_records(&mc, &out);
    assert_eq!(recs.as_array().unwrap().len(), out.radf.bsadf.len());
}
