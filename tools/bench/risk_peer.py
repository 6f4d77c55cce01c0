"""The Python peers of tools/bench/risk.sh, on the inputs crates/risk/examples/risk_timing.rs writes.
Prints `name seconds [extra]` lines (best of several runs, like the Rust side).

A  historical + Cornish-Fisher VaR/ES with Euler components, 1000 assets x 5000 days: numpy
   (vectorised; the order-statistic and moment-gradient formulas of docs/risk.md), plus
   riskfolio-lib VaR_Hist/CVaR_Hist and quantstats value_at_risk for the totals only, and riskfolio-lib's
   Risk_Contribution (rm='VaR' and 'CVaR', finite differences) against Fissure's historical estimator alone.
B  FHS on 50 assets x 2000 days, 10,000 paths x 10 days: arch 8.0.0 GARCH(1,1) per asset +
   a vectorised numpy bootstrap of residual rows (constant correlation).
C  rolling backtest over 5040 S&P 500 days, window 500: numpy quantile, Gaussian, Cornish-Fisher,
   FHS (arch refit every 21 days), EVT (scipy genpareto.fit each day), Kupiec/Christoffersen and a
   Z2 null of 1000 draws per method.
"""
import os
import sys
import time
import warnings

import numpy as np
from scipy import stats

warnings.filterwarnings("ignore")
D = os.environ.get("FISSURE_BENCH_DIR", "/tmp/fissure-risk-bench")


def best_of(n, f):
    best, out = float("inf"), None
    for _ in range(n):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def hist_components(x, w, level):
    loss = -(x @ w)
    t = len(loss)
    idx = np.argsort(loss, kind="stable")
    h = (t - 1) * level
    k = int(np.floor(h))
    g = h - k
    hi = min(k + 1, t - 1)
    var = loss[idx[k]] + g * (loss[idx[hi]] - loss[idx[k]])
    comp = -w * ((1 - g) * x[idx[k]] + g * x[idx[hi]])
    tail = loss >= var - 1e-14 * abs(var)
    es = loss[tail].mean()
    es_comp = -(w * x[tail]).mean(axis=0)
    return var, es, comp, es_comp


def cf_components(x, w, level):
    t = x.shape[0]
    mu = x.mean(axis=0)
    d = x - mu
    dp = d @ w
    m2, m3, m4 = (dp**2).mean(), (dp**3).mean(), (dp**4).mean()
    c2, c3, c4 = d.T @ dp / t, d.T @ dp**2 / t, d.T @ dp**3 / t
    s, kk = m3 / m2**1.5, m4 / m2**2 - 3
    z = stats.norm.ppf(1 - level)
    q = z + (z * z - 1) * s / 6 + (z**3 - 3 * z) * kk / 24 - (2 * z**3 - 5 * z) * s * s / 36
    sig = np.sqrt(m2)
    var = -(mu @ w) - sig * q
    dq_ds = (z * z - 1) / 6 - 2 * (2 * z**3 - 5 * z) * s / 36
    dq_dk = (z**3 - 3 * z) / 24
    dsk = 3 * c3 / m2**1.5 - 3 * m3 * c2 / m2**2.5
    dku = 4 * c4 / m2**2 - 4 * m4 * c2 / m2**3
    comp = w * (-mu - c2 / sig * q - sig * (dq_ds * dsk + dq_dk * dku))
    return var, comp


