//! Cross-asset co-crash detector: days when diversification fails.
//!
//! Each asset's daily log return is scaled by its own trailing volatility
//! (sample sd of the previous `vol_window` returns, excluding the day itself, so
//! the measure is real-time): z_{i,t} = r_{i,t} / σ_{i,t−1}. An asset class's move
//! is the mean z of its members present that day. A class is in *large decline*
//! when its move ≤ −`large` (1.5σ) and *declining* when ≤ −`moderate` (1σ).
//!
//! Per day: breadth = share of the classes with data that are in large decline.
//! Flags:
//! - **indiscriminate sell-off**: at least `min_large` (3) classes in large decline,
//!   or equities in large decline together with at least `min_moderate` (4) classes
//!   (equities included) declining — everything is being sold at once;
//! - **safe-haven failure**: equities in large decline and precious metals or long
//!   bonds in large decline too.
//!
//! Both need at least `min_classes` (4) classes with data that day. Thresholds are
//! in units of each asset's own volatility, so a quiet asset's −1.5σ day counts as
//! much as a volatile one's. Rolling tail co-exceedance between two baskets is
//! P(B in large decline | A in large decline) over a trailing window.
//!
//! Calendar: align prices on the equity calendar (`Alignment::Reference` to SPY, a
//! few days' fill) so a 7-day asset (BTC) contributes its Friday→Monday move on Monday.

use crate::error::ContagionError;
use chrono::NaiveDate;
use fissure_core::{Alignment, Panel, Series};
use serde::Serialize;

type Result<T> = std::result::Result<T, ContagionError>;

/// The asset classes of the detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CrashClass {
    Equities,
    PreciousMetals,
    IndustrialMetals,
    Energy,
    Crypto,
    LongBonds,
}

impl CrashClass {
    pub const ALL: [CrashClass; 6] = [
        CrashClass::Equities,
        CrashClass::PreciousMetals,
        CrashClass::IndustrialMetals,
        CrashClass::Energy,
        CrashClass::Crypto,
        CrashClass::LongBonds,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CrashClass::Equities => "equities",
            CrashClass::PreciousMetals => "precious_metals",
            CrashClass::IndustrialMetals => "industrial_metals",
            CrashClass::Energy => "energy",
            CrashClass::Crypto => "crypto",
            CrashClass::LongBonds => "long_bonds",
        }
    }

    pub fn parse(s: &str) -> Option<CrashClass> {
        let s = s.to_ascii_lowercase().replace(['-', ' '], "_");
        Some(match s.as_str() {
            "equities" | "equity" | "stocks" => CrashClass::Equities,
            "precious_metals" | "precious" | "gold" => CrashClass::PreciousMetals,
            "industrial_metals" | "industrial" | "metals" | "copper" => CrashClass::IndustrialMetals,
            "energy" | "oil" => CrashClass::Energy,
            "crypto" => CrashClass::Crypto,
            "long_bonds" | "bonds" | "treasuries" => CrashClass::LongBonds,
            _ => return None,
        })
    }
}

/// The default universe of the bundled data: series id → class.
pub fn default_universe() -> Vec<(&'static str, CrashClass)> {
    vec![
        ("SPY", CrashClass::Equities),
        ("QQQ", CrashClass::Equities),
        ("GLD", CrashClass::PreciousMetals),
        ("SLV", CrashClass::PreciousMetals),
        ("COPPER", CrashClass::IndustrialMetals),
        ("WTI", CrashClass::Energy),
        ("XLE", CrashClass::Energy),
        ("BTC", CrashClass::Crypto),
        ("ETH", CrashClass::Crypto),
        ("TLT", CrashClass::LongBonds),
    ]
}

/// The class of a known series id (the default universe plus common aliases).
pub fn class_of(id: &str) -> Option<CrashClass> {
    let up = id.to_ascii_uppercase();
    default_universe().into_iter().find(|(i, _)| *i == up).map(|(_, c)| c).or(match up.as_str() {
        "SPX" | "IXIC" | "NDX" | "DJI" | "RUT" | "IWM" | "SOX" | "XLK" => Some(CrashClass::Equities),
        "GOLD" | "SILVER" => Some(CrashClass::PreciousMetals),
        "BRENT" | "USO" => Some(CrashClass::Energy),
        "IEF" | "EDV" | "ZROZ" => Some(CrashClass::LongBonds),
        _ => None,
    })
}

