"""Reference numbers for the network family (crates/network/tests/fixtures/*.json).

Peers and independent implementations:
- cycles and SCCs: networkx 3.6.1 `simple_cycles` (Johnson) and `strongly_connected_components`
  on the bundled AI deal graph (data/demo/network/ai_deals_2023_2025.csv, parallel deals
  merged as a DiGraph does) and on random directed graphs (numpy seeds below). The length-bounded
  reference is networkx's *unbounded* list filtered by length (its own bounded search, Gupta &
  Suzumura 2021, has open bugs: networkx issues #8265, #8737); its bounded count is recorded too.
- maximum circulation: networkx `network_simplex` (min-cost flow, zero demands, weight -1 per
  unit, capacities = amounts x 100 as integers) on the deal graph and random graphs.
- DebtRank (Battiston et al. 2012, once-only) and linear DebtRank (Bardoscia et al. 2015):
  an independent dense numpy implementation written for this project.
- Eisenberg-Noe (2001) with Rogers-Veraart (2013) costs: an independent numpy Picard
  iteration from p_bar (the decreasing sequence converges to the greatest clearing vector),
  pari passu and senior external liabilities.

Run: python3 -m venv tools/reference/.venv-network && tools/reference/.venv-network/bin/pip install -r
tools/reference/network/requirements.txt && tools/reference/.venv-network/bin/python tools/reference/network/network_ref.py
"""
import csv
import json
import os

import networkx as nx
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIX = os.path.join(ROOT, "crates", "network", "tests", "fixtures")
DEALS = os.path.join(ROOT, "data", "demo", "network", "ai_deals_2023_2025.csv")
FIRMS = os.path.join(ROOT, "data", "demo", "network", "ai_firms.csv")


def canon(c):
    i = c.index(min(c))
    return list(c[i:]) + list(c[:i])


def deal_graph():
    firms = sorted(r["firm"] for r in csv.DictReader(open(FIRMS)))
    G = nx.DiGraph()
    G.add_nodes_from(firms)
    for r in csv.DictReader(open(DEALS)):
        a = float(r["amount_usd_bn"]) if r["amount_usd_bn"] else 0.0
        if G.has_edge(r["payer"], r["payee"]):
            G[r["payer"]][r["payee"]]["amount"] += a
        else:
            G.add_edge(r["payer"], r["payee"], amount=a)
    return G


def max_circulation(G, scale=100):
    H = nx.DiGraph()
    H.add_nodes_from(G.nodes, demand=0)
    for a, b, d in G.edges(data=True):
        H.add_edge(a, b, weight=-1, capacity=int(round(d["amount"] * scale)))
    cost, _ = nx.network_simplex(H)
    return -cost / scale


def cycles_block(G, name, bounds):
    nodes = sorted(G.nodes)
    cyc = sorted(canon([nodes.index(v) for v in c]) for c in nx.simple_cycles(G))
    out = {
        "name": name,
        "n": len(nodes),
        "edges": sorted([nodes.index(a), nodes.index(b)] for a, b in G.edges),
        "cycles": cyc,
        "sccs": sorted(sorted(nodes.index(v) for v in c) for c in nx.strongly_connected_components(G)),
        "bounded": {},
        "networkx_bounded_count": {},
    }
    for k in bounds:
        out["bounded"][str(k)] = sum(1 for c in cyc if len(c) <= k)
        out["networkx_bounded_count"][str(k)] = sum(1 for _ in nx.simple_cycles(G, length_bound=k))
    return out


def random_digraph(seed, n, p):
    rng = np.random.default_rng(seed)
    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    for a in range(n):
        for b in range(n):
            if a != b and rng.random() < p:
                G.add_edge(a, b, amount=float(rng.integers(1, 50)))
    return G


def debtrank_ref(n, exposures, equity, shocks, linear):
    A = np.zeros((n, n))  # A[j, i]: exposure of j to i
    for j, i, a in exposures:
        if i != j:
            A[j, i] += a
    E = np.array(equity)
    W = np.minimum(1.0, A.T / E[None, :])  # W[i, j] = A[j, i] / E[j]
    h0 = np.zeros(n)
    for i, l in shocks:
        h0[i] = l
    h = h0.copy()
    rounds = 0
    if not linear:
        state = (h > 0).astype(int)  # 0 undistressed, 1 distressed, 2 inactive
        while (state == 1).any():
            rounds += 1
            D = state == 1
            hn = np.minimum(1.0, h + W[D].T @ h[D])
            state[D] = 2
            state[(state == 0) & (hn > 0)] = 1
            h = hn
    else:
        prev = np.zeros(n)
        for _ in range(100000):
            hn = np.minimum(1.0, h + W.T @ (h - prev))
            rounds += 1
            prev, h = h, hn
            if np.max(np.abs(h - prev)) < 1e-16:
                break
    v = E / E.sum()
    return {"h": h.tolist(), "debtrank": float(v @ (h - h0)), "rounds": rounds}


