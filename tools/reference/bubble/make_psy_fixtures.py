"""Writes crates/bubble/tests/fixtures/psy_*.json from pyexuber (exuber's C++ core) and the numpy reference.

Run: tools/reference/.venv-bubble/bin/python tools/reference/bubble/make_psy_fixtures.py
"""
import json
import sys
import time
from pathlib import Path

import numpy as np
import exuber

sys.path.insert(0, str(Path(__file__).parent))
import datasets  # noqa: E402
import psy_reference as ref  # noqa: E402

OUT = datasets.ROOT / "crates" / "bubble" / "tests" / "fixtures"


def psy_default(n):
    return int(np.floor((0.01 + 1.8 / np.sqrt(n)) * n))


def exuber_run(y, w_obs, lag):
    # exuber's minw counts regression rows: a window of w_obs levels with `lag` lags has w_obs-1-lag rows
    r = exuber.radf(y, minw=w_obs - 1 - lag, lag=lag)
    return {"adf": float(r.adf[0]), "sadf": float(r.sadf[0]), "gsadf": float(r.gsadf[0]),
            "badf": r.badf[:, 0].tolist(), "bsadf": r.bsadf[:, 0].tolist(), "minw_rows": int(r.minw)}


def ref_run(y, w_obs, lag, ic=None):
    r = ref.radf(y, w_obs, k=lag, ic=ic)
    return {"adf": float(r["adf"]), "sadf": float(r["sadf"]), "gsadf": float(r["gsadf"]),
            "badf": r["badf"].tolist(), "bsadf": r["bsadf"].tolist()}


def main():
    only = sys.argv[1:]
    for name in datasets.DATASETS:
        if only and name not in only:
            continue
        dates, y = datasets.load(name)
        n = len(y)
        w = 36 if name == "nasdaq_weekly" else psy_default(n)
        fx = {"dataset": name, "transform": datasets.DATASETS[name][1], "n": n, "window_obs": w,
              "dates": [str(d.date()) for d in dates], "y": y.tolist(), "results": {}}
        for lag in (0, 2):
            t0 = time.time()
            fx["results"][f"exuber_lag{lag}"] = exuber_run(y, w, lag)
            fx["results"][f"numpy_lag{lag}"] = ref_run(y, w, lag)
            a, b = fx["results"][f"exuber_lag{lag}"], fx["results"][f"numpy_lag{lag}"]
            print(name, lag, "exuber vs numpy max |d bsadf| =",
                  np.max(np.abs(np.array(a["bsadf"]) - np.array(b["bsadf"]))), f"{time.time()-t0:.1f}s", flush=True)
        for ic in ("aic", "bic"):
            t0 = time.time()
            fx["results"][f"numpy_{ic}2"] = ref_run(y, w, 2, ic)
            print(name, ic, f"{time.time()-t0:.1f}s", flush=True)
        if name == "nasdaq_weekly":
            # cross-check the batched reference against plain per-window lstsq on a sample of windows
            rng = np.random.default_rng(0)
            worst = 0.0
            for _ in range(60):
                r2 = int(rng.integers(w - 1, n))
                r1 = int(rng.integers(0, r2 - w + 2))
                for lag, ic in ((0, None), (2, None), (2, "aic"), (2, "bic")):
                    a = ref.plain_adf(y, r1, r2, lag, ic=ic, kmax=2)
                    b = _window_stat(y, r1, r2, lag, ic)
                    worst = max(worst, abs(a - b))
            print("plain vs batched worst |d| =", worst)
            fx["plain_vs_batched_max_abs_diff"] = worst
            # exuber's own Monte Carlo CV sequence (numpy RNG, seed 123, 2000 reps, minw = 35 rows)
            t0 = time.time()
            cv = exuber.radf_mc_cv(n, minw=w - 1, nrep=2000, seed=123)
            print("exuber mc cv", f"{time.time()-t0:.1f}s", cv.sadf_cv, cv.gsadf_cv)
            r = exuber.radf(y, minw=w - 1)
            ds = exuber.datestamp(r, cv)["series1"]
            fx["exuber_mc_cv"] = {"nrep": 2000, "seed": 123, "rng": "numpy default_rng",
                                  "adf": cv.adf_cv.tolist(), "sadf": cv.sadf_cv.tolist(), "gsadf": cv.gsadf_cv.tolist(),
                                  "bsadf_95": cv.bsadf_cv[:, 1].tolist()}
            fx["exuber_episodes_95"] = [
                {"start": str(dates[e.start].date()), "peak": str(dates[e.peak].date()),
                 "end": str(dates[e.end].date()) if e.end is not None else None, "duration": e.duration,
                 "ongoing": e.ongoing} for e in ds]
            print(fx["exuber_episodes_95"])
        (OUT / f"psy_{name}.json").write_text(json.dumps(fx))


def _window_stat(y, r1, r2, lag, ic):
    yy = y[r1: r2 + 1]
    r = ref.radf(yy, len(yy), k=lag, ic=ic)
    return float(r["adf"])


if __name__ == "__main__":
    main()
