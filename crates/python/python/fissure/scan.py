"""Universe scans: one method on every asset of a universe, on this machine (rayon) or on a Dask cluster.

``scan(prices, method="gsadf", engine="local"|"dask", client=None, **params)``

* ``method="gsadf"`` (also ``"psy"``): PSY on every column of a wide frame (or every id of a long frame
  ``date, id, close``); ``params`` are :func:`fissure.psy`'s options. Monte Carlo critical values depend only
  on the sample length and the settings: they are simulated once per distinct length and shared by every
  series of that length. One row per asset (a refused series has its reason in ``error``).
* ``method="lppls_confidence"``: :func:`fissure.lppls_confidence` on every asset; one row per (asset, date).
* ``method="spillover"``: the rolling Diebold–Yilmaz total and net spillovers (``rolling=W`` required) of
  the whole universe; the Dask engine splits the rolling windows into blocks of consecutive end dates.

``engine="dask"`` needs a ``dask.distributed.Client`` (``client=``, or the current one): the critical values
are computed as one task per distinct length, then the columns are partitioned (``partitions=``, default two
per worker) and each partition runs the same Rust scan as the local engine with the shared critical values,
so both engines give identical results (the random draws come from per-replication ChaCha streams).
"""
from __future__ import annotations

import json as _json

import numpy as np

from . import _fissure
from ._convert import aligned, many_series

__all__ = ["scan"]

_PSY = ("gsadf", "psy", "sadf")
_PSY_COLUMNS = [
    "n", "first", "last", "window_obs", "adf", "sadf", "gsadf", "level", "sadf_cv", "gsadf_cv", "gsadf_cv90",
    "gsadf_cv95", "gsadf_cv99", "p_adf", "p_sadf", "p_gsadf", "explosive", "bsadf_last", "bsadf_cv_last",
    "episodes", "last_episode_start", "last_episode_peak", "last_episode_end", "ongoing", "error",
]


def _opts(params):
    from . import _options

    return _options(params)


def _frame(rows, output, index="id"):
    if output == "polars":
        import polars as pl

        return pl.DataFrame(rows, infer_schema_length=None)
    import pandas as pd

    df = pd.DataFrame.from_records(rows)
    for c in df.columns:
        if c in ("first", "last", "date") or str(c).startswith("last_episode_") or str(c).startswith("tc_q"):
            df[c] = pd.to_datetime(df[c])
    if index in df.columns:
        df = df.set_index(index)
    return df


def _workers(client):
    return max(1, len(client.scheduler_info().get("workers", {})))


def _client(client):
    if client is not None:
        return client
    try:
        from dask.distributed import get_client
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ValueError("engine='dask' needs dask.distributed (pip install 'dask[distributed]')") from e
    try:
        return get_client()
    except ValueError as e:
        raise ValueError("engine='dask' needs a dask.distributed Client: pass client= or create one") from e


def _chunks(items, k):
    """Splits into at most k contiguous parts of balanced total length (PSY is O(T²) per series)."""
    k = max(1, min(k, len(items)))
    cost = np.array([float(len(s[2])) ** 2 for s in items])
    bounds = np.searchsorted(np.cumsum(cost), np.linspace(0, cost.sum(), k + 1)[1:-1], side="right")
    edges = [0, *sorted(set(int(b) for b in bounds)), len(items)]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]


# --------------------------------------------------------------------------------- tasks (run on workers)


def _psy_cv_task(series, options_json):
    return _fissure.psy_cv(aligned([series])[0], options_json)


def _psy_scan_task(series, options_json, shared):
    return _json.loads(_fissure.psy_scan(aligned(series), options_json, shared))


def _lppls_task(series, options_json):
    series = aligned(series)
    out = []
    for s in series:
        try:
            doc = _json.loads(_fissure.lppls_confidence(s, options_json))
            out.extend({"id": s[0], **row, "error": None} for row in doc["dates"])
        except ValueError as e:  # a refused series is reported, never dropped
            out.append({"id": s[0], "error": str(e)})
    return out


def _spill_task(names, dates_days, values, options_json):
    series = aligned([(n, dates_days, values[:, j]) for j, n in enumerate(names)])
    return _json.loads(_fissure.spillover(series, options_json))["rolling"]


# --------------------------------------------------------------------------------- engines


def _psy_scan(series, params, engine, client, partitions):
    opts = _opts(params)
    if engine == "local":
        return _json.loads(_fissure.psy_scan(series, opts, None))
    client = _client(client)
    keys = _fissure.psy_cv_keys(series, opts)
    first = {}
    for i, k in enumerate(keys):
        if k is not None and k not in first:
            first[k] = i
    cv = {k: client.submit(_psy_cv_task, series[i], opts, pure=False) for k, i in first.items()}
    parts = _chunks(series, partitions or 2 * _workers(client))
    futures = []
    for a, b in parts:
        need = {k: cv[k] for k in set(keys[a:b]) if k is not None}
        data = client.scatter(series[a:b])
        futures.append(client.submit(_psy_scan_task, data, opts, need, pure=False))
    rows = []
    for part in client.gather(futures):
        rows.extend(part)
    return rows


