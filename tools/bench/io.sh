#!/usr/bin/env bash
# Times Fissure's readers (read_file on every CSV, release build) against pyarrow's CSV reader on
# the same files, and prints the CPU-time ratio. Usage: tools/bench/io.sh [DIR...]
# (default: ../shared/data/prices ../shared/data/macro, else data/demo).
set -euo pipefail
cd "$(dirname "$0")/../.."
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  if [ -d ../shared/data/prices ]; then dirs=(../shared/data/prices ../shared/data/macro); else dirs=(data/demo); fi
fi
venv=tools/reference/.venv-io
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r tools/reference/io/requirements.txt
fi
cargo build -q --release -p fissure-io --example read_bundle
bin=target/release/examples/read_bundle
# CPU time of the whole process (user + sys), best of 5.
best=999
for _ in 1 2 3 4 5; do
  t=$( { /usr/bin/time -f "%U %S" "$bin" "${dirs[@]}" >/dev/null; } 2>&1 | tail -1 | awk '{print $1 + $2}')
  best=$(python3 -c "print(min($best, $t))")
done
"$bin" "${dirs[@]}"
peer=$("$venv/bin/python" tools/bench/io_pyarrow.py "${dirs[@]}")
echo "$peer"
pcpu=$(echo "$peer" | awk '{for (i = 1; i < NF; i++) if ($i == "cpu") print $(i + 1)}')
echo "fissure cpu ${best}s (process, best of 5); pyarrow cpu ${pcpu}s (reading only, best of 5)"
python3 -c "print(f'ratio fissure/pyarrow (CPU): {$best / $pcpu:.2f}')"