def clearing_ref(n, L, e, x, alpha, beta, senior):
    Lm = np.zeros((n, n))
    for d, c, a in L:
        if d != c:
            Lm[d, c] += a
    inter = Lm.sum(axis=1)
    pbar = inter + (0 if senior else x)
    s = x if senior else np.zeros(n)
    Pi = np.divide(Lm, pbar[:, None], out=np.zeros_like(Lm), where=pbar[:, None] > 0)
    p = pbar.copy()
    for _ in range(200000):
        inflow = Pi.T @ p
        solvent = e + inflow - s >= pbar - 1e-12 * max(1.0, pbar.max())
        pn = np.where(solvent, pbar, np.maximum(0.0, alpha * e + beta * inflow - s))
        if np.max(np.abs(pn - p)) < 1e-15:
            p = pn
            break
        p = pn
    inflow = Pi.T @ p
    return {"payments": p.tolist(), "equity": (e + inflow - inter - x).tolist(),
            "defaults": [int(i) for i in np.where(~(e + inflow - s >= pbar - 1e-9))[0]]}


def main():
    os.makedirs(FIX, exist_ok=True)
    # cycles and SCCs
    blocks = [cycles_block(deal_graph(), "ai_deals", [2, 3, 4, 5])]
    for seed, n, p in [(1, 12, 0.25), (2, 16, 0.2), (3, 20, 0.15), (4, 25, 0.12), (5, 30, 0.09), (6, 40, 0.06)]:
        blocks.append(cycles_block(random_digraph(seed, n, p), f"random_seed{seed}_n{n}", [2, 3, 4, 5, 6]))
    json.dump({"source": "networkx 3.6.1 simple_cycles / strongly_connected_components", "graphs": blocks},
              open(os.path.join(FIX, "cycles_networkx.json"), "w"))
    # circulation
    circ = []
    G = deal_graph()
    nodes = sorted(G.nodes)
    circ.append({"name": "ai_deals", "n": len(nodes),
                 "edges": [[nodes.index(a), nodes.index(b), d["amount"]] for a, b, d in G.edges(data=True)],
                 "max_circulation": max_circulation(G)})
    for seed in range(10, 16):
        R = random_digraph(seed, 15, 0.2)
        circ.append({"name": f"random_seed{seed}", "n": 15,
                     "edges": [[a, b, d["amount"]] for a, b, d in R.edges(data=True)],
                     "max_circulation": max_circulation(R)})
    json.dump({"source": "networkx 3.6.1 network_simplex (weight -1, zero demands)", "graphs": circ},
              open(os.path.join(FIX, "circulation_networkx.json"), "w"))
    # DebtRank and clearing
    dr, cl = [], []
    for seed in range(20, 26):
        rng = np.random.default_rng(seed)
        n = 20
        ex = [[int(j), int(i), float(rng.uniform(1, 20))] for j in range(n) for i in range(n)
              if j != i and rng.random() < 0.2]
        eq = rng.uniform(10, 60, n).tolist()
        shocks = [[int(rng.integers(0, n)), float(rng.uniform(0.2, 1.0))]]
        for linear in (False, True):
            r = debtrank_ref(n, ex, eq, shocks, linear)
            dr.append({"seed": seed, "n": n, "exposures": ex, "equity": eq, "shocks": shocks,
                       "linear": linear, **r})
        L = [[int(d), int(c), float(rng.uniform(1, 10))] for d in range(n) for c in range(n)
             if d != c and rng.random() < 0.25]
        e = rng.uniform(5, 40, n)
        x = rng.uniform(5, 40, n)
        for alpha, beta, senior in [(1.0, 1.0, False), (1.0, 1.0, True), (0.6, 0.8, False), (0.5, 0.9, True)]:
            r = clearing_ref(n, L, e, x, alpha, beta, senior)
            cl.append({"seed": seed, "n": n, "liabilities": L, "external_assets": e.tolist(),
                       "external_liabilities": x.tolist(), "alpha": alpha, "beta": beta, "senior": senior, **r})
    json.dump({"source": "independent numpy implementation (tools/reference/network/network_ref.py)", "cases": dr},
              open(os.path.join(FIX, "debtrank_numpy.json"), "w"))
    json.dump({"source": "independent numpy Picard iteration (tools/reference/network/network_ref.py)", "cases": cl},
              open(os.path.join(FIX, "clearing_numpy.json"), "w"))
    for b in blocks:
        print(b["name"], "cycles", len(b["cycles"]), "bounded", b["bounded"], "networkx bounded", b["networkx_bounded_count"])
    print("circulation", [round(c["max_circulation"], 2) for c in circ])
    print("defaults per clearing case", [len(c["defaults"]) for c in cl])


if __name__ == "__main__":
    main()
