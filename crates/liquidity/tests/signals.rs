//! The family's signals on the bundled data: present, real-time, explained in both languages.

mod common;

use fissure_core::family::FamilyInputs;
use fissure_liquidity::signals::{compute, markov_stress_probability, RegimeSignalConfig};

fn inputs() -> FamilyInputs {
    FamilyInputs { series: common::demo().clone(), ..Default::default() }
}

#[test]
fn all_signals_present_and_explained() {
    let r = compute(&inputs());
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    let ids: Vec<&str> = r.signals.iter().map(|s| s.spec.id.as_str()).collect();
    assert_eq!(ids, vec!["liquidity.stress_index", "liquidity.markov_stress_prob", "liquidity.carry_unwind"]);
    for s in &r.signals {
        assert_eq!(s.dates.len(), s.values.len());
        assert!(s.values.iter().all(|v| v.is_finite()), "{}", s.spec.id);
        assert!(!s.explain_en.is_empty() && s.explain_zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        eprintln!("{}: {}\n  {}", s.spec.id, s.explain_en, s.explain_zh);
    }
    assert_eq!(r.charts.len(), 4);
}

#[test]
fn markov_probability_is_real_time_and_flags_crises() {
    let spx = &common::demo()["SPX"];
    let cfg = RegimeSignalConfig::default();
    let (d, p, _, _) = markov_stress_probability(spx, &cfg).unwrap();
    // real time: the path computed on data to Friday 2008-12-26 equals the full path up to then
    let cut: chrono::NaiveDate = "2008-12-26".parse().unwrap(); // a Friday: a complete week
    let (d2, p2, _, _) = markov_stress_probability(&spx.as_of(cut), &cfg).unwrap();
    for (i, (a, b)) in d2.iter().zip(&p2).enumerate() {
        assert_eq!(*a, d[i]);
        assert!((b - p[i]).abs() < 1e-9, "{a}: {b} vs {}", p[i]);
    }
    // October 2008 and March 2020 are stress-regime weeks
    for day in ["2008-10-10", "2020-03-20"] {
        let i = d.iter().position(|x| *x == day.parse::<chrono::NaiveDate>().unwrap()).unwrap();
        assert!(p[i] > 0.9, "{day}: {}", p[i]);
    }
}
