//! Rate and yen-carry sensitivity.
//!
//! * Rolling betas of basket returns to changes in the 10-year Treasury yield and
//!   in USD/JPY: `r_t = a + β_rate·Δy10_t + β_jpy·Δln(USDJPY)_t + e_t` over a
//!   trailing window, by running sums (`fissure_stats::rolling_ols`, O(n)).
//!   Units: `β_rate` = % basket return per +1 percentage point of the 10-year
//!   yield; `β_jpy` = % return per +1 % in USD/JPY (a weaker yen). A positive
//!   `β_jpy` means the basket falls when the yen appreciates (carry exposure).
//! * A yen-carry-unwind indicator: `min(z_yen, z_vol)` where `z_yen` is the
//!   z-score (trailing window, data ≤ t) of the h-day yen appreciation
//!   `−Δln(USDJPY)` and `z_vol` that of the h-day change in the VIX; both must be
//!   extreme for the indicator to be high (the August 2024 unwind: the yen rose
//!   ~8 % in a week while the VIX tripled). Episodes are runs above a threshold.

use crate::error::{LiquidityError, Result};
use chrono::NaiveDate;
use fissure_core::{Alignment, Panel, Series};
use fissure_stats::rolling_ols::rolling_ols;
use serde::Serialize;

/// A basket: name and (member id, weight) pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Basket {
    pub name: String,
    pub members: Vec<(String, f64)>,
}

impl Basket {
    pub fn equal(name: &str, ids: &[&str]) -> Basket {
        let w = 1.0 / ids.len() as f64;
        Basket { name: name.into(), members: ids.iter().map(|s| (s.to_string(), w)).collect() }
    }
}

/// The baskets of `names`: each a named basket (`lookup`, e.g. the watchlist's weights) or else a single
/// series of that id; with no names, [`default_baskets`] with any of them redefined by `lookup`.
pub fn baskets_named(names: &[String], lookup: impl Fn(&str) -> Option<Vec<(String, f64)>>) -> Vec<Basket> {
    if names.is_empty() {
        return default_baskets()
            .into_iter()
            .map(|b| match lookup(&b.name) {
                Some(members) => Basket { name: b.name, members },
                None => b,
            })
            .collect();
    }
    names
        .iter()
        .map(|n| Basket { name: n.clone(), members: lookup(n).unwrap_or_else(|| vec![(n.clone(), 1.0)]) })
        .collect()
}

/// Rolling betas as JSON: per basket the members used, the latest date, betas and R², and the history.
pub fn betas_json(bb: &[BasketBetas]) -> serde_json::Value {
    use serde_json::json;
    json!(bb
        .iter()
        .map(|b| {
            let last = b.latest();
            let history: Vec<serde_json::Value> = b
                .dates
                .iter()
                .enumerate()
                .map(|(i, d)| json!({"date": d, "beta_rate": b.beta_rate[i], "beta_usdjpy": b.beta_jpy[i], "r2": b.r2[i]}))
                .collect();
            json!({
                "basket": b.basket, "members": b.members_used,
                "date": last.map(|l| l.0), "beta_rate": last.map(|l| l.1), "beta_usdjpy": last.map(|l| l.2), "r2": last.map(|l| l.3),
                "history": history,
            })
        })
        .collect::<Vec<_>>())
}

/// Default baskets on the bundled data (the watchlist's `ai`, `growth`, `value`,
/// `small_caps`, `gold`, `bitcoin`).
pub fn default_baskets() -> Vec<Basket> {
    vec![
        Basket::equal("ai", &["NVDA", "MSFT", "GOOGL", "AMZN", "META", "AVGO", "ORCL", "AMD"]),
        Basket::equal("growth", &["QQQ"]),
        Basket::equal("value", &["XLE", "XLF"]),
        Basket::equal("small_caps", &["IWM"]),
        Basket::equal("gold", &["GLD"]),
        Basket::equal("bitcoin", &["BTC"]),
    ]
}

/// Settings of the sensitivity and carry computations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarryConfig {
    /// Rolling-regression window (trading days).
    pub window: usize,
    /// Horizon of the yen and VIX moves (trading days).
    pub horizon: usize,
    /// Trailing window of the z-scores (trading days).
    pub z_window: usize,
    /// Episode threshold on `min(z_yen, z_vol)`.
    pub threshold: f64,
    /// Runs separated by at most this many trading days are one episode.
    pub merge_gap: usize,
    /// Forward-fill bound (calendar days) when aligning USD/JPY and the VIX on the
    /// equity calendar for the carry indicator (betas use exact dates only).
    pub max_fill_days: u32,
}

