//! Strongly connected components and elementary cycles of a directed graph.
//!
//! - [`Csr`]: a compact adjacency (offsets + targets), parallel edges merged.
//! - [`strongly_connected_components`]: Tarjan (1972), iterative (no recursion,
//!   so deep graphs cannot overflow the stack), optionally on a node subset.
//! - [`simple_cycles`]: every elementary cycle, streamed to a visitor (nothing is
//!   held), by Johnson (1975), SIAM J. Comput. 4(1):77–84 — start from the least
//!   node `s` of a strongly connected component, search circuits through `s` with
//!   the blocked set / B-lists, remove `s`, recurse into the remaining components.
//!   With a length bound the blocking rule is no longer valid (a node blocked for
//!   a too-long path may lie on a short cycle — the known flaw of bounded variants
//!   such as networkx's, issues #8265 and #8737), so bounded search is a depth-first
//!   search from each start `s` over the nodes after it, pruned by the breadth-first
//!   distance back to `s`: a partial path of `d` nodes is extended to `w` only if
//!   `d + dist(w → s) ≤ k`. That prune is exact (it never removes a valid cycle).
//!
//! Each cycle is reported once, as the node sequence starting at its start node.

use std::ops::ControlFlow;

/// Directed graph in compressed sparse row form; node ids are `0..n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl Csr {
    /// Builds from an edge list; parallel edges are merged, self-loops kept.
    pub fn from_edges(n: usize, edges: &[(u32, u32)]) -> Csr {
        let mut e: Vec<(u32, u32)> =
            edges.iter().copied().filter(|&(a, b)| (a as usize) < n && (b as usize) < n).collect();
        e.sort_unstable();
        e.dedup();
        let mut offsets = vec![0usize; n + 1];
        for &(a, _) in &e {
            offsets[a as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        Csr { offsets, targets: e.into_iter().map(|(_, b)| b).collect() }
    }

    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn edge_count(&self) -> usize {
        self.targets.len()
    }

    #[inline]
    pub fn neighbors(&self, v: u32) -> &[u32] {
        &self.targets[self.offsets[v as usize]..self.offsets[v as usize + 1]]
    }

    /// The reversed graph.
    pub fn reversed(&self) -> Csr {
        let n = self.node_count();
        let mut e = Vec::with_capacity(self.edge_count());
        for v in 0..n as u32 {
            for &w in self.neighbors(v) {
                e.push((w, v));
            }
        }
        Csr::from_edges(n, &e)
    }

    fn has_self_loop(&self, v: u32) -> bool {
        self.neighbors(v).binary_search(&v).is_ok()
    }
}

/// Strongly connected components of the subgraph induced by the nodes with
/// `mask[v]` (all nodes when `mask` is `None`); each component sorted, in
/// reverse topological order of the condensation (Tarjan's order).
pub fn strongly_connected_components(g: &Csr, mask: Option<&[bool]>) -> Vec<Vec<u32>> {
    scc_partition(g, mask).iter().map(<[u32]>::to_vec).collect()
}

/// The strongly connected components as one flat partition: component k is
/// `members[offsets[k]..offsets[k + 1]]`, sorted; components in Tarjan's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SccPartition {
    offsets: Vec<u32>,
    members: Vec<u32>,
}

impl SccPartition {
    /// Number of components.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Component k, sorted.
    pub fn component(&self, k: usize) -> &[u32] {
        &self.members[self.offsets[k] as usize..self.offsets[k + 1] as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.len()).map(|k| self.component(k))
    }
}

/// [`strongly_connected_components`] without a vector per component: Pearce's
/// space-efficient variant of Tarjan (Pearce 2016, "A space-efficient algorithm for
/// finding strongly connected components", Inf. Process. Lett. 116(1):47–52, algorithm
/// PEA_FIND_SCC2), iterative. One array `rindex` holds (besides `u32::MAX` = not visited) the DFS index of a live node
/// and, once its component is closed, the component label `c` (counted down from
/// n − 1), which is never below a live index — so the on-stack test of Tarjan is the
/// comparison `rindex[w] < rindex[v]` alone. The labels are then grouped by a counting
/// sort over the nodes in order, which leaves every component sorted.
pub fn scc_partition(g: &Csr, mask: Option<&[bool]>) -> SccPartition {
    match mask {
        None => pearce(g, |_| true),
        Some(m) => pearce(g, |v| m[v as usize]),
    }
}

