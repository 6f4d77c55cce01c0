"""network, risk and spiral: the Python results equal the CLI's JSON on the bundled data (same library, the
same JSON builders in fissure_<family>::json), inputs of each kind, and refusals as ValueError."""
import pytest

import fissure
from conftest import ROOT, assert_same

PF = {"SPY": 0.6, "TLT": 0.4}
PF_ARG = ["--weights", "SPY=0.6,TLT=0.4"]


# ---------------------------------------------------------------------------------------------- network


def test_network_summary(cli):
    want = cli("network", "summary", "--hops", "2", "--status-weight", "letter_of_intent=0")
    got = fissure.network_summary(hops=2, status_weight={"letter_of_intent": 0})
    assert_same(got.json, want)
    assert got["nodes"] == want["nodes"] and got["nodes"] > 0


def test_network_summary_as_of(cli):
    want = cli("network", "summary", "--as-of", "2025-06-30")
    got = fissure.network_summary(as_of="2025-06-30")
    assert_same(got.json, want)
    assert got.json != fissure.network_summary().json


def test_network_cycles(cli):
    want = cli("network", "cycles", "--max-len", "3")
    got = fissure.network_cycles(max_len=3)
    assert_same(got.json, want)
    assert got["count"] >= 1


def test_debtrank(cli):
    want = cli("network", "debtrank", "--shock", "OPENAI=0.5", "--linear", "--size", "CRWV=60")
    got = fissure.debtrank({"OPENAI": 0.5}, linear=True, size={"CRWV": 60})
    assert_same(got.json, want)
    assert 0 < got["debtrank"] <= 1


def test_clearing_files(cli, tmp_path):
    liab = tmp_path / "L.csv"
    liab.write_text("debtor,creditor,amount\nA,B,10\nB,C,8\nC,A,3\n")
    ext = tmp_path / "E.csv"
    ext.write_text("firm,external_assets,external_liabilities\nA,2,1\nB,1,0\nC,5,2\n")
    args = ["--liabilities", str(liab), "--external", str(ext), "--alpha", "0.5", "--beta", "0.9"]
    want = cli("network", "clearing", *args)
    got = fissure.clearing(liab, ext, alpha=0.5, beta=0.9)
    assert_same(got.json, want)
    assert got["defaults"], "A owes 10 with 2 + 3 to pay it: it defaults"


def test_capex(cli):
    want = cli("capex", "required-revenue", "--capex", "660", "--hurdle", "0.1", "--life", "5", "--margin", "0.5",
               "--revenue", "650")
    got = fissure.required_revenue(660, 0.1, 5, 0.5, revenue=650)
    assert_same(got.json, want)
    assert_same(fissure.capex_gap().json, cli("capex", "gap"))
    assert_same(fissure.capex_claims().json, cli("capex", "claims"))


def test_network_errors(cli):
    msg = cli("network", "debtrank", "--shock", "NOSUCH=0.5", expect_error=True)
    with pytest.raises(ValueError) as e:
        fissure.debtrank({"NOSUCH": 0.5})
    assert "NOSUCH" in str(e.value) and str(e.value) in msg
    with pytest.raises(ValueError, match="outside"):
        fissure.debtrank({"OPENAI": 1.5})
    with pytest.raises(ValueError, match="life"):
        fissure.required_revenue(660, 0.1, 0.5, 0.5)
    with pytest.raises(ValueError, match="unknown field"):
        fissure.network_summary(hopz=2)


# ---------------------------------------------------------------------------------------------- risk


def test_risk_var(cli):
    want = cli("risk", "var", *PF_ARG, "--level", "0.975", "--method", "gaussian")
    got = fissure.risk_var(PF, level=0.975, method="gaussian")
    assert_same(got.json, want)
    assert 0 < got["var"] < got["es"]


def test_risk_var_watchlist_account(cli, tmp_path):
    """the watchlist's [portfolio] with its cash and margins: the same holdings, margins included, as the CLI
    (one rule, fissure_app::watchlist_portfolio); cash given twice is refused as there."""
    wl = tmp_path / "w.toml"
    wl.write_text("[portfolio]\nSPY = 0.8\nTLT = 0.4\ncash = -0.2\nmargin = { SPY = 0.4 }\n")
    want = cli("--config", str(wl), "risk", "var")
    got = fissure.risk_var(config=str(wl))
    assert_same(got.json, want)
    spy = next(h for h in got["portfolio"]["holdings"] if h["id"] == "SPY")
    assert spy["margin"] == 0.4
    with pytest.raises(ValueError, match="give one of them"):
        fissure.risk_var(config=str(wl), cash=0.1)


