"""Universe scans: each row equals the single-series call; Monte Carlo critical values are shared per
length; the Dask engine (LocalCluster, 2 workers) gives the same results as the local one."""
import warnings

import numpy as np
import pandas as pd
import pytest

import fissure
from fissure import _fissure

UNIVERSE = ["SPY", "QQQ", "TLT", "GLD", "XLE", "XLK", "HYG", "IWM"]
PSY = dict(freq="weekly", reps=200, from_="2005-01-01")


@pytest.fixture(scope="module")
def prices(demo):
    return {i: demo[i] for i in UNIVERSE}


@pytest.fixture(scope="module")
def client():
    from dask.distributed import Client, LocalCluster

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
        c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_rows_equal_single_calls(prices):
    df = fissure.scan(prices, method="gsadf", **PSY)
    assert list(df.index) == UNIVERSE
    for i in UNIVERSE:
        one = fissure.psy(prices[i], **PSY)
        row = df.loc[i]
        assert row["gsadf"] == one["gsadf"] and row["sadf"] == one["sadf"]
        assert row["gsadf_cv95"] == one["cv"]["gsadf"]["95"]
        assert row["p_gsadf"] == one["p_values"]["gsadf"]
        assert row["episodes"] == len(one.json["episodes"])
        assert row["explosive"] == (one["gsadf"] > one["cv"]["gsadf"]["95"])


def test_critical_values_shared_per_length(prices):
    from fissure._convert import many_series

    series = many_series(prices)
    keys = _fissure.psy_cv_keys(series, fissure._options(PSY))
    lengths = {len(fissure.psy(prices[i], cv="none", **{k: v for k, v in PSY.items() if k != "reps"}).json["bsadf"]) for i in UNIVERSE}
    assert len(set(keys)) == len(lengths) < len(UNIVERSE)


def test_long_frame_and_refusals(prices):
    wide = pd.concat(prices, axis=1)
    long = wide.stack().rename("close").reset_index().rename(columns={"level_1": "id"})
    short = pd.DataFrame({"date": pd.bdate_range("2024-01-01", periods=15), "id": "TINY", "close": np.linspace(1, 2, 15)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = fissure.scan(pd.concat([long, short]), **PSY)
    ref = fissure.scan(prices, **PSY)
    cols = [c for c in ref.columns if c != "error"]
    pd.testing.assert_frame_equal(got.drop(index="TINY").sort_index()[cols], ref.sort_index()[cols], check_dtype=False)
    assert ref["error"].isna().all() and got.drop(index="TINY")["error"].isna().all()
    assert "smallest window" in got.loc["TINY", "error"] or "observations" in got.loc["TINY", "error"]
    assert np.isnan(got.loc["TINY", "gsadf"])


def test_dask_equals_local(prices, client):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = fissure.scan(prices, method="gsadf", engine="local", **PSY)
        dask = fissure.scan(prices, method="gsadf", engine="dask", client=client, partitions=3, **PSY)
    pd.testing.assert_frame_equal(local, dask)


def test_lppls_confidence_scan(prices, client):
    opts = dict(from_="2020-02-03", to="2020-02-21", every=7, max_window=300, min_window=150, step=50)
    local = fissure.scan(prices, method="lppls_confidence", **opts)
    one = fissure.lppls_confidence(prices["QQQ"], **opts)
    q = local[local["id"] == "QQQ"].reset_index(drop=True)
    assert list(q["pos_conf"]) == list(one["dates"]["pos_conf"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dask = fissure.scan(prices, method="lppls_confidence", engine="dask", client=client, **opts)
    pd.testing.assert_frame_equal(local, dask)


def test_rolling_spillover_scan(prices, client):
    ids = ["SPY", "TLT", "GLD", "XLE"]
    sub = {i: prices[i] for i in ids}
    opts = dict(rolling=200, step=5, from_="2016-01-01")
    local = fissure.scan(sub, method="spillover", **opts)
    ref = fissure.spillover(sub, **opts)
    assert list(local["total"]) == ref.json["rolling"]["total"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dask = fissure.scan(sub, method="spillover", engine="dask", client=client, partitions=4, **opts)
    assert list(dask.index) == list(local.index)
    # each block restarts the sliding cross-products: equal up to rounding
    np.testing.assert_allclose(dask.to_numpy(), local.to_numpy(), rtol=1e-9, atol=1e-9)
