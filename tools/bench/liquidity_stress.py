#!/usr/bin/env python3
"""Side-by-side timing of the real-time stress index (12 indicators, 1,444 weeks):
Fissure vs the pandas/numpy implementation of the same algorithm
(tools/reference/liquidity/stress_reference.py), same data, excluding file loading.
Run: tools/reference/.venv-liquidity/bin/python tools/bench/liquidity_stress.py [REPS]
"""
import os, subprocess, sys, time
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference", "liquidity"))
import stress_reference as ref  # noqa: E402

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
subprocess.run(["cargo", "build", "--release", "-q", "-p", "fissure-liquidity", "--example", "stress_timing"], cwd=ROOT, check=True)
exe = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "examples", "stress_timing")
raw = ref.load()
ts = []
for _ in range(REPS):
    t = time.perf_counter()
    df = ref.compute(raw)
    ts.append(time.perf_counter() - t)
py = float(np.median(ts))
out = subprocess.run([exe, str(REPS)], capture_output=True, text=True, check=True)
rs, last = map(float, out.stdout.split())
print(f"stress index: pandas/numpy {py*1e3:.0f} ms (last {df['value'].iloc[-1]:.6f}), fissure {rs*1e3:.2f} ms (last {last:.6f}), ratio {py/rs:.0f}x")
