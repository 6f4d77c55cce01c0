"""Every accepted input kind gives the same result; outputs in pandas or polars."""
import numpy as np
import pandas as pd
import polars as pl
import pytest

import fissure

OPTS = dict(cv="none", from_="1998-01-01", to="2000-12-31")


@pytest.fixture(scope="module")
def ixic(demo):
    return demo["IXIC"]


def test_single_series_kinds(ixic):
    want = fissure.psy(ixic, **OPTS).json
    frame = ixic.to_frame()
    with_date_col = frame.reset_index()
    polars = pl.DataFrame({"date": ixic.index.to_numpy().astype("datetime64[D]"), "IXIC": ixic.to_numpy()})
    values, dates = ixic.to_numpy(), ixic.index.to_numpy()
    kinds = {
        "pandas DataFrame (one column)": frame,
        "pandas DataFrame with a date column": with_date_col,
        "polars DataFrame": polars,
        "polars DataFrame, Datetime column": pl.DataFrame({"date": ixic.index.to_numpy(), "IXIC": ixic.to_numpy()}),
        "tuple (name, dates, values)": ("IXIC", dates, values),
    }
    for kind, x in kinds.items():
        assert fissure.psy(x, **OPTS).json == want, kind
    got = fissure.psy(values, dates=dates.astype("datetime64[D]"), **OPTS).json
    assert got["gsadf"] == want["gsadf"] and got["params"]["id"] == "series"
    strings = [str(d)[:10] for d in dates]
    assert fissure.psy(values, dates=strings, **OPTS)["gsadf"] == want["gsadf"]


def test_tz_aware_and_nan(ixic):
    want = fissure.psy(ixic, **OPTS).json
    tz = ixic.copy()
    tz.index = tz.index.tz_localize("America/New_York")
    assert fissure.psy(tz, **OPTS).json == want
    holes = ixic.copy()
    holes.iloc[int(holes.index.searchsorted(pd.Timestamp("1999-06-01")))] = np.nan
    with pytest.warns(UserWarning, match="1 missing"):
        r = fissure.psy(holes, **OPTS)
    assert r["params"]["n"] == want["params"]["n"] - 1


def test_many_series_kinds(demo):
    ids = ["SPY", "TLT", "GLD"]
    d = {i: demo[i] for i in ids}
    want = fissure.turbulence(d, window=250).json
    wide = pd.concat(d, axis=1)  # NaN where a series has no observation: dropped per column
    long = wide.stack().rename("close").reset_index().rename(columns={"level_1": "id"})
    common = wide.dropna()
    kinds = {
        "wide pandas": wide,
        "long pandas (date, id, close)": long,
        "list of pandas Series": [d[i] for i in ids],
        "wide polars": pl.DataFrame({"date": common.index.to_numpy(), **{i: common[i].to_numpy() for i in ids}}),
        "long polars": pl.DataFrame({c: long[c].to_numpy() for c in ["date", "id", "close"]}),
        "2-D numpy": None,
    }
    for kind, x in kinds.items():
        if x is None:
            x = common.to_numpy()
            got = fissure.turbulence(x, dates=common.index.to_numpy(), names=ids, window=250).json
        else:
            with _no_fail():
                got = fissure.turbulence(x, window=250).json
        assert got == want, kind


class _no_fail:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore")

    def __exit__(self, *a):
        self._w.__exit__(*a)


def test_polars_output(demo):
    r = fissure.psy(demo["IXIC"], freq="weekly", reps=100, output="polars", from_="1995-01-01", to="2000-12-31")
    b = r["bsadf"]
    assert isinstance(b, pl.DataFrame) and b.columns == ["date", "value", "cv"] and b["date"].dtype == pl.Date
    assert isinstance(r["episodes"], pl.DataFrame)
    t = fissure.turbulence({i: demo[i] for i in ["SPY", "TLT"]}, window=250, output="polars")
    assert isinstance(t["turbulence"], pl.DataFrame) and t["turbulence"].columns == ["date", "turbulence"]
    s = fissure.scan({i: demo[i] for i in ["SPY", "TLT"]}, cv="none", output="polars")
    assert isinstance(s, pl.DataFrame) and s["id"].to_list() == ["SPY", "TLT"]


def test_pandas_output_shapes(demo):
    r = fissure.psy(demo["IXIC"], freq="weekly", reps=100, from_="1995-01-01", to="2000-12-31")
    assert isinstance(r["bsadf"].index, pd.DatetimeIndex)
    assert r["bsadf"]["value"].max() == pytest.approx(r["gsadf"])
    assert set(r) == {"adf", "sadf", "gsadf", "cv", "p_values", "bsadf", "episodes", "cv_note", "params"}
    assert r["cv"]["gsadf"]["95"] == r.json["cv"]["gsadf"]["95"]
    sp = fissure.spillover({i: demo[i] for i in ["SPY", "TLT", "GLD"]}, rolling=250, step=50, from_="2015-01-01")
    assert isinstance(sp["rolling"]["total"], pd.Series) and len(sp["rolling"]["total"]) == len(sp.json["rolling"]["dates"])
    assert list(sp["rolling"]["net"].columns) == ["SPY", "TLT", "GLD"]
