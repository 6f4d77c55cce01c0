"""Fissure: market-fragility signals computed by the Rust library, from pandas, polars or numpy.

Every function takes the ``fissure`` CLI's options as keyword arguments with the same names (``--min-window``
→ ``min_window``; ``--from`` → ``from_``) and returns a :class:`Result`, a mapping whose keys are the CLI's
``--json`` keys, with dated parts as DataFrames (pandas by default, polars with ``output="polars"``).
Inputs: a pandas Series with a DatetimeIndex (or a DataFrame: wide, one column per asset, or long with
``date, id, close``), a polars DataFrame with a date column, or numpy values with ``dates=``.
Computations run in Rust with the GIL released; a refusal of the library is a ``ValueError`` carrying its
message. Methods, references and checks against the peers: docs/*.md of the repository.
"""
from __future__ import annotations

import json as _json

from . import _fissure
from ._convert import date_str as _date_str
from ._convert import many_series as _many
from ._convert import one_series as _one
from ._result import Result

__version__ = _fissure.__version__

__all__ = [
    "Result",
    "psy",
    "lppls",
    "lppls_confidence",
    "valuation",
    "garch",
    "dcc",
    "correlations",
    "absorption_ratio",
    "turbulence",
    "spillover",
    "cocrash",
    "stress_index",
    "markov",
    "carry",
    "concentration",
    "rotation",
    "report",
    "scan",
    "demo",
    "demo_sections",
]

_DATE_OPTIONS = {"from", "to", "end", "as_of"}


def _options(options: dict) -> str:
    out = {}
    for k, v in options.items():
        if v is None:
            continue
        k = k[:-1] if k.endswith("_") else k
        if k in _DATE_OPTIONS:
            v = _date_str(v)
        elif hasattr(v, "__fspath__"):
            v = str(v)
        out[k] = v
    return _json.dumps(out)


def _output(options: dict) -> str:
    out = options.pop("output", None) or "pandas"
    if out not in ("pandas", "polars"):
        raise ValueError(f"output must be 'pandas' or 'polars', not {out!r}")
    return out


def _call(fn, data, options):
    output = _output(options)
    return Result.from_json(fn(data, _options(options)), output)


# ---------------------------------------------------------------------------------------------- bubble


def psy(series, *, dates=None, **options) -> Result:
    """PSY recursive right-tailed unit-root tests: ADF, SADF, GSADF, the BSADF sequence with critical values,
    p-values and dated explosive episodes (``fissure bubble psy``).

    Phillips, Shi & Yu (2015), "Testing for multiple bubbles", *International Economic Review* 56(4),
    eq. (5)-(7) (BSADF, GSADF) and §4 (date-stamping); Phillips, Wu & Yu (2011) for SADF; wild bootstrap of
    Phillips & Shi (2020), *Handbook of Statistics* 42.

    Options (CLI defaults): freq=None ('daily'|'weekly'|'monthly'), transform='log' ('log'|'none'),
    lag=None (fixed lag, default 0), ic=None ('aic'|'bic'), max_lag=6, min_window=None
    (floor((0.01 + 1.8/√T)·T)), window_convention='obs' ('obs'|'rows'), cv='mc' ('mc'|'wild'|'none'),
    cv_rule=None ('pointwise'|'exuber'|'tb'), tb=None, reps=2000, seed=123, drift_eta=None, level=95
    (90|95|99), min_duration=0.0, from_=None, to=None, mc_max_len=2600 (Monte Carlo paths are simulated on at
    most this many observations; ``cv_note`` says when); output='pandas'|'polars'.

    Keys: adf, sadf, gsadf, cv {adf, sadf, gsadf: {"90","95","99"}}, p_values, bsadf (DataFrame: date,
    value, cv), episodes (DataFrame: start, peak, end, duration, ongoing), params.
    """
    output = _output(options)
    text, columns = _fissure.psy(_one(series, dates), _options(options))
    return Result.from_json(text, output, columns)


def lppls(series, *, dates=None, **options) -> Result:
    """One LPPLS fit on the window ending at ``end`` (``fissure bubble lppls``).

    Log-periodic power law singularity model ln p(t) = A + B(tc−t)^m + C1(tc−t)^m cos(ω ln(tc−t)) +
    C2(tc−t)^m sin(ω ln(tc−t)); calibration of Filimonov & Sornette (2013), *Physica A* 392(17), eq. (8)-(10)
    (linear parameters exact, bounded search over tc, m, ω keeping the lowest SSE); qualification filter of
    Sornette et al. (2015) Table 1 ('fco') or the `lppls` package's ('lppls').

    Options: end=None, window=500, starts=8, screen=96, seed=0, filter='fco'|'lppls', rel_error='mean'|'max'.
    Keys: tc (date), tc_days, m, omega, a, b, c1, c2, sse, qualified, oscillations, damping, params.
    """
    return _call(_fissure.lppls, _one(series, dates), options)


