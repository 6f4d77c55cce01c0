"""Peer timings for tools/bench/contagion.sh (same inputs as crates/contagion/examples/contagion_timing.rs).

garch5000: arch 8.0.0 arch_model(mean='Constant', vol='GARCH', dist='normal').fit(disp='off') with its
default settings on the last 5,000 S&P 500 percent returns up to 2025-12-31 (best of 5).
rolling_dy: statsmodels VAR(2) + plain generalized FEVD per 200-day window, step 1 (tools/reference/contagion/dy_ref.py).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reference", "contagion"))
import warnings
warnings.filterwarnings("ignore")
from arch import arch_model
from common import sp500_pct_returns, etf_log_returns
from dy_ref import rolling

y = sp500_pct_returns(end="2025-12-31").values[-5000:]
best = float("inf")
for _ in range(5):
    t0 = time.perf_counter()
    res = arch_model(y, mean="Constant", vol="GARCH", p=1, q=1, dist="normal").fit(disp="off")
    best = min(best, time.perf_counter() - t0)
print(f"garch5000 {best:.6f} loglik={res.loglikelihood:.6f}")

lr = etf_log_returns()
t0 = time.perf_counter()
tot = rolling(lr)
el = time.perf_counter() - t0
print(f"rolling_dy {el:.6f} windows={len(tot)}")
print(f"rolling_dy_1thread {el:.6f} windows={len(tot)}")  # statsmodels is single-threaded
