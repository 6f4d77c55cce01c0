"""Results: a read-only mapping over the CLI's JSON document whose dated parts come out as DataFrames.

* a list of records with a ``date`` key (``r["bsadf"]``, ``r["episodes"]`` have ``start``) → a DataFrame
  (pandas: indexed by the dates; polars: with a ``date`` column);
* inside an object with a ``dates`` list, every sibling list of the same length → a pandas Series (1-D) or a
  DataFrame (2-D, columns named by ``names``) indexed by those dates; ``r["dates"]`` → a DatetimeIndex;
* nested objects → nested results; everything else as in the JSON.

``r.json`` is the plain document (equal to the CLI's ``--json`` output); ``dict(r)`` converts every key.
"""
from __future__ import annotations

import json as _json
from collections.abc import Mapping

_DATE_KEYS = ("date", "start")


def _records_frame(rows, output):
    if output == "polars":
        import polars as pl

        df = pl.DataFrame(rows, infer_schema_length=None)
        for k in df.columns:
            if k in ("date", "start", "peak", "end") or k.startswith("tc_q"):
                if df[k].dtype == pl.Utf8:
                    df = df.with_columns(pl.col(k).str.to_date(strict=False))
        return df
    import pandas as pd

    df = pd.DataFrame.from_records(rows)
    for k in df.columns:
        if k in ("date", "start", "peak", "end") or str(k).startswith("tc_q"):
            df[k] = pd.to_datetime(df[k])
    if "date" in df.columns:
        df = df.set_index("date")
    return df


def _is_records(v):
    return (
        isinstance(v, list)
        and len(v) > 0
        and all(isinstance(x, dict) for x in v[:1])
        and any(k in v[0] for k in _DATE_KEYS)
    )


class Result(Mapping):
    """The result of a Fissure call: keys are the CLI's JSON keys (see the function's docstring)."""

    __slots__ = ("_doc", "_columns", "_output", "_dates", "_names", "_cache")

    def __init__(self, doc, output="pandas", dates=None, names=None, columns=None):
        self._doc = doc
        # dated record lists handed over by Rust as numpy columns: {key: {"date": int64 days, col: array}}
        self._columns = columns or {}
        self._output = output
        self._dates = doc.get("dates") if isinstance(doc.get("dates"), list) and _is_datelist(doc.get("dates")) else dates
        self._names = doc.get("names", names)
        self._cache = {}

    @classmethod
    def from_json(cls, text, output="pandas", columns=None):
        return cls(_json.loads(text), output, columns=columns)

    @property
    def json(self):
        """The plain JSON document (equal to `fissure … --json`); columns are turned into records on first use."""
        for key, cols in list(self._columns.items()):
            days = cols["date"].view("datetime64[D]").astype(str)
            names = [c for c in cols if c != "date"]
            arrays = [cols[c].tolist() for c in names]
            recs = []
            for i, d in enumerate(days):
                r = {"date": str(d)}
                for c, a in zip(names, arrays):
                    r[c] = a[i]
                recs.append(r)
            if key == "bsadf" and "cv" not in cols:
                for r in recs:
                    r["cv"] = None
            self._doc[key] = recs
            del self._columns[key]
        return self._doc

    def __getitem__(self, key):
        if key in self._cache:
            return self._cache[key]
        if key in self._columns:
            v = self._columns_frame(self._columns[key])
        else:
            v = self._convert(key, self._doc[key])
        self._cache[key] = v
        return v

    def _columns_frame(self, cols):
        dates = cols["date"].view("datetime64[D]")
        data = {c: v for c, v in cols.items() if c != "date"}
        if self._output == "polars":
            import polars as pl

            return pl.DataFrame({"date": dates, **data})
        import pandas as pd

        return pd.DataFrame(data, index=pd.DatetimeIndex(dates, name="date"))

    def __iter__(self):
        return iter([*self._doc, *(k for k in self._columns if k not in self._doc)])

    def __len__(self):
        return len(self._doc) + sum(1 for k in self._columns if k not in self._doc)

    def __repr__(self):
        parts = [f"{k}=[{len(c['date'])}]" for k, c in self._columns.items()]
        for k, v in self._doc.items():
            if isinstance(v, (int, float, str, bool)) or v is None:
                parts.append(f"{k}={v!r}")
            elif isinstance(v, list):
                parts.append(f"{k}=[{len(v)}]")
            else:
                parts.append(f"{k}={{…}}")
        return "Result(" + ", ".join(parts) + ")"

    def to_dict(self):
        """The plain JSON document (as `fissure … --json` prints it)."""
        return self.json

    def _index(self):
        import pandas as pd

        return pd.DatetimeIndex(pd.to_datetime(self._dates), name="date")

    def _convert(self, key, v):
        if key == "dates" and _is_datelist(v):
            if self._output == "polars":
                import polars as pl

                return pl.Series("date", v).str.to_date()
            return self._index()
        if _is_records(v):
            return _records_frame(v, self._output)
        if isinstance(v, dict):
            return Result(v, self._output, self._dates, self._names)
        if isinstance(v, list) and self._dates is not None and len(v) == len(self._dates) and len(v) > 0:
            return self._dated(key, v)
        return v

    def _dated(self, key, v):
        two_d = isinstance(v[0], list)
        if self._output == "polars":
            import polars as pl

            d = pl.Series("date", self._dates).str.to_date()
            if two_d:
                cols = self._names if self._names and len(self._names) == len(v[0]) else [f"{key}_{j}" for j in range(len(v[0]))]
                return pl.DataFrame({"date": d, **{c: [row[j] for row in v] for j, c in enumerate(cols)}})
            return pl.DataFrame({"date": d, key: v})
        import numpy as np
        import pandas as pd

        if two_d:
            cols = self._names if self._names and len(self._names) == len(v[0]) else None
            return pd.DataFrame(np.array(v, dtype=float), index=self._index(), columns=cols)
        return pd.Series(np.array([np.nan if x is None else x for x in v], dtype=float), index=self._index(), name=key)


def _is_datelist(v):
    return isinstance(v, list) and len(v) > 0 and isinstance(v[0], str) and len(v[0]) == 10 and v[0][4] == "-"
