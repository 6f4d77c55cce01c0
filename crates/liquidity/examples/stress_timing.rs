//! Times the stress index on the bundled data (used by tools/bench/liquidity_stress.py):
//! `cargo run --release -p fissure-liquidity --example stress_timing -- REPS` prints `median_seconds last_value`.

fn main() {
    let reps: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(7);
    let d = fissure_io::demo::load().expect("demo data");
    let series: std::collections::BTreeMap<String, fissure_core::Series> =
        d.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect();
    let cfg = fissure_liquidity::stress::StressConfig::default();
    let mut times = Vec::new();
    let mut last = f64::NAN;
    for _ in 0..reps {
        let t = std::time::Instant::now();
        let idx = fissure_liquidity::stress::stress_index(&series, &cfg).expect("index");
        times.push(t.elapsed().as_secs_f64());
        last = *idx.values.last().unwrap_or(&f64::NAN);
    }
    times.sort_by(f64::total_cmp);
    println!("{} {}", times[times.len() / 2], last);
}
