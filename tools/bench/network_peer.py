"""The Python side of tools/bench/network.sh: networkx 3.6.1 (strongly_connected_components,
simple_cycles, simple_cycles with length_bound) and a vectorised numpy DebtRank (one
np.bincount per round over the edges of the distressed nodes; the dense matrix of the
reference implementation would need 800 MB at 10,000 nodes). Prints `name seconds result`."""
import sys
import time

import networkx as nx
import numpy as np

d = sys.argv[1]
# optional second argument: comma-separated kernels to run (default: all)
only = set(sys.argv[2].split(",")) if len(sys.argv) > 2 else None


def wanted(k):
    return only is None or k in only


def load(path):
    a = np.loadtxt(path, delimiter=",", skiprows=1)
    return a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2]


def best(f, reps):
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        r = f()
        t.append(time.perf_counter() - t0)
    return min(t), r


src, dst, amt = load(f"{d}/big.csv")
G = nx.DiGraph()
G.add_nodes_from(range(10_000))
G.add_edges_from(zip(src.tolist(), dst.tolist()))
if wanted("scc"):
    t, r = best(lambda: sum(1 for _ in nx.strongly_connected_components(G)), 3)
    print(f"scc {t:.6f} {r}")
if wanted("cycles"):
    t, r = best(lambda: sum(1 for _ in nx.simple_cycles(G)), 1)
    print(f"cycles {t:.6f} {r}")

if wanted("cycles_len6"):
    s2, d2, _ = load(f"{d}/bounded.csv")
    H = nx.DiGraph()
    H.add_nodes_from(range(2_000))
    H.add_edges_from(zip(s2.tolist(), d2.tolist()))
    t, r = best(lambda: sum(1 for _ in nx.simple_cycles(H, length_bound=6)), 1)
    print(f"cycles_len6 {t:.6f} {r}")

eq = np.loadtxt(f"{d}/big_equity.csv", delimiter=",", skiprows=1)[:, 1]
n = 10_000
# exposure of `to` (lender) to `from` (borrower): impact of from on to = min(1, amount / E_to)
w = np.minimum(1.0, amt / eq[dst])


def debtrank():
    h = np.zeros(n)
    shocked = np.arange(0, n, 1000)
    h[shocked] = 1.0
    h0 = h.copy()
    state = (h > 0).astype(np.int8)
    rounds = 0
    while (state == 1).any():
        rounds += 1
        dist = state == 1
        m = dist[src]
        add = np.bincount(dst[m], weights=w[m] * h[src[m]], minlength=n)
        state[dist] = 2
        h = np.minimum(1.0, h + add)
        state[(state == 0) & (h > 0)] = 1
    v = eq / eq.sum()
    return f"{v @ (h - h0):.12f}/{rounds}"


if wanted("debtrank"):
    t, r = best(debtrank, 20)
    print(f"debtrank {t:.6f} {r}")