/// Detector settings.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CoCrashOptions {
    pub vol_window: usize,
    /// Fewest returns in the volatility window for σ to be used.
    pub min_vol_obs: usize,
    pub large: f64,
    pub moderate: f64,
    pub min_large: usize,
    pub min_moderate: usize,
    pub min_classes: usize,
}

impl Default for CoCrashOptions {
    fn default() -> Self {
        CoCrashOptions {
            vol_window: 60,
            min_vol_obs: 40,
            large: 1.5,
            moderate: 1.0,
            min_large: 3,
            min_moderate: 4,
            min_classes: 4,
        }
    }
}

/// One asset's σ-scaled move on a flagged day.
#[derive(Debug, Clone, Serialize)]
pub struct AssetMove {
    pub id: String,
    pub class: CrashClass,
    pub sigma_move: f64,
    /// The day's log return in percent.
    pub return_pct: f64,
}

/// A flagged day.
#[derive(Debug, Clone, Serialize)]
pub struct CoCrashDay {
    pub date: NaiveDate,
    pub breadth: f64,
    pub classes_available: usize,
    pub classes_down: Vec<CrashClass>,
    /// Mean σ-scaled move of each class with data.
    pub class_moves: Vec<(CrashClass, f64)>,
    /// Assets below −`large` σ.
    pub assets_down: Vec<AssetMove>,
    pub indiscriminate: bool,
    pub safe_haven_failure: bool,
}

/// Detector output.
#[derive(Debug, Clone, Serialize)]
pub struct CoCrash {
    pub dates: Vec<NaiveDate>,
    /// Share of classes with data in large decline (NaN with fewer than `min_classes`).
    pub breadth: Vec<f64>,
    /// Per class (in [`CrashClass::ALL`] order) the mean σ-scaled move (NaN without data).
    pub class_moves: Vec<Vec<f64>>,
    pub flagged: Vec<CoCrashDay>,
}

/// σ-scaled daily moves of a price column: z_t = r_t / sd(r_{t−w..t−1}); `None` where undefined.
pub fn sigma_moves(prices: &[Option<f64>], window: usize, min_obs: usize) -> Vec<Option<f64>> {
    let n = prices.len();
    let mut r: Vec<Option<f64>> = vec![None; n];
    for t in 1..n {
        if let (Some(a), Some(b)) = (prices[t - 1], prices[t]) {
            if a > 0.0 && b > 0.0 {
                r[t] = Some((b / a).ln());
            }
        }
    }
    let mut out = vec![None; n];
    // running sums over the trailing window r[t-window..t]
    let (mut s, mut ss, mut k) = (0.0, 0.0, 0usize);
    for t in 0..n {
        if t >= 1 {
            if let Some(v) = r[t - 1] {
                s += v;
                ss += v * v;
                k += 1;
            }
            if t > window {
                if let Some(v) = r[t - 1 - window] {
                    s -= v;
                    ss -= v * v;
                    k -= 1;
                }
            }
        }
        if let Some(v) = r[t] {
            if k >= min_obs.max(2) {
                let m = s / k as f64;
                let var = (ss - k as f64 * m * m) / (k as f64 - 1.0);
                if var > 0.0 {
                    out[t] = Some(v / var.sqrt());
                }
            }
        }
    }
    out
}

