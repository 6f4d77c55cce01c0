"""Writes quickstart.ipynb (run: python examples/python/make_quickstart.py). CI executes the notebook with nbclient."""
from pathlib import Path

import nbformat as nbf

cells = [
    ("md", """# Fissure from Python: quickstart

`pip install fissure` (or `maturin develop --release` in `crates/python`). Every function takes the CLI's options as
keyword arguments and returns a mapping with the CLI's JSON keys; dated parts are pandas DataFrames (`output="polars"`
for polars). This notebook loads the bundled real data, runs each family, plots with matplotlib and scans a universe."""),
    ("code", """import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import fissure

data = fissure.demo()              # {id: pandas Series}, the bundled data set (data/demo)
print(len(data), "series, e.g.", list(data)[:8])
data["IXIC"].tail()"""),
    ("md", "## Bubbles: PSY (GSADF) with Monte Carlo critical values, LPPLS, valuation"),
    ("code", """r = fissure.psy(data["IXIC"], freq="weekly", from_="1994-01-07", to="2000-12-29", min_window=36, reps=500)
print("GSADF", round(r["gsadf"], 3), "95% cv", round(r["cv"]["gsadf"]["95"], 3), "p", r["p_values"]["gsadf"])
ax = r["bsadf"].plot(y=["value", "cv"], figsize=(8, 3), title="NASDAQ weekly: BSADF and its 95% critical value")
r["episodes"]"""),
    ("code", """fit = fissure.lppls(data["IXIC"], end="2000-03-10", window=500)
print({k: fit[k] for k in ["tc", "m", "omega", "qualified"]})
ci = fissure.lppls_confidence(data["IXIC"], from_="2000-01-03", to="2000-03-10", every=5)
ci["dates"][["pos_conf", "neg_conf"]].plot(figsize=(8, 3), title="LPPLS confidence indicator")
v = fissure.valuation(data["CAPE"], vs=data["SHILLER.cape"])
print("CAPE", v["latest"], "percentile", round(v["percentile"], 1))"""),
    ("md", "## Contagion: GARCH, DCC, correlations, absorption ratio, turbulence, spillovers, co-crash days"),
    ("code", """g = fissure.garch(data["SPX"], from_="2010-01-01", dist="t")
print("GARCH-t persistence", round(g["persistence"], 4))
g["conditional_volatility"]["value"].plot(figsize=(8, 3), title="S&P 500 conditional volatility (% daily)")
assets = {k: data[k] for k in ["SPY", "QQQ", "IWM", "XLK", "XLF", "XLE", "XLU", "TLT", "GLD", "HYG"]}
ar = fissure.absorption_ratio(assets, window=250)
t = fissure.turbulence(assets, window=500)
fig, axes = plt.subplots(1, 2, figsize=(10, 3))
ar["ar"].plot(ax=axes[0], title="Absorption ratio")
t["turbulence"].plot(ax=axes[1], title="Turbulence", logy=True)
d = fissure.dcc({k: data[k] for k in ["SPY", "TLT", "GLD"]}, from_="2015-01-01")
pd.DataFrame(d["latest_correlation"], index=d["names"], columns=d["names"])"""),
    ("code", """sp = fissure.spillover({k: data[k] for k in ["SPY", "TLT", "GLD", "SLV", "XLE", "HYG"]}, rolling=200, step=5)
print("total spillover", round(sp["total"], 1), "%")
sp["rolling"]["total"].plot(figsize=(8, 3), title="Rolling Diebold–Yilmaz total spillover (%)")
cc = fissure.cocrash({k: data[k] for k in ["SPY", "QQQ", "GLD", "SLV", "COPPER", "WTI", "XLE", "BTC", "ETH", "TLT"]}, from_="2025-01-01")
cc["days"].head()"""),
    ("md", "## Liquidity and regimes: stress index, carry unwind, Markov switching"),
    ("code", """st = fissure.stress_index(data)
st["series"]["value"].plot(figsize=(8, 3), title="Fissure financial stress index (weekly, real time)")
print("last", st["last_date"], round(st["last_value"], 2), "correlations", dict(st["correlation"].json))
ca = fissure.carry(data)
print("carry-unwind indicator", ca["indicator"].json)
mk = fissure.markov(data["SPX"], weekly=True, returns="log", scale=100, from_="2005-01-01", switching_variance=True)
p_high = mk["smoothed"]["p"].map(lambda p: p[1])
p_high.plot(figsize=(8, 3), title="P(high-variance regime), S&P 500 weekly")"""),
    ("md", "## Structure: concentration and rotation"),
    ("code", """c = fissure.concentration(fissure.demo_sections())
print("top-10 share", c["latest"]["top_k"], "HHI", round(c["latest"]["hhi"], 4))
c["history"][["hhi", "group_share"]].plot(figsize=(8, 3), title="Concentration of the S&P 500", secondary_y="group_share")
rot = fissure.rotation(data)
pd.DataFrame([{k: x[k] for k in ["name", "date", "ratio", "momentum_pct", "z"]} for x in rot.json["ratios"]])"""),
    ("md", """## A universe scan

`fissure.scan` runs GSADF on every column (Monte Carlo critical values simulated once per distinct length and
shared). `engine="dask", client=Client(...)` spreads the columns over a Dask cluster with identical results."""),
    ("code", """universe = {k: data[k] for k in ["SPY", "QQQ", "IWM", "XLK", "XLF", "XLE", "XLU", "TLT", "GLD", "SLV", "HYG", "NVDA", "MSFT", "AAPL"]}
table = fissure.scan(universe, method="gsadf", freq="weekly", from_="2015-01-01", reps=300)
table[["n", "gsadf", "gsadf_cv95", "p_gsadf", "explosive", "ongoing", "last_episode_start"]].sort_values("gsadf", ascending=False)"""),
    ("code", """from dask.distributed import Client, LocalCluster
import warnings
warnings.simplefilter("ignore")
with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, Client(cluster) as client:
    on_dask = fissure.scan(universe, method="gsadf", engine="dask", client=client, freq="weekly", from_="2015-01-01", reps=300)
assert on_dask.equals(table)
print("Dask scan identical to the local scan:", on_dask.equals(table))"""),
    ("md", "## The report\n`fissure.report(out=...)` writes the HTML report and returns its JSON."),
    ("code", """import tempfile, os
out = tempfile.mkdtemp()
rep = fissure.report(out=out, as_of="2020-03-20")
print(sorted(rep)[:10], os.path.getsize(os.path.join(out, "report.html")), "bytes of HTML")"""),
]
nb = nbf.v4.new_notebook()
nb["cells"] = [nbf.v4.new_markdown_cell(s) if k == "md" else nbf.v4.new_code_cell(s) for k, s in cells]
nb["metadata"]["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
Path(__file__).with_name("quickstart.ipynb").write_text(nbf.writes(nb))
