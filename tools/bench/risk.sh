#!/usr/bin/env bash
# Times Fissure's portfolio-risk kernels against the Python peers on the same inputs and prints the ratios.
#   A historical + Cornish-Fisher VaR/ES with Euler components, 1,000 assets x 5,000 days (target < 1 s); and the
#     historical part alone against riskfolio-lib's Risk_Contribution (rm=VaR, CVaR)
#   B FHS, 50 assets, 10,000 paths x 10 days, GARCH fits included (target < 2 s)
#   C rolling backtest of every method over 20 years (5,040 S&P 500 days, window 500; target < 5 s)
# Usage: tools/bench/risk.sh [a] [b] [c] [dcc]   (default: a b; c takes minutes on the peer side)
# The machine may be shared: each workload runs ROUNDS times (default 3), Fissure and the peer alternating,
# and the script prints the range of each side's time and of the per-round ratio.
# The Rust side writes the inputs to $FISSURE_BENCH_DIR (default /tmp/fissure-risk-bench); the peer reads them.
# Needs the reference virtualenv: python3 -m venv tools/reference/.venv-risk &&
#   tools/reference/.venv-risk/bin/pip install -r tools/reference/risk/requirements.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=tools/reference/.venv-risk/bin/python
[ -x "$PY" ] || { echo "missing $PY (see the header of this script)" >&2; exit 1; }
WHICH=("$@")
[ ${#WHICH[@]} -gt 0 ] || WHICH=(a b)
ROUNDS=${ROUNDS:-3}
cargo build --release -q -p fissure-risk --example risk_timing
BIN=target/release/examples/risk_timing
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
for w in "${WHICH[@]}"; do
  for r in $(seq "$ROUNDS"); do
    "$BIN" "$w" | sed "s/^/fissure $w$r /" >>"$LOG"
    if [ "$w" != dcc ]; then "$PY" tools/bench/risk_peer.py "$w" | sed "s/^/peer $w$r /" >>"$LOG"; fi
  done
done
sed 's/^/  /' "$LOG"
python3 - "$LOG" <<'PYEOF'
import sys, collections
t = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    side, rnd, name, secs, *_ = line.split()
    t[name].setdefault(side, {})[rnd] = float(secs)
for name, d in t.items():
    f, p = d.get("fissure", {}), d.get("peer", {})
    both = [r for r in f if r in p]  # rounds timed on both sides (a dcc-only round has no peer)
    if not both:
        continue
    f, p = {r: f[r] for r in both}, {r: p[r] for r in both}
    ratios = [p[r] / f[r] for r in both]
    print(f"{name:22s} fissure {min(f.values())*1e3:8.1f}-{max(f.values())*1e3:8.1f} ms   "
          f"peer {min(p.values())*1e3:9.1f}-{max(p.values())*1e3:9.1f} ms   "
          f"speed-up x{min(ratios):.1f}-x{max(ratios):.1f} (per round)")
PYEOF
