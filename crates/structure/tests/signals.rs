//! The family's signals on the bundled data.

mod common;

use fissure_core::family::FamilyInputs;
use fissure_structure::signals::compute;

#[test]
fn signals_present_and_explained() {
    let d = common::demo();
    let mut inputs = FamilyInputs { series: d.series.clone(), ..Default::default() };
    inputs.sections.insert("SP500_MCAP".into(), d.mcaps.clone());
    let r = compute(&inputs);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    let ids: Vec<&str> = r.signals.iter().map(|s| s.spec.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "structure.top10_share",
            "structure.mag7_share",
            "structure.small_vs_large_z",
            "structure.defensive_vs_tech_z"
        ]
    );
    for s in &r.signals {
        assert_eq!(s.dates.len(), s.values.len());
        assert!(s.values.iter().all(|v| v.is_finite()));
        assert!(s.explain_zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)));
        eprintln!("{}: {}\n  {}", s.spec.id, s.explain_en, s.explain_zh);
    }
    let m7 = &r.signals[1];
    assert!(*m7.values.last().unwrap() > 1.0 / 3.0);
    assert_eq!(r.charts.len(), 3);
}
