#!/usr/bin/env bash
# Times Fissure's network kernels against networkx 3.6.1 / numpy on the same synthetic graphs
# (tools/bench/network_graphs.py, fixed seeds) and prints the ratios and both results:
#   SCCs and every elementary cycle on 10,000 nodes / 100,000 edges; cycles up to length 6 on
#   2,000 nodes / 10,000 edges (networkx's length_bound); DebtRank (once-only) from 10 failures.
# Usage: tools/bench/network.sh [debtrank|scc,cycles|...]   (default: every kernel)
# Needs the reference virtualenv: python3 -m venv tools/reference/.venv-network &&
#   tools/reference/.venv-network/bin/pip install -r tools/reference/network/requirements.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=tools/reference/.venv-network/bin/python
[ -x "$PY" ] || { echo "missing $PY (see the header of this script)" >&2; exit 1; }
DIR=target/bench-network
"$PY" tools/bench/network_graphs.py "$DIR"
cargo build --release -q -p fissure-network --example bench_kernels
# optional: comma-separated kernels (scc, cycles, cycles_len6, debtrank); default all
ONLY=${1:-}
RUST_OUT=$(target/release/examples/bench_kernels "$DIR" $ONLY)
PEER_OUT=$("$PY" tools/bench/network_peer.py "$DIR" $ONLY)
python3 - "$RUST_OUT" "$PEER_OUT" <<'PYEOF'
import sys
def parse(s):
    return {l.split()[0]: (float(l.split()[1]), l.split()[2]) for l in s.strip().splitlines()}
r, p = parse(sys.argv[1]), parse(sys.argv[2])
for k in r:
    if k in p:
        same = "same result" if r[k][1] == p[k][1] else f"DIFFERENT: {r[k][1]} vs {p[k][1]}"
        print(f"{k:12s} fissure {r[k][0]*1e3:10.3f} ms   peer {p[k][0]*1e3:11.3f} ms   speed-up x{p[k][0]/r[k][0]:8.1f}   {same} ({r[k][1]})")
    else:
        print(f"{k:12s} fissure {r[k][0]*1e3:10.3f} ms   (Fissure only: {r[k][1]})")
PYEOF
