#!/usr/bin/env bash
# Times Fissure's portfolio-risk kernels against the Python peers on the same inputs and prints the ratios.
#   A historical + Cornish-Fisher VaR/ES with Euler components, 1,000 assets x 5,000 days (target < 1 s)
#   B FHS, 50 assets, 10,000 paths x 10 days, GARCH fits included (target < 2 s)
#   C rolling backtest of every method over 20 years (5,040 S&P 500 days, window 500; target < 5 s)
# The Rust side writes the inputs to $FISSURE_BENCH_DIR (default /tmp/fissure-risk-bench); the peer reads them.
# Needs the reference virtualenv: python3 -m venv tools/reference/.venv-risk &&
#   tools/reference/.venv-risk/bin/pip install -r tools/reference/risk/requirements.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=tools/reference/.venv-risk/bin/python
[ -x "$PY" ] || { echo "missing $PY (see the header of this script)" >&2; exit 1; }
cargo build --release -q -p fissure-risk --example risk_timing
RUST_OUT=$(cargo run --release -q -p fissure-risk --example risk_timing)
PEER_OUT=$("$PY" tools/bench/risk_peer.py)
echo "fissure: $RUST_OUT" | sed 's/^/  /'
echo "peer:    $PEER_OUT" | sed 's/^/  /'
python3 - "$RUST_OUT" "$PEER_OUT" <<'PYEOF'
import sys
def parse(s):
    d = {}
    for line in s.strip().splitlines():
        name, secs, *extra = line.split()
        d[name] = (float(secs), extra)
    return d
r, p = parse(sys.argv[1]), parse(sys.argv[2])
for k in r:
    if k in p:
        print(f"{k:20s} fissure {r[k][0]*1e3:10.1f} ms   peer {p[k][0]*1e3:11.1f} ms   speed-up x{p[k][0]/r[k][0]:.1f}")
PYEOF
