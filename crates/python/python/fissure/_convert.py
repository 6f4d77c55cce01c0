"""Inputs: pandas / polars / numpy → ``(name, datetime64[D] days as int64, float64 values)`` tuples.

The arrays handed to Rust are views whenever the input already holds contiguous float64 values and
datetime64 dates (pandas' and numpy's usual layout), so nothing is copied on the Python side. A NaN is a
missing observation: it is dropped, and a warning says how many were dropped for which series.
"""
from __future__ import annotations

import datetime as _dt
import warnings

import numpy as np

__all__ = ["one_series", "many_series", "date_str", "long_to_wide"]


def _is_pandas(x, kind):
    mod = type(x).__module__
    return mod.startswith("pandas") and type(x).__name__ == kind


def _is_polars(x, kind):
    mod = type(x).__module__
    return mod.startswith("polars") and type(x).__name__ == kind


def _days(dates) -> np.ndarray:
    """Any array of dates → int64 days since 1970-01-01 (a view for datetime64[D] input)."""
    if _is_pandas(dates, "DatetimeIndex"):
        if dates.tz is not None:
            dates = dates.tz_localize(None)
        arr = dates.values
    elif _is_polars(dates, "Series"):
        arr = dates.to_numpy()
    else:
        arr = np.asarray(dates)
    if arr.dtype.kind == "O" or arr.dtype.kind in "US":
        arr = np.asarray(arr, dtype="datetime64[D]")
    if arr.dtype.kind != "M":
        raise ValueError(f"dates must be datetime-like, got dtype {arr.dtype}")
    if arr.dtype != np.dtype("datetime64[D]"):
        arr = arr.astype("datetime64[D]")
    return np.require(np.ascontiguousarray(arr).view(np.int64), requirements=["C", "A"])


def _values(v) -> np.ndarray:
    return np.require(np.asarray(v, dtype=np.float64), requirements=["C", "A"])


def aligned(series):
    """Series tuples whose arrays are C-contiguous and aligned (arrays unpickled by Dask may be misaligned)."""
    return [(n, np.require(d, np.int64, ["C", "A"]), np.require(v, np.float64, ["C", "A"])) for n, d, v in series]


def _clean(name: str, days: np.ndarray, values: np.ndarray):
    if values.ndim != 1 or days.ndim != 1:
        raise ValueError(f"series `{name}`: dates and values must be one-dimensional")
    if len(days) != len(values):
        raise ValueError(f"series `{name}`: {len(days)} dates but {len(values)} values")
    nan = np.isnan(values)
    if nan.any():
        k = int(nan.sum())
        warnings.warn(f"series `{name}`: {k} missing (NaN) value(s) dropped", stacklevel=4)
        keep = ~nan
        days, values = np.ascontiguousarray(days[keep]), np.ascontiguousarray(values[keep])
    return (str(name), days, values)


def _pandas_series(s, name=None):
    import pandas as pd

    idx = s.index
    if not isinstance(idx, pd.DatetimeIndex):
        try:
            idx = pd.DatetimeIndex(idx)
        except (TypeError, ValueError) as e:
            raise ValueError(f"series `{s.name}`: the index must be a DatetimeIndex ({e})") from None
    nm = name if name is not None else (s.name if s.name is not None else "series")
    return _clean(nm, _days(idx), _values(s.to_numpy(dtype=np.float64, na_value=np.nan)))


def _pandas_frame_columns(df):
    import pandas as pd

    if not isinstance(df.index, pd.DatetimeIndex):
        if "date" in df.columns:
            df = df.set_index(pd.DatetimeIndex(df["date"])).drop(columns="date")
        else:
            raise ValueError("a DataFrame needs a DatetimeIndex or a `date` column")
    return [_pandas_series(df[c], str(c)) for c in df.columns if df[c].dtype.kind in "fiu"]


def _polars_frame_columns(df):
    import polars as pl

    temporal = [c for c, t in zip(df.columns, df.dtypes) if t in (pl.Date, pl.Datetime) or isinstance(t, pl.Datetime)]
    if not temporal:
        raise ValueError("a polars DataFrame needs a Date or Datetime column")
    dcol = "date" if "date" in temporal else temporal[0]
    days = _days(df[dcol].cast(pl.Date).to_numpy())
    out = []
    for c, t in zip(df.columns, df.dtypes):
        if c == dcol or not t.is_numeric():
            continue
        out.append(_clean(c, days, _values(df[c].cast(pl.Float64).fill_null(float("nan")).to_numpy())))
    return out


