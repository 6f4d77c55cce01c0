"""Reference fixtures for Fissure's Markov-switching models (statsmodels as oracle).

Data: the series that sit inline in statsmodels' own test suite (BSD-3-Clause,
statsmodels/tsa/regime_switching/tests/test_markov_{autoregression,regression}.py):
Hamilton's real GNP growth `rgnp` (135 quarterly obs, 1951Q2-1984Q4) and the
`fedfunds` rate (226 quarterly obs, 1954Q3-2010Q4), plus the published
parameters/log-likelihoods those tests assert. Also a real-data case for speed:
1,500 weekly S&P 500 log returns (x100) from data/demo/prices/sp500_index_daily.csv.

Writes crates/liquidity/tests/fixtures/markov_*.json. Run:
    python3 -m venv tools/reference/.venv-liquidity
    tools/reference/.venv-liquidity/bin/pip install -r tools/reference/liquidity/requirements.txt
    tools/reference/.venv-liquidity/bin/python tools/reference/liquidity/markov_reference.py
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
import statsmodels
import statsmodels.api as sm
from statsmodels.tsa.regime_switching.tests import test_markov_autoregression as tma
from statsmodels.tsa.regime_switching.tests import test_markov_regression as tmr

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT = os.path.join(ROOT, "crates", "liquidity", "tests", "fixtures")
warnings.simplefilter("ignore")


def dump(name, mod, published, llf_published, extra=None, fit_kwargs=None):
    fit_kwargs = fit_kwargs or {}
    at = mod.smooth(np.asarray(published))
    res = mod.fit(disp=False, **fit_kwargs)
    res_em = mod.fit_em(maxiter=5) if hasattr(mod, "fit_em") else None
    d = {
        "source": f"statsmodels {statsmodels.__version__}",
        "endog": [float(x) for x in mod.data.orig_endog.values.ravel()] if hasattr(mod.data.orig_endog, "values") else [float(x) for x in np.asarray(mod.data.orig_endog).ravel()],
        "param_names": list(mod.param_names),
        "published_params": [float(x) for x in published],
        "published_llf": llf_published,
        "llf_at_published": float(at.llf),
        "filtered_at_published": at.filtered_marginal_probabilities.T.tolist(),
        "smoothed_at_published": at.smoothed_marginal_probabilities.T.tolist(),
        "expected_durations_at_published": [float(x) for x in np.atleast_1d(at.expected_durations)],
        "fit_params": [float(x) for x in res.params],
        "fit_llf": float(res.llf),
        "fit_bse": [float(x) if np.isfinite(x) else None for x in res.bse],
        "fit_filtered": res.filtered_marginal_probabilities.T.tolist(),
        "fit_smoothed": res.smoothed_marginal_probabilities.T.tolist(),
        "em5_llf": float(res_em.llf) if res_em is not None else None,
    }
    if extra:
        d.update(extra)
    with open(os.path.join(OUT, f"markov_{name}.json"), "w") as f:
        json.dump(d, f, indent=1)
    print(name, "llf@published", at.llf, "fit llf", res.llf, "params", np.round(res.params, 6))


rgnp = np.asarray(tma.rgnp)
fedfunds = np.asarray(tmr.fedfunds)

# Hamilton (1989) AR(4), switching mean only (E-views oracle in statsmodels' tests)
mod = sm.tsa.MarkovAutoregression(rgnp, k_regimes=2, order=4, switching_ar=False)
dump("hamilton_ar4", mod, tma.TestHamiltonAR4.true["params"] if hasattr(tma.TestHamiltonAR4, "true") else np.r_[
    0.754673, 0.095915, -0.358811, 1.163516, np.exp(-0.262658) ** 2, 0.013486, -0.057521, -0.246983, -0.212923],
     -181.26339,
     extra={"model": {"k": 2, "order": 4, "switching_ar": False, "switching_variance": False, "trend": "c"},
            "published_filtered_regime1": list(map(float, tma.hamilton_ar4_filtered)),
            "published_smoothed_regime1": list(map(float, tma.hamilton_ar4_smoothed)),
            "published_bse_oim": [.0965189, .0377362, .2645396, .0745187, None, .1199942, .137663, .1069103, .1105311]})

# Switching AR(2) (Stata mswitch oracle)
mod = sm.tsa.MarkovAutoregression(rgnp, k_regimes=2, order=2)
dump("rgnp_ar2_switch", mod, np.r_[.3812383, .3564492, -.0055216, 1.195482, .6677098 ** 2, .3710719, .4621503,
                                  .7002937, -.3206652], -179.32354,
     extra={"model": {"k": 2, "order": 2, "switching_ar": True, "switching_variance": False, "trend": "c"}})

# Fed funds, switching constant (Stata oracle)
mod = sm.tsa.MarkovRegression(fedfunds, k_regimes=2)
dump("fedfunds_const", mod, np.r_[.9820939, .0503587, 3.70877, 9.556793, 2.107562 ** 2], -508.63592,
     extra={"model": {"k": 2, "order": 0, "switching_ar": False, "switching_variance": False, "trend": "c"}})

# Fed funds, switching constant and variance, 3 regimes would be slow/unstable; use switching variance k=2
mod = sm.tsa.MarkovRegression(fedfunds, k_regimes=2, switching_variance=True)
res0 = mod.fit(disp=False)
dump("fedfunds_const_var", mod, res0.params, None,
     extra={"model": {"k": 2, "order": 0, "switching_ar": False, "switching_variance": True, "trend": "c"}})

# Real data: 1,500 weekly S&P 500 log returns x100 (Friday closes), switching mean and variance
px = pd.read_csv(os.path.join(ROOT, "data", "demo", "prices", "sp500_index_daily.csv"), parse_dates=["date"]).set_index("date")["close"]
wk = px.resample("W-FRI").last().dropna()
r = (100 * np.log(wk).diff()).dropna().iloc[-1500:]
mod = sm.tsa.MarkovRegression(r.values, k_regimes=2, switching_variance=True)
res0 = mod.fit(disp=False)
dump("spx_weekly_1500", mod, res0.params, None,
     extra={"model": {"k": 2, "order": 0, "switching_ar": False, "switching_variance": True, "trend": "c"},
            "dates": [d.strftime("%Y-%m-%d") for d in r.index]})

# Three regimes: Fed funds, switching constant (checks the k > 2 layout p[j->i], i < k-1)
mod = sm.tsa.MarkovRegression(fedfunds, k_regimes=3)
np.random.seed(0)
res0 = mod.fit(disp=False, search_reps=20)
dump("fedfunds_const_k3", mod, res0.params, None,
     extra={"model": {"k": 3, "order": 0, "switching_ar": False, "switching_variance": False, "trend": "c"}})
