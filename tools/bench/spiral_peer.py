"""The NumPy peer of tools/bench/spiral.sh: the liquidity-spiral simulator (crates/spiral/src/engine.rs,
run_path) ported line by line and vectorised ACROSS PATHS, on the inputs that
crates/spiral/examples/spiral_peer_inputs.rs writes to $FISSURE_BENCH_DIR (default /tmp/fissure-spiral-bench):
model.json (the resolved model: agents, rules, market arrays, impact law, constants) and z.bin (the
engine's standard-normal draws, paths x steps x K f64, from the same ChaCha streams).

State arrays have shape (K, P) per asset (P paths in the last axis, contiguous), (A, K, P) for agents'
units. Per-path branches of run_path (the intra-day `break` when the round's largest order is below
ORDER_TOL of ADV, margin calls, stop triggers, carry unwinds and re-entries, re-levering, the liquidity
providers' order threshold, the leverage targeters' tolerance) are boolean masks over paths: a path that
has left the day's cascade keeps its state (depth, impact σ, flows) exactly as run_path leaves it.
Sums over assets are accumulated in the engine's order (sequential from 0.0), never by np.sum
(pairwise), and f64::max/min map to np.fmax/fmin, so each path's numbers are the engine's to the bit
for the square-root and linear impact laws (see docs/spiral.md, "Speed").

Prints `name seconds amp_median=... amp_mean=... final_mean_A0=...` and, when the engine's per-path
results (amp.bin, p_final.bin) are present, `agree max_abs_amp=... max_rel_price=... paths=...`.
Timed: the simulation of all paths (reading the inputs and the final summary excluded); best of N runs
(argument, default 1).
"""
import json
import os
import sys
import time

import numpy as np

D = os.environ.get("FISSURE_BENCH_DIR", "/tmp/fissure-spiral-bench")


def fl(x):
    """JSON number or the strings "inf"/"-inf"/"nan" the Rust side writes for non-finite values."""
    if isinstance(x, list):
        return np.array([fl(v) for v in x], dtype=np.float64)
    return float(x)


def signum(x):
    """Rust f64::signum: +1 for +0.0 and positives, -1 for -0.0 and negatives, NaN for NaN."""
    s = np.where(np.signbit(x), -1.0, 1.0)
    return np.where(np.isnan(x), np.nan, s)


class Model:
    def __init__(self, d):
        self.k = d["k"]
        self.steps = d["steps"]
        self.rounds = d["rounds"]
        self.lam = fl(d["lambda"])
        self.impact_law = d["impact"]
        self.y = fl(d["y"])
        self.cs_c = fl(d["cs_c"])
        self.cs_tau = fl(d["cs_tau"])
        self.state_sigma = d["state_sigma"]
        self.sigma_cap = fl(d["sigma_cap"])
        self.lw = fl(d["loss_weights"])
        self.shock_loss = fl(d["shock_loss"])
        self.moves = fl(d["shock_moves"])
        self.boj = fl(d["shock_boj"])
        self.caps = fl(d["caps"])
        self.depth_providers = d["depth_providers"]
        self.n_stops = d["stops"]
        self.n_classes = d["n_classes"]
        self.tol = fl(d["order_tol"])
        self.floor = fl(d["price_floor"])
        m = d["market"]
        k = self.k
        self.price0 = fl(m["price0"])
        self.sigma_window = fl(m["sigma_window"])
        self.sigma_ewma = fl(m["sigma_ewma"])
        self.adv = fl(m["adv"])
        self.corr = fl(m["corr"]).reshape(k, k)
        self.chol = fl(m["chol"]).reshape(k, k)
        self.noise_scale = fl(m["noise_scale"])
        self.hl = m["history_len"]
        self.history = fl(m["history"]).reshape(self.hl, k)
        self.agents = []
        for a in d["agents"]:
            p = dict(a["params"])
            for key in ("w", "floors", "full_units"):
                if key in p:
                    p[key] = fl(p[key])
            for key in ("vol_daily", "speed", "max_gross", "target_daily", "max_leverage", "z_sqrt_h",
                        "utilisation", "relever_speed", "trigger", "ramp", "boj_sensitivity", "done0",
                        "reentry_speed", "aggressiveness", "capital", "depth_share", "b"):
                if key in p:
                    p[key] = fl(p[key])
            for s in p.get("stops", []):
                s["level"], s["cut"] = fl(s["level"]), fl(s["cut"])
            self.agents.append({"class_index": a["class_index"], "init_value": fl(a["init_value"]),
                                "init_equity": fl(a["init_equity"]), **p})

    def impact(self, q, sigma, adv):
        """engine.rs Model::impact, elementwise over (K, P); adv broadcast per asset."""
        if self.impact_law == "sqrt":
            x = signum(q) * self.y * sigma * np.sqrt(np.abs(q) / adv)
        elif self.impact_law == "linear":
            x = self.y * sigma * q / adv
        else:  # exponential (np.exp and Rust's exp may differ in the last bit)
            depth = self.cs_c * adv * np.sqrt(self.cs_tau) / sigma
            x = signum(q) * (1.0 - np.exp(-np.abs(q) / depth))
        return np.clip(x, self.floor - 1.0, 1.0)