/// [`scc_partition`] on the nodes with `inside(v)` (monomorphised: no mask test without a mask).
fn pearce(g: &Csr, inside: impl Fn(u32) -> bool) -> SccPartition {
    let n = g.node_count();
    assert!(n < u32::MAX as usize, "at most 2^32 − 2 nodes");
    const UNSEEN: u32 = u32::MAX;
    let mut rindex = vec![UNSEEN; n];
    let mut index = 1u32;
    let mut c = n as u32; // the next label is c − 1
    let mut stack: Vec<u32> = Vec::new();
    // DFS frames: node, next edge, still a root candidate
    let mut call: Vec<(u32, u32, bool)> = Vec::new();
    let (off, tg) = (&g.offsets, &g.targets);
    for r in 0..n as u32 {
        if rindex[r as usize] != UNSEEN || !inside(r) {
            continue;
        }
        rindex[r as usize] = index;
        index += 1;
        call.push((r, off[r as usize] as u32, true));
        while let Some(&(v, e0, root0)) = call.last() {
            // the frame's state in registers while its edges are scanned
            let (mut e, mut root, mut rv) = (e0 as usize, root0, rindex[v as usize]);
            let end = off[v as usize + 1];
            let mut descend = None;
            for &w in &tg[e..end] {
                if inside(w) {
                    debug_assert!((w as usize) < n);
                    // SAFETY: every target of a Csr is below its node count (`Csr::from_edges`
                    // drops the others), and rindex has one entry per node
                    let rw = unsafe { *rindex.get_unchecked(w as usize) };
                    if rw == UNSEEN {
                        descend = Some(w);
                        break;
                    }
                    if rw < rv {
                        rv = rw;
                        root = false;
                    }
                }
                e += 1;
            }
            rindex[v as usize] = rv;
            if let Some(w) = descend {
                if let Some(f) = call.last_mut() {
                    *f = (v, e as u32, root);
                }
                rindex[w as usize] = index;
                index += 1;
                call.push((w, off[w as usize] as u32, true));
                continue;
            }
            call.pop();
            if root {
                c -= 1;
                index -= 1;
                while let Some(&w) = stack.last() {
                    if rindex[v as usize] > rindex[w as usize] {
                        break;
                    }
                    stack.pop();
                    rindex[w as usize] = c;
                    index -= 1;
                }
                rindex[v as usize] = c;
            } else {
                stack.push(v);
            }
            // back in the parent: finish the edge to v
            if let Some((p, e, proot)) = call.last_mut() {
                if rindex[v as usize] < rindex[*p as usize] {
                    rindex[*p as usize] = rindex[v as usize];
                    *proot = false;
                }
                *e += 1;
            }
        }
    }
    // label c..n counts down in Tarjan's order: component k has label n − 1 − k
    let count = n - c as usize;
    let mut offsets = vec![0u32; count + 1];
    let label = |v: usize| (n - 1 - rindex[v] as usize) as u32;
    for v in (0..n).filter(|&v| rindex[v] != UNSEEN) {
        offsets[label(v) as usize + 1] += 1;
    }
    for k in 0..count {
        offsets[k + 1] += offsets[k];
    }
    let mut fill: Vec<u32> = offsets[..count].to_vec();
    let mut members = vec![0u32; offsets[count] as usize];
    for v in (0..n).filter(|&v| rindex[v] != UNSEEN) {
        let k = label(v) as usize;
        members[fill[k] as usize] = v as u32;
        fill[k] += 1;
    }
    SccPartition { offsets, members }
}

/// What a cycle search did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct CycleSearch {
    /// Cycles passed to the visitor.
    pub count: u64,
    /// True when the visitor stopped the search early.
    pub stopped: bool,
}

/// Every elementary cycle of `g` (of at most `max_len` nodes when given),
/// streamed to `visit` as the node sequence from its start node. The visitor may
/// stop the search by returning `ControlFlow::Break(())`. `max_len = Some(0)`
/// finds nothing.
pub fn simple_cycles<F>(g: &Csr, max_len: Option<usize>, mut visit: F) -> CycleSearch
where
    F: FnMut(&[u32]) -> ControlFlow<()>,
{
    match max_len {
        None => johnson(g, &mut visit),
        Some(k) => bounded(g, k, &mut visit),
    }
}

