#!/usr/bin/env bash
# Times Fissure's liquidity-spiral Monte Carlo against a NumPy peer on identical numbers and prints the ratio.
#   The case is the issue's speed case of crates/spiral/examples/speed.rs: a synthetic market
#   (Market::synthetic, σ 1.2%/day, ρ 0.4, ADV 100 bn), SpiralConfig::synthetic (every agent class trading
#   every asset, 6 intra-day rounds, square-root impact), shock A0 = −5%, PATHS × STEPS × ASSETS
#   (default 10,000 paths × 250 days × 8 assets).
#   Fissure: crates/spiral/examples/spiral_peer_inputs.rs times `fissure_spiral::simulate` (all threads,
#     the ChaCha draws, the paths and the summary; best of 3 runs; wall and process CPU seconds).
#   Peer: tools/bench/spiral_peer.py, engine.rs run_path ported to NumPy and vectorised across paths
#     (per-path branches as boolean masks), timed on the simulation of all paths (one run; it is given the
#     engine's standard-normal draws, so it does not pay for generating them; reading them is not timed).
#   Agreement: the peer compares each path's amplification and final prices with the engine's (amp.bin,
#     p_final.bin from run_path), and prints the largest difference and how many paths are bitwise equal.
# Usage: tools/bench/spiral.sh [PATHS STEPS ASSETS]   e.g. tools/bench/spiral.sh 200 50 8 for a quick check.
# The machine may be shared: the case runs ROUNDS times (default 3), Fissure and the peer alternating, and
# the script prints the range of each side's time and of the per-round ratio. The first Fissure run writes
# the inputs to $FISSURE_BENCH_DIR (default /tmp/fissure-spiral-bench; the default case takes 160 MB of
# draws, deleted at the end unless KEEP=1); later rounds only time.
# Needs the reference virtualenv: python3 -m venv tools/reference/.venv-spiral &&
#   tools/reference/.venv-spiral/bin/pip install -r tools/reference/spiral/requirements.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=tools/reference/.venv-spiral/bin/python
[ -x "$PY" ] || { echo "missing $PY (see the header of this script)" >&2; exit 1; }
CASE=("${1:-10000}" "${2:-250}" "${3:-8}")
ROUNDS=${ROUNDS:-3}
export FISSURE_BENCH_DIR=${FISSURE_BENCH_DIR:-/tmp/fissure-spiral-bench}
cargo build --release -q -p fissure-spiral --example spiral_peer_inputs
BIN=target/release/examples/spiral_peer_inputs
LOG=$(mktemp)
cleanup() {
  rm -f "$LOG"
  if [ "${KEEP:-0}" != 1 ]; then
    rm -f "$FISSURE_BENCH_DIR"/{model.json,z.bin,amp.bin,p_final.bin}
    rmdir "$FISSURE_BENCH_DIR" 2>/dev/null || true
  fi
}
trap cleanup EXIT
for r in $(seq "$ROUNDS"); do
  if [ "$r" = 1 ]; then "$BIN" "${CASE[@]}"; else "$BIN" "${CASE[@]}" --timing-only; fi | sed "s/^/fissure $r /" >>"$LOG"
  "$PY" tools/bench/spiral_peer.py | sed "s/^/peer $r /" >>"$LOG"
done
sed 's/^/  /' "$LOG"
python3 - "$LOG" <<'PYEOF'
import sys, collections
t = collections.defaultdict(dict)
res = collections.defaultdict(set)
agree = []
for line in open(sys.argv[1]):
    side, rnd, name, *rest = line.split()
    if name == "agree":
        agree.append(" ".join(rest))
        continue
    case = name
    t[side][rnd] = float(rest[0])
    cpu = [float(x[4:]) for x in rest if x.startswith("cpu=")]
    if cpu:
        t["fissure_cpu"][rnd] = cpu[0]
    res[side].add(" ".join(x for x in rest[1:] if x.split("=")[0] in ("amp_median", "amp_mean", "final_mean_A0")))
f, p = t["fissure"], t["peer"]
both = [r for r in f if r in p]
ratios = [p[r] / f[r] for r in both]
c = t["fissure_cpu"]
cr = [p[r] / c[r] for r in both if c.get(r, 0) > 0]
print(f"{case:22s} fissure wall {min(f.values()):.3f}-{max(f.values()):.3f} s (CPU {min(c.values()):.2f}-{max(c.values()):.2f} s)   "
      f"peer {min(p.values()):.3f}-{max(p.values()):.3f} s   speed-up x{min(ratios):.1f}-x{max(ratios):.1f} wall (per round)"
      + (f", x{min(cr):.1f}-x{max(cr):.1f} per CPU second (the peer runs on one core)" if cr else ""))
same = res["fissure"] == res["peer"] and len(res["fissure"]) == 1
print(f"summary lines {'identical' if same else 'DIFFER'}: fissure {sorted(res['fissure'])} peer {sorted(res['peer'])}")
for a in sorted(set(agree)):
    print(f"per path: {a}")
PYEOF