def seqsum(terms):
    """Σ_j terms(j) accumulated from 0.0 in asset order, as the engine's loops do."""
    s = None
    for t in terms:
        s = 0.0 + t if s is None else s + t
    return s


def colsum(x):
    """Σ over the asset axis (axis 0 of (K, P)): numpy reduces a non-inner axis row after row, i.e. in the
    engine's sequential order (pairwise summation applies only along the contiguous axis)."""
    return np.add.reduce(x, axis=0)


def accumulate(start, terms):
    """start, then += each term in asset order (the engine's `let mut x = start; x += ...`)."""
    for t in terms:
        start = start + t
    return start


def simulate(md, z):
    """All paths of run_path at once. z: (steps, K, P). Returns amplification (P,) and final prices (K, P)."""
    k, hl, lam, na = md.k, md.hl, md.lam, len(md.agents)
    P = z.shape[2]
    FLOOR, TOL = md.floor, md.tol
    col = lambda v: v[:, None]  # per-asset constants against (K, P)
    adv_c, caps_c = col(md.adv), col(md.caps)
    # Work::reset
    p = np.repeat(col(md.price0), P, axis=1)
    p_fund = p.copy()
    sig2 = np.repeat(col(md.sigma_ewma * md.sigma_ewma), P, axis=1)
    hist = np.repeat(md.history[:, :, None], P, axis=2)  # (hl, K, P)
    head = hl - 1
    units = np.zeros((na, k, P))
    equity = np.zeros((na, P))
    carry_done = np.zeros((na, P))
    carry_max = np.zeros((na, P))
    stop_hit = np.zeros((md.n_stops, P), dtype=bool)
    block_until = np.zeros((na, k, P), dtype=np.int64)
    for a, ag in enumerate(md.agents):
        units[a] = col(ag["init_value"] / md.price0)
        equity[a] = ag["init_equity"]
        if ag["rule"] == "cta":
            for s in ag["stops"]:
                j, lv = s["asset"], s["level"]
                stop_hit[s["slot"]] = (md.price0[j] <= lv) if s["long"] else (md.price0[j] >= lv)
        elif ag["rule"] == "carry":
            carry_done[a] = ag["done0"]
    flows = np.zeros((md.n_classes, k, P))
    forced_sales = np.zeros(P)
    margin_call_days = np.zeros(P, dtype=np.int64)
    stop_triggers = np.zeros(P, dtype=np.int64)
    floor_hits = np.zeros(P, dtype=np.int64)
    depth = np.repeat(adv_c, P, axis=1)
    sig_imp = np.zeros((k, P))
    sig_now = np.zeros((k, P))
    r = np.zeros((k, P))
    chol, ns = md.chol, md.noise_scale

    for t in range(md.steps):
        # 1. Exogenous returns (Gaussian): f_i = (Σ_{j≤i} L_ij z_j)·scale_i
        zt = z[t]
        f = np.empty((k, P))
        for i in range(k):
            f[i] = seqsum(chol[i, j] * zt[j] for j in range(i + 1)) * ns[i]
        if t == 0:
            f += col(md.moves)
        p_prev = p.copy()
        p_fund *= np.fmax(1.0 + f, FLOOR)
        qcum = np.zeros((k, P))
        sig_imp = np.sqrt(sig2) if md.state_sigma else np.repeat(col(md.sigma_window), P, axis=1)
        units_start = units.copy()
        for a, ag in enumerate(md.agents):
            if ag["rule"] == "carry":
                fu = ag["funding"]
                mx = np.zeros(P)
                for l in range(ag["window"] + 1):
                    mx = np.fmax(mx, hist[(head + hl - l) % hl, fu])
                carry_max[a] = mx
        called = np.zeros(P, dtype=bool)
        p_now = p_prev.copy()
        active = np.ones(P, dtype=bool)  # paths still in the day's cascade
        dp_start = None
        for rnd in range(md.rounds):
            act_c = active[None, :]
            all_active = bool(active.all())
            # market_depth (prices of the previous round)
            dep = np.repeat(adv_c, P, axis=1)
            dp = p_now - p_prev
            for a in md.depth_providers:
                ag = md.agents[a]
                wt, capital, ds = ag["w"], ag["capital"], ag["depth_share"]
                eq = accumulate(equity[a], units_start[a] * dp)
                eq = np.fmax(eq, 0.0)
                for j in range(k):
                    if wt[j] > 0.0 and capital > 0.0:
                        spare = np.clip((eq * wt[j] - units[a, j] * p_now[j]) / (capital * wt[j]), 0.0, 1.0)
                        dep[j] *= 1.0 - ds * (1.0 - spare)
            depth = np.where(act_c, dep, depth)
            r_new = f + md.impact(qcum, sig_imp, depth)
            r = np.where(act_c, r_new, r)
            p_now = np.where(act_c, p_prev * np.fmax(1.0 + r, FLOOR), p_now)
            qround = np.zeros((k, P))
            sn = np.sqrt(np.fmax(lam * sig2 + (1.0 - lam) * r * r, sig2))
            sig_now = np.where(act_c, sn, sig_now)
            if md.state_sigma:
                # bounded: at most sigma_cap x the previous close's EWMA sigma (engine.rs)
                sig_imp = np.where(act_c, np.fmin(sig_now, md.sigma_cap * np.sqrt(sig2)), sig_imp)
            dp = p_now - p_prev
            mreq_cache = {}
            for a, ag in enumerate(md.agents):
                rule = ag["rule"]
                order = np.zeros((k, P))
                trades = np.zeros(P, dtype=bool)
                u = units[a]
                cur = u * p_now
                if rule == "cta":
                    if rnd == 0:
                        wt, lbs = ag["w"], ag["lookbacks"]
                        sig = np.fmax(np.sqrt(sig2), 1e-6)
                        eqa = equity[a]
                        tg = np.zeros((k, P))
                        for j in range(k):
                            if wt[j] > 0.0:
                                now = hist[head, j]
                                s = None
                                for lb in lbs:
                                    lb = min(lb, hl - 1)
                                    past = hist[(head + hl - lb) % hl, j]
                                    v = np.where(now > past, 1.0, np.where(now < past, -1.0, 0.0))
                                    s = 0.0 + v if s is None else s + v
                                trend = s / len(lbs)
                                tg[j] = eqa * wt[j] * trend * ag["vol_daily"] / sig[j]
                        gross = seqsum(np.abs(tg[j]) for j in range(k))
                        cap = ag["max_gross"] * np.fmax(eqa, 0.0)
                        scale = (gross > cap) & (gross > 0.0)
                        with np.errstate(divide="ignore", invalid="ignore"):
                            fct = np.where(scale, cap / gross, 1.0)
                        tg = np.where(scale[None, :], tg * fct, tg)
                        tgt = np.clip(tg, -caps_c, caps_c)
                        skip = (block_until[a] > t) & (np.abs(tgt) > np.abs(cur)) & (signum(tgt) == signum(cur))
                        order = np.where(skip, order, order + ag["speed"] * (tgt - cur))
                        trades[:] = True
                    cool = ag["cooldown"]
                    for s in ag["stops"]:
                        j, lv, cut, lng, slot = s["asset"], s["level"], s["cut"], s["long"], s["slot"]
                        crossed = (p_now[j] < lv) if lng else (p_now[j] > lv)
                        hit = active & ~stop_hit[slot] & crossed
                        stop_hit[slot] |= hit
                        pos = cur[j] + order[j]
                        sell = hit & ((pos > 0.0) if lng else (pos < 0.0))
                        order[j] = np.where(sell, order[j] - cut * pos, order[j])
                        stop_triggers += sell
                        trades |= sell
                        block_until[a, j] = np.where(hit, t + 1 + cool, block_until[a, j])
                elif rule == "vol_target":
                    if rnd == 0:
                        wt = ag["w"]
                        sg = np.sqrt(sig2)
                        v = np.zeros(P)
                        for i in range(k):
                            if wt[i] == 0.0:
                                continue
                            si = wt[i] * sg[i]
                            for j in range(k):
                                if wt[j] != 0.0:
                                    v = v + si * wt[j] * sg[j] * md.corr[i, j]
                        sp = np.sqrt(np.fmax(v, 0.0))
                        with np.errstate(divide="ignore", invalid="ignore"):
                            e = np.where(sp > 0.0, np.fmin(ag["target_daily"] / sp, ag["max_leverage"]),
                                         ag["max_leverage"])
                        tgt = np.clip(equity[a] * e * col(wt), -caps_c, caps_c)
                        order = ag["speed"] * (tgt - cur)
                        trades[:] = True
                elif rule == "margin":
                    key = (ag["floors"].tobytes(), ag["z_sqrt_h"])
                    mreq = mreq_cache.get(key)
                    if mreq is None:  # margin rates are shared by tranches with the same floors and z
                        mreq = mreq_cache[key] = np.fmax(col(ag["floors"]), ag["z_sqrt_h"] * sig_now)
                    eq = accumulate(equity[a], units_start[a] * dp)
                    av = np.abs(cur)
                    req = colsum(av * mreq)
                    gross = colsum(av)
                    call = (req > eq * (1.0 + 1e-12)) & (req > 0.0) & (gross > 0.0)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        phi = np.where(eq <= 0.0, 1.0, 1.0 - eq / req)
                    call &= active
                    if call.any():
                        order = np.where(call[None, :], -phi * u * p_now, order)
                    forced_sales = np.where(call, forced_sales + phi * gross, forced_sales)
                    called |= call
                    trades |= call
                    rs = ag["relever_speed"]
                    if rnd == 0 and rs > 0.0:
                        rel = ~call & (eq > 0.0)
                        wt = ag["w"]
                        unit_req = colsum(col(wt) * mreq)
                        with np.errstate(divide="ignore", invalid="ignore"):
                            target = np.where(unit_req > 0.0, ag["utilisation"] * eq / unit_req, 0.0)
                        tgt = np.fmin(np.fmin(target * col(wt), caps_c), col(ag["init_value"]))
                        up = rel[None, :] & (tgt > cur)
                        order = np.where(up, rs * (tgt - cur), order)
                        trades |= up.any(axis=0)
                elif rule == "carry":
                    fu = ag["funding"]
                    drop = 1.0 - p_now[fu] / carry_max[a]
                    target = np.clip((drop - ag["trigger"]) / ag["ramp"], 0.0, 1.0)
                    if t == 0 and md.boj > 0.0:
                        target = np.fmin(target + ag["boj_sensitivity"] * md.boj / 0.0025, 1.0)
                    done = carry_done[a]
                    unw = (target > done + 1e-12) & (done < 1.0)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        frac = (target - done) / (1.0 - done)
                    order = np.where(unw[None, :], -frac * u * p_now, order)
                    new_done = np.where(unw, target, done)
                    trades |= unw
                    if rnd == 0 and ag["reentry_speed"] > 0.0:
                        back = ~unw & (target < done - 1e-12)
                        step = ag["reentry_speed"] * (done - target)
                        order = np.where(back[None, :], step * col(ag["full_units"]) * p_now, order)
                        new_done = np.where(back, done - step, new_done)
                        trades |= back
                    carry_done[a] = np.where(active, new_done, done)
                elif rule == "liquidity":
                    wt, ag_ = ag["w"], ag["aggressiveness"]
                    capital = accumulate(equity[a], units_start[a] * dp)
                    capital = np.fmax(capital, 0.0)
                    for j in range(k):
                        if wt[j] == 0.0:
                            continue
                        gap = p_fund[j] / p_now[j] - 1.0
                        sd = np.fmax(np.sqrt(sig2[j]), 1e-6)
                        tgt = np.fmin(capital * wt[j] * np.fmin(ag_ * np.fmax(gap, 0.0) / sd, 1.0), md.caps[j])
                        o = tgt - cur[j]
                        big = np.abs(o) > TOL * md.adv[j]
                        order[j] = np.where(big, o, 0.0)
                        trades |= big
                elif rule == "leverage":
                    b = ag["b"]
                    us = units_start[a]
                    eq, hold, sv = equity[a], None, None
                    for j in range(k):
                        eq = eq + us[j] * dp[j]
                        hold = 0.0 + cur[j] if hold is None else hold + cur[j]
                        x = us[j] * p_prev[j]
                        sv = 0.0 + x if sv is None else sv + x
                    total = np.where(eq <= 0.0, -hold, (1.0 + b) * eq - hold)
                    go = (sv > 0.0) & (np.abs(total) > TOL * sv)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        o = total * us * p_prev / sv
                    # holdings within +-caps (engine.rs): cap - cur above, -cap - cur below, else the order
                    o = np.where(cur + o > caps_c, caps_c - cur, np.where(cur + o < -caps_c, -caps_c - cur, o))
                    order = np.where(go[None, :], o, order)
                    trades |= go
                # Execution (trades of paths still in the cascade only).
                # A non-zero order is only ever set where the rule trades, so `trades` needs no separate mask;
                # orders of paths out of the cascade are dropped. Adding a zero order to qround or flows
                # leaves them unchanged (neither can be -0.0), so only the units need the mask.
                if not trades.any():
                    continue
                if not all_active:
                    order = np.where(act_c, order, 0.0)
                ex = order != 0.0
                ci = ag["class_index"]
                units[a] = np.where(ex, u + order / p_now, u)
                qround += order
                flows[ci] += order
            qcum = np.where(act_c, qcum + qround, qcum)
            moved = np.fmax.reduce(np.abs(qround) / adv_c, axis=0, initial=0.0)
            active &= ~(moved < TOL)
            if not active.any():
                break
        margin_call_days += called
        # 3. Close.
        r = f + md.impact(qcum, sig_imp, depth)
        g = 1.0 + r
        floor_hits += (g < FLOOR).sum(axis=0)
        p = p_prev * np.fmax(g, FLOOR)
        dpc = p - p_prev
        for a in range(na):
            equity[a] += colsum(units_start[a] * dpc)
        head = (head + 1) % hl
        sig2 = lam * sig2 + (1.0 - lam) * r * r
        hist[head] = p
    lw = np.zeros(P)
    lf = np.zeros(P)
    for j in range(k):
        lw = lw - md.lw[j] * (p[j] / md.price0[j] - 1.0)
        lf = lf - md.lw[j] * (p_fund[j] / md.price0[j] - 1.0)
    amp = 1.0 + (lw - lf) / md.shock_loss
    return amp, p