def bench_a():
    w = np.fromfile(os.path.join(D, "a_w.bin"))
    x = np.fromfile(os.path.join(D, "a_x.bin")).reshape(-1, len(w))
    sec, (h, c) = best_of(3, lambda: (hist_components(x, w, 0.99), cf_components(x, w, 0.99)))
    print(f"hist_cf_1000x5000 {sec:.6f} hvar={h[0]:.8f} hes={h[1]:.8f} cfvar={c[0]:.8f}")
    import riskfolio as rf
    import quantstats as qs
    import pandas as pd

    rp = x @ w
    sec, _ = best_of(3, lambda: (rf.RiskFunctions.VaR_Hist(rp, 0.01), rf.RiskFunctions.CVaR_Hist(rp, 0.01),
                                 qs.stats.value_at_risk(pd.Series(rp), 1, 0.99)))
    print(f"totals_only_riskfolio_quantstats {sec:.6f}")
    # riskfolio-lib's own risk contributions (finite differences over the weights, one historical VaR/CVaR
    # evaluation per bumped weight): the named peer doing the historical part of this work.
    X, W = pd.DataFrame(x), pd.DataFrame(w)
    sec, (rv, rc) = best_of(1, lambda: (rf.RiskFunctions.Risk_Contribution(W, X, rm="VaR", alpha=0.01),
                                       rf.RiskFunctions.Risk_Contribution(W, X, rm="CVaR", alpha=0.01)))
    print(f"hist_euler_1000x5000 {sec:.6f} sum_es_parts={np.asarray(rc).sum():.8f} "
          f"sum_var_parts={np.asarray(rv).sum():.8f} (riskfolio-lib Risk_Contribution VaR + CVaR)")


def bench_b():
    from arch import arch_model

    x = np.fromfile(os.path.join(D, "b_x.bin")).reshape(-1, 50)
    w = np.full(50, 1 / 50)

    def fits():
        params, z, s2n = [], [], []
        for j in range(50):
            res = arch_model(100 * x[:, j], mean="Constant", vol="GARCH", p=1, q=1).fit(disp="off")
            p = res.params
            params.append((p["mu"], p["omega"], p["alpha[1]"], p["beta[1]"]))
            z.append(res.std_resid)
            s2n.append(res.forecast(horizon=1, reindex=False).variance.values[-1, 0])
        return params, z, s2n

    def run():
        params, z, s2n = fits()
        P = np.array(params)
        Z = np.column_stack(z)
        rng = np.random.default_rng(42)
        s2 = np.tile(np.array(s2n), (10000, 1))
        g = np.zeros((10000, 50))
        for _ in range(10):
            e = Z[rng.integers(0, Z.shape[0], 10000)]
            eps = np.sqrt(s2) * e
            g += np.log1p((P[:, 0] + eps) / 100)
            s2 = P[:, 1] + P[:, 2] * eps**2 + P[:, 3] * s2
        sims = np.expm1(g)
        return np.quantile(-(sims @ w), 0.99)

    sec, _ = best_of(1, fits)
    print(f"fhs_garch_fits_only {sec:.6f}")
    sec, var = best_of(1, run)
    print(f"fhs_50x10000x10 {sec:.6f} var={var:.6f}")


