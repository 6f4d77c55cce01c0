//! Maximum circulation: the largest flow `f` with `0 ≤ f_e ≤ w_e` on every edge
//! and inflow = outflow at every node, maximising `Σ_e f_e` — the money that
//! goes round and that obligation netting could cancel (methods 13.1).
//!
//! Solved as a min-cost circulation with cost −1 per unit on every edge by
//! negative-cycle cancelling (Klein 1967): on the residual graph (forward arcs
//! cost −1 with capacity `w − f`, backward arcs cost +1 with capacity `f`),
//! Bellman–Ford finds a negative cycle, the bottleneck is pushed round it, until
//! none is left; no negative residual cycle ⇔ the circulation is optimal. Costs
//! are integers, so the optimality test is exact; capacities below a tolerance
//! relative to the largest amount count as zero.

use crate::error::NetworkError;

/// A maximum circulation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Circulation {
    /// Flow on each input edge, in input order.
    pub flow: Vec<f64>,
    /// `Σ_e f_e`.
    pub amount: f64,
    /// `Σ_e w_e` of the input.
    pub total: f64,
    /// `amount / total` (`None` when there is no flow at all).
    pub share: Option<f64>,
}

/// Maximum circulation on `n` nodes and edges `(from, to, capacity)`; capacities
/// must be finite and ≥ 0.
pub fn max_circulation(n: usize, edges: &[(usize, usize, f64)]) -> Result<Circulation, NetworkError> {
    for (i, &(a, b, w)) in edges.iter().enumerate() {
        if a >= n || b >= n {
            return Err(NetworkError::Invalid(format!("circulation: edge {i} names node {} of {n}", a.max(b))));
        }
        if !w.is_finite() || w < 0.0 {
            return Err(NetworkError::Invalid(format!("circulation: edge {i} has capacity {w}; expected ≥ 0")));
        }
    }
    let total: f64 = edges.iter().map(|e| e.2).sum();
    let scale = edges.iter().map(|e| e.2).fold(0.0f64, f64::max);
    let eps = scale * 1e-12;
    let m = edges.len();
    let mut flow = vec![0.0f64; m];
    // residual arc 2e = forward, 2e+1 = backward
    let tail = |a: usize| if a.is_multiple_of(2) { edges[a / 2].0 } else { edges[a / 2].1 };
    let head = |a: usize| if a.is_multiple_of(2) { edges[a / 2].1 } else { edges[a / 2].0 };
    let cost = |a: usize| if a.is_multiple_of(2) { -1i64 } else { 1i64 };
    let max_iter = 1000 + 200 * m * m.max(1);
    for _ in 0..max_iter {
        let residual =
            |a: usize, flow: &[f64]| if a.is_multiple_of(2) { edges[a / 2].2 - flow[a / 2] } else { flow[a / 2] };
        // Bellman–Ford from a virtual source joined to every node at distance 0
        let mut dist = vec![0i64; n];
        let mut pred: Vec<Option<usize>> = vec![None; n];
        let mut last = None;
        for _ in 0..n.max(1) {
            last = None;
            for a in 0..2 * m {
                if residual(a, &flow) <= eps {
                    continue;
                }
                let (u, v) = (tail(a), head(a));
                if dist[u] + cost(a) < dist[v] {
                    dist[v] = dist[u] + cost(a);
                    pred[v] = Some(a);
                    last = Some(v);
                }
            }
            if last.is_none() {
                break;
            }
        }
        let Some(mut v) = last else {
            let amount: f64 = flow.iter().sum();
            return Ok(Circulation { flow, amount, total, share: (total > 0.0).then(|| amount / total) });
        };
        // walk back n steps to land on the cycle, then collect it
        for _ in 0..n {
            v = pred[v].map_or(v, tail);
        }
        let mut cycle = Vec::new();
        let mut u = v;
        while let Some(a) = pred[u] {
            cycle.push(a);
            u = tail(a);
            if u == v || cycle.len() > n {
                break;
            }
        }
        let push = cycle.iter().map(|&a| residual(a, &flow)).fold(f64::INFINITY, f64::min);
        if !push.is_finite() || push <= eps {
            return Err(NetworkError::Invalid("circulation: cycle cancelling stalled".into()));
        }
        for &a in &cycle {
            if a.is_multiple_of(2) {
                flow[a / 2] = (flow[a / 2] + push).min(edges[a / 2].2);
            } else {
                flow[a / 2] = (flow[a / 2] - push).max(0.0);
            }
        }
    }
    Err(NetworkError::Invalid("circulation: no convergence (iteration limit)".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangle_and_tail() {
        // 0→1 (5), 1→2 (3), 2→0 (4), 2→3 (10): the cycle carries 3 on each edge
        let c = max_circulation(4, &[(0, 1, 5.0), (1, 2, 3.0), (2, 0, 4.0), (2, 3, 10.0)]).unwrap();
        assert!((c.amount - 9.0).abs() < 1e-12);
        assert_eq!(c.flow, vec![3.0, 3.0, 3.0, 0.0]);
        assert!((c.share.unwrap() - 9.0 / 22.0).abs() < 1e-12);
    }

    #[test]
    fn prefers_longer_cycles_per_unit() {
        // two cycles sharing edge 0→1 (cap 1): 0→1→0 (length 2) or 0→1→2→0 (length 3)
        let c = max_circulation(3, &[(0, 1, 1.0), (1, 0, 1.0), (1, 2, 1.0), (2, 0, 1.0)]).unwrap();
        assert!((c.amount - 3.0).abs() < 1e-12);
    }

    #[test]
    fn acyclic_has_none() {
        let c = max_circulation(3, &[(0, 1, 1.0), (1, 2, 2.0)]).unwrap();
        assert_eq!(c.amount, 0.0);
        assert!(max_circulation(2, &[(0, 1, -1.0)]).is_err());
    }
}