/// Runs the detector on a price panel whose `ids` are classified by `classes` (id → class).
pub fn detect(prices: &Panel, classes: &[(String, CrashClass)], opts: &CoCrashOptions) -> Result<CoCrash> {
    let mut cols = Vec::new();
    for (id, c) in classes {
        let j = prices
            .ids
            .iter()
            .position(|x| x == id)
            .ok_or_else(|| ContagionError::Invalid(format!("co-crash: series `{id}` is not in the panel")))?;
        cols.push((id.clone(), *c, j));
    }
    if cols.is_empty() {
        return Err(ContagionError::Invalid("co-crash: no classified series".into()));
    }
    let mut present: Vec<CrashClass> = cols.iter().map(|(_, c, _)| *c).collect();
    present.sort();
    present.dedup();
    if present.len() < opts.min_classes {
        return Err(ContagionError::Invalid(format!(
            "co-crash needs series of at least {} asset classes; the input covers {} ({}): \
             with fewer classes no day can qualify, so a count of co-crash days would mean nothing",
            opts.min_classes,
            present.len(),
            present.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
        )));
    }
    let n = prices.len();
    let z: Vec<Vec<Option<f64>>> =
        cols.iter().map(|(_, _, j)| sigma_moves(&prices.columns[*j], opts.vol_window, opts.min_vol_obs)).collect();
    let ret = |k: usize, t: usize| -> f64 {
        let c = &prices.columns[cols[k].2];
        match (c[t - 1], c[t]) {
            (Some(a), Some(b)) => 100.0 * (b / a).ln(),
            _ => f64::NAN,
        }
    };
    let mut class_moves = vec![vec![f64::NAN; n]; CrashClass::ALL.len()];
    let mut breadth = vec![f64::NAN; n];
    let mut flagged = Vec::new();
    for t in 0..n {
        let mut moves = Vec::new();
        for (ci, c) in CrashClass::ALL.iter().enumerate() {
            let v: Vec<f64> =
                cols.iter().zip(&z).filter(|((_, cc, _), _)| cc == c).filter_map(|(_, zz)| zz[t]).collect();
            if !v.is_empty() {
                let m = v.iter().sum::<f64>() / v.len() as f64;
                class_moves[ci][t] = m;
                moves.push((*c, m));
            }
        }
        if moves.len() < opts.min_classes {
            continue;
        }
        let down: Vec<CrashClass> = moves.iter().filter(|(_, m)| *m <= -opts.large).map(|(c, _)| *c).collect();
        let declining = moves.iter().filter(|(_, m)| *m <= -opts.moderate).count();
        breadth[t] = down.len() as f64 / moves.len() as f64;
        let eq_down = down.contains(&CrashClass::Equities);
        let indiscriminate = down.len() >= opts.min_large || (eq_down && declining >= opts.min_moderate);
        let safe_haven_failure =
            eq_down && (down.contains(&CrashClass::PreciousMetals) || down.contains(&CrashClass::LongBonds));
        if indiscriminate || safe_haven_failure {
            let assets_down = cols
                .iter()
                .enumerate()
                .filter_map(|(k, (id, c, _))| {
                    z[k][t].filter(|v| *v <= -opts.large).map(|v| AssetMove {
                        id: id.clone(),
                        class: *c,
                        sigma_move: v,
                        return_pct: ret(k, t),
                    })
                })
                .collect();
            flagged.push(CoCrashDay {
                date: prices.dates[t],
                breadth: breadth[t],
                classes_available: moves.len(),
                classes_down: down,
                class_moves: moves,
                assets_down,
                indiscriminate,
                safe_haven_failure,
            });
        }
    }
    Ok(CoCrash { dates: prices.dates.clone(), breadth, class_moves, flagged })
}

