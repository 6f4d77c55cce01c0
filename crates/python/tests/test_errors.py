"""Bad inputs raise ValueError carrying the Rust library's message (the CLI's, for the same refusal)."""
import numpy as np
import pandas as pd
import pytest

import fissure


def write_csv(path, dates, values):
    pd.DataFrame({"date": dates, "value": values}).to_csv(path, index=False)


def test_same_message_as_cli(cli, tmp_path):
    dates = pd.bdate_range("2020-01-01", periods=40)
    values = np.linspace(1.0, 2.0, 40)
    write_csv(tmp_path / "short.csv", dates.strftime("%Y-%m-%d"), values)
    cli_msg = cli("bubble", "psy", "--file", str(tmp_path / "short.csv"), "--min-window", "60", "--cv", "none", expect_error=True)
    with pytest.raises(ValueError) as e:
        fissure.psy(pd.Series(values, index=dates, name="short"), min_window=60, cv="none")
    assert cli_msg == f"error: {e.value}"


def test_non_positive_log():
    s = pd.Series([1.0, 2.0, -1.0, 3.0] * 20, index=pd.bdate_range("2020-01-01", periods=80), name="neg")
    with pytest.raises(ValueError, match=r"series `neg`: value -1 on 2020-01-03 is not positive"):
        fissure.psy(s, cv="none")


def test_unsorted_dates_and_non_finite():
    idx = pd.DatetimeIndex(["2020-01-02", "2020-01-01", "2020-01-03"])
    with pytest.raises(ValueError, match="series `x`"):
        fissure.psy(pd.Series([1.0, 2.0, 3.0], index=idx, name="x"), cv="none")
    with pytest.raises(ValueError, match="inf"):
        fissure.garch(pd.Series([1.0, np.inf, 3.0], index=pd.bdate_range("2020-01-01", periods=3), name="x"))


def test_bad_options(demo):
    s = demo["IXIC"]
    with pytest.raises(ValueError, match="unknown field `min_windw`"):
        fissure.psy(s, min_windw=30)
    with pytest.raises(ValueError, match="unknown variant `lg`"):
        fissure.psy(s, transform="lg")
    with pytest.raises(ValueError, match="level must be 90, 95 or 99"):
        fissure.psy(s, level=97, cv="none")
    with pytest.raises(ValueError, match="too few"):
        fissure.psy(s, reps=5, freq="monthly")
    with pytest.raises(ValueError, match="need at least 2 series"):
        fissure.spillover({"SPY": demo["SPY"]})
    with pytest.raises(ValueError, match="DatetimeIndex"):
        fissure.psy(pd.Series([1.0, 2.0], index=["a", "b"]))
    with pytest.raises(ValueError, match="dates="):
        fissure.psy(np.ones(10))
    with pytest.raises(ValueError, match="output must be"):
        fissure.psy(s, output="arrow")


def test_lppls_refusals_as_cli(cli, tmp_path, demo):
    """The LPPLS plans are the CLI's: a range where no window fits, a non-positive level, every=0."""
    s = demo["IXIC"].iloc[:140]
    s.name = "IXIC140"
    write_csv(tmp_path / "IXIC140.csv", s.index.strftime("%Y-%m-%d"), s.values)
    cli_msg = cli("bubble", "lppls-ci", "--file", str(tmp_path / "IXIC140.csv"), "--min-window", "150",
                  "--max-window", "160", expect_error=True)
    with pytest.raises(ValueError) as e:
        fissure.lppls_confidence(s, min_window=150, max_window=160)
    assert cli_msg == f"error: {e.value}"
    assert "no window could be fitted at any date" in str(e.value)
    neg = pd.Series([1.0, 2.0, -1.0, 3.0] * 20, index=pd.bdate_range("2020-01-01", periods=80), name="neg")
    with pytest.raises(ValueError, match="is not positive; LPPLS fits log prices"):
        fissure.lppls(neg, window=50)
    with pytest.raises(ValueError, match="every 0 is not in 1..=100000"):
        fissure.lppls_confidence(demo["IXIC"], every=0)


def test_stress_index_refuses_unknown_indicators(demo):
    with pytest.raises(ValueError, match=r"only: unknown indicator\(s\) `nope`; the indicators are HY_OAS"):
        fissure.stress_index({k: demo[k] for k in ("HY_OAS", "IG_OAS", "VIX")}, only=["nope", "VIX"])
