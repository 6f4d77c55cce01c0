"""Writes the synthetic benchmark graphs of tools/bench/network.sh (fixed seeds):
  big.csv     10,000 nodes, 100,000 edges: clusters of 10 nodes (20% of the edges inside a
              cluster, cycles only there) and forward edges between clusters; with an
              exposure amount per edge and an equity per node (DebtRank);
  bounded.csv 2,000 nodes, 10,000 uniformly random edges (cycles up to length 6).
Usage: network_graphs.py OUT_DIR"""
import os
import sys

import numpy as np

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
n, m = 10_000, 100_000
edges = set()
while len(edges) < m:
    a = int(rng.integers(0, n))
    if rng.random() < 0.2:
        b = (a // 10) * 10 + int(rng.integers(0, 10))
    else:
        b = int(rng.integers(a, n))
    if a != b:
        edges.add((a, b))
with open(os.path.join(out, "big.csv"), "w") as f:
    f.write("from,to,amount\n")
    for a, b in sorted(edges):
        f.write(f"{a},{b},{1 + (a * 7 + b) % 13}\n")
with open(os.path.join(out, "big_equity.csv"), "w") as f:
    f.write("node,equity\n")
    for i in range(n):
        f.write(f"{i},{40 + (i * 31) % 97}\n")
rng = np.random.default_rng(8)
n2, m2 = 2_000, 10_000
edges = set()
while len(edges) < m2:
    a, b = int(rng.integers(0, n2)), int(rng.integers(0, n2))
    if a != b:
        edges.add((a, b))
with open(os.path.join(out, "bounded.csv"), "w") as f:
    f.write("from,to,amount\n")
    for a, b in sorted(edges):
        f.write(f"{a},{b},1\n")
