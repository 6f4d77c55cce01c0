//! Rate / yen betas and the carry-unwind indicator on the bundled real data.

mod common;

use fissure_liquidity::carry::{basket_betas, carry_unwind, default_baskets, CarryConfig};

#[test]
fn carry_unwind_dates_august_2024() {
    let data = common::demo();
    let cu = carry_unwind(data, "SPX", "USDJPY", "VIX", &CarryConfig::default()).unwrap();
    for e in &cu.episodes {
        eprintln!(
            "{} .. {} peak {} score {:.2} yen {:+.1}% vix {:+.1} -> {:.1}",
            e.start, e.end, e.peak, e.peak_score, e.yen_move_pct, e.vix_change, e.vix_at_peak
        );
    }
    let aug = cu
        .episodes
        .iter()
        .find(|e| e.start <= "2024-08-09".parse().unwrap() && e.end >= "2024-08-01".parse().unwrap())
        .expect("an episode in early August 2024");
    assert!(aug.yen_move_pct > 3.0 && aug.vix_change > 10.0, "{aug:?}");
    // the indicator is selective: episodes are rare
    let above = cu.score.iter().filter(|s| **s >= 2.0).count();
    assert!((above as f64) < 0.01 * cu.score.len() as f64, "{above} of {} days", cu.score.len());
    // real time: truncating the data does not change past values
    let cut: chrono::NaiveDate = "2024-08-06".parse().unwrap();
    let trunc: std::collections::BTreeMap<_, _> = data.iter().map(|(k, s)| (k.clone(), s.as_of(cut))).collect();
    let part = carry_unwind(&trunc, "SPX", "USDJPY", "VIX", &CarryConfig::default()).unwrap();
    let i = cu.dates.iter().position(|d| *d == cut).unwrap();
    assert_eq!(part.dates.last(), Some(&cut));
    assert!((part.score.last().unwrap() - cu.score[i]).abs() < 1e-12);
}

#[test]
fn basket_betas_have_expected_signs() {
    let data = common::demo();
    let bb = basket_betas(data, &default_baskets(), "SPX", "US10Y", "USDJPY", &CarryConfig::default()).unwrap();
    assert_eq!(bb.len(), 6);
    for b in &bb {
        let (d, br, bj, r2) = b.latest().unwrap();
        eprintln!("{:>10} {d} beta_rate {br:+.2} beta_jpy {bj:+.2} r2 {r2:.2} ({} dates)", b.basket, b.dates.len());
    }
    // gold falls when real yields rise: its average rate beta over the sample is negative
    let gold = bb.iter().find(|b| b.basket == "gold").unwrap();
    let mean_rate: f64 = gold.beta_rate.iter().sum::<f64>() / gold.beta_rate.len() as f64;
    assert!(mean_rate < 0.0, "gold mean rate beta {mean_rate}");
    // a basket regressed on itself-like factors: betas finite, R² in [0, 1]
    for b in &bb {
        assert!(b.r2.iter().all(|r| (0.0..=1.0).contains(r)));
        assert!(b.beta_rate.iter().chain(&b.beta_jpy).all(|v| v.is_finite()));
    }
}

#[test]
fn rolling_betas_equal_per_window_least_squares() {
    // fixture: tools/reference/liquidity/rolling_betas_reference.py (numpy lstsq per window,
    // cross-checked with statsmodels OLS) on GLD, US10Y, USDJPY of the bundled data
    let data = common::demo();
    let gold = fissure_liquidity::carry::Basket::equal("gold", &["GLD"]);
    let bb = basket_betas(data, &[gold], "SPX", "US10Y", "USDJPY", &CarryConfig::default()).unwrap();
    let b = &bb[0];
    let text = std::fs::read_to_string(format!("{}/tests/fixtures/rolling_betas_gld.csv", env!("CARGO_MANIFEST_DIR")))
        .unwrap();
    let mut checked = 0;
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let d: chrono::NaiveDate = f[0].parse().unwrap();
        let (br, bj): (f64, f64) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        let i = b.dates.iter().position(|x| *x == d).unwrap_or_else(|| panic!("date {d} missing"));
        assert!((b.beta_rate[i] - br).abs() < 1e-8 * br.abs().max(1.0), "{d}: {} vs {br}", b.beta_rate[i]);
        assert!((b.beta_jpy[i] - bj).abs() < 1e-8 * bj.abs().max(1.0), "{d}: {} vs {bj}", b.beta_jpy[i]);
        checked += 1;
    }
    assert_eq!(checked, 750);
}

