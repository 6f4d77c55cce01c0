"""Shared loaders for the contagion reference scripts (same inputs as the Rust tests)."""
import os
import numpy as np
import pandas as pd

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEMO = os.path.join(ROOT, "data", "demo", "prices")
FIX = os.path.join(ROOT, "crates", "contagion", "tests", "fixtures")


def close(file):
    df = pd.read_csv(os.path.join(DEMO, file), parse_dates=["date"])
    col = "close" if "close" in df.columns else "value"
    return df.set_index("date")[col].astype(float)


def sp500_pct_returns(start="2000-01-01", end="2025-12-31"):
    """100 x simple daily returns of the S&P 500 close, dated start..end (return dates)."""
    p = close("sp500_index_daily.csv")
    r = 100.0 * p.pct_change().dropna()
    return r[(r.index >= start) & (r.index <= end)]


ETF_FILES = {
    "SPY": "etf_spy_daily.csv",
    "TLT": "etf_tlt_daily.csv",
    "GLD": "etf_gld_daily.csv",
    "SLV": "etf_slv_daily.csv",
    "XLE": "etf_xle_daily.csv",
    "HYG": "etf_hyg_daily.csv",
}


def etf_log_returns(start="2010-01-01", end="2025-12-31", scale=100.0):
    """Log returns (x scale) of the six ETFs on the dates all six trade (intersection),
    returns computed between consecutive common dates, kept for return dates in [start, end]."""
    px = pd.concat({k: close(v) for k, v in ETF_FILES.items()}, axis=1, join="inner").sort_index()
    lr = scale * np.log(px).diff().dropna()
    return lr[(lr.index >= start) & (lr.index <= end)]
