//! Phase timings of a fit (development aid): EM, BFGS polishing, standard errors.
use fissure_liquidity::markov::{FitOptions, MarkovSwitching, MsSpec};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&a[1]).unwrap()).unwrap();
    let y: Vec<f64> = v["endog"].as_array().unwrap().iter().filter_map(|x| x.as_f64()).collect();
    let m = MarkovSwitching::with_constant(&y, MsSpec::switching_mean(2, a[2].parse().unwrap(), a[3] == "1")).unwrap();
    for (label, o) in [
        ("full", FitOptions::default()),
        ("no se", FitOptions { std_errors: false, ..Default::default() }),
        ("no se, 0 random", FitOptions { std_errors: false, random_starts: 0, ..Default::default() }),
        ("no se, 0 random, em 0", FitOptions { std_errors: false, random_starts: 0, em_iter: 0, ..Default::default() }),
    ] {
        let t = std::time::Instant::now();
        let f = m.fit(&o).unwrap();
        println!(
            "{label}: {:.2} ms llf {:.6} em {:.6} conv {}",
            t.elapsed().as_secs_f64() * 1e3,
            f.loglik,
            f.em_loglik,
            f.converged
        );
    }
    let t = std::time::Instant::now();
    let f = m.fit(&FitOptions::default()).unwrap();
    let _ = t;
    let t = std::time::Instant::now();
    for _ in 0..100 {
        std::hint::black_box(m.loglike(&f.params));
    }
    println!("loglike: {:.1} us", t.elapsed().as_secs_f64() * 1e4);
    let t = std::time::Instant::now();
    for _ in 0..20 {
        std::hint::black_box(m.smooth(&f.params).unwrap());
    }
    println!("smooth: {:.1} us", t.elapsed().as_secs_f64() * 1e6 / 20.0);
    let t = std::time::Instant::now();
    for _ in 0..20 {
        std::hint::black_box(m.score(&f.params).unwrap());
    }
    println!("score: {:.1} us", t.elapsed().as_secs_f64() * 1e6 / 20.0);
    let t = std::time::Instant::now();
    let st = m.structure(&f.params).unwrap();
    for _ in 0..10 {
        std::hint::black_box(m.em(st.clone(), 10, 0.0).unwrap());
    }
    println!("em x10: {:.2} ms", t.elapsed().as_secs_f64() * 1e3 / 10.0);
    let t = std::time::Instant::now();
    for _ in 0..10 {
        std::hint::black_box(m.std_errors(&f.params));
    }
    println!("std_errors: {:.2} ms", t.elapsed().as_secs_f64() * 1e3 / 10.0);
}
