//! Expanding (real-time) percentile ranks in O(n log n).
//!
//! The percentile of `x[i]` is its rank among `x[0..=i]` — the share of the
//! history up to and including date `i` that is ≤ `x[i]` (the same convention as
//! `fissure_core::rolling::percentile_of_last`), so the value at `i` never uses a
//! later observation. Ranks are kept in a Fenwick (binary indexed) tree over the
//! sorted distinct values (Fenwick 1994, "A new data structure for cumulative
//! frequency tables", Software: Practice and Experience 24(3)); each step is one
//! O(log n) update and one O(log n) prefix query instead of an O(n) scan.

/// Counts over ranks `0..n` with O(log n) update and prefix sum.
struct Fenwick {
    tree: Vec<u32>,
}

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick { tree: vec![0; n + 1] }
    }

    fn add(&mut self, rank: usize) {
        let mut i = rank + 1;
        while i < self.tree.len() {
            self.tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }

    /// Number of inserted ranks ≤ `rank`.
    fn count_le(&self, rank: usize) -> u32 {
        let mut i = rank + 1;
        let mut s = 0;
        while i > 0 {
            s += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        s
    }
}

/// Expanding percentiles (0–100) of `x`. With `higher_is_riskier == false` the
/// share of the history ≥ `x[i]` is returned instead (a "risk percentile": 100
/// means the lowest value seen so far). Non-finite values give `None` and are not
/// added to the history. `None` is also returned until `min_obs` finite values
/// have been seen, and while the history has not moved (its range negligible
/// relative to its magnitude, `fissure_stats::tol::negligible`): a constant
/// history has no percentile, never "the 100th".
pub fn expanding(x: &[f64], higher_is_riskier: bool, min_obs: usize) -> Vec<Option<f64>> {
    let mut sorted: Vec<f64> = x.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    sorted.dedup();
    let mut fw = Fenwick::new(sorted.len());
    let mut seen = 0u32;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    x.iter()
        .map(|&v| {
            if !v.is_finite() {
                return None;
            }
            lo = lo.min(v);
            hi = hi.max(v);
            // `v` is in `sorted` by construction.
            let rank = sorted.partition_point(|s| *s < v);
            fw.add(rank);
            seen += 1;
            if (seen as usize) < min_obs.max(1) {
                return None;
            }
            let magnitude = lo.abs().max(hi.abs());
            if hi == lo || fissure_stats::tol::negligible(hi - lo, magnitude) {
                return None;
            }
            let count = if higher_is_riskier {
                fw.count_le(rank)
            } else {
                let below = if rank == 0 { 0 } else { fw.count_le(rank - 1) };
                seen - below
            };
            Some(100.0 * count as f64 / seen as f64)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(x: &[f64], higher: bool) -> Vec<f64> {
        (0..x.len())
            .map(|i| {
                let h = &x[..=i];
                let c = h.iter().filter(|v| if higher { **v <= x[i] } else { **v >= x[i] }).count();
                100.0 * c as f64 / h.len() as f64
            })
            .collect()
    }

    #[test]
    fn matches_brute_force_with_ties() {
        let x: Vec<f64> = (0..500).map(|i| ((i * 7919 % 97) as f64 / 3.0).floor()).collect();
        for higher in [true, false] {
            let got = expanding(&x, higher, 1);
            let want = brute(&x, higher);
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                if x[..=i].iter().all(|v| *v == x[0]) {
                    assert_eq!(*g, None, "a history that has not moved has no percentile");
                } else {
                    assert!((g.unwrap() - w).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn matches_core_percentile_of_last() {
        let x: Vec<f64> = (0..300).map(|i| (i as f64 * 0.37).sin() * 10.0 + (i % 11) as f64).collect();
        let got = expanding(&x, true, 1);
        assert_eq!(got[0], None);
        for i in 1..x.len() {
            let want = fissure_core::rolling::percentile_of_last(&x[..=i]).unwrap();
            assert_eq!(got[i], Some(want));
        }
    }

    #[test]
    fn constant_history_has_no_percentile_at_any_scale() {
        for scale in [1e-300, 1.0, 1e300] {
            let flat = vec![3.0 * scale; 50];
            assert!(expanding(&flat, true, 1).iter().all(Option::is_none));
            assert!(expanding(&flat, false, 1).iter().all(Option::is_none));
            // rounding noise is not movement
            let noisy: Vec<f64> = (0..50).map(|i| 3.0 * scale * (1.0 + 1e-14 * (i % 3) as f64)).collect();
            assert!(expanding(&noisy, true, 1).iter().all(Option::is_none));
        }
        // a count stuck at 0 for years, then moving: ranks start when it moves
        let mut x = vec![0.0; 30];
        x.push(1.0);
        let got = expanding(&x, true, 1);
        assert!(got[..30].iter().all(Option::is_none));
        assert_eq!(got[30], Some(100.0));
    }

    #[test]
    fn skips_non_finite_and_waits_for_min_obs() {
        let x = [1.0, f64::NAN, 2.0, 3.0, 0.5];
        let got = expanding(&x, true, 3);
        assert_eq!(got[0], None);
        assert_eq!(got[1], None);
        assert_eq!(got[2], None);
        assert_eq!(got[3], Some(100.0));
        assert_eq!(got[4], Some(25.0));
    }
}
