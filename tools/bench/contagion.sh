#!/usr/bin/env bash
# Times Fissure's contagion kernels against the Python peers on the same real data and prints the ratios.
#   GARCH(1,1) on 5,000 S&P 500 returns: Fissure vs arch 8.0.0 (and both log-likelihoods)
#   rolling Diebold–Yilmaz (200-day windows, step 1, VAR(2), H=10, generalized) on six ETFs 2010–2025:
#   Fissure vs statsmodels VAR + plain FEVD
# Needs the reference virtualenv: python3 -m venv tools/reference/.venv-contagion &&
#   tools/reference/.venv-contagion/bin/pip install -r tools/reference/contagion/requirements.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=tools/reference/.venv-contagion/bin/python
[ -x "$PY" ] || { echo "missing $PY (see the header of this script)" >&2; exit 1; }
cargo build --release -q -p fissure-contagion --example contagion_timing
RUST_OUT=$(cargo run --release -q -p fissure-contagion --example contagion_timing)
PEER_OUT=$("$PY" tools/bench/contagion_peer.py)
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
        print(f"{k:12s} fissure {r[k][0]*1e3:9.3f} ms   peer {p[k][0]*1e3:10.3f} ms   speed-up x{p[k][0]/r[k][0]:.1f}   {' '.join(r[k][1])} vs {' '.join(p[k][1])}")
PYEOF