#[test]
fn basket_betas_are_point_in_time_when_a_heavy_member_arrives_late() {
    // BTC (first close 2014-09-17) carries 70% of the basket: before it exists the basket is QQQ alone, and a run on
    // data cut at D must give the full run's value at D whether BTC is absent from the data or present but empty.
    let data = common::demo();
    let late = fissure_liquidity::carry::Basket {
        name: "late".into(),
        members: vec![("QQQ".into(), 0.3), ("BTC".into(), 0.7)],
    };
    let cfg = CarryConfig::default();
    let full = basket_betas(data, std::slice::from_ref(&late), "SPX", "US10Y", "USDJPY", &cfg).unwrap();
    let full = &full[0];
    let btc_start: chrono::NaiveDate = "2014-09-17".parse().unwrap();
    let mut checked = 0;
    for cut in ["2012-06-29", "2014-09-16", "2014-09-30", "2015-06-30", "2020-03-20"] {
        let cut: chrono::NaiveDate = cut.parse().unwrap();
        let present: std::collections::BTreeMap<_, _> = data.iter().map(|(k, s)| (k.clone(), s.as_of(cut))).collect();
        let mut absent = present.clone();
        if cut < btc_start {
            absent.remove("BTC");
        }
        for part_data in [&present, &absent] {
            let part = basket_betas(part_data, std::slice::from_ref(&late), "SPX", "US10Y", "USDJPY", &cfg).unwrap();
            let part = &part[0];
            let (d, br, bj, r2) = part.latest().expect("a value at the cut");
            let i = full.dates.iter().position(|x| *x == d).expect("the full run has the cut's date");
            assert!(d <= cut && (cut - d).num_days() < 7, "{cut}: last value {d}");
            assert!((br - full.beta_rate[i]).abs() < 1e-10, "{cut}: rate beta {br} vs {}", full.beta_rate[i]);
            assert!((bj - full.beta_jpy[i]).abs() < 1e-10, "{cut}: yen beta {bj} vs {}", full.beta_jpy[i]);
            assert!((r2 - full.r2[i]).abs() < 1e-10, "{cut}: r2");
            // and the whole history up to the cut agrees, not only its last point
            assert_eq!(part.dates[..], full.dates[..part.dates.len()], "{cut}: dates");
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

/// Named baskets: a lookup's members, else the id as a one-member basket; no names = the defaults, any of them
/// redefined by the lookup.
#[test]
fn baskets_by_name_and_defaults() {
    use fissure_liquidity::carry::baskets_named;
    let lookup = |n: &str| (n == "ai").then(|| vec![("NVDA".to_string(), 0.5), ("AMD".to_string(), 0.5)]);
    let b = baskets_named(&["ai".to_string(), "XLU".to_string()], lookup);
    assert_eq!(b[0].members, [("NVDA".to_string(), 0.5), ("AMD".to_string(), 0.5)]);
    assert_eq!((b[1].name.as_str(), b[1].members.clone()), ("XLU", vec![("XLU".to_string(), 1.0)]));
    let d = baskets_named(&[], lookup);
    assert_eq!(d.len(), default_baskets().len());
    assert_eq!(d.iter().find(|x| x.name == "ai").map(|x| x.members.len()), Some(2));
    assert_eq!(d.iter().find(|x| x.name == "growth"), default_baskets().iter().find(|x| x.name == "growth"));
}

/// The observations of a Markov-switching fit (weekly, returns, scale) and its document (shared by the CLI and
/// Python): probabilities dated from the observation after the AR lags.
#[test]
fn markov_observations_and_document() {
    use fissure_liquidity::markov::{markov_json, observations, FitOptions, MarkovSwitching, MsReturns, MsSpec};
    let spx = common::demo()["SPX"].slice("2015-01-01".parse().ok(), "2019-12-31".parse().ok());
    let (s, y) = observations(&spx, true, Some(MsReturns::Log), 100.0).unwrap();
    assert_eq!(y.len(), s.len());
    assert!((y[0] - 100.0 * s.values()[0]).abs() < 1e-12);
    assert!(s.len() < spx.len() / 4, "weekly: {} of {} days", s.len(), spx.len());
    let spec = MsSpec { k: 2, order: 1, switching_exog: vec![true], switching_ar: false, switching_variance: true };
    let m = MarkovSwitching::with_constant(&y, spec.clone()).unwrap();
    let fit = m.fit(&FitOptions::default()).unwrap();
    let v = markov_json(&s, m.nobs(), &spec, Some(MsReturns::Log), 100.0, &fit);
    assert_eq!(v["returns"], "log");
    assert_eq!(v["filtered"].as_array().map(Vec::len), Some(s.len() - 1));
    assert_eq!(v["filtered"][0]["date"], serde_json::json!(s.dates()[1]));
    assert_eq!(v["regime_order"], "ascending variance");
}