/// Counts the elementary cycles (of at most `max_len` nodes).
pub fn count_cycles(g: &Csr, max_len: Option<usize>) -> u64 {
    simple_cycles(g, max_len, |_| ControlFlow::Continue(())).count
}

fn cyclic(g: &Csr, comp: &[u32]) -> bool {
    comp.len() > 1 || g.has_self_loop(comp[0])
}

fn johnson<F>(g: &Csr, visit: &mut F) -> CycleSearch
where
    F: FnMut(&[u32]) -> ControlFlow<()>,
{
    let n = g.node_count();
    let mut res = CycleSearch::default();
    let mut in_comp = vec![false; n];
    let mut blocked = vec![false; n];
    let mut b_lists: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut todo: Vec<Vec<u32>> = strongly_connected_components(g, None).into_iter().filter(|c| cyclic(g, c)).collect();
    let mut path: Vec<u32> = Vec::new();
    let mut closed: Vec<bool> = Vec::new();
    let mut call: Vec<(u32, usize)> = Vec::new();
    let mut unblock_stack: Vec<u32> = Vec::new();
    while let Some(comp) = todo.pop() {
        for &v in &comp {
            in_comp[v as usize] = true;
        }
        let s = comp[0];
        // circuit search through s (Johnson's CIRCUIT, iterative)
        path.clear();
        closed.clear();
        call.clear();
        path.push(s);
        closed.push(false);
        call.push((s, 0));
        blocked[s as usize] = true;
        let mut stop = false;
        while let Some(&mut (v, ref mut i)) = call.last_mut() {
            let nb = g.neighbors(v);
            let mut descended = false;
            while *i < nb.len() {
                let w = nb[*i];
                *i += 1;
                if !in_comp[w as usize] {
                    continue;
                }
                if w == s {
                    res.count += 1;
                    if visit(&path).is_break() {
                        stop = true;
                        break;
                    }
                    if let Some(c) = closed.last_mut() {
                        *c = true;
                    }
                } else if !blocked[w as usize] {
                    path.push(w);
                    closed.push(false);
                    blocked[w as usize] = true;
                    call.push((w, 0));
                    descended = true;
                    break;
                }
            }
            if stop {
                break;
            }
            if descended {
                continue;
            }
            call.pop();
            path.pop();
            let was_closed = closed.pop().unwrap_or(false);
            if was_closed {
                if let Some(c) = closed.last_mut() {
                    *c = true;
                }
                // unblock(v)
                unblock_stack.push(v);
                while let Some(u) = unblock_stack.pop() {
                    if blocked[u as usize] {
                        blocked[u as usize] = false;
                        unblock_stack.append(&mut b_lists[u as usize]);
                    }
                }
            } else {
                for &w in nb {
                    if in_comp[w as usize] && !b_lists[w as usize].contains(&v) {
                        b_lists[w as usize].push(v);
                    }
                }
            }
        }
        for &v in &comp {
            blocked[v as usize] = false;
            b_lists[v as usize].clear();
        }
        if stop {
            res.stopped = true;
            return res;
        }
        in_comp[s as usize] = false;
        let rest = strongly_connected_components_of(g, &comp[1..], &mut in_comp);
        for &v in &comp {
            in_comp[v as usize] = false;
        }
        todo.extend(rest.into_iter().filter(|c| cyclic(g, c)));
    }
    res
}

/// SCCs of the subgraph induced by `nodes` (whose `mask` entries are set).
fn strongly_connected_components_of(g: &Csr, nodes: &[u32], mask: &mut [bool]) -> Vec<Vec<u32>> {
    // a local Tarjan over the listed nodes only (cost proportional to their edges)
    let mut local = std::collections::HashMap::with_capacity(nodes.len());
    for (i, &v) in nodes.iter().enumerate() {
        local.insert(v, i as u32);
    }
    let mut edges = Vec::new();
    for (i, &v) in nodes.iter().enumerate() {
        for &w in g.neighbors(v) {
            if mask[w as usize] {
                if let Some(&j) = local.get(&w) {
                    edges.push((i as u32, j));
                }
            }
        }
    }
    let sub = Csr::from_edges(nodes.len(), &edges);
    strongly_connected_components(&sub, None)
        .into_iter()
        .map(|c| {
            let mut c: Vec<u32> = c.into_iter().map(|i| nodes[i as usize]).collect();
            c.sort_unstable();
            c
        })
        .collect()
}

