"""Reference numbers for the portfolio-risk family (crates/risk/tests/fixtures/risk_peers.json).

Inputs: the bundled demo closes of the watchlist portfolio (SPY 0.40, QQQ 0.20, TLT 0.20, GLD 0.10,
BTC 0.05, XLU 0.05), intersected on common dates, simple returns, the last 1000 returns up to
2026-08-21 -- the same returns `fissure risk var` uses by default.

Peers (versions pinned in requirements.txt):
- numpy.quantile (type 7) for historical VaR; ES = mean of the losses >= VaR (our convention);
- riskfolio-lib RiskFunctions.VaR_Hist / CVaR_Hist (another convention, recorded to document it);
- quantstats.stats.value_at_risk (Gaussian, sample std) and quantstats.stats.cvar (a hybrid, recorded);
- Cornish-Fisher by its formula on scipy.stats.skew / kurtosis (population moments);
- Gaussian Euler components by numpy (np.cov, ddof=1);
- scipy.stats.genpareto.fit(excesses, floc=0) for EVT;
- arch 8.0.0 arch_model(100 r, mean='Constant', vol='GARCH') one-step variance forecast (FHS filter);
- vartests.kupiec_test; scipy.stats.binom.cdf for the traffic light.

Run: python3 -m venv tools/reference/.venv-risk && tools/reference/.venv-risk/bin/pip install -r
tools/reference/risk/requirements.txt && tools/reference/.venv-risk/bin/python tools/reference/risk/risk_ref.py
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
from scipy import stats

warnings.filterwarnings("ignore")

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEMO = os.path.join(ROOT, "data", "demo", "prices")
OUT = os.path.join(ROOT, "crates", "risk", "tests", "fixtures", "risk_peers.json")

FILES = {
    "BTC": "btc_usd_daily.csv",
    "GLD": "etf_gld_daily.csv",
    "QQQ": "etf_qqq_daily.csv",
    "SPY": "etf_spy_daily.csv",
    "TLT": "etf_tlt_daily.csv",
    "XLU": "etf_xlu_daily.csv",
}
WEIGHTS = {"BTC": 0.05, "GLD": 0.10, "QQQ": 0.20, "SPY": 0.40, "TLT": 0.20, "XLU": 0.05}
AS_OF = "2026-08-21"
LOOKBACK = 1000


def close(file):
    df = pd.read_csv(os.path.join(DEMO, file), parse_dates=["date"])
    return df.set_index("date")["close"].astype(float)


def returns():
    px = pd.concat({k: close(v) for k, v in FILES.items()}, axis=1, join="inner").sort_index()
    px = px[px.index <= AS_OF]
    r = px.pct_change().dropna()
    return r.iloc[-LOOKBACK:]


def main():
    r = returns()
    ids = list(r.columns)
    w = np.array([WEIGHTS[i] for i in ids])
    x = r.values
    rp = x @ w
    loss = -rp
    out = {
        "source": "tools/reference/risk/risk_ref.py",
        "ids": ids,
        "weights": w.tolist(),
        "as_of": AS_OF,
        "lookback": LOOKBACK,
        "first_date": str(r.index[0].date()),
        "last_date": str(r.index[-1].date()),
        "n": int(len(rp)),
        "sum_returns": float(rp.sum()),
        "levels": {},
    }
    import quantstats as qs
    import riskfolio as rf

    ser = pd.Series(rp, index=r.index)
    for level in (0.95, 0.975, 0.99):
        p = 1 - level
        var_h = float(np.quantile(loss, level))  # type 7
        es_h = float(loss[loss >= var_h].mean())
        mu, sd = rp.mean(), rp.std(ddof=1)
        z = stats.norm.ppf(level)
        var_g = float(-mu + sd * z)
        es_g = float(-mu + sd * stats.norm.pdf(z) / p)
        cov = np.cov(x, rowvar=False, ddof=1)
        sig_w = cov @ w
        sig_p = float(np.sqrt(w @ sig_w))
        comp_g = (w * (-x.mean(axis=0) + z * sig_w / sig_p)).tolist()
        s = float(stats.skew(rp, bias=True))
        k = float(stats.kurtosis(rp, fisher=True, bias=True))
        zl = stats.norm.ppf(p)
        zcf = zl + (zl**2 - 1) * s / 6 + (zl**3 - 3 * zl) * k / 24 - (2 * zl**3 - 5 * zl) * s**2 / 36
        var_cf = float(-mu - rp.std(ddof=0) * zcf)
        out["levels"][str(level)] = {
            "historical_var": var_h,
            "historical_es": es_h,
            "gaussian_var": var_g,
            "gaussian_es": es_g,
            "gaussian_components": comp_g,
            "cornish_fisher_var": var_cf,
            "skewness": s,
            "excess_kurtosis": k,
            "quantstats_var": float(-qs.stats.value_at_risk(ser, sigma=1, confidence=level)),
            "quantstats_cvar": float(-qs.stats.cvar(ser, sigma=1, confidence=level)),
            "riskfolio_var_hist": float(rf.RiskFunctions.VaR_Hist(rp, alpha=p)),
            "riskfolio_cvar_hist": float(rf.RiskFunctions.CVaR_Hist(rp, alpha=p)),
        }
    # EVT: threshold at the 0.90 type-7 quantile of the losses, GPD by ML with location 0
    u = float(np.quantile(loss, 0.9))
    exc = loss[loss > u] - u
    c, loc, scale = stats.genpareto.fit(exc, floc=0)
    nll = float(-stats.genpareto.logpdf(exc, c, loc=0, scale=scale).sum())
    out["evt"] = {"threshold": u, "n_exceed": int(len(exc)), "xi": float(c), "beta": float(scale), "nll": nll}
    # GARCH(1,1) one-step variance of each asset (percent^2), arch conventions
    from arch import arch_model

    g = {}
    for i, name in enumerate(ids):
        res = arch_model(100 * x[:, i], mean="Constant", vol="GARCH", p=1, q=1, dist="normal").fit(disp="off")
        f = res.forecast(horizon=1, reindex=False)
        g[name] = {
            "mu": float(res.params["mu"]),
            "omega": float(res.params["omega"]),
            "alpha": float(res.params["alpha[1]"]),
            "beta": float(res.params["beta[1]"]),
            "sigma2_next": float(f.variance.values[-1, 0]),
            "loglik": float(res.loglikelihood),
        }
    out["garch"] = g
    # Kupiec (vartests) and traffic-light probabilities (scipy binom)
    import vartests

    cases = [(2499, 34, 0.99), (250, 0, 0.99), (1043, 57, 0.95), (1000, 25, 0.975)]
    out["kupiec"] = [
        {"n": n, "x": xx, "level": lv, "lr": vartests.kupiec_test(x=xx, n=n, risk_conf_level=lv)["statistic"],
         "p": vartests.kupiec_test(x=xx, n=n, risk_conf_level=lv)["p-value"],
         "binom_cdf": float(stats.binom.cdf(xx, n, 1 - lv))}
        for n, xx, lv in cases
    ]
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
