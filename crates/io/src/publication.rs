//! Publication lags: when an observation became known.
//!
//! A series' dates label the period an observation describes (CAPE and margin debt:
//! the first day of the month; weekly FRED series: the week's end), not the day
//! it was published. Real-time analysis (`fissure report --as-of`, every backtest)
//! must see an observation only from its publication date, so [`as_known`] moves
//! each date forward by the series' lag before any family sees it.
//!
//! Lags (calendar days after the date label), from the bundled catalog's
//! `publication_lag_days` when the series came from it, else the documented
//! default of its source ([`default_lag_days`]):
//!
//! | source | label | published | lag |
//! |---|---|---|---|
//! | FINRA margin statistics (monthly) | 1st of the month, month-end balance | ≈ 3rd week of the next month | 50 |
//! | CAPE (multpl.com, Shiller), monthly | 1st of the month it averages | after the month ends | 31 |
//! | Shiller `ie_data` price columns, monthly | 1st of the month | after the month ends | 31 |
//! | AAII sentiment (monthly mean of the weekly survey) | 1st of the month | after the month's last survey | 31 |
//! | AAII asset allocation (monthly survey) | 1st of the month | early in the next month | 35 |
//! | NAAIM exposure (monthly mean of the weekly survey) | 1st of the month | after the month ends | 31 |
//! | FRED monthly (FEDFUNDS: monthly mean) | 1st of the month | 1st business day after | 32 |
//! | FRED weekly (STLFSI4, NFCI, WALCL, WRMFNS) | week's date | within the next week | 7 |
//! | FRED daily (yields, spreads, FX, RRP) | the day | the next business day | 1 |
//! | prices (Yahoo, Stooq) and anything else | the day | the close | 0 |

use crate::demo;
use chrono::Duration;
use fissure_core::{Frequency, Series, SeriesMeta};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The bundled catalog's lags: (entry id, bundled file) → days.
fn catalog_lags() -> &'static BTreeMap<String, (String, i64)> {
    static L: OnceLock<BTreeMap<String, (String, i64)>> = OnceLock::new();
    L.get_or_init(|| {
        demo::catalog()
            .map(|c| c.series.into_iter().filter_map(|e| e.publication_lag_days.map(|d| (e.id, (e.file, d)))).collect())
            .unwrap_or_default()
    })
}

/// The documented default lag of a series' source (see the module table).
pub fn default_lag_days(meta: &SeriesMeta) -> i64 {
    let id = meta.id.to_ascii_uppercase();
    let src = meta.source.to_ascii_uppercase();
    if src.contains("FINRA") || id.starts_with("MARGIN_DEBT") {
        50
    } else if src.contains("AAII ASSET ALLOCATION") || id.starts_with("AAII_ALLOC") {
        35
    } else if ["AAII", "NAAIM", "MULTPL", "SHILLER"].iter().any(|k| src.contains(k))
        || ["AAII", "NAAIM", "CAPE", "SHILLER"].iter().any(|k| id.starts_with(k))
    {
        // monthly means or month averages labelled on the 1st: known when the month ends
        31
    } else if src.contains("FRED") {
        match meta.frequency {
            Frequency::Monthly | Frequency::Quarterly | Frequency::Annual => 32,
            Frequency::Weekly => 7,
            _ => 1,
        }
    } else {
        0
    }
}

/// The publication lag of a series in calendar days: the bundled catalog's
/// `publication_lag_days` for a series loaded from it, else [`default_lag_days`].
pub fn lag_days(meta: &SeriesMeta) -> i64 {
    let lags = catalog_lags();
    let entry = lags.get(&meta.id).or_else(|| meta.id.split_once('.').and_then(|(base, _)| lags.get(base)));
    match entry {
        Some((file, days)) if meta.source.contains(&format!("data/demo/{file}")) => *days,
        _ => default_lag_days(meta),
    }
}

/// The series on its publication calendar: every date moved forward by
/// [`lag_days`] (values unchanged), so that truncating at a date keeps exactly what
/// was known on it.
pub fn as_known(s: &Series) -> Series {
    let lag = lag_days(&s.meta);
    if lag == 0 {
        return s.clone();
    }
    let dates = s.dates().iter().map(|d| *d + Duration::days(lag)).collect();
    // a constant shift keeps the dates sorted and unique, so this cannot fail
    Series::with_ohlcv(s.meta.clone(), dates, s.values().to_vec(), s.ohlcv().cloned()).unwrap_or_else(|_| s.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_per_source() {
        let m = |id: &str, source: &str, f: Frequency| SeriesMeta {
            id: id.into(),
            source: source.into(),
            frequency: f,
            ..SeriesMeta::new(id)
        };
        assert_eq!(default_lag_days(&m("X", "FINRA margin statistics", Frequency::Monthly)), 50);
        assert_eq!(default_lag_days(&m("CAPE", "multpl.com", Frequency::Monthly)), 31);
        assert_eq!(default_lag_days(&m("A", "AAII Investor Sentiment Survey", Frequency::Monthly)), 31);
        assert_eq!(default_lag_days(&m("N", "NAAIM", Frequency::Monthly)), 31);
        assert_eq!(default_lag_days(&m("S", "FRED STLFSI4", Frequency::Weekly)), 7);
        assert_eq!(default_lag_days(&m("Y", "FRED DGS10", Frequency::Daily)), 1);
        assert_eq!(default_lag_days(&m("F", "FRED FEDFUNDS", Frequency::Monthly)), 32);
        assert_eq!(default_lag_days(&m("SPX", "Yahoo Finance ^GSPC", Frequency::Daily)), 0);
    }

    #[test]
    fn bundled_series_are_moved_to_their_publication_dates() {
        let demo = demo::load().unwrap();
        let get = |id: &str| demo.series.iter().find(|(s, _)| s.id() == id).map(|(s, _)| s).unwrap();
        let md = get("MARGIN_DEBT");
        assert_eq!(lag_days(&md.meta), 50);
        let k = as_known(md);
        assert_eq!(k.dates()[0], md.dates()[0] + Duration::days(50));
        assert_eq!(k.values(), md.values());
        assert_eq!(lag_days(&get("CAPE").meta), 31);
        assert_eq!(lag_days(&get("SPX").meta), 0);
        assert_eq!(lag_days(&get("STLFSI4").meta), 6);
        assert_eq!(lag_days(&get("NFCI").meta), 5);
        assert!(lag_days(&get("SHILLER.sp500").meta) >= 31);
    }
}