impl Default for CarryConfig {
    fn default() -> Self {
        CarryConfig { window: 126, horizon: 5, z_window: 756, threshold: 2.0, merge_gap: 10, max_fill_days: 5 }
    }
}

/// Rolling betas of one basket.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BasketBetas {
    pub basket: String,
    pub members_used: Vec<String>,
    pub dates: Vec<NaiveDate>,
    pub beta_rate: Vec<f64>,
    pub beta_jpy: Vec<f64>,
    pub r2: Vec<f64>,
}

impl BasketBetas {
    pub fn latest(&self) -> Option<(NaiveDate, f64, f64, f64)> {
        let i = self.dates.len().checked_sub(1)?;
        Some((self.dates[i], self.beta_rate[i], self.beta_jpy[i], self.r2[i]))
    }
}

/// Log returns (%) between consecutive calendar rows (None if either is missing).
fn pct_log_returns(col: &[Option<f64>]) -> Vec<Option<f64>> {
    let mut out = vec![None; col.len()];
    for i in 1..col.len() {
        if let (Some(a), Some(b)) = (col[i - 1], col[i]) {
            if a > 0.0 && b > 0.0 {
                out[i] = Some(100.0 * (b / a).ln());
            }
        }
    }
    out
}

fn diffs(col: &[Option<f64>], h: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; col.len()];
    for i in h..col.len() {
        if let (Some(a), Some(b)) = (col[i - h], col[i]) {
            out[i] = Some(b - a);
        }
    }
    out
}

fn get<'a>(data: &'a std::collections::BTreeMap<String, Series>, id: &str) -> Result<&'a Series> {
    data.get(id).ok_or_else(|| LiquidityError::Missing(format!("series `{id}`")))
}

/// Rolling betas of each basket to Δ(10-year yield) and Δln(USD/JPY), on the
/// calendar of `calendar_id` (the equity index).
pub fn basket_betas(
    data: &std::collections::BTreeMap<String, Series>,
    baskets: &[Basket],
    calendar_id: &str,
    us10y_id: &str,
    usdjpy_id: &str,
    cfg: &CarryConfig,
) -> Result<Vec<BasketBetas>> {
    let cal = get(data, calendar_id)?;
    let y10 = get(data, us10y_id)?;
    let jpy = get(data, usdjpy_id)?;
    // returns need actual observations on both days: no forward fill (a filled
    // price would create a spurious zero return)
    let policy = Alignment::Reference { id: cal.id().to_string(), max_fill_days: 0 };
    let base = Panel::align(&[cal, y10, jpy], &policy)?;
    let dy = diffs(&base.columns[1], 1);
    let dj = pct_log_returns(&base.columns[2]);
    let mut out = Vec::new();
    for b in baskets {
        let mut used = Vec::new();
        let mut rets: Vec<(Vec<Option<f64>>, f64)> = Vec::new();
        for (id, w) in &b.members {
            let Some(s) = data.get(id) else { continue };
            let mut refs = vec![cal];
            if s.id() != cal.id() {
                refs.push(s);
            }
            let p = Panel::align(&refs, &policy)?;
            rets.push((pct_log_returns(&p.columns[refs.len() - 1]), *w));
            used.push(id.clone());
        }
        if rets.is_empty() {
            continue;
        }
        // Point-in-time membership: a member counts from its first observation. A day enters the basket when the
        // members observed that day hold at least half of the weight of the members that exist by then, so a member
        // that arrives later never changes an earlier value (the same whether it is absent from the data or not).
        let first: Vec<usize> =
            rets.iter().map(|(r, _)| r.iter().position(Option::is_some).unwrap_or(usize::MAX)).collect();
        let n = base.len();
        let basket: Vec<Option<f64>> = (0..n)
            .map(|i| {
                let (mut s, mut w, mut existing) = (0.0, 0.0, 0.0);
                for ((r, wt), &f) in rets.iter().zip(&first) {
                    if f <= i {
                        existing += wt;
                    }
                    if let Some(v) = r[i] {
                        s += wt * v;
                        w += wt;
                    }
                }
                (w > 0.0 && w >= 0.5 * existing).then(|| s / w)
            })
            .collect();
        let fits = rolling_ols(&basket, &[dy.clone(), dj.clone()], cfg.window, cfg.window / 2)?;
        let mut bb = BasketBetas {
            basket: b.name.clone(),
            members_used: used,
            dates: vec![],
            beta_rate: vec![],
            beta_jpy: vec![],
            r2: vec![],
        };
        for (i, f) in fits.iter().enumerate() {
            if let Some(f) = f {
                bb.dates.push(base.dates[i]);
                bb.beta_rate.push(f.coef[1]);
                bb.beta_jpy.push(f.coef[2]);
                bb.r2.push(f.r2);
            }
        }
        out.push(bb);
    }
    Ok(out)
}

