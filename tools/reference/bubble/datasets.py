"""The real-data inputs shared by the bubble reference scripts (same construction as the Rust tests)."""
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "data" / "demo"


def nasdaq_daily() -> pd.Series:
    d = pd.read_csv(DEMO / "prices" / "nasdaq_composite_daily.csv", parse_dates=["date"])
    return d.set_index("date")["close"]


def nasdaq_weekly_anchor() -> pd.Series:
    """Last close of each week ending Friday, labelled with the Friday, 1994-01-07..2000-03-10 (323 obs)."""
    w = nasdaq_daily().resample("W-FRI").last().dropna()
    return w["1994-01-07":"2000-03-10"]


def nasdaq_daily_1563() -> pd.Series:
    """The last 1,563 daily closes up to 2000-03-10."""
    return nasdaq_daily()[:"2000-03-10"].iloc[-1563:]


def shiller() -> pd.DataFrame:
    return pd.read_csv(DEMO / "fundamentals" / "shiller_sp500_monthly.csv", parse_dates=["date"]).set_index("date")


def shiller_pd() -> pd.Series:
    """Price/dividend ratio (sp500 / dividend), months with a dividend."""
    s = shiller()
    s = s.dropna(subset=["sp500", "dividend"])
    return s["sp500"] / s["dividend"]


def shiller_cape() -> pd.Series:
    return shiller()["cape"].dropna()


DATASETS = {
    # name: (loader, transform)
    "nasdaq_weekly": (nasdaq_weekly_anchor, "log"),
    "nasdaq_daily_1563": (nasdaq_daily_1563, "log"),
    "shiller_pd": (shiller_pd, "none"),
    "shiller_cape": (shiller_cape, "none"),
}


def load(name: str):
    loader, tr = DATASETS[name]
    s = loader()
    y = np.log(s.values.astype(float)) if tr == "log" else s.values.astype(float)
    return s.index, y
