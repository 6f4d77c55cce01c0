//! The `contagion corr` document (`json::correlations`), shared by the CLI and the Python package.

use chrono::NaiveDate;
use fissure_contagion::json::correlations;
use fissure_contagion::panel::ReturnRows;

/// Three deterministic return series; b follows a, c is unrelated.
fn rows(t: usize) -> ReturnRows {
    let d0 = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    let rows = (0..t)
        .map(|i| {
            let x = i as f64;
            let a = 0.01 * (0.7 * x).sin();
            vec![a, 0.8 * a + 0.002 * (1.3 * x).cos(), 0.01 * (2.9 * x + 1.0).sin() * (0.11 * x).cos()]
        })
        .collect();
    ReturnRows {
        names: vec!["A".into(), "B".into(), "C".into()],
        dates: (0..t).map(|i| d0 + chrono::Days::new(i as u64)).collect(),
        rows,
    }
}

#[test]
fn rolling_and_ewma_documents() {
    let r = rows(300);
    let v = correlations(&r, 60, None, 0.95).unwrap();
    assert_eq!(v["method"], "rolling(60)");
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 3);
    let ab = &pairs[0];
    assert_eq!((ab["a"].as_str(), ab["b"].as_str()), (Some("A"), Some("B")));
    let c = ab["corr"].as_f64().unwrap();
    assert!(c > 0.9 && ab["lower"].as_f64().unwrap() < c && c < ab["upper"].as_f64().unwrap(), "{ab}");
    assert_eq!(v["matrix"][0][1].as_f64(), Some(c));
    assert!(v.get("series").is_none(), "the path is for two series only");
    // EWMA: no Fisher band (null), same keys
    let e = correlations(&r, 60, Some(0.94), 0.95).unwrap();
    assert_eq!(e["method"], "ewma(lambda=0.94)");
    assert!(e["pairs"][0]["lower"].is_null() && e["pairs"][0]["corr"].is_number());
    // two series: the rolling path
    let two = ReturnRows {
        names: r.names[..2].to_vec(),
        dates: r.dates.clone(),
        rows: r.rows.iter().map(|x| x[..2].to_vec()).collect(),
    };
    let p = correlations(&two, 60, None, 0.95).unwrap();
    assert_eq!(p["series"]["corr"].as_array().unwrap().len(), 300 - 60 + 1);
    // a window longer than the data is refused, naming the series
    let err = correlations(&r, 301, None, 0.95).unwrap_err().to_string();
    assert!(err.contains("longer than the 300 common returns of A, B, C"), "{err}");
}
