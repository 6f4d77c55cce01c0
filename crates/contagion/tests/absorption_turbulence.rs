//! Absorption ratio and turbulence on real data (11 ETFs, 2007–2026) equal a direct
//! dense computation (explicit weights / window statistics, dense eigen / inverse) to 1e-10.

mod common;
use fissure_contagion::absorption::{absorption_ratio, absorption_ratio_of, ew_covariance, AbsorptionOptions};
use fissure_contagion::turbulence::turbulence;
use nalgebra::{DMatrix, DVector};

#[test]
fn absorption_ratio_equals_direct_dense() {
    let (_, dates, rows) = common::returns_of(&common::SECTORS);
    let opts = AbsorptionOptions::default();
    let a = absorption_ratio(&rows, &opts).unwrap();
    assert_eq!(a.n_top, 3);
    assert_eq!(a.ar.len(), rows.len() - 499);
    let mut worst = 0.0f64;
    for w in (0..a.ar.len()).step_by(5) {
        let end = a.end_index[w];
        let cov = ew_covariance(&rows[end + 1 - 500..=end], 250.0);
        let direct = absorption_ratio_of(&cov, 3).unwrap();
        worst = worst.max((direct - a.ar[w]).abs());
    }
    println!(
        "AR: {} windows from {}, max |diff| {worst:.3e}, last AR {:.4} ΔAR {:.3}",
        a.ar.len(),
        dates[499],
        a.ar.last().unwrap(),
        a.delta_ar.last().unwrap()
    );
    assert!(worst < 1e-10);
    // ΔAR by its definition at the last date
    let n = a.ar.len();
    let l = &a.ar[n - 250..];
    let s = &a.ar[n - 15..];
    let ml = l.iter().sum::<f64>() / 250.0;
    let sd = (l.iter().map(|v| (v - ml).powi(2)).sum::<f64>() / 249.0).sqrt();
    let want = (s.iter().sum::<f64>() / 15.0 - ml) / sd;
    assert!((a.delta_ar[n - 1] - want).abs() < 1e-10);
    assert!(a.delta_ar[248].is_nan() && a.delta_ar[249].is_finite());
    // AR rose in the 2011 euro crisis and 2020 above its calm 2017 level
    let at = |d: &str| {
        let d: fissure_core::Date = d.parse().unwrap();
        let i = dates.iter().position(|x| *x >= d).unwrap();
        a.ar[a.end_index.iter().position(|e| *e == i).unwrap()]
    };
    println!(
        "AR 2017-06-30 {:.3}, 2011-10-31 {:.3}, 2020-04-30 {:.3}",
        at("2017-06-30"),
        at("2011-10-31"),
        at("2020-04-30")
    );
    assert!(at("2011-10-31") > at("2017-06-30") && at("2020-04-30") > at("2017-06-30"));
}

#[test]
fn turbulence_equals_direct_dense() {
    let (_, dates, rows) = common::returns_of(&common::SECTORS);
    let t = turbulence(&rows, 500).unwrap();
    let n = 11usize;
    let mut worst = 0.0f64;
    for k in (0..t.turbulence.len()).step_by(7) {
        let day = t.index[k];
        let win = &rows[day - 500..day];
        let mean: Vec<f64> = (0..n).map(|j| win.iter().map(|r| r[j]).sum::<f64>() / 500.0).collect();
        let mut cov = DMatrix::zeros(n, n);
        for r in win {
            let d = DVector::from_iterator(n, (0..n).map(|j| r[j] - mean[j]));
            cov += &d * d.transpose();
        }
        cov /= 499.0;
        let d = DVector::from_iterator(n, (0..n).map(|j| rows[day][j] - mean[j]));
        let inv = cov.clone().try_inverse().unwrap();
        let dist = (d.transpose() * inv * &d)[(0, 0)];
        let mag: f64 = (0..n).map(|j| d[j] * d[j] / cov[(j, j)]).sum();
        worst = worst.max(((dist - t.turbulence[k]) / dist).abs()).max(((mag - t.magnitude[k]) / mag).abs());
        assert!((t.correlation_surprise[k] - dist / mag).abs() < 1e-9 * (dist / mag));
    }
    println!("turbulence: {} days, max rel diff {worst:.3e}", t.turbulence.len());
    assert!(worst < 1e-10);
    // 2020-03-16 is far in the tail of its own history
    let i = dates.iter().position(|d| d.to_string() == "2020-03-16").unwrap();
    let k = t.index.iter().position(|x| *x == i).unwrap();
    let pct = fissure_stats::describe::percentile_rank(&t.turbulence[..=k], t.turbulence[k]);
    println!("turbulence 2020-03-16 = {:.1} (N = 11), percentile {pct:.2}", t.turbulence[k]);
    assert!(pct > 99.0);
}

/// The absorption and turbulence documents (shared by the CLI and Python): one date per value, ΔAR null where
/// undefined (at the start), percentiles within [0, 100].
#[test]
fn absorption_and_turbulence_documents() {
    use fissure_contagion::panel::ReturnRows;
    let (names, dates, rows) = common::returns_of(&common::SECTORS);
    let r = ReturnRows { names: names.iter().map(|s| s.to_string()).collect(), dates, rows };
    let a = absorption_ratio(&r.rows, &AbsorptionOptions::default()).unwrap();
    let v = fissure_contagion::json::absorption(&r, &a, 500, 250.0);
    assert_eq!(v["dates"].as_array().map(Vec::len), Some(a.ar.len()));
    assert_eq!(v["dates"][0], serde_json::json!(r.dates[a.end_index[0]]));
    assert!(v["delta_ar"][0].is_null() && v["delta_ar"][a.ar.len() - 1].is_number());
    let t = turbulence(&r.rows, 500).unwrap();
    let v = fissure_contagion::json::turbulence(&r, &t, 500);
    assert_eq!(v["turbulence"].as_array().map(Vec::len), Some(t.turbulence.len()));
    let pct = v["percentile"].as_array().unwrap();
    assert!(pct.iter().filter_map(|p| p.as_f64()).all(|p| (0.0..=100.0).contains(&p)));
}
