#!/usr/bin/env bash
# Times `fissure report` on the bundled data: cold (empty store: ingest + every
# family computed) and warm (unchanged data: every family from the cache), and
# prints the slowest steps of each run. There is no peer implementation of the
# whole report to compare with; the registry's percentile kernel is compared with
# the direct O(n²) scan by `cargo bench -p fissure-report`.
# Usage: tools/bench/report.sh [path/to/fissure]   (default: target/release/fissure)
set -euo pipefail
BIN=${1:-target/release/fissure}
[ -x "$BIN" ] || { echo "build first: cargo build --release -p fissure-cli" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for run in cold warm; do
  start=$(date +%s.%N)
  NO_COLOR=1 "$BIN" --store "$WORK/store.sqlite" report --out "$WORK/out" > "$WORK/$run.txt"
  end=$(date +%s.%N)
  printf '%s run: %.2f s wall\n' "$run" "$(echo "$end - $start" | bc)"
  sed -n '/Slowest steps/,$p' "$WORK/$run.txt"
done
