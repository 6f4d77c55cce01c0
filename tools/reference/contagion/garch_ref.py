"""GARCH(1,1) oracle: `arch` 8.0.0 on daily S&P 500 percentage returns.

Data: data/demo/prices/sp500_index_daily.csv, r_t = 100 (P_t/P_{t-1} - 1), return dates
2000-01-01 .. 2025-12-31. Models: Constant mean + GARCH(1,1) normal, Student-t, and GJR(1,1,1) normal.
Fitted twice: arch defaults (SLSQP, default tol) and tight (tol=1e-12, maxiter 2000) so the fixture
holds the optimum to the digits the test asks for. Standard errors: arch default cov_type='robust'
(Bollerslev-Wooldridge sandwich with numerical derivatives).
Writes crates/contagion/tests/fixtures/garch_sp500_arch.json
"""
import json
import os
import numpy as np
from arch import arch_model
from common import FIX, sp500_pct_returns

r = sp500_pct_returns()
out = {"source": "arch 8.0.0, arch_model(y, mean='Constant', vol='GARCH', p=1, o=0|1, q=1, dist=...)",
       "data": "data/demo/prices/sp500_index_daily.csv, 100*pct_change of close, return dates 2000-01-01..2025-12-31",
       "nobs": int(len(r)), "first_date": str(r.index[0].date()), "last_date": str(r.index[-1].date()),
       "models": {}}
for name, o, dist in [("normal", 0, "normal"), ("t", 0, "t"), ("gjr_normal", 1, "normal")]:
    m = arch_model(r, mean="Constant", vol="GARCH", p=1, o=o, q=1, dist=dist)
    res_def = m.fit(disp="off")
    res = m.fit(disp="off", tol=1e-12, options={"maxiter": 2000})
    out["models"][name] = {
        "param_names": list(res.params.index),
        "params": [float(v) for v in res.params.values],
        "std_errors_robust": [float(v) for v in res.std_err.values],
        "loglik": float(res.loglikelihood),
        "default_fit_params": [float(v) for v in res_def.params.values],
        "default_fit_loglik": float(res_def.loglikelihood),
        "conditional_volatility_first5": [float(v) for v in res.conditional_volatility.values[:5]],
        "conditional_volatility_last5": [float(v) for v in res.conditional_volatility.values[-5:]],
    }
    print(name, res.params.values, res.loglikelihood, "default:", res_def.loglikelihood)
with open(os.path.join(FIX, "garch_sp500_arch.json"), "w") as f:
    json.dump(out, f, indent=1)
