#!/usr/bin/env python3
"""Side-by-side timing of the market-structure measures, Fissure vs pandas, same data
(excluding file loading): concentration of the 31 S&P 500 snapshots (issuer merge by the
same rule, top-k, HHI, effective N, Mag7 share) and the ten default rotation ratios
(geometric baskets on common days, 63-day momentum, trailing 252-day z-score).
The last HHI and the last IWM/SPY z-score are printed by both as a cross-check.
Run: tools/reference/.venv-liquidity/bin/python tools/bench/liquidity_structure.py [REPS]
"""
import os, re, subprocess, sys, time
import numpy as np
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
D = os.path.join(ROOT, "data", "demo")
REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ALIAS = {"GOOG": "GOOGL", "BRK.A": "BRK.B", "FOX": "FOXA", "NWS": "NWSA", "DISCK": "DISCA", "DISCB": "DISCA", "UA": "UAA",
         "CMCSK": "CMCSA", "VIA": "VIAB", "BF.A": "BF.B", "LEN.B": "LEN", "HEI.A": "HEI", "LBTYK": "LBTYA", "LBTYB": "LBTYA",
         "Z": "ZG", "FB": "META"}
M7 = {"AAPL", "MSFT", "GOOGL", "AMZN", "META", "NVDA", "TSLA"}
PRICE = {"IWM": "etf_iwm", "SPY": "etf_spy", "RUT": "russell2000_index", "SPX": "sp500_index", "XLU": "etf_xlu", "XLP": "etf_xlp",
         "XLV": "etf_xlv", "XLK": "etf_xlk", "XLE": "etf_xle", "XLF": "etf_xlf", "QQQ": "etf_qqq", "GLD": "etf_gld"}
RATIOS = [(["IWM"], ["SPY"]), (["RUT"], ["SPX"]), (["XLU", "XLP", "XLV"], ["XLK"]), (["XLU"], ["XLK"]), (["XLP"], ["XLK"]),
          (["XLV"], ["XLK"]), (["XLE", "XLF"], ["QQQ"]), (["XLE"], ["QQQ"]), (["XLF"], ["QQQ"]), (["GLD"], ["SPY"])]


def issuer_name(n):
    n = n.lower()
    for p in ["(class a)", "(class b)", "(class c)", "class a", "class b", "class c", "series a", "series c"]:
        n = n.replace(p, "")
    n = n.rstrip(" -")
    if len(n) > 2 and n[-2:] in ("-a", "-b", "-c"):
        n = n[:-2]
    return " ".join("".join(ch for ch in n if ch.isalnum() or ch == " ").split())


def concentration(df):
    out = []
    for date, g in df.groupby("snapshot_date", sort=True):
        g = g[g["market_cap_usd_bn"] > 0]
        keys, name_key = [], {}
        for sym, name in zip(g["symbol"], g["name"].fillna("")):
            s = sym.strip().upper().replace("-", ".").replace("/", ".")
            k = ALIAS.get(s, s)
            ln = name.lower()
            if ("class " in ln or ln[-2:] in ("-a", "-b", "-c")) and issuer_name(name):
                k = name_key.setdefault(issuer_name(name), k)
            keys.append(k)
        caps = pd.Series(g["market_cap_usd_bn"].to_numpy(), index=keys).groupby(level=0).max().sort_values(ascending=False)
        sh = caps / caps.sum()
        hhi = float((sh ** 2).sum())
        out.append((date, sh.iloc[:10].sum(), hhi, 1 / hhi, sh[sh.index.isin(M7)].sum()))
    return out


def rotation(px):
    res = []
    for num, den in RATIOS:
        p = pd.concat([px[i] for i in num + den], axis=1, join="inner")
        lr = np.log(p.iloc[:, :len(num)]).mean(axis=1) - np.log(p.iloc[:, len(num):]).mean(axis=1)
        mom = 100 * lr.diff(63)
        roll = lr.rolling(252)
        z = (lr - roll.mean()) / roll.std()
        res.append((lr, mom, z))
    return res


mc = pd.read_csv(os.path.join(D, "fundamentals", "sp500_marketcap_snapshots.csv"))
mc = mc.dropna(subset=["market_cap_usd_bn"])
px = {k: pd.read_csv(os.path.join(D, "prices", f"{v}_daily.csv"), parse_dates=["date"]).set_index("date")["close"] for k, v in PRICE.items()}
tc, tr = [], []
for _ in range(REPS):
    t = time.perf_counter(); c = concentration(mc); tc.append(time.perf_counter() - t)
    t = time.perf_counter(); r = rotation(px); tr.append(time.perf_counter() - t)
subprocess.run(["cargo", "build", "--release", "-q", "-p", "fissure-structure", "--example", "structure_timing"], cwd=ROOT, check=True)
exe = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "examples", "structure_timing")
out = subprocess.run([exe, str(REPS)], capture_output=True, text=True, check=True).stdout.split()
fc, fr, fhhi, fz = map(float, out)
pc, pr = float(np.median(tc)), float(np.median(tr))
print(f"concentration (31 snapshots): pandas {pc*1e3:.1f} ms (last HHI {c[-1][2]:.8f}), fissure {fc*1e3:.2f} ms (last HHI {fhhi:.8f}), ratio {pc/fc:.0f}x")
print(f"rotation (10 ratios): pandas {pr*1e3:.1f} ms (IWM/SPY z {r[0][2].iloc[-1]:.8f}), fissure {fr*1e3:.2f} ms (z {fz:.8f}), ratio {pr/fr:.0f}x")
