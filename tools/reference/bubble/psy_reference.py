"""Independent, plainly written numpy reference for the PSY recursive ADF tests.

Follows Phillips & Shi's reference code (R package psymonitor: ADF(), PSY()):
a window of levels y[r1..r2] (r2 - r1 + 1 >= swindow0 observations); with k lags the
regression rows are t = r1+k+1..r2:  dy_t = a + b*y_{t-1} + sum_j psi_j dy_{t-j} + e_t,
statistic b/se(b). IC = AIC/BIC as psymonitor: for k = 0..K each lag uses its own rows,
ICC_k = -2*loglik_k/t + npar*c/t with loglik the unit-variance Gaussian log-likelihood,
t = T1 - K, c = 2 (AIC) or log(t) (BIC); the chosen statistic uses dof = t - K - 2.

For speed the windows ending at one r2 are solved together (numpy batched solve on
cross-product matrices from a reverse cumulative sum); `plain_adf` solves one window with
numpy.linalg.lstsq and is used to cross-check the batched version.
"""
import numpy as np


def _design(y, K):
    """Rows t = 1..n-1: z_t = [1, y_{t-1}, dy_{t-1}..dy_{t-K}], target dy_t (zero-padded lags)."""
    n = len(y)
    dy = np.diff(y)  # dy[t-1] = y_t - y_{t-1}
    Z = np.zeros((n, K + 2))
    d = np.zeros(n)
    for t in range(1, n):
        Z[t, 0] = 1.0
        Z[t, 1] = y[t - 1]
        for j in range(1, K + 1):
            if t - j >= 1:
                Z[t, 1 + j] = dy[t - j - 1]
        d[t] = dy[t - 1]
    return Z, d


def plain_adf(y, r1, r2, k, ic=None, kmax=None):
    """One window, plain least squares (numpy.linalg.lstsq)."""
    w = y[r1:r2 + 1]
    T1 = len(w) - 1
    dy = np.diff(w)
    def fit(k):
        rows = range(k, T1)  # 0-based rows of dy
        X = np.array([[1.0, w[i]] + [dy[i - j] for j in range(1, k + 1)] for i in rows])
        Y = dy[k:T1]
        beta, *_ = np.linalg.lstsq(X, Y, rcond=None)
        e = Y - X @ beta
        return X, beta, e
    if ic is None:
        X, beta, e = fit(k)
        dof = len(e) - X.shape[1]
        s2 = e @ e / dof
        return beta[1] / np.sqrt(s2 * np.linalg.inv(X.T @ X)[1, 1])
    K = kmax
    t = T1 - K
    dof = t - K - 2
    best = None
    for kk in range(K + 1):
        X, beta, e = fit(kk)
        npdf = np.sum(-0.5 * np.log(2 * np.pi) - 0.5 * e ** 2)
        pen = 2.0 if ic == "aic" else np.log(t)
        icc = -2 * npdf / t + X.shape[1] * pen / t
        stat = beta[1] / np.sqrt(e @ e / dof * np.linalg.inv(X.T @ X)[1, 1])
        if best is None or icc < best[0]:
            best = (icc, stat)
    return best[1]


def radf(y, swindow0, k=0, ic=None):
    """BSADF and forward ADF (badf) sequences for r2 = swindow0-1..n-1 (0-based), plus ADF/SADF/GSADF."""
    y = np.asarray(y, float)
    y = y - y.mean()  # the intercept absorbs a constant shift; improves conditioning
    n = len(y)
    K = k
    Z, d = _design(y, K)
    full = np.concatenate([Z, d[:, None]], axis=1)
    outer = full[:, :, None] * full[:, None, :]  # (n, p+1, p+1), row 0 is zero
    bsadf, badf = [], []
    lags = [k] if ic is None else list(range(K + 1))
    for r2 in range(swindow0 - 1, n):
        # C[s] = sum_{t=s}^{r2} z_t z_t'
        C = np.cumsum(outer[1:r2 + 1][::-1], axis=0)[::-1]  # C[i] ~ s = i+1
        r1s = np.arange(0, r2 - swindow0 + 2)
        T1 = r2 - r1s
        stats = {}
        for kk in lags:
            s = r1s + kk + 1
            M = C[s - 1]
            p = kk + 2
            XtX = M[:, :p, :p]
            Xty = M[:, :p, -1]
            yty = M[:, -1, -1]
            beta = np.linalg.solve(XtX, Xty[..., None])[..., 0]
            ssr = yty - np.einsum("ij,ij->i", beta, Xty)
            inv11 = np.linalg.inv(XtX)[:, 1, 1]
            rows = r2 - s + 1
            stats[kk] = (beta[:, 1], ssr, inv11, rows)
        if ic is None:
            b, ssr, inv11, rows = stats[k]
            dof = rows - (k + 2)
            t = b / np.sqrt(ssr / dof * inv11)
        else:
            tt = T1 - K
            dof = tt - K - 2
            pen = 2.0 if ic == "aic" else np.log(tt)
            best_icc = np.full(len(r1s), np.inf)
            t = np.full(len(r1s), np.nan)
            for kk in lags:
                b, ssr, inv11, rows = stats[kk]
                icc = (rows * np.log(2 * np.pi) + ssr) / tt + (kk + 2) * pen / tt
                stat = b / np.sqrt(ssr / dof * inv11)
                better = icc < best_icc
                best_icc = np.where(better, icc, best_icc)
                t = np.where(better, stat, t)
        bsadf.append(t.max())
        badf.append(t[0])
    bsadf = np.array(bsadf)
    badf = np.array(badf)
    return {"adf": badf[-1], "sadf": badf.max(), "gsadf": bsadf.max(), "badf": badf, "bsadf": bsadf}
