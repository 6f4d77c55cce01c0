"""Diebold-Yilmaz oracle: statsmodels 0.15.0 VAR (OLS, trend='c') + a plain FEVD.

Data: six ETFs (SPY, TLT, GLD, SLV, XLE, HYG) from data/demo/prices, close prices on the dates all
six trade, 100 x log returns, return dates 2010-01-01 .. 2025-12-31 (see common.py).
Full sample: VAR(2), H = 10 (MA terms h = 0..9 from `ma_rep(9)`), Sigma = `sigma_u` (df-corrected),
generalized FEVD (DY2012, Pesaran-Shin, row-normalised) and Cholesky FEVD (DY2009, column order as listed).
Rolling: 200-observation windows, step 1, VAR(2), H = 10, generalized -> total spillover per window,
dated by the window's last return date.
Writes crates/contagion/tests/fixtures/dy_etf6_statsmodels.json and dy_etf6_rolling_total.csv
Usage: python dy_ref.py [--time-only]
"""
import json
import os
import sys
import time
import numpy as np
from statsmodels.tsa.api import VAR
from common import FIX, etf_log_returns


def fevd(ma, sigma, kind):
    n = sigma.shape[0]
    num = np.zeros((n, n))
    den = np.zeros(n)
    if kind == "cholesky":
        P = np.linalg.cholesky(sigma)
        for A in ma:
            num += (A @ P) ** 2
        den = num.sum(axis=1)
    else:
        for A in ma:
            M = A @ sigma
            num += M ** 2
            den += np.diag(M @ A.T)
        num = num / np.diag(sigma)[None, :]
        den = num.sum(axis=1)  # row normalisation (generalized)
    return num / den[:, None]


def spill(theta):
    n = theta.shape[0]
    t = 100.0 * theta
    off = t - np.diag(np.diag(t))
    frm = off.sum(axis=1)
    to = off.sum(axis=0)
    return {"table": t.tolist(), "total": float(off.sum() / n), "from": frm.tolist(), "to": to.tolist(),
            "net": (to - frm).tolist()}


def full(data, p=2, H=10):
    res = VAR(data).fit(p, trend="c")
    ma = res.ma_rep(H - 1)
    out = {}
    for kind in ["generalized", "cholesky"]:
        out[kind] = spill(fevd(ma, np.asarray(res.sigma_u), kind))
    out["sigma_u"] = np.asarray(res.sigma_u).tolist()
    out["coefs"] = res.coefs.tolist()
    out["intercept"] = res.intercept.tolist()
    return out


def rolling(data, window=200, p=2, H=10):
    x = np.asarray(data)
    totals = []
    for s in range(0, x.shape[0] - window + 1):
        res = VAR(x[s:s + window]).fit(p, trend="c")
        th = fevd(res.ma_rep(H - 1), res.sigma_u, "generalized")
        n = th.shape[0]
        totals.append(100.0 * (th.sum() - np.trace(th)) / n)
    return totals


if __name__ == "__main__":
    lr = etf_log_returns()
    print("obs", lr.shape, lr.index[0].date(), lr.index[-1].date())
    t0 = time.perf_counter()
    tot = rolling(lr)
    el = time.perf_counter() - t0
    print(f"statsmodels rolling DY: {len(tot)} windows in {el:.3f} s")
    if "--time-only" in sys.argv:
        print(f"SECONDS {el:.6f}")
        sys.exit(0)
    out = {"source": "statsmodels 0.15.0 VAR(2) trend='c' OLS + plain FEVD (tools/reference/contagion/dy_ref.py)",
           "names": list(lr.columns), "nobs_returns": int(len(lr)),
           "first_date": str(lr.index[0].date()), "last_date": str(lr.index[-1].date()),
           "p": 2, "horizon": 10, "full": full(lr)}
    with open(os.path.join(FIX, "dy_etf6_statsmodels.json"), "w") as f:
        json.dump(out, f, indent=1)
    dates = lr.index[199:]
    with open(os.path.join(FIX, "dy_etf6_rolling_total.csv"), "w") as f:
        f.write("date,total\n")
        for d, v in zip(dates, tot):
            f.write(f"{d.date()},{float(v)!r}\n")
    print("total gen", out["full"]["generalized"]["total"], "chol", out["full"]["cholesky"]["total"])
