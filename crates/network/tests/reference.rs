//! Agreement with the peers: networkx 3.6.1 (simple_cycles, strongly_connected_components,
//! network_simplex) and the independent numpy implementations of DebtRank and
//! Eisenberg–Noe / Rogers–Veraart (fixtures from tools/reference/network/network_ref.py).

use fissure_network::circulation::max_circulation;
use fissure_network::cycles::{canonical, count_cycles, simple_cycles, strongly_connected_components, Csr};
use fissure_network::stress::{clearing, debt_rank, ClearingParams, ClearingSystem, DebtRankVariant, ExposureNetwork};
use serde_json::Value;
use std::ops::ControlFlow;

fn fixture(name: &str) -> Value {
    let p = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn u(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

#[test]
fn cycles_and_sccs_equal_networkx() {
    let fx = fixture("cycles_networkx.json");
    let graphs = fx["graphs"].as_array().unwrap();
    assert!(graphs.len() >= 7);
    for g in graphs {
        let name = g["name"].as_str().unwrap();
        let n = u(&g["n"]);
        let edges: Vec<(u32, u32)> =
            g["edges"].as_array().unwrap().iter().map(|e| (u(&e[0]) as u32, u(&e[1]) as u32)).collect();
        let csr = Csr::from_edges(n, &edges);
        let mut want: Vec<Vec<u32>> = g["cycles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_array().unwrap().iter().map(|v| u(v) as u32).collect())
            .collect();
        want.sort();
        let mut got = Vec::new();
        simple_cycles(&csr, None, |c| {
            got.push(canonical(c));
            ControlFlow::Continue(())
        });
        got.sort();
        assert_eq!(got.len(), want.len(), "{name}: cycle count");
        assert_eq!(got, want, "{name}: cycles");
        for (k, count) in g["bounded"].as_object().unwrap() {
            let k: usize = k.parse().unwrap();
            assert_eq!(count_cycles(&csr, Some(k)), count.as_u64().unwrap(), "{name}: cycles of length ≤ {k}");
            // the bounded search lists exactly the short cycles of the full list
            let mut short = Vec::new();
            simple_cycles(&csr, Some(k), |c| {
                short.push(canonical(c));
                ControlFlow::Continue(())
            });
            short.sort();
            let want_short: Vec<Vec<u32>> = want.iter().filter(|c| c.len() <= k).cloned().collect();
            assert_eq!(short, want_short, "{name}: bounded {k}");
        }
        let mut sccs = strongly_connected_components(&csr, None);
        sccs.sort();
        let mut want_scc: Vec<Vec<u32>> = g["sccs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_array().unwrap().iter().map(|v| u(v) as u32).collect())
            .collect();
        want_scc.sort();
        assert_eq!(sccs, want_scc, "{name}: SCCs");
    }
}

#[test]
fn maximum_circulation_equals_network_simplex() {
    let fx = fixture("circulation_networkx.json");
    for g in fx["graphs"].as_array().unwrap() {
        let edges: Vec<(usize, usize, f64)> =
            g["edges"].as_array().unwrap().iter().map(|e| (u(&e[0]), u(&e[1]), f(&e[2]))).collect();
        let c = max_circulation(u(&g["n"]), &edges).unwrap();
        let want = f(&g["max_circulation"]);
        assert!((c.amount - want).abs() < 1e-9 * want.max(1.0), "{}: {} vs {want}", g["name"], c.amount);
        // a circulation: within capacities, conserved at every node
        let mut net = vec![0.0; u(&g["n"])];
        for (e, fl) in edges.iter().zip(&c.flow) {
            assert!(*fl >= 0.0 && *fl <= e.2 + 1e-12);
            net[e.0] -= fl;
            net[e.1] += fl;
        }
        assert!(net.iter().all(|x| x.abs() < 1e-9), "{}: not conserved", g["name"]);
    }
}

#[test]
fn debtrank_equals_numpy() {
    let fx = fixture("debtrank_numpy.json");
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    for c in cases {
        let n = u(&c["n"]);
        let names: Vec<String> = (0..n).map(|i| format!("f{i}")).collect();
        let equity = c["equity"].as_array().unwrap().iter().map(|v| Some(f(v))).collect();
        let ex = c["exposures"].as_array().unwrap().iter().map(|e| (u(&e[0]), u(&e[1]), f(&e[2]))).collect();
        let net = ExposureNetwork::new(names, equity, ex, vec![true; n]).unwrap();
        let shocks: Vec<(usize, f64)> = c["shocks"].as_array().unwrap().iter().map(|s| (u(&s[0]), f(&s[1]))).collect();
        let linear = c["linear"].as_bool().unwrap();
        let r =
            debt_rank(&net, &shocks, if linear { DebtRankVariant::Linear } else { DebtRankVariant::Original }).unwrap();
        for (i, want) in c["h"].as_array().unwrap().iter().enumerate() {
            assert!((r.h[i].unwrap() - f(want)).abs() < 1e-10, "seed {} linear {linear} h[{i}]", c["seed"]);
        }
        assert!((r.debtrank - f(&c["debtrank"])).abs() < 1e-10, "seed {} linear {linear}", c["seed"]);
        if !linear {
            assert_eq!(r.rounds, u(&c["rounds"]), "seed {}: rounds", c["seed"]);
        }
    }
}

#[test]
fn clearing_equals_numpy() {
    let fx = fixture("clearing_numpy.json");
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 24);
    for c in cases {
        let n = u(&c["n"]);
        let sys = ClearingSystem {
            names: (0..n).map(|i| format!("f{i}")).collect(),
            liabilities: c["liabilities"].as_array().unwrap().iter().map(|e| (u(&e[0]), u(&e[1]), f(&e[2]))).collect(),
            external_assets: c["external_assets"].as_array().unwrap().iter().map(f).collect(),
            external_liabilities: c["external_liabilities"].as_array().unwrap().iter().map(f).collect(),
        };
        let p = ClearingParams {
            alpha: f(&c["alpha"]),
            beta: f(&c["beta"]),
            senior_external: c["senior"].as_bool().unwrap(),
        };
        let r = clearing(&sys, &p).unwrap();
        let tag = format!("seed {} α {} β {} senior {}", c["seed"], p.alpha, p.beta, p.senior_external);
        for (i, want) in c["payments"].as_array().unwrap().iter().enumerate() {
            assert!((r.payments[i] - f(want)).abs() < 1e-8, "{tag}: p[{i}] {} vs {}", r.payments[i], f(want));
        }
        for (i, want) in c["equity"].as_array().unwrap().iter().enumerate() {
            assert!((r.equity[i] - f(want)).abs() < 1e-8, "{tag}: equity[{i}]");
        }
        let want_d: Vec<usize> = c["defaults"].as_array().unwrap().iter().map(u).collect();
        assert_eq!(r.defaults, want_d, "{tag}: defaults");
    }
}