/// Rolling tail co-exceedance: over each trailing `window` of days where both
/// moves exist, P(b ≤ −threshold | a ≤ −threshold) (NaN when `a` never exceeds).
pub fn tail_coexceedance(a: &[Option<f64>], b: &[Option<f64>], window: usize, threshold: f64) -> Result<Vec<f64>> {
    if a.len() != b.len() {
        return Err(ContagionError::Invalid("tail co-exceedance: series are not aligned".into()));
    }
    if window == 0 {
        return Err(ContagionError::Invalid("tail co-exceedance: window must be ≥ 1".into()));
    }
    let ev: Vec<Option<(bool, bool)>> = a
        .iter()
        .zip(b)
        .map(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => Some((*x <= -threshold, *y <= -threshold)),
            _ => None,
        })
        .collect();
    let (mut na, mut nab) = (0usize, 0usize);
    let mut out = Vec::with_capacity(a.len());
    for t in 0..ev.len() {
        if let Some((x, y)) = ev[t] {
            na += usize::from(x);
            nab += usize::from(x && y);
        }
        if t >= window {
            if let Some((x, y)) = ev[t - window] {
                na -= usize::from(x);
                nab -= usize::from(x && y);
            }
        }
        out.push(if na > 0 { nab as f64 / na as f64 } else { f64::NAN });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigma_moves_use_only_the_past() {
        let p: Vec<Option<f64>> =
            (0..100).map(|i| Some(100.0 * (1.0 + 0.01 * ((i * 7 % 11) as f64 - 5.0) / 5.0))).collect();
        let z = sigma_moves(&p, 20, 10);
        // direct at t = 50
        let r: Vec<f64> = (1..100).map(|t| (p[t].unwrap() / p[t - 1].unwrap()).ln()).collect();
        let w = &r[29..49]; // returns dated 30..49
        let m = w.iter().sum::<f64>() / 20.0;
        let sd = (w.iter().map(|v| (v - m).powi(2)).sum::<f64>() / 19.0).sqrt();
        assert!((z[50].unwrap() - r[49] / sd).abs() < 1e-10);
        assert!(z[5].is_none());
        let co = tail_coexceedance(&[Some(-2.0), Some(-2.0), Some(0.0)], &[Some(-2.0), Some(0.0), Some(-3.0)], 2, 1.5)
            .unwrap();
        assert_eq!(co[0], 1.0);
        assert_eq!(co[1], 0.5);
        assert_eq!(co[2], 0.0);
        assert_eq!(CrashClass::parse("Precious-Metals"), Some(CrashClass::PreciousMetals));
    }
}

/// Co-crash days on `series` with their asset classes, aligned on the calendar of the first equity series,
/// and each class's tail co-exceedance with equities over the last 250 days and the full history: what
/// `fissure contagion cocrash` and the Python `cocrash` show.
#[derive(Debug, Clone)]
pub struct CoCrashScan {
    /// The equity series whose calendar the panel follows.
    pub calendar: String,
    pub classes: Vec<(String, CrashClass)>,
    pub cocrash: CoCrash,
    /// (class, P(class ≤ −kσ | equities ≤ −kσ) over the last 250 days, over the full history); NaN when
    /// undefined. Classes without data are left out.
    pub coexceedance: Vec<(CrashClass, f64, f64)>,
}

/// Runs [`detect`] with a `threshold` (σ) and volatility window on the series and computes the co-exceedances.
pub fn scan(
    series: &[&Series],
    classes: Vec<(String, CrashClass)>,
    threshold: f64,
    vol_window: usize,
) -> Result<CoCrashScan> {
    let calendar = classes
        .iter()
        .find(|(_, c)| *c == CrashClass::Equities)
        .map(|(i, _)| i.clone())
        .ok_or_else(|| ContagionError::Invalid("the detector needs an equity series".into()))?;
    let panel = Panel::align(series, &Alignment::Reference { id: calendar.clone(), max_fill_days: 5 })?;
    let opts =
        CoCrashOptions { large: threshold, vol_window, min_vol_obs: (vol_window * 2 / 3).max(2), ..Default::default() };
    let cc = detect(&panel, &classes, &opts)?;
    let opt = |v: &Vec<f64>| -> Vec<Option<f64>> { v.iter().map(|x| x.is_finite().then_some(*x)).collect() };
    let eq = opt(&cc.class_moves[0]);
    let mut coexceedance = Vec::new();
    for (ci, c) in CrashClass::ALL.iter().enumerate().skip(1) {
        let other = opt(&cc.class_moves[ci]);
        if other.iter().all(Option::is_none) {
            continue;
        }
        let last250 = tail_coexceedance(&eq, &other, 250, threshold)?.last().copied().unwrap_or(f64::NAN);
        let full = tail_coexceedance(&eq, &other, eq.len(), threshold)?.last().copied().unwrap_or(f64::NAN);
        coexceedance.push((*c, last250, full));
    }
    Ok(CoCrashScan { calendar, classes, cocrash: cc, coexceedance })
}

impl CoCrashScan {
    /// The flagged days within [from, to] (either bound optional).
    pub fn days_between(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Vec<&CoCrashDay> {
        self.cocrash
            .flagged
            .iter()
            .filter(|d| from.is_none_or(|f| d.date >= f) && to.is_none_or(|t| d.date <= t))
            .collect()
    }
}
