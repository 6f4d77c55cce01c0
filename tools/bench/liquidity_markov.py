#!/usr/bin/env python3
"""Side-by-side timing: Markov-switching fit, Fissure vs statsmodels, same input.

Input: crates/liquidity/tests/fixtures/markov_spx_weekly_1500.json (1,500 weekly S&P 500
log returns x100; switching mean and variance, k = 2) and the Hamilton AR(4) rgnp example.
statsmodels: `fit()` with its defaults (EM 5 iterations, BFGS, cov_type='approx').
Fissure: `MarkovSwitching::fit(&FitOptions::default())` (1 + 4 starts, EM, BFGS, s.e.).
Run: tools/reference/.venv-liquidity/bin/python tools/bench/liquidity_markov.py [REPS]
"""
import json, os, subprocess, sys, time, warnings
import numpy as np
import statsmodels.api as sm

warnings.simplefilter("ignore")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
FIX = os.path.join(ROOT, "crates", "liquidity", "tests", "fixtures")

subprocess.run(["cargo", "build", "--release", "-q", "-p", "fissure-liquidity", "--example", "markov_timing"], cwd=ROOT, check=True)
exe = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "examples", "markov_timing")

cases = [
    ("spx_weekly_1500 (k=2, switching mean+variance, T=1500)", "markov_spx_weekly_1500.json", 2, 0, True),
    ("hamilton_ar4 (k=2, AR(4), T=135)", "markov_hamilton_ar4.json", 2, 4, False),
]
for label, fname, k, order, sv in cases:
    path = os.path.join(FIX, fname)
    y = np.asarray(json.load(open(path))["endog"])
    ts = []
    for _ in range(REPS):
        t = time.perf_counter()
        if order == 0:
            r = sm.tsa.MarkovRegression(y, k_regimes=k, switching_variance=sv).fit(disp=False)
        else:
            r = sm.tsa.MarkovAutoregression(y, k_regimes=k, order=order, switching_ar=False, switching_variance=sv).fit(disp=False)
        ts.append(time.perf_counter() - t)
    sm_t = float(np.median(ts))
    out = subprocess.run([exe, path, str(k), str(order), "1" if sv else "0", str(REPS)], capture_output=True, text=True, check=True)
    fs_t, fs_ll = map(float, out.stdout.split())
    print(f"{label}: statsmodels {sm_t*1e3:.1f} ms (llf {r.llf:.5f}), fissure {fs_t*1e3:.2f} ms (llf {fs_ll:.5f}), ratio {sm_t/fs_t:.1f}x")
