//! Real-time safety of the report: the whole report (every family, the registry,
//! the gauges and the combined warning) built on the bundled data *as it was
//! known* on a date D — series moved to their publication dates, truncated at D —
//! gives the same value, percentile and state at D for every signal and every
//! gauge, and the same warning probability, as the full run's history at D.
//! Any difference fails. (The binary's `families()` cannot be called from a test;
//! the list below mirrors it and must be kept in step with it.)

use chrono::NaiveDate;
use fissure_core::{FamilyInputs, SignalFamily};
use fissure_io::Watchlist;
use fissure_report::{Progress, Report, ReportInput, SkillParams};
use std::sync::OnceLock;

fn demo() -> &'static fissure_io::demo::DemoData {
    static D: OnceLock<fissure_io::demo::DemoData> = OnceLock::new();
    D.get_or_init(|| fissure_io::demo::load().unwrap())
}

fn inputs(demo: &fissure_io::demo::DemoData, as_of: NaiveDate) -> FamilyInputs {
    let w = Watchlist::embedded();
    let mut inp = FamilyInputs { as_of: Some(as_of), ..Default::default() };
    for (s, _) in &demo.series {
        let s = fissure_io::publication::as_known(s).as_of(as_of);
        if !s.is_empty() {
            inp.series.insert(s.id().to_string(), s);
        }
    }
    for (c, _) in &demo.sections {
        if c.date <= as_of {
            inp.sections.entry(c.id.clone()).or_default().push(c.clone());
        }
    }
    for v in inp.sections.values_mut() {
        v.sort_by(|a, b| a.date.cmp(&b.date).then(a.field.cmp(&b.field)));
    }
    for b in w.baskets.keys() {
        inp.baskets.insert(b.clone(), w.basket_weights(b).unwrap());
    }
    inp.roles = w.roles.clone();
    inp.bubble_assets = w.report.bubble_assets.clone();
    inp
}

fn families() -> Vec<Box<dyn SignalFamily>> {
    vec![
        Box::new(fissure_bubble::signals::BubbleFamily::default()),
        Box::new(fissure_contagion::signals::ContagionFamily),
        Box::new(fissure_liquidity::signals::LiquidityFamily),
        Box::new(fissure_structure::signals::StructureFamily),
    ]
}

