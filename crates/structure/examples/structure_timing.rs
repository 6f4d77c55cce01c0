//! Times concentration (all bundled snapshots) and the ten default rotation ratios
//! (used by tools/bench/liquidity_structure.py): prints
//! `concentration_seconds rotation_seconds last_hhi last_iwm_spy_z`.

use fissure_structure::concentration::{concentration_history, ConcentrationConfig};
use fissure_structure::rotation::{default_ratios, ratio, RotationConfig};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let reps: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(7);
    let d = fissure_io::demo::load().expect("demo data");
    let series: std::collections::BTreeMap<String, fissure_core::Series> =
        d.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect();
    let mcaps: Vec<fissure_core::CrossSection> =
        d.sections.into_iter().map(|(s, _)| s).filter(|s| s.field == "market_cap_usd_bn").collect();
    let (cc, rc) = (ConcentrationConfig::default(), RotationConfig::default());
    let (mut tc, mut tr) = (Vec::new(), Vec::new());
    let (mut hhi, mut z) = (f64::NAN, f64::NAN);
    for _ in 0..reps {
        let t = std::time::Instant::now();
        let h = concentration_history(&mcaps, &cc).expect("concentration");
        tc.push(t.elapsed().as_secs_f64());
        hhi = h.last().map_or(f64::NAN, |c| c.hhi);
        let t = std::time::Instant::now();
        let rs: Vec<_> = default_ratios().iter().map(|s| ratio(&series, s, &rc).expect("ratio")).collect();
        tr.push(t.elapsed().as_secs_f64());
        z = *rs[0].z.last().unwrap_or(&f64::NAN);
    }
    println!("{} {} {} {}", median(tc), median(tr), hhi, z);
}