fn bounded<F>(g: &Csr, k: usize, visit: &mut F) -> CycleSearch
where
    F: FnMut(&[u32]) -> ControlFlow<()>,
{
    let n = g.node_count();
    let mut res = CycleSearch::default();
    if k == 0 {
        return res;
    }
    let rev = g.reversed();
    const INF: u32 = u32::MAX;
    // component id of every node (cycles never leave a component)
    let mut comp_of = vec![u32::MAX; n];
    for (ci, c) in scc_partition(g, None).iter().enumerate() {
        if cyclic(g, c) {
            for &v in c {
                comp_of[v as usize] = ci as u32;
            }
        }
    }
    let mut dist = vec![INF; n];
    let mut touched: Vec<u32> = Vec::new();
    let mut frontier: Vec<u32> = Vec::new();
    let mut next_frontier: Vec<u32> = Vec::new();
    let mut on_path = vec![false; n];
    let mut path: Vec<u32> = Vec::new();
    let mut call: Vec<(u32, usize)> = Vec::new();
    for s in 0..n as u32 {
        let cs = comp_of[s as usize];
        if cs == u32::MAX {
            continue;
        }
        // allowed nodes: same component, index > s (smaller ones were starts already)
        let allowed = |w: u32| w > s && comp_of[w as usize] == cs;
        // breadth-first distances to s on the reversed graph, up to k - 1 edges
        dist[s as usize] = 0;
        touched.push(s);
        frontier.clear();
        frontier.push(s);
        let mut depth = 0u32;
        while !frontier.is_empty() && (depth as usize) < k - 1 {
            depth += 1;
            next_frontier.clear();
            for &u in &frontier {
                for &w in rev.neighbors(u) {
                    if allowed(w) && dist[w as usize] == INF {
                        dist[w as usize] = depth;
                        touched.push(w);
                        next_frontier.push(w);
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next_frontier);
        }
        path.clear();
        call.clear();
        path.push(s);
        on_path[s as usize] = true;
        call.push((s, 0));
        let mut stop = false;
        while let Some(&mut (v, ref mut i)) = call.last_mut() {
            let nb = g.neighbors(v);
            let d = path.len();
            let mut descended = false;
            while *i < nb.len() {
                let w = nb[*i];
                *i += 1;
                if w == s {
                    res.count += 1;
                    if visit(&path).is_break() {
                        stop = true;
                        break;
                    }
                    continue;
                }
                let dw = dist[w as usize];
                if dw == INF || on_path[w as usize] || !allowed(w) || d + dw as usize > k {
                    continue;
                }
                path.push(w);
                on_path[w as usize] = true;
                call.push((w, 0));
                descended = true;
                break;
            }
            if stop {
                break;
            }
            if descended {
                continue;
            }
            call.pop();
            if let Some(v) = path.pop() {
                on_path[v as usize] = false;
            }
        }
        for &p in &path {
            on_path[p as usize] = false;
        }
        for &t in &touched {
            dist[t as usize] = INF;
        }
        touched.clear();
        if stop {
            res.stopped = true;
            return res;
        }
    }
    res
}

/// The cycle rotated to start at its smallest node (a canonical form for comparisons).
pub fn canonical(cycle: &[u32]) -> Vec<u32> {
    let Some(pos) = cycle.iter().enumerate().min_by_key(|(_, v)| **v).map(|(i, _)| i) else {
        return Vec::new();
    };
    cycle[pos..].iter().chain(&cycle[..pos]).copied().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(n: u32) -> Csr {
        let mut e = Vec::new();
        for a in 0..n {
            for b in 0..n {
                if a != b {
                    e.push((a, b));
                }
            }
        }
        Csr::from_edges(n as usize, &e)
    }

    fn binom(n: u64, k: u64) -> u64 {
        (0..k).fold(1u64, |acc, i| acc * (n - i) / (i + 1))
    }

    /// Σ_{k=2..n} C(n,k)(k−1)! cycles of length ≤ max in K_n.
    fn kn_cycles(n: u64, max: u64) -> u64 {
        (2..=max.min(n)).map(|k| binom(n, k) * (1..k).product::<u64>()).sum()
    }

    #[test]
    fn complete_digraph_counts() {
        for n in 2..=7u32 {
            let g = complete(n);
            assert_eq!(count_cycles(&g, None), kn_cycles(n as u64, n as u64), "K{n}");
            for k in 1..=n as usize {
                assert_eq!(count_cycles(&g, Some(k)), kn_cycles(n as u64, k as u64), "K{n} ≤{k}");
            }
        }
    }

    #[test]
    fn self_loops_and_triangles() {
        let g = Csr::from_edges(4, &[(0, 0), (0, 1), (1, 2), (2, 0), (2, 3)]);
        let mut got = Vec::new();
        simple_cycles(&g, None, |c| {
            got.push(canonical(c));
            ControlFlow::Continue(())
        });
        got.sort();
        assert_eq!(got, vec![vec![0], vec![0, 1, 2]]);
        assert_eq!(count_cycles(&g, Some(2)), 1);
        assert_eq!(count_cycles(&g, Some(3)), 2);
    }

    #[test]
    fn visitor_can_stop() {
        let g = complete(6);
        let mut seen = 0;
        let r = simple_cycles(&g, None, |_| {
            seen += 1;
            if seen == 10 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert!(r.stopped);
        assert_eq!(r.count, 10);
    }

    #[test]
    fn pearce_partition_equals_petgraph_tarjan_on_random_graphs() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for round in 0..200 {
            let n = rng.gen_range(1..60usize);
            let m = rng.gen_range(0..4 * n);
            let e: Vec<(u32, u32)> = (0..m).map(|_| (rng.gen_range(0..n) as u32, rng.gen_range(0..n) as u32)).collect();
            let g = Csr::from_edges(n, &e);
            let mask: Vec<bool> = (0..n).map(|_| round % 3 != 0 || rng.gen_bool(0.7)).collect();
            let mut pg = petgraph::Graph::<(), ()>::new();
            let nodes: Vec<_> = (0..n).map(|_| pg.add_node(())).collect();
            for &(a, b) in &e {
                if mask[a as usize] && mask[b as usize] {
                    pg.add_edge(nodes[a as usize], nodes[b as usize], ());
                }
            }
            let mut want: Vec<Vec<u32>> = petgraph::algo::tarjan_scc(&pg)
                .into_iter()
                .map(|c| {
                    let mut c: Vec<u32> = c.into_iter().map(|x| x.index() as u32).collect();
                    c.sort_unstable();
                    c
                })
                .filter(|c| mask[c[0] as usize])
                .collect();
            let got = scc_partition(&g, Some(&mask));
            assert_eq!(got.len(), want.len(), "round {round}");
            let mut got: Vec<Vec<u32>> = got.iter().map(<[u32]>::to_vec).collect();
            // the order is Tarjan's: a component comes before any component that reaches it
            for (k, comp) in got.iter().enumerate() {
                for later in &got[k + 1..] {
                    let reaches = comp
                        .iter()
                        .any(|&a| g.neighbors(a).iter().any(|&b| mask[b as usize] && later.binary_search(&b).is_ok()));
                    assert!(!reaches, "round {round}: {comp:?} has an edge into the later {later:?}");
                }
            }
            got.sort();
            want.sort();
            assert_eq!(got, want, "round {round}");
        }
    }

    #[test]
    fn tarjan_on_chain_and_masks() {
        let g = Csr::from_edges(5, &[(0, 1), (1, 0), (1, 2), (2, 3), (3, 2), (3, 4)]);
        let mut c = strongly_connected_components(&g, None);
        c.sort();
        assert_eq!(c, vec![vec![0, 1], vec![2, 3], vec![4]]);
        let mask = [true, false, true, true, true];
        let mut c = strongly_connected_components(&g, Some(&mask));
        c.sort();
        assert_eq!(c, vec![vec![0], vec![2, 3], vec![4]]);
    }
}
