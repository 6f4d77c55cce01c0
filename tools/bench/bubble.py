#!/usr/bin/env python3
"""Times Fissure's bubble engine against its peers on the same inputs and prints the ratios.

Peers (installed in tools/reference/.venv-bubble, see tools/reference/bubble/requirements.txt):
  - pyexuber (exuber's C++ core): BSADF path on NASDAQ daily T = 1,563 (lag 0, best of 5) and
    Monte Carlo critical values, 2,000 replications at T = 1,563 (one run: about a minute);
  - lppls 0.6.24: one fit (max_searches = 25, Nelder-Mead) on the last 500 NASDAQ observations
    to 2000-03-10, median over 10 seeds after the numba warm-up.
Fissure: `cargo run --release -p fissure-bubble --example bubble_timing -- REPS CI_DATES`.

Usage: tools/reference/.venv-bubble/bin/python tools/bench/bubble.py [--quick] [--psy-only]
(--quick: 200 MC replications on both sides and 20 indicator dates instead of 2,000 and 250;
 --psy-only: the two PSY rows only, pyexuber alone needed — lppls is neither imported nor timed)
"""
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT / "crates" / "bubble" / "tests" / "fixtures"


def load(name, key):
    return np.array(json.loads((FIX / name).read_text())[key], dtype=float)


def main():
    quick = "--quick" in sys.argv
    psy_only = "--psy-only" in sys.argv
    reps = 200 if quick else 2000
    ci_dates = 1 if psy_only else 20 if quick else 250
    import exuber

    y = load("psy_nasdaq_daily_1563.json", "y")
    n = len(y)
    w = int(np.floor((0.01 + 1.8 / np.sqrt(n)) * n))
    exuber.radf(y, minw=w - 1)
    best = min(_timed(lambda: exuber.radf(y, minw=w - 1))[0] for _ in range(5))
    c0 = time.process_time()
    for _ in range(20):
        exuber.radf(y, minw=w - 1)
    cpu_path = (time.process_time() - c0) / 20
    c0 = time.process_time()
    t_mc, cv = _timed(lambda: exuber.radf_mc_cv(n, minw=w - 1, nrep=reps, seed=123))
    cpu_mc = time.process_time() - c0
    if psy_only:
        f = fissure_timings(reps, ci_dates)
        rows = [
            ("BSADF path T=1563 lag 0 (best of 5 / 20)", best, f["bsadf_T1563_lag0_s"], 10, cpu_path, f["cpu_path_s"]),
            (f"MC critical values {reps} reps T=1563", t_mc, f["mc_T1563_s"], 25, cpu_mc, f["cpu_mc_s"]),
        ]
        print_rows(f, rows)
        print(f"GSADF CVs 90/95/99: exuber {np.round(cv.gsadf_cv, 3).tolist()}, fissure {np.round(f['mc_gsadf_cv'], 3).tolist()}")
        return
    from lppls import lppls

    t = load("lppls_nasdaq_peer.json", "t")
    ly = load("lppls_nasdaq_peer.json", "y")
    obs = np.array([t, ly])
    model = lppls.LPPLS(observations=obs)
    random.seed(123)
    model.fit(25)  # numba warm-up
    times, sses = [], []
    c0 = time.process_time()
    for seed in range(10):
        random.seed(seed)
        np.random.seed(seed)
        dt, r = _timed(lambda: model.fit(25))
        times.append(dt)
        if r[1] != 0:
            sses.append(float(model.func_restricted(np.array(r[:3]), obs)))
    t_fit = sorted(times)[len(times) // 2]
    cpu_fit = (time.process_time() - c0) / 10

    f = fissure_timings(reps, ci_dates)

    rows = [
        ("BSADF path T=1563 lag 0 (best of 5 / 20)", best, f["bsadf_T1563_lag0_s"], 10, cpu_path, f["cpu_path_s"]),
        (f"MC critical values {reps} reps T=1563", t_mc, f["mc_T1563_s"], 25, cpu_mc, f["cpu_mc_s"]),
        ("LPPLS one fit, 500 obs (median / mean of 10 seeds)", t_fit, f["lppls_fit_500_median_s"], 30, cpu_fit, f["cpu_fit_s"]),
    ]
    print_rows(f, rows)
    print(f"| FCO indicator {f['ci_dates']} dates x 126 windows = {f['ci_fits']} fits | - | {f['ci_s']:.1f} | - | - | {f['cpu_ci_s']:.1f} | - | < 60 s wall on 2 cores |")
    print("(CPU = process user+system time; the peer is single-threaded, Fissure uses all cores, so on an idle")
    print(" 2-core machine the wall ratio approaches the CPU ratio x parallel efficiency.)")
    print(f"SSE: fissure {f['lppls_fit_500_worst_sse']:.10f} (worst over 10 seeds); lppls over 10 seeds min {min(sses):.10f}, "
          f"median {sorted(sses)[len(sses)//2]:.10f} (the peer's lowest values come from fits with m < 0 outside the LPPLS space)")
    print(f"GSADF CVs 90/95/99: exuber {np.round(cv.gsadf_cv, 3).tolist()}, fissure {np.round(f['mc_gsadf_cv'], 3).tolist()}")


def fissure_timings(reps, ci_dates):
    cmd = ["cargo", "run", "--release", "-q", "-p", "fissure-bubble", "--example", "bubble_timing", "--", str(reps), str(ci_dates)]
    out = subprocess.run(cmd, cwd=os.environ.get("FISSURE_BENCH_CARGO_DIR", ROOT), capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    return json.loads(out)


def print_rows(f, rows):
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; fissure threads {f['threads']}")
    print("| measurement | peer wall (s) | fissure wall (s) | wall ratio | peer CPU (s) | fissure CPU (s) | CPU ratio | target |")
    print("|---|---|---|---|---|---|---|---|")
    for name, p, m, target, pc, mc in rows:
        print(f"| {name} | {p:.4f} | {m:.4f} | {p / m:.1f}x | {pc:.4f} | {mc:.4f} | {pc / mc if mc > 0 else float('nan'):.1f}x | >= {target}x |")


def _timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return time.perf_counter() - t0, r


if __name__ == "__main__":
    main()
