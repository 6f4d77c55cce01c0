"""Reference for Fissure's rolling basket betas on real data (numpy least squares per window).

GLD daily log returns (%) on Δ(10-year yield, pp) and Δln(USD/JPY) (%), on the S&P 500
trading calendar, exact dates only (a return needs observations on both days, as
fissure_liquidity::carry::basket_betas), 126-row window, at least 63 complete rows.
Each of the last 750 windows is solved independently with numpy.linalg.lstsq and
checked against statsmodels OLS on the last window. Writes
crates/liquidity/tests/fixtures/rolling_betas_gld.csv.
"""
import os
import numpy as np
import pandas as pd
import statsmodels.api as sm

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
D = os.path.join(ROOT, "data", "demo")


def rd(rel, col):
    s = pd.read_csv(os.path.join(D, rel), parse_dates=["date"])[["date", col]].dropna()
    return s.set_index("date")[col]


cal = rd("prices/sp500_index_daily.csv", "close").index
gld = rd("prices/etf_gld_daily.csv", "close").reindex(cal).to_numpy()
y10 = rd("macro/us10y_yield_daily.csv", "value").reindex(cal).to_numpy()
jpy = rd("macro/usdjpy_daily.csv", "value").reindex(cal).to_numpy()
r = 100 * np.diff(np.log(gld), prepend=np.nan)
dy = np.diff(y10, prepend=np.nan)
dj = 100 * np.diff(np.log(jpy), prepend=np.nan)
W, MIN = 126, 63
rows = []
n = len(cal)
for t in range(n - 750, n):
    sl = slice(t - W + 1, t + 1)
    y, a, b = r[sl], dy[sl], dj[sl]
    ok = ~(np.isnan(y) | np.isnan(a) | np.isnan(b))
    if ok.sum() < MIN:
        continue
    X = np.column_stack([np.ones(ok.sum()), a[ok], b[ok]])
    coef = np.linalg.lstsq(X, y[ok], rcond=None)[0]
    rows.append((cal[t].strftime("%Y-%m-%d"), coef[0], coef[1], coef[2], int(ok.sum())))
last = sm.OLS(y[ok], X).fit().params
assert np.allclose(last, coef, atol=1e-10)
out = pd.DataFrame(rows, columns=["date", "alpha", "beta_rate", "beta_jpy", "n"])
out.to_csv(os.path.join(ROOT, "crates", "liquidity", "tests", "fixtures", "rolling_betas_gld.csv"), index=False, float_format="%.12g")
print(out.tail(3))
