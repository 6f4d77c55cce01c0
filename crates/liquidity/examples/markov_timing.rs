//! Times Fissure's Markov-switching fit on a fixture (used by tools/bench/liquidity_markov.py):
//! `cargo run --release -p fissure-liquidity --example markov_timing -- FIXTURE.json K ORDER SWITCHING_VARIANCE REPS`
//! prints `median_seconds loglik`.

use fissure_liquidity::markov::{FitOptions, MarkovSwitching, MsSpec};

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() < 6 {
        eprintln!("usage: markov_timing FIXTURE.json K ORDER SWITCHING_VARIANCE(0|1) REPS");
        std::process::exit(2);
    }
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&a[1]).expect("fixture")).expect("json");
    let y: Vec<f64> = v["endog"].as_array().expect("endog").iter().filter_map(|x| x.as_f64()).collect();
    let k: usize = a[2].parse().expect("K");
    let order: usize = a[3].parse().expect("ORDER");
    let sv = a[4] == "1";
    let reps: usize = a[5].parse().expect("REPS");
    let m = MarkovSwitching::with_constant(&y, MsSpec::switching_mean(k, order, sv)).expect("model");
    let mut times = Vec::new();
    let mut ll = f64::NAN;
    for _ in 0..reps {
        let t = std::time::Instant::now();
        let f = m.fit(&FitOptions::default()).expect("fit");
        times.push(t.elapsed().as_secs_f64());
        ll = f.loglik;
    }
    times.sort_by(f64::total_cmp);
    println!("{} {}", times[times.len() / 2], ll);
}
