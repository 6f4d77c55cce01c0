//! Writes the input of the scikit-learn reference check of the skill scores
//! (`tools/reference/report/skill_sklearn.py`): on the bundled real data, the
//! weekly S&P 500 2-year run-up percentile (the Greenwood–Shleifer–You baseline),
//! its 12-month label (a 20% fall of the S&P 500 or the NASDAQ peaks within 12
//! months; simultaneous falls merged), its real-time calibrated probability and
//! the real-time base rate, from 1966.
//!
//! `cargo run -p fissure-report --example skill_fixture -- crates/report/tests/fixtures/skill_input.csv`

use chrono::NaiveDate;
use fissure_report::skill::{baseline_scores, find_events, labels, merge_events, PRIMARY_DAYS};
use fissure_report::warning::{realtime_calibration, realtime_fit, FitParams};
use std::fmt::Write;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).unwrap_or_else(|| "skill_input.csv".into());
    let demo = fissure_io::demo::load()?;
    let get = |id: &str| demo.series.iter().find(|(s, _)| s.id() == id).map(|(s, _)| s.clone());
    let (spx, ixic) = (get("SPX").ok_or("SPX")?, get("IXIC").ok_or("IXIC")?);
    let as_of = spx.last_date().ok_or("empty")?;
    let calendar = fissure_report::composite::weekly_calendar(spx.first_date().ok_or("empty")?, as_of);
    let mut ev = find_events(&spx, 0.2);
    ev.extend(find_events(&ixic, 0.2));
    let ev = merge_events(ev);
    let lab = labels(&calendar, &ev, PRIMARY_DAYS, as_of);
    let runup = baseline_scores(&spx, &calendar).into_iter().find(|b| b.0 == "runup2y").ok_or("run-up")?.1;
    let prob = realtime_calibration(&calendar, &runup, &ev, &FitParams { refit_weeks: 13, ..FitParams::default() });
    let base = realtime_fit(&calendar, &vec![None; calendar.len()], &ev, &FitParams::default()).base;
    let from = NaiveDate::from_ymd_opt(1966, 1, 1).ok_or("date")?;
    let mut csv = String::from("week,date,score,label,probability,base_rate\n");
    for (i, d) in calendar.iter().enumerate() {
        if *d < from {
            continue;
        }
        if let (Some(s), Some(y)) = (runup[i], lab[i]) {
            let f = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.17}"));
            let _ = writeln!(csv, "{i},{d},{s:.17},{},{},{}", y as u8, f(prob[i]), f(base[i]));
        }
    }
    std::fs::write(&out, csv)?;
    println!("{out}: {} weeks", calendar.len());
    Ok(())
}