def bench_c():
    from arch import arch_model

    r = np.fromfile(os.path.join(D, "c_r.bin"))
    loss = -r
    W, lvl, p = 500, 0.99, 0.01
    T = len(r)
    days = range(W, T)
    rng = np.random.default_rng(42)

    def tests(v, e, L, draw):
        hit = L > v
        x, n = hit.sum(), len(hit)
        lr = -2 * (stats.binom.logpmf(x, n, p) - stats.binom.logpmf(x, n, x / n if x else 1e-300))
        pair = hit[:-1] * 2 + hit[1:]
        cnt = np.bincount(pair, minlength=4)
        z2 = 1 - (L * hit / e).sum() / (n * p)
        sims = draw(1000)  # 1000 x n
        z2s = 1 - ((sims > v) * sims / e).sum(axis=1) / (n * p)
        return x, lr, cnt, z2, (z2s <= z2).mean()

    def run():
        out = {}
        # historical
        v = np.array([np.quantile(loss[t - W:t], lvl) for t in days])
        e = np.array([loss[t - W:t][loss[t - W:t] >= q].mean() for t, q in zip(days, v)])
        starts = np.arange(W, T) - W
        out["historical"] = tests(v, e, loss[W:], lambda m: loss[starts + rng.integers(0, W, (m, len(starts)))])
        # gaussian
        mu = np.array([r[t - W:t].mean() for t in days])
        sd = np.array([r[t - W:t].std(ddof=1) for t in days])
        z = stats.norm.ppf(lvl)
        out["gaussian"] = tests(-mu + sd * z, -mu + sd * stats.norm.pdf(z) / p, loss[W:],
                                lambda m: -(mu + sd * rng.standard_normal((m, len(mu)))))
        # cornish-fisher
        vs, es, prm = [], [], []
        zl = stats.norm.ppf(p)
        ph, i0 = stats.norm.pdf(zl), stats.norm.cdf(zl)
        i1 = -ph
        i2 = -zl * ph + i0
        i3 = -zl * zl * ph + 2 * i1
        for t in days:
            xx = r[t - W:t]
            m_, s_ = xx.mean(), xx.std()
            sk, ku = stats.skew(xx), stats.kurtosis(xx)
            q = zl + (zl**2 - 1) * sk / 6 + (zl**3 - 3 * zl) * ku / 24 - (2 * zl**3 - 5 * zl) * sk**2 / 36
            vs.append(-m_ - s_ * q)
            et = (i1 + sk / 6 * (i2 - i0) + ku / 24 * (i3 - 3 * i1) - sk**2 / 36 * (2 * i3 - 5 * i1)) / i0
            es.append(-m_ - s_ * et)
            prm.append((m_, s_, sk, ku))
        prm = np.array(prm)

        def cf_draw(m):
            zz = rng.standard_normal((m, len(prm)))
            sk, ku = prm[:, 2], prm[:, 3]
            zc = zz + (zz**2 - 1) * sk / 6 + (zz**3 - 3 * zz) * ku / 24 - (2 * zz**3 - 5 * zz) * sk**2 / 36
            return -(prm[:, 0] + prm[:, 1] * zc)

        out["cornish-fisher"] = tests(np.array(vs), np.array(es), loss[W:], cf_draw)
        # FHS: arch refit every 21 days, filter forward
        vs, es, sig, mus, zz = [], [], [], [], []
        for t0 in range(W, T, 21):
            res = arch_model(100 * r[t0 - W:t0], mean="Constant", vol="GARCH", p=1, q=1).fit(disp="off")
            mu_, om, al, be = res.params
            zr = np.sort(res.std_resid)
            q = np.quantile(zr, p)
            tm = zr[zr <= q].mean()
            s2 = res.forecast(horizon=1, reindex=False).variance.values[-1, 0]
            for t in range(t0, min(t0 + 21, T)):
                s = np.sqrt(s2)
                vs.append(-(mu_ + s * q) / 100)
                es.append(-(mu_ + s * tm) / 100)
                sig.append(s)
                mus.append(mu_)
                zz.append(zr)
                e_ = 100 * r[t] - mu_
                s2 = om + al * e_**2 + be * s2
        sig, mus = np.array(sig), np.array(mus)
        out["fhs"] = tests(np.array(vs), np.array(es), loss[W:],
                           lambda m: -(mus + sig * np.array([zr[rng.integers(0, W, m)] for zr in zz]).T) / 100)
        # EVT: GPD on the worst 10 % of each window
        vs, es, prm = [], [], []
        for t in days:
            xx = loss[t - W:t]
            u = np.quantile(xx, 0.9)
            ex = xx[xx > u] - u
            c, _, b = stats.genpareto.fit(ex, floc=0)
            pu = len(ex) / W
            vv = u + b / c * (((1 - lvl) / pu) ** (-c) - 1)
            vs.append(vv)
            es.append((vv + b - c * u) / (1 - c))
            prm.append((u, c, b))
        prm = np.array(prm)

        def evt_draw(m):
            l0 = loss[starts + rng.integers(0, W, (m, len(starts)))]
            uu = rng.random((m, len(starts)))
            g = prm[:, 0] + prm[:, 2] / prm[:, 1] * ((1 - uu) ** (-prm[:, 1]) - 1)
            return np.where(l0 > prm[:, 0], g, l0)

        out["evt"] = tests(np.array(vs), np.array(es), loss[W:], evt_draw)
        return out

    sec, out = best_of(1, run)
    print(f"backtest_20y_all {sec:.6f} " + ",".join(f"{k}={v[0]}" for k, v in out.items()))


if __name__ == "__main__":
    which = sys.argv[1:] or ["a", "b", "c"]
    for w in which:
        {"a": bench_a, "b": bench_b, "c": bench_c}[w]()