/// A dated carry-unwind episode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarryEpisode {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub peak: NaiveDate,
    pub peak_score: f64,
    /// Yen appreciation (%) over the horizon ending on the peak day.
    pub yen_move_pct: f64,
    /// VIX change (points) over the horizon ending on the peak day.
    pub vix_change: f64,
    pub vix_at_peak: f64,
}

/// The carry-unwind indicator and its episodes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CarryUnwind {
    pub dates: Vec<NaiveDate>,
    /// `min(z_yen, z_vol)`.
    pub score: Vec<f64>,
    pub z_yen: Vec<f64>,
    pub z_vol: Vec<f64>,
    pub episodes: Vec<CarryEpisode>,
}

/// Trailing z-score of `x[t]` against `x[t−w+1..=t]` (missing values skipped;
/// at least w/4 observations), by running sums.
fn trailing_z(x: &[Option<f64>], w: usize) -> Vec<Option<f64>> {
    let (mut s, mut ss, mut n) = (0.0, 0.0, 0usize);
    let mut out = vec![None; x.len()];
    for t in 0..x.len() {
        if let Some(v) = x[t] {
            s += v;
            ss += v * v;
            n += 1;
        }
        if t >= w {
            if let Some(v) = x[t - w] {
                s -= v;
                ss -= v * v;
                n -= 1;
            }
        }
        if let Some(v) = x[t] {
            if n >= (w / 4).max(20) {
                let nf = n as f64;
                let var = (ss - s * s / nf) / (nf - 1.0);
                if var > 0.0 {
                    out[t] = Some((v - s / nf) / var.sqrt());
                }
            }
        }
    }
    out
}

/// Yen-carry-unwind indicator on the calendar of `calendar_id`.
pub fn carry_unwind(
    data: &std::collections::BTreeMap<String, Series>,
    calendar_id: &str,
    usdjpy_id: &str,
    vix_id: &str,
    cfg: &CarryConfig,
) -> Result<CarryUnwind> {
    let cal = get(data, calendar_id)?;
    let jpy = get(data, usdjpy_id)?;
    let vix = get(data, vix_id)?;
    let mut refs = vec![cal, jpy];
    if vix.id() != cal.id() {
        refs.push(vix);
    }
    let p = Panel::align(&refs, &Alignment::Reference { id: cal.id().to_string(), max_fill_days: cfg.max_fill_days })?;
    let h = cfg.horizon;
    let n = p.len();
    let jc = &p.columns[1];
    let vc = &p.columns[refs.len() - 1];
    let yen: Vec<Option<f64>> = (0..n)
        .map(|i| {
            if i < h {
                return None;
            }
            match (jc[i - h], jc[i]) {
                (Some(a), Some(b)) if a > 0.0 && b > 0.0 => Some(-100.0 * (b / a).ln()),
                _ => None,
            }
        })
        .collect();
    let dv = diffs(vc, h);
    let zy = trailing_z(&yen, cfg.z_window);
    let zv = trailing_z(&dv, cfg.z_window);
    let mut out = CarryUnwind { dates: vec![], score: vec![], z_yen: vec![], z_vol: vec![], episodes: vec![] };
    let mut idx = Vec::new();
    for i in 0..n {
        if let (Some(a), Some(b)) = (zy[i], zv[i]) {
            out.dates.push(p.dates[i]);
            out.z_yen.push(a);
            out.z_vol.push(b);
            out.score.push(a.min(b));
            idx.push(i);
        }
    }
    // episodes: runs above the threshold, merged across short gaps
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (k, s) in out.score.iter().enumerate() {
        if *s >= cfg.threshold {
            match runs.last_mut() {
                Some(r) if k - r.1 <= cfg.merge_gap => r.1 = k,
                _ => runs.push((k, k)),
            }
        }
    }
    for (a, b) in runs {
        let pk = (a..=b).max_by(|x, y| out.score[*x].total_cmp(&out.score[*y])).unwrap_or(a);
        let i = idx[pk];
        out.episodes.push(CarryEpisode {
            start: out.dates[a],
            end: out.dates[b],
            peak: out.dates[pk],
            peak_score: out.score[pk],
            yen_move_pct: yen[i].unwrap_or(f64::NAN),
            vix_change: dv[i].unwrap_or(f64::NAN),
            vix_at_peak: vc[i].unwrap_or(f64::NAN),
        });
    }
    Ok(out)
}