def lppls_confidence(series, *, dates=None, **options) -> Result:
    """The LPPLS confidence indicator for every date of a range (``fissure bubble lppls-ci``).

    Share of qualified fits over windows of max_window→min_window observations (step ``step``) ending at each
    date: Sornette, Demos, Zhang, Cauwels, Filimonov & Zhang (2015), "Real-time prediction and post-mortem
    analysis of the Shanghai 2015 stock market bubble and crash", *J. Investment Strategies* 4(4) (FCO).

    Options: from_=None (60 observations before ``to``), to=None, every=1, max_window=750, min_window=125,
    step=5, starts=2, screen=16, seed=0, filter='fco'|'lppls', rel_error='mean'|'max'.
    Keys: id, dates (DataFrame: date, pos_conf, neg_conf, windows, qualified, tc_q10, tc_q50, tc_q90), params.
    """
    return _call(_fissure.lppls_confidence, _one(series, dates), options)


def valuation(series, *, vs=None, dates=None, **options) -> Result:
    """Percentile and z-score of a valuation ratio against its own history and, with ``vs``, against a reference
    series' whole history (``fissure bubble valuation``). Empirical percentile (share ≤ latest) and z-score
    about the mean; the expanding version needs ``min_history`` observations.

    Options: min_history=36; vs=a second series. Keys: id, date, latest, percentile, zscore, history,
    expanding, vs, params.
    """
    output = _output(options)
    ref = _one(vs) if vs is not None else None
    return Result.from_json(_fissure.valuation(_one(series, dates), _options(options), ref), output)


# ---------------------------------------------------------------------------------------------- contagion


def garch(series, *, dates=None, **options) -> Result:
    """GARCH(1,1) by maximum likelihood on 100 × simple daily returns (``fissure contagion garch``).

    Bollerslev (1986), *J. Econometrics* 31, eq. (5); GJR term of Glosten, Jagannathan & Runkle (1993),
    *J. Finance* 48(5); Student-t innovations of Bollerslev (1987); robust standard errors of Bollerslev &
    Wooldridge (1992) (as `arch` cov_type='robust').

    Options: from_=None, to=None, dist='normal'|'t', gjr=False, returns='simple'|'log'.
    Keys: the CLI's (id, nobs, mu, omega, alpha, gamma, beta, nu, persistence, loglik, params, std_errors,
    last_volatility, …) plus conditional_volatility {dates, value} (a dated Series).
    """
    return _call(_fissure.garch, _one(series, dates), options)


def dcc(prices, *, dates=None, names=None, **options) -> Result:
    """DCC(1,1) two-step conditional correlations (``fissure contagion dcc``): univariate GARCH(1,1) then the
    correlation step of Engle (2002), *J. Business & Economic Statistics* 20(3), eq. (26)-(29).

    Options: from_=None, to=None, dist='normal'|'t', paths=False (adds dates and each pair's path).
    Keys: names, from, to, nobs, a, b, loglik, loglik_correlation, garch, latest_correlation, qbar[, dates,
    paths].
    """
    return _call(_fissure.dcc, _many(prices, dates, names), options)


def correlations(prices, *, dates=None, names=None, **options) -> Result:
    """Correlation matrix of log returns over a rolling window or by EWMA (RiskMetrics 1996, λ = ``ewma``),
    with Fisher (1921) z bands and percentiles against its own history (``fissure contagion corr``).

    Options: from_=None, to=None, window=60, ewma=None, conf=0.95.
    Keys: names, method, as_of, from, matrix, average_pairwise, average_pairwise_percentile, pairs
    [, series {dates, corr, lower, upper, percentile} for two inputs].
    """
    return _call(_fissure.correlations, _many(prices, dates, names), options)