def _lppls_scan(series, params, engine, client, partitions):
    opts = _opts(params)
    if engine == "local":
        return _lppls_task(series, opts)
    client = _client(client)
    k = partitions or 2 * _workers(client)
    parts = [series[i::k] for i in range(min(k, len(series)))]
    futures = [client.submit(_lppls_task, client.scatter(p), opts, pure=False) for p in parts]
    by_id = {}
    for part in client.gather(futures):
        for row in part:
            by_id.setdefault(row["id"], []).append(row)
    return [row for s in series for row in by_id.get(s[0], [])]


def _aligned(series):
    """Common dates of every series (the library's `Alignment::Intersection`), as a (T × N) matrix."""
    common = series[0][1]
    for s in series[1:]:
        common = np.intersect1d(common, s[1], assume_unique=True)
    values = np.column_stack([s[2][np.searchsorted(s[1], common)] for s in series])
    return common, values


def _spill_scan(series, params, engine, client, partitions):
    from . import spillover

    if not params.get("rolling"):
        raise ValueError("method='spillover' needs rolling=W (the window length)")
    w, step = int(params["rolling"]), int(params.get("step", 1))
    if engine == "local" or len(series) < 2:
        doc = _json.loads(_fissure.spillover(series, _opts(params)))
        return doc["rolling"], [s[0] for s in series]
    client = _client(client)
    days, values = _aligned(series)
    names = [s[0] for s in series]
    # returns row i is dated days[i + 1]; restrict to from/to as the library does
    ret_days = days[1:]
    lo, hi = 0, len(ret_days)
    if params.get("from_") or params.get("from"):
        lo = int(np.searchsorted(ret_days, np.datetime64(_opts_date(params.get("from_") or params.get("from")), "D").astype(np.int64)))
    if params.get("to"):
        hi = int(np.searchsorted(ret_days, np.datetime64(_opts_date(params["to"]), "D").astype(np.int64), side="right"))
    n = hi - lo
    if n < w:
        raise ValueError(f"the rolling window ({w}) is longer than the {n} common returns")
    # the lag order of the full-sample table (an information criterion picks it once, as the CLI does)
    p = params.get("lag", 2)
    if params.get("lag_ic"):
        p = _json.loads(_fissure.spillover(series, _opts({**params, "rolling": None})))["p"]
    ends = list(range(w - 1, n, step))
    k = min(partitions or 2 * _workers(client), len(ends))
    blocks = np.array_split(np.arange(len(ends)), k)
    base = {x: v for x, v in params.items() if x not in ("from_", "from", "to", "lag_ic", "max_lag")}
    base["lag"] = p
    opts = _opts(base)
    futures = []
    for b in blocks:
        if len(b) == 0:
            continue
        e0, e1 = ends[b[0]], ends[b[-1]]
        r0 = lo + e0 - w + 1  # first returns row of the block's first window
        r1 = lo + e1  # last returns row
        sub_days = days[r0 : r1 + 2]
        sub_vals = values[r0 : r1 + 2]
        futures.append(client.submit(_spill_task, names, sub_days, sub_vals, opts, pure=False))
    out = {"window": w, "step": step, "dates": [], "total": [], "net": []}
    for part in client.gather(futures):
        for key in ("dates", "total", "net"):
            out[key].extend(part[key])
    return out, names


def _opts_date(d):
    from ._convert import date_str

    return date_str(d)


def scan(prices, method="gsadf", engine="local", client=None, partitions=None, output="pandas", dates=None, names=None, **params):
    """Runs ``method`` over a universe; see the module docstring. Returns a DataFrame: one row per asset
    (gsadf), per (asset, date) (lppls_confidence) or per rolling window (spillover: total and each asset's
    net spillover)."""
    if engine not in ("local", "dask"):
        raise ValueError(f"engine must be 'local' or 'dask', not {engine!r}")
    if output not in ("pandas", "polars"):
        raise ValueError(f"output must be 'pandas' or 'polars', not {output!r}")
    series = many_series(prices, dates, names)
    if not series:
        raise ValueError("the universe has no numeric column")
    if method in _PSY:
        df = _frame(_psy_scan(series, params, engine, client, partitions), output)
        cols = [c for c in _PSY_COLUMNS if c in df.columns]
        return df.select(["id", *cols]) if output == "polars" else df[cols]
    if method in ("lppls_confidence", "lppls_ci"):
        return _frame(_lppls_scan(series, params, engine, client, partitions), output, index=None)
    if method == "spillover":
        roll, cols = _spill_scan(series, params, engine, client, partitions)
        rows = [
            {"date": d, "total": t, **{f"net_{c}": v for c, v in zip(cols, net)}}
            for d, t, net in zip(roll["dates"], roll["total"], roll["net"])
        ]
        return _frame(rows, output, index="date")
    raise ValueError(f"unknown scan method {method!r}: expected 'gsadf', 'lppls_confidence' or 'spillover'")