def long_to_wide(df, date="date", id="id", value="close"):
    """A long frame (``date, id, close``) → one series per id (pandas or polars)."""
    if _is_polars(df, "DataFrame"):
        import polars as pl

        out = []
        for key, part in df.sort(date).group_by(id, maintain_order=True):
            k = key[0] if isinstance(key, tuple) else key
            out.append(
                _clean(
                    str(k),
                    _days(part[date].cast(pl.Date).to_numpy()),
                    _values(part[value].cast(pl.Float64).fill_null(float("nan")).to_numpy()),
                )
            )
        return out
    import pandas as pd

    out = []
    for k, part in df.sort_values(date).groupby(id, sort=False):
        out.append(_clean(str(k), _days(pd.DatetimeIndex(part[date])), _values(part[value])))
    return out


def _is_long(df) -> bool:
    cols = [str(c) for c in df.columns]
    return "id" in cols and "date" in cols


def one_series(x, dates=None, name=None):
    """One series from a pandas Series, a one-column (or `close`) DataFrame, a polars frame, or values + dates."""
    if _is_pandas(x, "Series"):
        return _pandas_series(x, name)
    if _is_pandas(x, "DataFrame") or _is_polars(x, "DataFrame"):
        cols = many_series(x)
        if len(cols) != 1:
            closes = [c for c in cols if c[0] == "close"]
            if len(closes) == 1:
                return (name or closes[0][0], closes[0][1], closes[0][2])
            raise ValueError(f"expected one value column (or `close`), got {[c[0] for c in cols]}")
        c = cols[0]
        return (name or c[0], c[1], c[2])
    if _is_polars(x, "Series"):
        raise ValueError("a polars Series has no dates: pass a DataFrame with a date column, or dates=")
    if isinstance(x, tuple) and len(x) == 3:
        return _clean(str(x[0]), _days(x[1]), _values(x[2]))
    if dates is None:
        raise ValueError("a numpy array needs dates= (an array of dates of the same length)")
    return _clean(name or "series", _days(dates), _values(x))


def many_series(x, dates=None, names=None):
    """Several series from a wide frame (one column per asset), a long frame (`date, id, close`), a dict of
    series, a list of pandas Series, or a 2-D array with dates= and names=."""
    if _is_pandas(x, "DataFrame"):
        if _is_long(x) and not _is_pandas(x.index, "DatetimeIndex"):
            return long_to_wide(x, value="close" if "close" in x.columns else "value")
        return _pandas_frame_columns(x)
    if _is_polars(x, "DataFrame"):
        if _is_long(x):
            return long_to_wide(x, value="close" if "close" in x.columns else "value")
        return _polars_frame_columns(x)
    if isinstance(x, dict):
        return [one_series(v, dates, name=str(k)) for k, v in x.items()]
    if isinstance(x, (list, tuple)) and x and not isinstance(x[0], (int, float, np.number)):
        return [one_series(v, dates) for v in x]
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or dates is None:
        raise ValueError("a numpy input of several series is a 2-D array (dates × assets) with dates= and names=")
    names = list(names) if names is not None else [f"x{j}" for j in range(arr.shape[1])]
    if len(names) != arr.shape[1]:
        raise ValueError(f"{arr.shape[1]} columns but {len(names)} names")
    d = _days(dates)
    return [_clean(n, d, _values(arr[:, j])) for j, n in enumerate(names)]


def date_str(d):
    """A date-like option (str, date, datetime, pandas Timestamp, numpy datetime64) → `YYYY-MM-DD`."""
    if d is None or isinstance(d, str):
        return d
    if isinstance(d, np.datetime64):
        return str(d.astype("datetime64[D]"))
    if isinstance(d, _dt.datetime):
        return d.date().isoformat()
    if isinstance(d, _dt.date):
        return d.isoformat()
    if hasattr(d, "date"):
        return d.date().isoformat()
    raise ValueError(f"not a date: {d!r}")
