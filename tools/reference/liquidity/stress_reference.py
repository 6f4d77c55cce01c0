"""Independent pandas/numpy implementation of Fissure's real-time stress index
(the algorithm of crates/liquidity/src/stress.rs, default configuration) on the
bundled data; writes crates/liquidity/tests/fixtures/stress_index_reference.csv
and, with --time, prints its run time (tools/bench/liquidity_stress.py uses it).
"""
import os
import sys
import time
import numpy as np
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
D = os.path.join(ROOT, "data", "demo")
FILES = {
    "HY_OAS": ("macro/us_high_yield_oas_daily.csv", "value"), "IG_OAS": ("macro/us_investment_grade_oas_daily.csv", "value"),
    "VIX": ("prices/vix_daily.csv", "close"), "US10Y": ("macro/us10y_yield_daily.csv", "value"),
    "US3M": ("macro/us3m_tbill_daily.csv", "value"), "US2Y": ("macro/us2y_yield_daily.csv", "value"),
    "USD_BROAD": ("macro/usd_broad_index_daily.csv", "value"), "USDJPY": ("macro/usdjpy_daily.csv", "value"),
    "WALCL": ("macro/fed_balance_sheet_walcl_weekly.csv", "value"), "RRP": ("macro/fed_reverse_repo_daily.csv", "value"),
    "MMF": ("macro/money_market_fund_assets_weekly.csv", "value"), "MARGIN_DEBT": ("macro/finra_margin_debt_monthly.csv", "debit_balances_musd"),
}
# name, source ids, transform (kind, h), weekly mean, lag days, expected sign
SPECS = [
    ("HY_OAS", ["HY_OAS"], ("level", 0), True, 1, 1), ("IG_OAS", ["IG_OAS"], ("level", 0), True, 1, 1),
    ("VIX", ["VIX"], ("level", 0), True, 0, 1), ("CURVE_10Y_3M", ["US10Y", "US3M"], ("level", 0), True, 1, 1),
    ("US10Y_13W", ["US10Y"], ("diff", 13), True, 1, -1), ("US2Y_13W", ["US2Y"], ("diff", 13), True, 1, -1),
    ("USD_BROAD_13W", ["USD_BROAD"], ("logdiff", 13), False, 1, 1), ("USDJPY_4W", ["USDJPY"], ("logdiff", 4), False, 1, -1),
    ("WALCL_13W", ["WALCL"], ("logdiff", 13), False, 1, 1), ("RRP_13W", ["RRP"], ("diff", 13), False, 1, 0),
    ("MMF_26W", ["MMF"], ("logdiff", 26), False, 7, 0), ("MARGIN_DEBT_12M", ["MARGIN_DEBT"], ("logdiff", 52), False, 50, -1),
]
MIN_OBS, MIN_PAIR, FILL_DAYS, MIN_ACTIVE, REQUIRED = 104, 52, 56, 3, ["HY_OAS", "IG_OAS", "VIX"]


def load():
    raw = {}
    for k, (f, c) in FILES.items():
        s = pd.read_csv(os.path.join(D, f), parse_dates=["date"])[["date", c]].dropna()
        raw[k] = s.set_index("date")[c].astype(float)
    return raw


def friday(d):
    return d + pd.to_timedelta((4 - d.dayofweek) % 7, unit="D")


def weekly(s, mean, lag):
    s = s.copy()
    s.index = s.index + pd.Timedelta(days=lag)
    g = s.groupby(friday(s.index))
    return g.mean() if mean else g.last()


def compute(raw):
    cols, specs = [], []
    for name, ids, (kind, h), mean, lag, sign in SPECS:
        w = [weekly(raw[i], mean, lag) for i in ids]
        x = w[0] if len(w) == 1 else (w[0] - w[1]).dropna()
        v = x.to_numpy()
        if kind == "diff":
            x = pd.Series(v[h:] - v[:-h], index=x.index[h:])
        elif kind == "logdiff":
            x = pd.Series(np.log(v[h:] / v[:-h]), index=x.index[h:])
        cols.append(x)
        specs.append((name, sign))
    cal = sorted(set().union(*[set(c.index) for c in cols]))
    last_raw = max(raw[i].index.max() for _, ids, *_ in SPECS for i in ids)
    cal = [d for d in cal if d <= friday(pd.DatetimeIndex([last_raw]))[0]]
    cal = pd.DatetimeIndex(cal)
    m = len(cols)
    P = np.full((len(cal), m), np.nan)
    for j, c in enumerate(cols):
        idx = c.index.searchsorted(cal, side="right") - 1
        ok = idx >= 0
        ages = np.where(ok, (cal - c.index[np.clip(idx, 0, None)]).days, 10**9)
        vals = c.to_numpy()[np.clip(idx, 0, None)]
        P[:, j] = np.where(ok & (ages <= FILL_DAYS), vals, np.nan)
    signs = np.array([s for _, s in specs], float)
    req = [i for i, (n, _) in enumerate(specs) if n in REQUIRED]
    cnt = np.zeros(m); s1 = np.zeros(m); s2 = np.zeros(m)
    pn = np.zeros((m, m)); px = np.zeros((m, m)); pxx = np.zeros((m, m)); pxy = np.zeros((m, m))
    out_d, out_v = [], []
    for t in range(len(cal)):
        row = P[t]
        pres = ~np.isnan(row)
        x = np.where(pres, row, 0.0)
        cnt += pres; s1 += x; s2 += x * x
        both = np.outer(pres, pres)
        pn += both; px += both * x[:, None]; pxx += both * (x * x)[:, None]; pxy += both * np.outer(x, x)
        act = [j for j in range(m) if cnt[j] >= MIN_OBS and pres[j]]
        if len(act) < MIN_ACTIVE or any(r not in act for r in req):
            continue
        a = len(act)
        C = np.eye(a)
        for ii in range(a):
            for jj in range(ii + 1, a):
                i, j = act[ii], act[jj]
                n = pn[i, j]
                r = 0.0
                if n >= MIN_PAIR:
                    sx, sy, sxx, syy, sxy = px[i, j], px[j, i], pxx[i, j], pxx[j, i], pxy[i, j]
                    cov = sxy - sx * sy / n; vx = sxx - sx * sx / n; vy = syy - sy * sy / n
                    if vx > 0 and vy > 0:
                        r = min(1.0, max(-1.0, cov / np.sqrt(vx * vy)))
                C[ii, jj] = C[jj, ii] = r
        w, V = np.linalg.eigh(C)
        lam = max(w[-1], 1e-12); l = V[:, -1]
        if (signs[act] * l).sum() < 0:
            l = -l
        n = cnt[act]; mean = s1[act] / n; var = np.maximum((s2[act] - s1[act] ** 2 / n) / (n - 1), 0)
        z = np.where(var > 0, (row[act] - mean) / np.sqrt(np.where(var > 0, var, 1)), 0.0)
        out_d.append(cal[t]); out_v.append(float(l @ z / np.sqrt(lam)))
    return pd.DataFrame({"date": [d.strftime("%Y-%m-%d") for d in out_d], "value": out_v})


if __name__ == "__main__":
    raw = load()
    t0 = time.perf_counter()
    df = compute(raw)
    el = time.perf_counter() - t0
    if "--time" in sys.argv:
        print(el)
    else:
        df.to_csv(os.path.join(ROOT, "crates", "liquidity", "tests", "fixtures", "stress_index_reference.csv"), index=False, float_format="%.12g")
        print(len(df), df.iloc[0].tolist(), df.iloc[-1].tolist(), f"{el:.2f} s")
