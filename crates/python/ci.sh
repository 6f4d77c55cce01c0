#!/usr/bin/env bash
# Builds the `fissure` wheel with maturin in a fresh virtualenv, installs it with the pinned test requirements,
# runs the pytest suite (against the CLI binary that `cargo test --workspace` built) and executes the quickstart
# notebook. Called by .ci/run and by tools/test-all.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python3}"
VENV="${FISSURE_PY_VENV:-target/python-ci-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q -r crates/python/requirements-test.txt
rm -rf target/wheels
"$VENV/bin/maturin" build --release -m crates/python/Cargo.toml --out target/wheels -i "$VENV/bin/python"
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps target/wheels/fissure-*.whl
# the CLI the equality tests compare against: the newer of the release and test-profile binaries
# (`cargo test --workspace` builds target/debug/fissure), else one built now
if [ -z "${FISSURE_BIN:-}" ]; then
  FISSURE_BIN="$(ls -t target/release/fissure target/debug/fissure 2>/dev/null | head -n 1 || true)"
  if [ -z "$FISSURE_BIN" ]; then
    cargo build --profile test -p fissure-cli
    FISSURE_BIN=target/debug/fissure
  fi
fi
case "$FISSURE_BIN" in /*) ;; *) FISSURE_BIN="$PWD/$FISSURE_BIN" ;; esac
export FISSURE_BIN
# run from the tests folder so that `import fissure` is the installed wheel, not the source tree
(cd crates/python/tests && "../../../$VENV/bin/python" -m pytest -q -p no:cacheprovider .)
"$VENV/bin/python" crates/python/tests/run_notebook.py
