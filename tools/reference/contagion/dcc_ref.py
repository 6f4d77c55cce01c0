"""DCC(1,1) two-step reference: an independent plain numpy/scipy implementation
(written for this project; not a peer package - no maintained Python DCC exists in
`arch` 8.0.0), on top of `arch` 8.0.0 GARCH(1,1) normal fits.

Data: SPY, TLT, GLD (data/demo/prices) 100 x log returns on common dates, return dates
2015-01-01 .. 2025-12-31. Step 1: arch_model(mean='Constant', vol='GARCH', dist='normal'),
tol=1e-12; z = resid / conditional_volatility. Step 2: Qbar = z'z/T, Q_1 = Qbar,
Q_t = (1-a-b)Qbar + a z_{t-1}z_{t-1}' + b Q_{t-1}, maximise
l_C = -1/2 sum(ln|R_t| + z_t'R_t^{-1}z_t - z_t'z_t) by scipy SLSQP (a,b >= 0, a+b <= 0.9999).
Writes crates/contagion/tests/fixtures/dcc_spy_tlt_gld.json
"""
import json
import os
import numpy as np
from scipy.optimize import minimize
from arch import arch_model
from common import FIX, etf_log_returns

lr = etf_log_returns("2015-01-01", "2025-12-31")[["SPY", "TLT", "GLD"]]
Z = []
garch = {}
for c in lr.columns:
    res = arch_model(lr[c], mean="Constant", vol="GARCH", p=1, q=1, dist="normal").fit(disp="off", tol=1e-12, options={"maxiter": 2000})
    Z.append((res.resid / res.conditional_volatility).values)
    garch[c] = {"params": [float(v) for v in res.params.values], "loglik": float(res.loglikelihood)}
Z = np.column_stack(Z)
T, N = Z.shape
Qbar = Z.T @ Z / T


def llc(ab, path=False):
    a, b = ab
    Q = Qbar.copy()
    ll = 0.0
    Rs = []
    for t in range(T):
        if t > 0:
            Q = (1 - a - b) * Qbar + a * np.outer(Z[t - 1], Z[t - 1]) + b * Q
        d = np.sqrt(np.diag(Q))
        R = Q / np.outer(d, d)
        sign, ld = np.linalg.slogdet(R)
        z = Z[t]
        ll -= 0.5 * (ld + z @ np.linalg.solve(R, z) - z @ z)
        if path:
            Rs.append(R)
    return (ll, Rs) if path else ll


res = minimize(lambda x: -llc(x) / T, x0=[0.02, 0.95], method="SLSQP", bounds=[(0, 1), (0, 1)],
               constraints=[{"type": "ineq", "fun": lambda x: 0.9999 - x[0] - x[1]}],
               options={"ftol": 1e-14, "maxiter": 1000})
a, b = res.x
ll, Rs = llc(res.x, path=True)
out = {"source": "tools/reference/contagion/dcc_ref.py (numpy/scipy two-step DCC on arch 8.0.0 GARCH fits)",
       "names": list(lr.columns), "nobs": int(T), "first_date": str(lr.index[0].date()), "last_date": str(lr.index[-1].date()),
       "garch": garch, "a": float(a), "b": float(b), "loglik_correlation": float(ll),
       "loglik": float(ll + sum(g["loglik"] for g in garch.values())),
       "corr_last": Rs[-1].tolist(), "corr_spy_tlt_every_250": [float(R[0, 1]) for R in Rs[::250]]}
with open(os.path.join(FIX, "dcc_spy_tlt_gld.json"), "w") as f:
    json.dump(out, f, indent=1)
print("a", a, "b", b, "llc", ll, "success", res.success)