def absorption_ratio(prices, *, dates=None, names=None, **options) -> Result:
    """Absorption ratio: share of the variance absorbed by the first ⌈fraction·N⌉ eigenvectors of the
    exponentially weighted covariance, and its standardized shift ΔAR (``fissure contagion absorption``).
    Kritzman, Li, Page & Rigobon (2011), "Principal components as a measure of systemic risk", *J. Portfolio
    Management* 37(4), eq. (1) and (3).

    Options: from_=None, to=None, window=500, half_life=250.0, fraction=0.2.
    Keys: names, n_top, window, half_life, dates, ar, delta_ar, ar_percentile (dated Series).
    """
    return _call(_fissure.absorption_ratio, _many(prices, dates, names), options)


def turbulence(prices, *, dates=None, names=None, **options) -> Result:
    """Financial turbulence d_t = (y_t − μ)ᵀ Σ⁻¹ (y_t − μ) against a trailing window, split into magnitude and
    correlation surprise (``fissure contagion turbulence``). Kritzman & Li (2010), "Skulls, financial
    turbulence, and risk management", *Financial Analysts Journal* 66(5), eq. (1); Kinlaw & Turkington (2013)
    for the correlation surprise.

    Options: from_=None, to=None, window=500.
    Keys: names, window, dates, turbulence, normalized, magnitude, correlation_surprise, percentile.
    """
    return _call(_fissure.turbulence, _many(prices, dates, names), options)


def spillover(prices, *, dates=None, names=None, **options) -> Result:
    """Diebold–Yilmaz spillover table from a VAR(p) forecast-error variance decomposition, optionally rolling
    (``fissure contagion spillover``). Diebold & Yilmaz (2009), *Economic Journal* 119 (Cholesky); Diebold &
    Yilmaz (2012), *Int. J. Forecasting* 28(1), eq. (2)-(8) (generalized, Pesaran & Shin 1998).

    Options: from_=None, to=None, lag=2, lag_ic=None ('aic'|'bic'|'hqic'), max_lag=8, horizon=10,
    cholesky=False, rolling=None (window), step=1.
    Keys: names, p, horizon, identification, from_date, to_date, nobs, total, table, to, from, net,
    pairwise_net, edges[, rolling {window, step, dates, total, net}].
    """
    return _call(_fissure.spillover, _many(prices, dates, names), options)


def cocrash(prices, *, dates=None, names=None, **options) -> Result:
    """Cross-asset co-crash days: simultaneous large declines in units of each asset's trailing volatility,
    indiscriminate sell-offs and safe-haven failures, tail co-exceedance with equities
    (``fissure contagion cocrash``; docs/contagion.md).

    Options: from_=None, to=None, class_={id: 'equities'|'precious_metals'|'industrial_metals'|'energy'|
    'crypto'|'long_bonds'} for ids the detector does not know, threshold=1.5, vol_window=60.
    Keys: calendar, threshold_sigma, vol_window, classes, days (DataFrame), coexceedance.
    """
    return _call(_fissure.cocrash, _many(prices, dates, names), options)


# ---------------------------------------------------------------------------------------------- liquidity


def stress_index(data, *, dates=None, names=None, **options) -> Result:
    """Real-time financial stress index: the first principal component of expanding-standardized weekly
    indicators, sign-normalized, with loadings, contributions and its correlation with STLFSI4 / NFCI
    (``fissure liquidity index``). Kliesen & Smith (2010) (STLFSI), Hakkio & Keeton (2009) (KCFSI).

    ``data``: the indicator series by the watchlist's ids (HY_OAS, IG_OAS, VIX, US10Y, …, see
    ``fissure.demo()``). Options: only=[names], min_weeks=104, config=None (a watchlist TOML).
    Keys: series (DataFrame), loadings, contributions, last_date, last_value, explained_share,
    missing_indicators, correlation, config.
    """
    return _call(_fissure.stress_index, _many(data, dates, names), options)


def carry(data, *, dates=None, names=None, **options) -> Result:
    """Yen-carry-unwind indicator min(z_yen, z_vix), its dated episodes, and rolling basket betas to the 10-year
    yield and USD/JPY (``fissure liquidity carry``; docs/liquidity.md).

    Options: baskets=[names] (watchlist baskets or series ids; default ai growth value small_caps gold
    bitcoin), window=126, horizon=5, threshold=2.0, config=None.
    Keys: indicator, series (DataFrame), episodes, betas, config.
    """
    return _call(_fissure.carry, _many(data, dates, names), options)


