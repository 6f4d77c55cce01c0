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
    "network_summary",
    "network_cycles",
    "debtrank",
    "clearing",
    "capex_gap",
    "required_revenue",
    "capex_claims",
    "risk_var",
    "risk_backtest",
    "risk_scenarios",
    "risk_shock",
    "risk_reverse",
    "risk_cash",
    "simulate_spiral",
    "simulate_replay",
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
    Keys: ratios (each with history), high_cut_low_days (None when they cannot be computed, the reason in
    high_cut_low_note), config, skipped (ratios that could not be formed, with the reason).
    """
    return _call(_fissure.rotation, _many(prices, dates, names), options)


# ---------------------------------------------------------------------------------------------- network

_BOOK_DOC = """The deal book: the store's book ``book='ai'`` (``store=None``: the bundled data), or files
    ``deals=``/``firms=`` (CSV, see docs/network.md), with optional ``claims=`` and ``fundamentals=`` files;
    ``as_of=`` sees the book as it was known on that date, ``revision=`` a stored revision."""


def _call_store(fn, options):
    output = _output(options)
    return Result.from_json(fn(_options(options)), output)


def network_summary(**options) -> Result:
    """The deal network at once (``fissure network summary``): nodes, edges, strongly connected components
    (Tarjan 1972), the maximum circulation, elementary cycles (Johnson 1975), round-trip revenue (plain and
    status-weighted), counterparty concentration (HHI) of inflows, commitments against size (docs/network.md).

    Options: hops=3 (in [1, 10]), max_len=None (≥ 2), status_weight={'letter_of_intent': 0.1, …}
    (STATUS → weight in [0, 1]), and the book's options. """ + _BOOK_DOC + """

    Keys: nodes, edges, deals, sccs, circulation, cycles, cycle_count, round_trip, concentration, commitments, ….
    """
    return _call_store(_fissure.network_summary, options)


def network_cycles(**options) -> Result:
    """Every elementary cycle of the deal graph (``fissure network cycles``), Johnson (1975) "Finding all the
    elementary circuits of a directed graph", *SIAM J. Computing* 4(1); exact length-bounded search.

    Options: max_len=None (≥ 2), limit=10000 (listed; all are counted), and the book's options.

    Keys: count, listed, max_len, cycles (nodes, bottleneck_usd_bn, total_usd_bn, undisclosed_edges).
    """
    return _call_store(_fissure.network_cycles, options)


def debtrank(shock, **options) -> Result:
    """DebtRank of initial equity losses (``fissure network debtrank``): Battiston, Puliga, Kaushik, Tasca &
    Caldarelli (2012), "DebtRank: too central to fail?", *Scientific Reports* 2:541; linear DebtRank
    (``linear=True``) of Bardoscia, Battiston, Caccioli & Caldarelli (2015), *PLoS ONE* 10(6).

    ``shock``: {FIRM: loss in [0, 1]} (the CLI's ``--shock FIRM=LOSS``). Options: linear=False,
    size={FIRM: USD bn} (sizes unknown in the book, or overrides), exposures=/equity= (generic CSV files
    ``lender,borrower,amount`` and ``firm,equity`` instead of the deal book), and the book's options.

    Keys: variant, shocks, debtrank, h (firm → relative equity loss), rounds, converged, equity_loss_usd_bn,
    initial_loss_usd_bn, defaults, price_shocks, unknown_size, deals_without_amount.
    """
    return _call_store(_fissure.debtrank, dict(options, shock=dict(shock)))


def clearing(liabilities, external, **options) -> Result:
    """Eisenberg & Noe (2001) clearing, "Systemic risk in financial systems", *Management Science* 47(2), with
    the default costs of Rogers & Veraart (2013), *Management Science* 59(4) (``fissure network clearing``).

    ``liabilities``: CSV file ``debtor,creditor,amount``; ``external``: CSV file
    ``firm,external_assets,external_liabilities``. Options: alpha=1, beta=1 (shares realised in default, in
    [0, 1]), senior_external=False.

    Keys: payments, interbank_payments, equity, defaults, recovery, rounds, alpha, beta, external_liabilities.
    """
    return _call_store(_fissure.clearing, dict(options, liabilities=liabilities, external=external))


def capex_gap(**options) -> Result:
    """Capex intensity by firm and period (``fissure capex gap``): capex / revenue, capex / operating cash
    flow, cash flow after capex, AI revenue / capex, from a fundamentals table (``fundamentals=FILE``; the
    bundle has no audited statements, so without one ``rows`` is empty and ``note`` says why).

    Options: the book's options. Keys: rows, note.
    """
    return _call_store(_fissure.capex_gap, options)


def required_revenue(capex, hurdle, life, margin, **options) -> Result:
    """The annual revenue at which capex C earns the hurdle r over a life of n years at operating margin m
    (``fissure capex required-revenue``): annuity C·r/(1−(1+r)^−n)/m (capital-recovery factor) or
    straight-line C·(1/n + r)/m; a sensitivity grid; with ``revenue=`` the break-even margins and the implied
    life (docs/network.md).

    Options: method='annuity' ('annuity'|'straight-line'), revenue=None (USD bn a year).

    Keys: required_revenue_usd_bn, method, capex_usd_bn, hurdle, life_years, margin, other_method,
    sensitivity, break_even.
    """
    return _call_store(
        _fissure.required_revenue, dict(options, capex=capex, hurdle=hurdle, life=life, margin=margin)
    )


def capex_claims(**options) -> Result:
    """Every claim of the claims table checked against the data or the arithmetic (``fissure capex
    claims``): consistent, inconsistent, or not checkable here, with the reason (docs/network.md).

    Options: the book's options (``claims=FILE`` replaces the book's claims). Keys: claims, consistent,
    inconsistent, not_checkable, note.
    """
    return _call_store(_fissure.capex_claims, options)


# ---------------------------------------------------------------------------------------------- risk

_PORTFOLIO_DOC = """Portfolio: ``weights`` {id: weight} (a dict or a pandas Series; order kept) with
    ``cash=0`` (share of equity, negative = borrowed) and ``normalise=False``, or ``portfolio=FILE`` (CSV
    ``id,weight`` or ``id,quantity``, optional ``margin``, a ``CASH`` row), or None: the watchlist's
    ``[portfolio]`` (``config=FILE``). Prices: ``prices`` (series, a wide frame, …: the CLI's ``--file``;
    read as USD) and, for every other id, the store (``store=None``: the bundled data). ``as_of=`` the
    valuation date."""


def _risk(fn, weights, prices, dates, names, options):
    output = _output(options)
    if weights is not None:
        items = weights.items() if hasattr(weights, "items") else weights
        options["weights"] = [[str(k), float(v)] for k, v in items]
    data = [] if prices is None else _many(prices, dates, names)
    return Result.from_json(fn(data, _options(options)), output)


def risk_var(weights=None, prices=None, *, dates=None, names=None, **options) -> Result:
    """Portfolio Value-at-Risk and Expected Shortfall with Euler contributions by asset and basket
    (``fissure risk var``): historical, Gaussian, Cornish–Fisher, filtered historical simulation (Barone-Adesi,
    Giannopoulos & Vosper 1999, with GARCH-DCC), EVT (GPD over a threshold; McNeil & Frey 2000); Euler
    allocation of Tasche (1999) (docs/risk.md).

    Options: level=0.99 (in (0.5, 1)), horizon=1 (1..250 days), method='historical'
    ('historical'|'gaussian'|'cornish-fisher'|'fhs'|'evt'|'all'), lookback=1000 (0 = all, else ≥ 250),
    evt_tail=0.1, sims=10000, corr='dcc' ('dcc'|'constant'), seed=42. """ + _PORTFOLIO_DOC + """

    Keys: one method's result (method, var, es, components, baskets, …) with ``portfolio``, or
    {portfolio, results} with method='all'.
    """
    return _risk(_fissure.risk_var, weights, prices, dates, names, options)


def risk_backtest(weights=None, prices=None, *, dates=None, names=None, **options) -> Result:
    """Rolling out-of-sample VaR/ES backtests (``fissure risk backtest``): Kupiec (1995) unconditional
    coverage, Christoffersen (1998) independence and conditional coverage, the Basel traffic light, the
    Acerbi & Székely (2014) Z2 test of ES, and the FZ0 loss of Patton, Ziegel & Chen (2019) for the ranking.

    Options: method='all', window=500 (100..5000), level=0.99, refit=21 (1..250), sims=1000, evt_tail=0.1,
    seed=42. """ + _PORTFOLIO_DOC + """

    Keys: portfolio, level, window, methods (one per method: exceptions, kupiec, christoffersen,
    traffic_light, es_test, fz0, rank, …).
    """
    return _risk(_fissure.risk_backtest, weights, prices, dates, names, options)


def risk_scenarios(weights=None, prices=None, *, dates=None, names=None, **options) -> Result:
    """Today's holdings replayed through historical sell-offs (``fissure risk scenarios``): built-in
    episodes, FROM:TO windows and the co-crash days of the contagion detector; missing histories are proxied
    by regression on factors (docs/risk.md).

    Options: scenario=['covid', '2022-01-03:2022-10-12', …] (default: every built-in episode and the co-crash
    days), no_cocrash=False, paths=False (each scenario's P&L path). """ + _PORTFOLIO_DOC + """

    Keys: portfolio, scenarios (name, start, end, pnl_pct, worst_pct, worst_date, contributions, proxies,
    path), skipped (with the reason).
    """
    return _risk(_fissure.risk_scenarios, weights, prices, dates, names, options)


def risk_shock(shocks, weights=None, prices=None, *, dates=None, names=None, **options) -> Result:
    """Conditional stress test (``fissure risk shock``): the expected moves of the other assets and of the
    portfolio given shocks, by the conditional Gaussian (Kim & Finger 2000) on the full-sample or co-crash
    (stressed) covariance, or a Student-t copula (Demarta & McNeil 2005) simulated.

    ``shocks``: {id: move} or ['ID=MOVE', …] with moves as the CLI's ('-20%', '+50bp', or a number); basket
    names of the watchlist are allowed. Options: cov='full' ('full'|'stressed'|'t'), horizon=10 (days),
    sims=10000, seed=42. """ + _PORTFOLIO_DOC + """

    Keys: portfolio_holdings, cov, horizon, shocks, assets, portfolio, observations, nu.
    """
    if hasattr(shocks, "items"):
        shocks = [f"{k}={v}" for k, v in shocks.items()]
    return _risk(_fissure.risk_shock, weights, prices, dates, names, dict(options, shocks=list(shocks)))


def risk_reverse(loss, weights=None, prices=None, *, dates=None, names=None, **options) -> Result:
    """Reverse stress test (``fissure risk reverse``): the most plausible move (smallest Mahalanobis
    distance) that costs ``loss`` (a fraction of equity, in (0, 1]) — Breuer, Jandačka, Rheinberger & Summer
    (2009), "How to find plausible, severe and useful stress scenarios", *IJCB* 5(3).

    Options: cov='stressed' ('stressed'|'full'), horizon=10. """ + _PORTFOLIO_DOC + """

    Keys: portfolio, loss, horizon, cov, mahalanobis, probability, moves, observations.
    """
    return _risk(_fissure.risk_reverse, weights, prices, dates, names, dict(options, loss=loss))


def risk_cash(weights=None, prices=None, *, dates=None, names=None, **options) -> Result:
    """Cash buffer (``fissure risk cash``): the cash share that avoids a margin call in each replayed
    scenario, and the check of the 15–20 % cash advice at several leverages (docs/risk.md).

    Options: no_cocrash=False, leverage=[1, 1.25, 1.5, 2, 3] (each in [1, 10]). """ + _PORTFOLIO_DOC + """

    Keys: portfolio, required_cash_share, scenarios, advice, skipped.
    """
    return _risk(_fissure.risk_cash, weights, prices, dates, names, options)


# ---------------------------------------------------------------------------------------------- spiral


def simulate_spiral(shock="SPX=-0.05", **options) -> Result:
    """Liquidity-spiral Monte Carlo (``fissure simulate spiral``): a shock with trend followers, vol
    targeters, margin-constrained investors, yen-carry traders and liquidity providers; amplification against
    the no-agent counterfactual on the same random numbers. Brunnermeier & Pedersen (2009), "Market liquidity
    and funding liquidity", *RFS* 22(6); price impact of Bouchaud et al. / Cont & Schaanning (2017)
    (docs/spiral.md). The market state is estimated from the store (``store=None``: the bundled data).

    ``shock``: 'ASSET=MOVE' or a list of them ('SPX=-5%', 'US10Y=+25bp', 'USDJPY=-3%'). Options:
    agents=None (parameter TOML), no_agents=[] ('cta', 'vol_target', 'margin', 'carry', 'liquidity',
    'leverage', 'all'), as_of=None, paths=None (default 2000), steps=None (20), seed=None,
    exogenous=None ('gaussian'|'bootstrap'|'none'), impact=None ('sqrt'|'exponential'|'linear'),
    no_propagation=False, no_baseline=False (skip the no-shock run behind ``baseline``; it doubles the work).

    Keys: amplification, amplification_note, baseline (the same paths without the shock: the agents' part of
    each asset's return, forced sales, margin-call share, and amplification_net, the amplification net of that
    drift; None with no_baseline), returns (per asset, with bands by day), flows, forced_sales, margin_calls,
    stop_triggers, floor_hit_paths, impact_bound_paths, start_date, params.
    """
    shocks = [shock] if isinstance(shock, str) else list(shock)
    return _call_store(_fissure.simulate_spiral, dict(options, shock=shocks))


def simulate_replay(date, **options) -> Result:
    """Replays a real day (``fissure simulate replay``; 2024-08-05, 2026-02-12): its exogenous inputs on the
    previous close's state, compared with what the market did (docs/spiral.md).

    Options: agents=None, no_agents=[], store=None. Keys: date, previous_date, title, rationale, exogenous,
    factor_bound, all_signs_match, max_factor, within_factor, assets, flows, forced_sales, stop_triggers,
    missing, agents_removed.
    """
    return _call_store(_fissure.simulate_replay, dict(options, date=_date_str(date)))


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