fn build(as_of: NaiveDate) -> Report {
    let fams = families();
    let events: Vec<(String, f64)> = Watchlist::embedded().report.drawdown_events.into_iter().collect();
    let input = ReportInput {
        families: fams.iter().map(|f| f.as_ref()).collect(),
        inputs: inputs(demo(), as_of),
        events,
        as_of,
        sources: vec![],
        // the comparison needs the histories, not the bands
        skill_params: SkillParams { boot_reps: 0, shifts: 0, ..SkillParams::default() },
        code_id: "realtime-test".into(),
    };
    fissure_report::build(input, None, &|_: Progress<'_>| {})
}

fn last_date() -> NaiveDate {
    demo().series.iter().filter_map(|(s, _)| fissure_io::publication::as_known(s).last_date()).max().unwrap()
}

fn full() -> &'static Report {
    static R: OnceLock<Report> = OnceLock::new();
    R.get_or_init(|| build(last_date()))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Compares every signal, gauge and the warning of the report as of `t` with the full run.
fn compare(t: NaiveDate) -> (usize, Vec<String>) {
    let full = full();
    let cut = build(t);
    let mut problems = Vec::new();
    let mut compared = 0;
    for (cf, ff) in cut.families.iter().zip(&full.families) {
        assert_eq!(cf.run.key, ff.run.key);
        for c in &cf.signals {
            let Some(fr) = ff.signals.iter().find(|s| s.id == c.id) else {
                problems.push(format!("{t}: {} exists as of {t} but not in the full run", c.id));
                continue;
            };
            // The last date of the truncated run that the full run also has (a family may
            // sample on a grid that ends at the last date it is given, e.g. LPPLS, weekly).
            let Some((i, j)) = (0..c.dates.len())
                .rev()
                .take(40)
                .find_map(|i| fr.index_at_or_before(c.dates[i]).filter(|j| fr.dates[*j] == c.dates[i]).map(|j| (i, j)))
            else {
                problems.push(format!("{t}: {} has no date in common with the full run near {t}", c.id));
                continue;
            };
            let d = c.dates[i];
            if !close(c.values[i], fr.values[j]) {
                problems.push(format!("{} at {d}: {} (as of {t}) vs {} (full run)", c.id, c.values[i], fr.values[j]));
            } else if c.percentiles[i] != fr.percentiles[j] || c.states[i] != fr.states[j] {
                problems.push(format!(
                    "{} at {d}: percentile/state {:?}/{:?} (as of {t}) vs {:?}/{:?}",
                    c.id, c.percentiles[i], c.states[i], fr.percentiles[j], fr.states[j]
                ));
            }
            compared += 1;
        }
        // a signal of the full run with history at t must exist as of t
        for fr in &ff.signals {
            let known = fr.index_at_or_before(t).is_some_and(|j| (t - fr.dates[j]).num_days() <= 7);
            if known && !cf.signals.iter().any(|c| c.id == fr.id) {
                problems.push(format!("{t}: {} has a value at {t} in the full run but none as of {t}", fr.id));
            }
        }
    }
    let cc = &cut.composite;
    let fc = &full.composite;
    let gauges = std::iter::once((&cc.overall, &fc.overall))
        .chain(cc.families.iter().zip(&fc.families))
        .chain([(&cc.fragility, &fc.fragility), (&cc.stress_now, &fc.stress_now)]);
    for (g, fg) in gauges {
        assert_eq!(g.id, fg.id);
        // the last Friday of the truncated calendar (the full run has no point on t itself)
        let Some(k) = (0..g.dates.len()).rev().find(|k| fg.dates.binary_search(&g.dates[*k]).is_ok()) else {
            problems.push(format!("{t}: gauge {} has no date in common", g.id));
            continue;
        };
        let fk = fg.dates.binary_search(&g.dates[k]).unwrap_or(0);
        let same = match (g.values[k], fg.values[fk]) {
            (Some(a), Some(b)) => close(a, b),
            (None, None) => true,
            _ => false,
        };
        if !same || g.states[k] != fg.states[fk] {
            problems.push(format!(
                "gauge {} at {}: {:?}/{:?} (as of {t}) vs {:?}/{:?} (full run)",
                g.id, g.dates[k], g.values[k], g.states[k], fg.values[fk], fg.states[fk]
            ));
        }
        compared += 1;
    }
    // the combined warning's real-time probability
    let (w, fw) = (&cut.skill.warning, &full.skill.warning);
    if let Some(k) = (0..w.dates.len()).rev().find(|k| fw.dates.binary_search(&w.dates[*k]).is_ok()) {
        let fk = fw.dates.binary_search(&w.dates[k]).unwrap_or(0);
        let same = match (w.history[k], fw.history[fk]) {
            (Some(a), Some(b)) => (a - b).abs() <= 1e-7,
            (None, None) => true,
            _ => false,
        };
        if !same {
            problems.push(format!(
                "warning at {}: {:?} (as of {t}) vs {:?} (full run)",
                w.dates[k], w.history[k], fw.history[fk]
            ));
        }
        compared += 1;
    }
    // nothing after t is known at t
    if cut.skill.events.iter().any(|e| e.event_date > t) {
        problems.push(format!("{t}: an event dated after {t} is known"));
    }
    (compared, problems)
}

#[test]
fn every_signal_gauge_and_the_warning_at_d_match_the_full_history() {
    let mut problems = Vec::new();
    // 2007-10-05: before the AI basket's last member (META, 2012); 2008-09-17 a Wednesday
    // (weekly signals have a partial week); 2020-03-18 in the Covid fall; 2025-04-04.
    for t in ["2007-10-05", "2008-09-17", "2020-03-18", "2025-04-04"] {
        let t: NaiveDate = t.parse().unwrap();
        let (compared, p) = compare(t);
        assert!(compared >= 20, "{t}: only {compared} compared");
        problems.extend(p);
    }
    assert!(problems.is_empty(), "look-ahead in the report:\n{}", problems.join("\n"));
}

/// Regression: `structure.small_vs_large_z` alarmed whenever z ≤ 2 (92% of the time).
#[test]
fn small_vs_large_z_alarms_rarely() {
    let s = full().families.iter().flat_map(|f| &f.signals).find(|s| s.id == "structure.small_vs_large_z");
    let s = s.expect("structure.small_vs_large_z in the report");
    let with_state = s.states.iter().filter(|x| x.is_some()).count();
    let alarms = s.states.iter().filter(|x| **x == Some(fissure_report::State::Alarm)).count();
    assert!(with_state > 1000);
    let share = alarms as f64 / with_state as f64;
    assert!(share < 0.10, "alarm on {:.0}% of days", 100.0 * share);
    // and each alarm is a z-score at or below −2
    for (v, st) in s.values.iter().zip(&s.states) {
        if *st == Some(fissure_report::State::Alarm) {
            assert!(*v <= -2.0, "alarm at z = {v}");
        }
    }
}

/// Publication lags: margin debt and CAPE are seen only from their publication dates.
#[test]
fn lagged_series_are_seen_from_their_publication_date() {
    let t: NaiveDate = "2008-09-17".parse().unwrap();
    let inp = inputs(demo(), t);
    let md = &inp.series["MARGIN_DEBT"];
    // August 2008's balance (labelled 2008-08-01) was published about 50 days later, after t;
    // the last one known is July's.
    assert_eq!(md.last_date(), Some("2008-07-01".parse::<NaiveDate>().unwrap() + chrono::Duration::days(50)));
    let cape = &inp.series["CAPE"];
    assert!(cape.last_date().unwrap() <= t);
    assert_eq!(cape.last_date(), Some("2008-08-01".parse::<NaiveDate>().unwrap() + chrono::Duration::days(31)));
}
