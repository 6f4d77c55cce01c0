"""GARCH(1,1)-t boundary oracle: `arch` 8.0.0 on bitcoin's whole daily history.

Data: data/demo/prices/btc_usd_daily.csv (2014-09-17 .. 2026-08-21), r_t = 100 (P_t/P_{t-1} - 1)
(simple) and 100 ln(P_t/P_{t-1}) (log). Model: Constant mean + GARCH(1,1), Student-t. The optimum
sits on arch's stationarity bound alpha + beta = 1 (integrated GARCH); arch returns that fit.
Fitted with arch defaults and tight (tol=1e-12, maxiter 2000).
Writes crates/contagion/tests/fixtures/garch_btc_t_arch.json
"""
import json
import os
import numpy as np
from arch import arch_model
from common import FIX, close

p = close("btc_usd_daily.csv")
out = {"source": "arch 8.0.0, arch_model(y, mean='Constant', vol='GARCH', p=1, q=1, dist='t')",
       "data": "data/demo/prices/btc_usd_daily.csv, whole history", "models": {}}
for kind, r in [("simple", 100.0 * p.pct_change().dropna()), ("log", 100.0 * np.log(p).diff().dropna())]:
    m = arch_model(r, mean="Constant", vol="GARCH", p=1, q=1, dist="t")
    res_def = m.fit(disp="off")
    res = m.fit(disp="off", tol=1e-12, options={"maxiter": 2000})
    best = res if res.loglikelihood >= res_def.loglikelihood else res_def
    pv = best.params
    out["models"][kind] = {
        "nobs": int(len(r)), "first_date": str(r.index[0].date()), "last_date": str(r.index[-1].date()),
        "param_names": list(pv.index), "params": [float(v) for v in pv.values],
        "loglik": float(best.loglikelihood),
        "default_fit_loglik": float(res_def.loglikelihood), "tight_fit_loglik": float(res.loglikelihood),
        "persistence": float(pv["alpha[1]"] + pv["beta[1]"]),
    }
    print(kind, pv.values, best.loglikelihood, "default:", res_def.loglikelihood, "tight:", res.loglikelihood)
with open(os.path.join(FIX, "garch_btc_t_arch.json"), "w") as f:
    json.dump(out, f, indent=1)
