"""The Python results equal the CLI's JSON on the bundled data (same library, same options)."""
import pytest

import fissure
from conftest import ROOT, assert_same

EQ = ["SPY", "QQQ", "IWM", "XLK", "XLF", "XLE", "XLU", "TLT", "GLD", "HYG"]
COCRASH = ["SPY", "QQQ", "GLD", "SLV", "COPPER", "WTI", "XLE", "BTC", "ETH", "TLT"]


def sub(demo, ids):
    return {i: demo[i] for i in ids}


def test_psy_weekly_mc(cli, demo):
    args = ["--freq", "weekly", "--from", "1994-01-07", "--to", "2000-12-29", "--min-window", "36", "--reps", "200"]
    want = cli("bubble", "psy", "IXIC", *args)
    got = fissure.psy(demo["IXIC"], freq="weekly", from_="1994-01-07", to="2000-12-29", min_window=36, reps=200)
    assert_same(got.json, want)
    assert got["gsadf"] == want["gsadf"]
    assert len(got["bsadf"]) == len(want["bsadf"])


def test_psy_wild_bic_ratio(cli, demo):
    args = ["--transform", "none", "--cv", "wild", "--reps", "49", "--ic", "bic", "--max-lag", "1", "--from", "1990-01-01"]
    want = cli("bubble", "psy", "CAPE", *args)
    got = fissure.psy(demo["CAPE"], transform="none", cv="wild", reps=49, ic="bic", max_lag=1, from_="1990-01-01")
    assert_same(got.json, want)


def test_lppls(cli, demo):
    want = cli("bubble", "lppls", "IXIC", "--end", "2000-03-10", "--window", "300", "--starts", "4", "--screen", "32")
    got = fissure.lppls(demo["IXIC"], end="2000-03-10", window=300, starts=4, screen=32)
    assert_same(got.json, want)


def test_lppls_confidence(cli, demo):
    args = ["--from", "2000-02-01", "--to", "2000-03-10", "--every", "9", "--max-window", "400", "--min-window", "200", "--step", "50"]
    want = cli("bubble", "lppls-ci", "IXIC", *args)
    got = fissure.lppls_confidence(demo["IXIC"], from_="2000-02-01", to="2000-03-10", every=9, max_window=400, min_window=200, step=50)
    assert_same(got.json, want)
    assert list(got["dates"].columns[:2]) == ["neg_conf", "pos_conf"] or "pos_conf" in got["dates"].columns


def test_valuation_vs(cli, demo):
    want = cli("bubble", "valuation", "CAPE", "--vs", "SHILLER.cape")
    got = fissure.valuation(demo["CAPE"], vs=demo["SHILLER.cape"])
    assert_same(got.json, want)


def test_garch_t_gjr(cli, demo):
    want = cli("contagion", "garch", "SPX", "--from", "2015-01-01", "--dist", "t", "--gjr")
    got = fissure.garch(demo["SPX"], from_="2015-01-01", dist="t", gjr=True)
    extra = got.json.pop("conditional_volatility")
    assert_same(got.json, want)
    assert len(extra["value"]) == want["nobs"]


def test_dcc_paths(cli, demo):
    want = cli("contagion", "dcc", "SPY", "TLT", "GLD", "--from", "2020-01-01", "--paths")
    got = fissure.dcc(sub(demo, ["SPY", "TLT", "GLD"]), from_="2020-01-01", paths=True)
    assert_same(got.json, want)
    assert got["paths"]["SPY|TLT"].index[0].year == 2020


def test_correlations(cli, demo):
    assert_same(fissure.correlations(sub(demo, ["SPY", "TLT"]), window=120).json, cli("contagion", "corr", "SPY", "TLT", "--window", "120"))
    want = cli("contagion", "corr", "SPY", "TLT", "GLD", "--ewma", "0.94")
    assert_same(fissure.correlations(sub(demo, ["SPY", "TLT", "GLD"]), ewma=0.94).json, want)


def test_absorption_ratio(cli, demo):
    want = cli("contagion", "absorption", *EQ, "--window", "250")
    got = fissure.absorption_ratio(sub(demo, EQ), window=250)
    assert_same(got.json, want)
    assert got["ar"].index[-1].strftime("%Y-%m-%d") == want["dates"][-1]


def test_turbulence(cli, demo):
    want = cli("contagion", "turbulence", "SPY", "TLT", "GLD", "HYG", "--window", "250")
    assert_same(fissure.turbulence(sub(demo, ["SPY", "TLT", "GLD", "HYG"]), window=250).json, want)


def test_spillover_rolling(cli, demo):
    ids = ["SPY", "TLT", "GLD", "XLE"]
    want = cli("contagion", "spillover", *ids, "--from", "2018-01-01", "--rolling", "250", "--step", "20")
    got = fissure.spillover(sub(demo, ids), from_="2018-01-01", rolling=250, step=20)
    assert_same(got.json, want)
    assert list(got["rolling"]["net"].columns) == ids


def test_cocrash(cli, demo):
    want = cli("contagion", "cocrash", "--from", "2025-01-01")
    assert_same(fissure.cocrash(sub(demo, COCRASH), from_="2025-01-01").json, want)


def test_stress_index(cli, demo):
    assert_same(fissure.stress_index(demo).json, cli("liquidity", "index"))


def test_carry(cli, demo):
    assert_same(fissure.carry(demo).json, cli("liquidity", "carry"))


def test_markov(cli, demo):
    want = cli("regime", "markov", "SPX", "--weekly", "--returns", "log", "--scale", "100", "--from", "2010-01-01", "--switching-variance")
    got = fissure.markov(demo["SPX"], weekly=True, returns="log", scale=100, from_="2010-01-01", switching_variance=True)
    assert_same(got.json, want)


def test_concentration(cli):
    # from the bundled file, in its row order (the store returns a snapshot's rows sorted by symbol, and the
    # issuer's name of tied rows such as GOOGL/GOOG follows the row order)
    path = ROOT / "data" / "demo" / "fundamentals" / "sp500_marketcap_snapshots.csv"
    assert_same(fissure.concentration(fissure.demo_sections()).json, cli("structure", "concentration", "--file", str(path)))


def test_rotation(cli, demo):
    got = fissure.rotation(demo)
    assert got.json["skipped"] == [] and got.json["high_cut_low_note"] is None
    assert_same(got.json, cli("structure", "rotation"))


def test_report(cli, demo, tmp_path):
    want = cli("report", "--as-of", "2020-03-20", "--out", str(tmp_path / "cli"))
    got = fissure.report(out=tmp_path / "py", as_of="2020-03-20")
    assert (tmp_path / "py" / "report.html").stat().st_size > 10_000
    for doc in (want, got.json):
        for k in ("timings", "total_seconds", "html"):
            doc.pop(k, None)
    assert_same(strip_times(got.json), strip_times(want))


def strip_times(doc):
    """The report's run times and cache flags differ from run to run; everything else must be equal."""
    if isinstance(doc, dict):
        return {k: strip_times(v) for k, v in doc.items() if k not in ("seconds", "cached")}
    if isinstance(doc, list):
        return [strip_times(v) for v in doc]
    return doc
