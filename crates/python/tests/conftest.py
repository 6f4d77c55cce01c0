"""Shared fixtures: the bundled data (through the wheel) and the `fissure` CLI on a store holding the same data.

The CLI binary is $FISSURE_BIN, else target/release/fissure, else target/debug/fissure (built by
`cargo test --workspace`, as .ci/run does before pytest). Without one the CLI-equality tests fail: they must
never pass vacuously.
"""
import json
import os
import subprocess
from pathlib import Path

import pytest

import fissure

ROOT = Path(__file__).resolve().parents[3]


def _cli_path():
    env = os.environ.get("FISSURE_BIN")
    if env:
        return Path(env)
    for p in (ROOT / "target" / "release" / "fissure", ROOT / "target" / "debug" / "fissure"):
        if p.exists():
            return p
    raise RuntimeError("no fissure CLI binary: set FISSURE_BIN or run `cargo build -p fissure-cli` first")


@pytest.fixture(scope="session")
def demo():
    return fissure.demo()


@pytest.fixture(scope="session")
def cli(tmp_path_factory):
    """Runs `fissure --store S --json ARGS…` on a store with the bundled data; returns the parsed JSON."""
    binary = _cli_path()
    store = tmp_path_factory.mktemp("store") / "store.sqlite"
    subprocess.run([str(binary), "--store", str(store), "ingest", "--demo"], check=True, capture_output=True)

    def run(*args, expect_error=False):
        p = subprocess.run([str(binary), "--store", str(store), "--json", *args], capture_output=True, text=True)
        if expect_error:
            assert p.returncode == 1, p.stdout
            return p.stderr.strip()
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    run.binary = binary
    run.store = store
    return run


def assert_same(a, b, path="", rel=1e-9):
    """Recursive equality of two JSON documents, floats to a relative 1e-9 (identical in practice)."""
    if isinstance(a, dict):
        assert isinstance(b, dict), f"{path}: {type(b)}"
        assert sorted(a) == sorted(b), f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            assert_same(a[k], b[k], f"{path}.{k}", rel)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: lengths {len(a)} != {len(b) if isinstance(b, list) else b}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{path}[{i}]", rel)
    elif isinstance(a, float) or isinstance(b, float):
        assert isinstance(a, (int, float)) and isinstance(b, (int, float)), f"{path}: {a!r} vs {b!r}"
        assert abs(a - b) <= rel * max(1.0, abs(a), abs(b)), f"{path}: {a!r} != {b!r}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"