def markov(series, *, dates=None, **options) -> Result:
    """Markov-switching regression / autoregression fitted by EM then BFGS from several starts, with the
    Hamilton (1989) filter and the Kim (1994) smoother (``fissure regime markov``); statsmodels'
    parameterisation. Hamilton (1989), *Econometrica* 57(2), §4; Kim (1994), *J. Econometrics* 60.

    Options: k=2, order=0, switching_variance=False, switching_ar=False, returns=None ('log'|'simple'),
    scale=1.0, weekly=False, from_=None, to=None, starts=3, seed=20240805.
    Keys: series, nobs, k, order, param_names, params, std_errors, loglik, aic, bic, transition,
    expected_durations, converged, regime_order, filtered, smoothed (DataFrames: date, p).
    """
    return _call(_fissure.markov, _one(series, dates), options)


# ---------------------------------------------------------------------------------------------- structure


def concentration(snapshots, **options) -> Result:
    """Market-cap concentration per snapshot: issuer-merged shares, top-k shares, Herfindahl–Hirschman index
    HHI = Σ s_i², effective number 1/HHI, Magnificent 7 share (``fissure structure concentration``).
    Herfindahl (1950); Hirschman (1964); Adelman (1969).

    ``snapshots``: a long frame with columns date, symbol, value [, name] (pandas or polars; see
    ``fissure.demo_sections()``). Options: field='market_cap_usd_bn' (the label), sum_classes=False, top=10.
    Keys: latest, leaders, history (DataFrame), merge_rule.
    """
    import numpy as np

    from ._convert import _days

    output = _output(options)
    df = snapshots
    if type(df).__module__.startswith("polars"):
        df = df.to_pandas()
    for c in ("date", "symbol", "value"):
        if c not in df.columns:
            raise ValueError(f"snapshots need a `{c}` column (columns: {list(df.columns)})")
    import pandas as pd

    days = _days(pd.DatetimeIndex(df["date"]))
    names = [None if (n is None or (isinstance(n, float) and np.isnan(n))) else str(n) for n in df["name"]] if "name" in df.columns else [None] * len(df)
    text = _fissure.concentration(
        days, [str(s) for s in df["symbol"]], names, np.ascontiguousarray(df["value"].to_numpy(dtype=float)), _options(options)
    )
    return Result.from_json(text, output)


def rotation(prices, *, dates=None, names=None, **options) -> Result:
    """Rotation: relative-strength ratios of geometric baskets, momentum, z-scores, breakouts, and
    high-cut-low days (``fissure structure rotation``; docs/structure.md).

    Options: ratios=['NUM/DEN', 'A+B/C', …] (default: the library's pairs), momentum=63, window=252.
    Keys: ratios (each with history), high_cut_low_days, config, skipped (ratios that could not be formed,
    with the reason).
    """
    return _call(_fissure.rotation, _many(prices, dates, names), options)


# ---------------------------------------------------------------------------------------------- report


def report(**options) -> Result:
    """The full report (``fissure report --json``): every family on the bundled data (default) or a store,
    ``report.html``, ``report.json`` and ``charts/*.svg`` written to ``out``; returns the JSON.

    Options: out='fissure-report', as_of=None, lang=None ('en'|'zh'), store=None (a store file),
    config=None (a watchlist TOML).
    """
    output = _output(options)
    return Result.from_json(_fissure.report(_options(options)), output)


# ---------------------------------------------------------------------------------------------- data


def demo(output: str = "pandas"):
    """The bundled real data set (data/demo, embedded in the library): ``{id: Series}``; each pandas Series
    carries its metadata in ``.attrs``. With output='polars', ``{id: DataFrame(date, value)}``."""
    raw = _fissure.demo_data()["series"]
    out = {}
    for k, (days, values, meta) in raw.items():
        d = days.view("datetime64[D]")
        if output == "polars":
            import polars as pl

            out[k] = pl.DataFrame({"date": d, k: values})
        else:
            import pandas as pd

            s = pd.Series(values, index=pd.DatetimeIndex(d.astype("datetime64[ns]"), name="date"), name=k)
            s.attrs.update(meta)
            out[k] = s
    return out


def demo_sections(field: str | None = "market_cap_usd_bn"):
    """The bundled cross-sections (S&P 500 market-cap snapshots) as a long pandas DataFrame
    (id, field, date, symbol, name, value), filtered to ``field`` (None: all)."""
    import pandas as pd

    sec = _fissure.demo_data()["sections"]
    df = pd.DataFrame({k: v for k, v in sec.items()})
    df["date"] = pd.to_datetime(df["date"].to_numpy().view("datetime64[D]"))
    if field is not None:
        df = df[df["field"] == field].reset_index(drop=True)
    return df


from .scan import scan  # noqa: E402
