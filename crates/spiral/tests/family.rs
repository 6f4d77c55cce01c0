//! The report family: real-time safety (a month-end's value does not change when
//! later data arrive), bilingual texts, the fan chart; and the scenario export.

mod common;

use chrono::NaiveDate;
use fissure_core::{ChartData, FamilyInputs, SignalFamily};
use fissure_spiral::signals::SpiralFamily;
use fissure_spiral::{parse_spec, simulate_path, Market, Shock, SpiralConfig};
use std::collections::BTreeMap;

fn inputs(as_of: Option<NaiveDate>) -> FamilyInputs {
    let series =
        common::demo().iter().map(|(k, s)| (k.clone(), as_of.map_or_else(|| s.clone(), |d| s.as_of(d)))).collect();
    let last = common::demo().values().filter_map(|s| s.last_date()).max();
    FamilyInputs { as_of: as_of.or(last), series, ..Default::default() }
}

#[test]
fn family_is_real_time_safe_and_draws_a_fan() {
    let fam = SpiralFamily { paths: 40, steps: 10, years: 2, ..Default::default() };
    let full = fam.compute(&inputs(None)).unwrap();
    let cut_date = NaiveDate::from_ymd_opt(2025, 9, 17).unwrap();
    let cut = fam.compute(&inputs(Some(cut_date))).unwrap();
    assert_eq!(full.signals.len(), 2);
    let mut compared = 0;
    for (f, c) in full.signals.iter().zip(&cut.signals) {
        assert_eq!(f.spec.id, c.spec.id);
        assert!(!f.explain_en.is_empty() && !f.explain_zh.is_empty());
        for (d, v) in c.dates.iter().zip(&c.values) {
            if *d == *c.dates.last().unwrap() {
                continue; // the truncated run's own last date is not a month-end
            }
            if let Some(i) = f.dates.iter().position(|x| x == d) {
                assert_eq!(f.values[i], *v, "{} on {d}", f.spec.id);
                compared += 1;
            }
        }
    }
    assert!(compared >= 6, "compared {compared}");
    assert!(full.charts.iter().any(|c| matches!(&c.data, ChartData::Fan { bands, .. } if bands.len() == 2)));
    assert!(full.notes.iter().any(|n| n.en.contains("2026-02-23")));
}

#[test]
fn missing_inputs_give_a_note_not_an_error() {
    let mut i = inputs(None);
    i.series.remove("GOLD");
    let out = SpiralFamily::default().compute(&i).unwrap();
    assert!(out.signals.is_empty());
    assert!(out.notes[0].en.contains("GOLD"));
}

#[test]
fn scenario_portfolio_returns() {
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.steps = 5;
    let m = Market::estimate(common::demo(), &cfg, None).unwrap();
    let sh = Shock::build(&[parse_spec("SPX=-0.05").unwrap()], &m, &cfg).unwrap();
    let p = simulate_path(&cfg, &m, &sh, 3);
    let w: BTreeMap<String, f64> =
        [("SPX".to_string(), 0.6), ("TLT".to_string(), 0.4), ("XYZ".to_string(), 0.1)].into();
    let (r, unknown) = p.portfolio_returns(&w, true);
    assert_eq!(unknown, vec!["XYZ".to_string()]);
    let (s, t) = (m.index("SPX").unwrap(), m.index("TLT").unwrap());
    for (day, x) in r.iter().enumerate() {
        assert!((x - (0.6 * p.returns[day][s] + 0.4 * p.returns[day][t])).abs() < 1e-15);
    }
    assert!(p.dates.iter().all(|d| *d > m.start_date));
    assert!((p.returns_without_agents[0][s] - p.returns[0][s]).abs() > 0.0);
}

/// The report's amplification is the net one (the shock's amplification less what the agents do on the
/// same paths without it), and its explanation gives the plain one too.
#[test]
fn family_amplification_is_net_of_the_no_shock_drift() {
    let fam = SpiralFamily { paths: 40, steps: 10, years: 1, ..Default::default() };
    let out = fam.compute(&inputs(None)).unwrap();
    let amp = out.signals.iter().find(|s| s.spec.id == "spiral.amplification").unwrap();
    let mut cfg = SpiralConfig::default_config();
    cfg.simulation.paths = 40;
    cfg.simulation.steps = 10;
    let i = inputs(None);
    let last = Market::estimate(&i.series, &cfg, i.as_of).unwrap().start_date;
    // the family estimates each month-end's state as of that date, the latest one as of `last`
    let m = Market::estimate(&i.series, &cfg, Some(last)).unwrap();
    assert_eq!(amp.dates.last(), Some(&last));
    let sh = Shock::build(&[parse_spec("SPX=-0.05").unwrap()], &m, &cfg).unwrap();
    let (r, base) = fissure_spiral::montecarlo::simulate_with_baseline(&cfg, &m, &sh);
    let net = base.amplification_net.unwrap().median;
    let plain = r.amplification.unwrap().median;
    assert_eq!(amp.values.last().copied(), Some(net));
    assert_ne!(net, plain, "the bundled book moves prices without a shock, so the two differ");
    assert!(
        amp.explain_en.contains(&format!("{net:.2}×"))
            && amp.explain_en.contains(&format!("{plain:.2}× before netting"))
    );
    let chart = out.charts.iter().find(|c| c.id == "spiral_amplification").unwrap();
    assert!(matches!(&chart.data, ChartData::Lines { lines, .. } if lines.len() == 2));
}