def test_risk_var_prices_given(demo):
    """prices passed in (a dict of pandas Series) instead of the store: the same returns, the same VaR."""
    a = fissure.risk_var(PF, method="historical")
    b = fissure.risk_var(PF, {"SPY": demo["SPY"], "TLT": demo["TLT"]}, method="historical")
    assert a["var"] == pytest.approx(b["var"], rel=1e-12)
    assert a["es"] == pytest.approx(b["es"], rel=1e-12)


def test_risk_backtest(cli):
    args = ["--method", "historical", "--window", "250", "--as-of", "2012-12-31"]
    want = cli("risk", "backtest", *PF_ARG, *args)
    got = fissure.risk_backtest(PF, method="historical", window=250, as_of="2012-12-31")
    assert_same(got.json, want)


def test_risk_scenarios(cli):
    want = cli("risk", "scenarios", *PF_ARG, "--scenario", "covid", "--scenario", "2022-01-03:2022-10-12", "--paths")
    got = fissure.risk_scenarios(PF, scenario=["covid", "2022-01-03:2022-10-12"], paths=True)
    assert_same(got.json, want)
    assert len(got["scenarios"]) == 2


def test_risk_shock_reverse_cash(cli):
    want = cli("risk", "shock", "SPY=-10%", *PF_ARG, "--horizon", "5")
    got = fissure.risk_shock({"SPY": "-10%"}, PF, horizon=5)
    assert_same(got.json, want)
    want = cli("risk", "reverse", *PF_ARG, "--loss", "0.2", "--cov", "full")
    got = fissure.risk_reverse(0.2, PF, cov="full")
    assert_same(got.json, want)
    # levered 1.5×: 90 % SPY, 60 % TLT, cash −50 %
    want = cli("risk", "cash", "--weights", "SPY=0.9,TLT=0.6", "--cash", "-0.5", "--no-cocrash")
    got = fissure.risk_cash({"SPY": 0.9, "TLT": 0.6}, cash=-0.5, no_cocrash=True)
    assert_same(got.json, want)
    assert got["portfolio"]["leverage"] == pytest.approx(1.5)


def test_risk_errors(cli):
    msg = cli("risk", "var", "--weights", "NOSUCH=1", expect_error=True)
    with pytest.raises(ValueError) as e:
        fissure.risk_var({"NOSUCH": 1.0})
    # the CLI names the option `--weights`, Python `weights`; the library's message is the same
    assert "NOSUCH" in str(e.value) and str(e.value).split("): ", 1)[1] in msg
    with pytest.raises(ValueError, match="level"):
        fissure.risk_var(PF, level=1.5)


# ---------------------------------------------------------------------------------------------- spiral


def test_simulate_spiral(cli):
    want = cli("simulate", "spiral", "--shock", "SPX=-5%", "--paths", "60", "--steps", "5", "--seed", "7")
    got = fissure.simulate_spiral("SPX=-5%", paths=60, steps=5, seed=7)
    assert_same(got.json, want)
    base = fissure.simulate_spiral("SPX=-5%", paths=60, steps=5, seed=7, no_agents=["all"])
    assert base["amplification"]["median"] == pytest.approx(1.0)
    assert base["baseline"]["amplification_net"]["median"] == pytest.approx(1.0)
    assert got["baseline"]["margin_call_share"] >= 0.0 and "SPX" in got["baseline"]["endogenous"]
    quick = fissure.simulate_spiral("SPX=-5%", paths=60, steps=5, seed=7, no_baseline=True)
    assert quick["baseline"] is None
    assert quick["amplification"]["median"] == got["amplification"]["median"]


def test_simulate_replay(cli):
    want = cli("simulate", "replay", "2024-08-05")
    got = fissure.simulate_replay("2024-08-05")
    assert_same(got.json, want)
    with pytest.raises(ValueError, match="no_agents"):
        fissure.simulate_replay("2024-08-05", no_agents=["nosuch"])
