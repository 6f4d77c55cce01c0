//! Real-time safety of the report's signals: every family of the report,
//! recomputed on the bundled data truncated at a date t, gives the same signal
//! values, percentiles and states at t as the run on the full data.
//! (The binary's `families()` cannot be called from a test; the list below
//! mirrors it and must be kept in step with it.)

use chrono::NaiveDate;
use fissure_core::{FamilyInputs, SignalFamily};
use fissure_io::Watchlist;
use fissure_report::registry::SignalReport;

fn inputs(demo: &fissure_io::demo::DemoData, as_of: NaiveDate) -> FamilyInputs {
    let w = Watchlist::embedded();
    let mut inp = FamilyInputs { as_of: Some(as_of), ..Default::default() };
    for (s, _) in &demo.series {
        let s = s.as_of(as_of);
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

#[test]
fn signals_at_t_do_not_depend_on_later_data() {
    let demo = fissure_io::demo::load().unwrap();
    let last = demo.series.iter().filter_map(|(s, _)| s.last_date()).max().unwrap();
    let events: Vec<(String, f64)> = Watchlist::embedded().report.drawdown_events.into_iter().collect();
    let families: Vec<Box<dyn SignalFamily>> = vec![
        Box::new(fissure_bubble::signals::BubbleFamily::default()),
        Box::new(fissure_contagion::signals::ContagionFamily),
        Box::new(fissure_liquidity::signals::LiquidityFamily),
        Box::new(fissure_structure::signals::StructureFamily),
        Box::new(fissure_report::baseline::BaselineFamily::new(events)),
    ];
    let full_in = inputs(&demo, last);
    let fulls: Vec<_> = families.iter().map(|f| f.compute(&full_in)).collect();
    let mut problems = Vec::new();
    let mut compared = 0;
    // A Wednesday (weekly signals have a partial week) and a Friday.
    for (t, (f, full)) in ["2008-09-17", "2025-04-04"]
        .iter()
        .flat_map(|t| families.iter().zip(&fulls).map(move |x| (t.parse::<NaiveDate>().unwrap(), x)))
    {
        let (Ok(full), Ok(mut cut)) = (full.clone(), f.compute(&inputs(&demo, t))) else {
            problems.push(format!("{}: failed to compute", f.key()));
            continue;
        };
        // As the registry does: what is dated after t is not shown at t.
        fissure_report::registry::drop_after(&mut cut, t);
        for cs in &cut.signals {
            let Some(fs) = full.signals.iter().find(|s| s.spec.id == cs.spec.id) else {
                problems.push(format!("{}: not in the full run", cs.spec.id));
                continue;
            };
            let (c, fr) = (SignalReport::read(cs), SignalReport::read(fs));
            // The last date of the truncated run that the full run also has (a
            // family may sample on a grid that ends at the last date it is given).
            let Some((i, j)) = (0..c.dates.len())
                .rev()
                .take(40)
                .find_map(|i| fr.index_at_or_before(c.dates[i]).filter(|j| fr.dates[*j] == c.dates[i]).map(|j| (i, j)))
            else {
                // Not a look-ahead: the full run has no history there (e.g. a basket
                // whose members differ once later-listed series exist).
                eprintln!("{}: no date in common with the full run near {t}; not compared", c.id);
                continue;
            };
            let d = c.dates[i];
            let tol = 1e-9 * c.values[i].abs().max(1.0);
            if (c.values[i] - fr.values[j]).abs() > tol {
                problems.push(format!("{} at {d}: {} (data to t) vs {} (full data)", c.id, c.values[i], fr.values[j]));
            } else if c.percentiles[i] != fr.percentiles[j] || c.states[i] != fr.states[j] {
                problems.push(format!("{} at {d}: percentile/state differ", c.id));
            }
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} signals compared");
    assert!(problems.is_empty(), "look-ahead in the report's signals:\n{}", problems.join("\n"));
}