def quantile_sorted(x, q):
    """Type 7 on sorted data, as fissure_stats::describe::quantile_sorted."""
    h = (len(x) - 1) * q
    lo = int(np.floor(h))
    hi = min(lo + 1, len(x) - 1)
    return x[lo] + (h - lo) * (x[hi] - x[lo])


def sorted_mean(x):
    """Mean of sorted values summed in order, as montecarlo::Quantiles::of."""
    s = 0.0
    for v in x.tolist():
        s += v
    return s / len(x)


def main():
    n_runs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    d = json.load(open(os.path.join(D, "model.json")))
    md = Model(d)
    P, T, K = d["paths"], md.steps, md.k
    assert d["exogenous"] == "gaussian"
    z = np.fromfile(os.path.join(D, "z.bin"), dtype="<f8").reshape(P, T, K)
    z = np.ascontiguousarray(z.transpose(1, 2, 0))  # (steps, K, P): a day's draws of all paths contiguous
    best, out = float("inf"), None
    for _ in range(n_runs):
        t0 = time.perf_counter()
        # Both branches of a masked branch are computed for every path; values of the branch a path does
        # not take (e.g. 1 - eq/req with req = 0) may overflow or be NaN and are discarded, as in the engine.
        with np.errstate(all="ignore"):
            out = simulate(md, z)
        best = min(best, time.perf_counter() - t0)
    amp, p = out
    a = np.sort(amp)
    fin = np.sort(p[0] / md.price0[0] - 1.0)
    print(f"spiral_{P}x{T}x{K} {best:.6f} amp_median={quantile_sorted(a, 0.5):.12f} amp_mean={sorted_mean(a):.12f} "
          f"final_mean_A0={sorted_mean(fin):.12f}")
    fa, fp = os.path.join(D, "amp.bin"), os.path.join(D, "p_final.bin")
    if os.path.exists(fa) and os.path.exists(fp):
        ra = np.fromfile(fa, dtype="<f8")
        rp = np.fromfile(fp, dtype="<f8").reshape(P, K).T
        da = np.abs(amp - ra)
        nz = rp != 0.0  # prices floored down to 0.0 (underflow) compare by equality only
        dp = np.abs(p - rp)[nz] / np.abs(rp[nz])
        same = (amp == ra) & (p == rp).all(axis=0)
        print(f"agree max_abs_amp={da.max():.3e} max_rel_amp={(da / np.abs(ra)).max():.3e} "
              f"max_rel_price={dp.max() if dp.size else 0.0:.3e} zero_prices_equal={bool((p[~nz] == 0.0).all())} "
              f"bitwise_paths={int(same.sum())}/{P}")


if __name__ == "__main__":
    main()
