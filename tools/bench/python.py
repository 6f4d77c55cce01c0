#!/usr/bin/env python3
"""Times the `fissure` Python package: the universe-scan target, a pyexuber loop on a subset (extrapolated),
the Dask engine's overhead over the local one, and the per-call overhead of Python over the Rust call.

Install: the wheel (`bash crates/python/ci.sh` or `maturin develop --release -m crates/python/Cargo.toml`) and
pyexuber==0.1.0 (tools/reference/bubble/requirements.txt) in the same virtualenv.
Usage: python tools/bench/python.py [--series 500] [--obs 5000] [--reps 2000] [--subset 10] [--peer-reps 100]
       [--skip-dask] [--skip-peer]
Synthetic data for scale: 80% Gaussian random walks in logs, 20% with an explosive episode (ρ = 1.02 for 150
observations, then a collapse), seeds fixed.
"""
import argparse
import json
import os
import time
import warnings

import numpy as np
import pandas as pd

import fissure
from fissure import _fissure
from fissure._convert import one_series


def universe(n_series, n_obs, seed=7):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2000-01-03", periods=n_obs)
    cols = {}
    for j in range(n_series):
        e = rng.normal(0.0, 0.01, n_obs)
        y = np.cumsum(e)
        if j % 5 == 4:  # explosive episode
            start = int(rng.integers(n_obs // 2, n_obs - 400))
            for t in range(start, start + 150):
                y[t] = 1.02 * y[t - 1] + e[t] if y[t - 1] > 0 else y[t - 1] + abs(e[t]) + 0.005
            y[start + 150 : start + 200] = np.linspace(y[start + 149], y[start - 1], 50)
            y[start + 200 :] = y[start - 1] + np.cumsum(e[start + 200 :])
        cols[f"S{j:03d}"] = np.exp(4.0 + y)
    return pd.DataFrame(cols, index=dates)


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skip-scan", action="store_true", help="skip the local scan target (step 1)")
    ap.add_argument("--series", type=int, default=500)
    ap.add_argument("--obs", type=int, default=5000)
    ap.add_argument("--reps", type=int, default=2000)
    ap.add_argument("--subset", type=int, default=10)
    ap.add_argument("--peer-reps", type=int, default=100)
    ap.add_argument("--mc-max-len", type=int, default=None,
                    help="fissure's mc_max_len (default: --obs, i.e. Monte Carlo paths of the full length, as pyexuber's)")
    ap.add_argument("--skip-dask", action="store_true")
    ap.add_argument("--skip-peer", action="store_true")
    ap.add_argument("--only-call", action="store_true", help="only the per-call overhead")
    ap.add_argument("--out", default="target/bench-python.json")
    a = ap.parse_args()
    res = {"series": a.series, "obs": a.obs, "reps": a.reps, "cores": os.cpu_count(), "load_average": os.getloadavg()}
    if a.only_call:
        a.skip_dask = a.skip_peer = True
    prices = universe(a.series if not a.only_call else 2, a.obs if not a.only_call else 300)
    if a.mc_max_len is None:
        a.mc_max_len = a.obs
    res["mc_max_len"] = a.mc_max_len
    w = int(np.floor((0.01 + 1.8 / np.sqrt(a.obs)) * a.obs))

    # 1. the scan target: GSADF + Monte Carlo critical values (shared: one length) on every series
    if a.skip_scan:
        a.skip_peer = True
        return rest(a, res, prices, None, None, w)
    c0 = time.process_time()
    t_scan, table = timed(lambda: fissure.scan(prices, method="gsadf", reps=a.reps, mc_max_len=a.mc_max_len))
    res["scan_cpu_seconds"] = time.process_time() - c0
    res["scan_seconds"] = t_scan
    res["explosive_found"] = int(table["explosive"].sum())
    print(f"fissure.scan {len(prices.columns)} x {len(prices)}, GSADF + MC ({a.reps} reps): {t_scan:.1f} s "
          f"(CPU {res['scan_cpu_seconds']:.1f} s, load average {res['load_average'][0]:.1f}) "
          f"({res['explosive_found']} flagged at 95%)")
    t_stats, _ = timed(lambda: fissure.scan(prices, method="gsadf", cv="none"))
    res["scan_stats_only_seconds"] = t_stats
    print(f"  of which statistics only (cv='none'): {t_stats:.1f} s")

    return rest(a, res, prices, table, (t_scan, t_stats), w)


def rest(a, res, prices, table, times, w):
    t_scan = times[0] if times else None
    # 2. pyexuber loop on a subset, extrapolated
    if not a.skip_peer:
        import exuber

        sub = prices.iloc[:, : a.subset]
        radf_times, gaps = [], []
        for c in sub.columns:
            y = np.log(sub[c].to_numpy())
            t, r = timed(lambda: exuber.radf(y, minw=w - 1))
            radf_times.append(t)
            ours = table.loc[c, "gsadf"]
            theirs = float(np.asarray(r["gsadf"] if isinstance(r, dict) else r.gsadf).ravel()[0])
            gaps.append(abs(ours - theirs))
        t_mc, _ = timed(lambda: exuber.radf_mc_cv(a.obs, minw=w - 1, nrep=a.peer_reps, seed=123))
        per_series = float(np.mean(radf_times))
        mc_full = t_mc * a.reps / a.peer_reps
        loop = a.series * per_series + mc_full
        t_sub, _ = timed(lambda: fissure.scan(sub, method="gsadf", reps=a.reps, mc_max_len=a.mc_max_len))
        sub_peer = a.subset * per_series + mc_full
        res.update({
            "pyexuber_radf_seconds_per_series": per_series, "pyexuber_mc_seconds": t_mc, "pyexuber_mc_reps": a.peer_reps,
            "pyexuber_loop_extrapolated_seconds": loop, "ratio_full": loop / t_scan,
            "subset_fissure_seconds": t_sub, "subset_pyexuber_extrapolated_seconds": sub_peer, "ratio_subset": sub_peer / t_sub,
            "max_abs_gsadf_gap": float(max(gaps)),
        })
        print(f"pyexuber: radf {per_series * 1e3:.0f} ms per series (mean of {a.subset}), radf_mc_cv {a.peer_reps} reps "
              f"{t_mc:.1f} s -> {a.reps} reps extrapolated {mc_full:.0f} s")
        print(f"  loop over {a.series} series + MC once, extrapolated: {loop:.0f} s -> ratio {loop / t_scan:.1f}x")
        print(f"  subset of {a.subset}: fissure {t_sub:.1f} s vs pyexuber (extrapolated MC) {sub_peer:.0f} s -> "
              f"{sub_peer / t_sub:.1f}x; max |GSADF gap| {max(gaps):.2e}")

    # 3. Dask engine vs local engine, same work, measured back to back (the host is shared: load drifts)
    if not a.skip_dask:
        from dask.distributed import Client, LocalCluster

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cl, Client(cl) as client:
                client.run(lambda: fissure.scan(prices.iloc[:200, :2], cv="none"))  # warm the workers' imports
                pairs = []
                for cv in ("mc", "none"):
                    kw = {"reps": a.reps, "mc_max_len": a.mc_max_len} if cv == "mc" else {"cv": "none"}
                    t_local, ltable = timed(lambda: fissure.scan(prices, method="gsadf", **kw))
                    t_dask, dtable = timed(lambda: fissure.scan(prices, method="gsadf", engine="dask", client=client, **kw))
                    pairs.append({"cv": cv, "local_seconds": t_local, "dask_seconds": t_dask,
                                  "overhead": t_dask / t_local - 1, "identical": bool(dtable.equals(ltable))})
                    print(f"dask (LocalCluster 2 workers x 1 thread), cv={cv}: {t_dask:.1f} s vs local {t_local:.1f} s "
                          f"(back to back) -> overhead {100 * (t_dask / t_local - 1):+.1f}%; identical: {dtable.equals(ltable)}")
        res["dask"] = pairs

    # 4. per-call overhead on one series: fissure.psy (conversion, GIL release, JSON, Result) vs the Rust call
    demo = fissure.demo()["IXIC"]
    for label, s in [("IXIC daily 1994-2000", demo["1994-01-01":"2000-03-10"]), ("IXIC daily, last 250", demo.iloc[-250:])]:
        opts = {"cv": "none"}
        n = 1000
        ser, o = one_series(s), fissure._options(opts)
        fissure.psy(s, **opts)
        py, py_frame, rust = [], [], []
        # interleaved single calls (the machine is shared): the Python call's wall time, the same with the bsadf
        # DataFrame a user reads, and the library's time for one call made on its own, timed inside Rust around
        # the library call only; medians
        for _ in range(n):
            t0 = time.perf_counter()
            fissure.psy(s, **opts)
            py.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            fissure.psy(s, **opts)["bsadf"]
            py_frame.append(time.perf_counter() - t0)
            rust.append(_fissure._bench_psy(ser, o, 1))
        t_py, t_py_frame, t_rust = float(np.median(py)), float(np.median(py_frame)), float(np.median(rust))
        res.setdefault("call_overhead", []).append({
            "case": label, "n": len(s), "python_ms": t_py * 1e3, "python_with_frame_ms": t_py_frame * 1e3,
            "rust_ms": t_rust * 1e3, "overhead_ms": (t_py - t_rust) * 1e3, "overhead_with_frame_ms": (t_py_frame - t_rust) * 1e3})
        print(f"per call, {label} (T = {len(s)}, cv='none'): python {t_py * 1e3:.3f} ms "
              f"({t_py_frame * 1e3:.3f} ms with the bsadf DataFrame), rust {t_rust * 1e3:.3f} ms -> overhead "
              f"{(t_py - t_rust) * 1e3:.3f} ms ({(t_py_frame - t_rust) * 1e3:.3f} ms with the DataFrame)")
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print("written", a.out)


if __name__ == "__main__":
    main()
