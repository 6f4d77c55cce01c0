//! Series: metadata plus dated observations, columnar.

use crate::{CoreError, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of thing a series measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum AssetClass {
    EquityIndex,
    Stock,
    Etf,
    Commodity,
    Crypto,
    Fx,
    Rate,
    Spread,
    Macro,
    Fundamental,
    #[default]
    Unknown,
}

impl AssetClass {
    pub const ALL: [AssetClass; 11] = [
        Self::EquityIndex,
        Self::Stock,
        Self::Etf,
        Self::Commodity,
        Self::Crypto,
        Self::Fx,
        Self::Rate,
        Self::Spread,
        Self::Macro,
        Self::Fundamental,
        Self::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::EquityIndex => "equity_index",
            Self::Stock => "stock",
            Self::Etf => "etf",
            Self::Commodity => "commodity",
            Self::Crypto => "crypto",
            Self::Fx => "fx",
            Self::Rate => "rate",
            Self::Spread => "spread",
            Self::Macro => "macro",
            Self::Fundamental => "fundamental",
            Self::Unknown => "unknown",
        }
    }

    /// True for series whose values are prices (log returns make sense).
    pub fn is_price(self) -> bool {
        matches!(self, Self::EquityIndex | Self::Stock | Self::Etf | Self::Commodity | Self::Crypto | Self::Fx)
    }
}

impl fmt::Display for AssetClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AssetClass {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| format!("unknown asset class `{s}`"))
    }
}

/// Sampling frequency of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Trading or business days (gaps of 1–4 calendar days).
    Daily,
    /// Every calendar day (24/7 markets such as crypto).
    CalendarDaily,
    Weekly,
    Monthly,
    Quarterly,
    Annual,
    #[default]
    Irregular,
}

impl Frequency {
    pub const ALL: [Frequency; 7] =
        [Self::Daily, Self::CalendarDaily, Self::Weekly, Self::Monthly, Self::Quarterly, Self::Annual, Self::Irregular];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::CalendarDaily => "calendar_daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
            Self::Annual => "annual",
            Self::Irregular => "irregular",
        }
    }

    /// Observations per year, for annualising.
    pub fn periods_per_year(self) -> f64 {
        match self {
            Self::Daily => 252.0,
            Self::CalendarDaily => 365.0,
            Self::Weekly => 52.0,
            Self::Monthly => 12.0,
            Self::Quarterly => 4.0,
            Self::Annual => 1.0,
            Self::Irregular => 252.0,
        }
    }

    /// Infers the frequency from the median gap between consecutive dates and
    /// the share of weekend dates. Returns `Irregular` with fewer than 3 dates.
    pub fn infer(dates: &[NaiveDate]) -> Frequency {
        match median_gap_days(dates) {
            None => Self::Irregular,
            Some(g) => match g {
                1 => {
                    use chrono::Datelike;
                    let weekend = dates.iter().filter(|d| d.weekday().number_from_monday() >= 6).count();
                    if weekend * 10 > dates.len() {
                        Self::CalendarDaily
                    } else {
                        Self::Daily
                    }
                }
                2..=4 => Self::Daily,
                5..=10 => Self::Weekly,
                25..=35 => Self::Monthly,
                80..=100 => Self::Quarterly,
                350..=380 => Self::Annual,
                _ => Self::Irregular,
            },
        }
    }

    /// True if `observed` is compatible with a declared `self` (daily and
    /// calendar-daily are compatible with each other; irregular accepts all).
    pub fn accepts(self, observed: Frequency) -> bool {
        use Frequency::*;
        self == observed
            || self == Irregular
            || matches!((self, observed), (Daily, CalendarDaily) | (CalendarDaily, Daily))
    }
}

/// Median gap in calendar days between consecutive dates (None for < 3 dates).
pub fn median_gap_days(dates: &[NaiveDate]) -> Option<i64> {
    if dates.len() < 3 {
        return None;
    }
    let mut gaps: Vec<i64> = dates.windows(2).map(|w| (w[1] - w[0]).num_days()).collect();
    gaps.sort_unstable();
    Some(gaps[gaps.len() / 2])
}

impl fmt::Display for Frequency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Frequency {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::ALL.into_iter().find(|c| c.as_str() == s).ok_or_else(|| format!("unknown frequency `{s}`"))
    }
}

/// Descriptive metadata of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SeriesMeta {
    /// Stable identifier (`spy`, `nasdaq_composite`, `shiller_sp500_monthly.cape`).
    pub id: String,
    /// Human name.
    pub name: String,
    pub asset_class: AssetClass,
    /// Unit of the value (`USD`, `percent`, `index`, `ratio`, …).
    pub unit: String,
    pub frequency: Frequency,
    /// Where the data came from (file name, vendor, URL).
    pub source: String,
}

impl SeriesMeta {
    pub fn new(id: impl Into<String>) -> Self {
        let id = id.into();
        SeriesMeta { name: id.clone(), id, ..Default::default() }
    }
}

/// Open, high, low and volume columns, parallel to a series' dates.
/// `None` marks a value the source did not report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Ohlcv {
    pub open: Vec<Option<f64>>,
    pub high: Vec<Option<f64>>,
    pub low: Vec<Option<f64>>,
    pub volume: Vec<Option<f64>>,
}

impl Ohlcv {
    fn len_check(&self, series: &str, n: usize) -> Result<()> {
        for (name, col) in [("open", &self.open), ("high", &self.high), ("low", &self.low), ("volume", &self.volume)] {
            if col.len() != n {
                return Err(CoreError::LengthMismatch {
                    series: series.to_string(),
                    column: name.to_string(),
                    expected: n,
                    got: col.len(),
                });
            }
        }
        Ok(())
    }

    fn select(&self, idx: impl Iterator<Item = usize> + Clone) -> Ohlcv {
        let pick = |c: &Vec<Option<f64>>| idx.clone().map(|i| c[i]).collect();
        Ohlcv { open: pick(&self.open), high: pick(&self.high), low: pick(&self.low), volume: pick(&self.volume) }
    }
}

/// One dated observation, for row-wise access.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub date: NaiveDate,
    pub value: f64,
    pub open: Option<f64>,
    pub high: Option<f64>,
    pub low: Option<f64>,
    pub volume: Option<f64>,
}

/// A validated time series: dates strictly increasing, values finite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub meta: SeriesMeta,
    dates: Vec<NaiveDate>,
    values: Vec<f64>,
    ohlcv: Option<Ohlcv>,
}

impl Series {
    /// Builds a series, checking that dates strictly increase, lengths agree
    /// and every value is finite.
    pub fn new(meta: SeriesMeta, dates: Vec<NaiveDate>, values: Vec<f64>) -> Result<Self> {
        Self::with_ohlcv(meta, dates, values, None)
    }

    /// As [`Series::new`], with open/high/low/volume columns.
    pub fn with_ohlcv(meta: SeriesMeta, dates: Vec<NaiveDate>, values: Vec<f64>, ohlcv: Option<Ohlcv>) -> Result<Self> {
        let id = &meta.id;
        if values.len() != dates.len() {
            return Err(CoreError::LengthMismatch {
                series: id.clone(),
                column: "value".into(),
                expected: dates.len(),
                got: values.len(),
            });
        }
        if let Some(o) = &ohlcv {
            o.len_check(id, dates.len())?;
        }
        for (i, w) in dates.windows(2).enumerate() {
            if w[1] <= w[0] {
                return Err(CoreError::UnsortedDates { series: id.clone(), date: w[1], index: i + 1 });
            }
        }
        for (d, v) in dates.iter().zip(&values) {
            if !v.is_finite() {
                return Err(CoreError::NonFinite { series: id.clone(), date: *d, value: *v });
            }
        }
        Ok(Series { meta, dates, values, ohlcv })
    }

    pub fn id(&self) -> &str {
        &self.meta.id
    }
    pub fn len(&self) -> usize {
        self.dates.len()
    }
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }
    pub fn dates(&self) -> &[NaiveDate] {
        &self.dates
    }
    /// The close (prices) or value (everything else).
    pub fn values(&self) -> &[f64] {
        &self.values
    }
    pub fn ohlcv(&self) -> Option<&Ohlcv> {
        self.ohlcv.as_ref()
    }
    pub fn first_date(&self) -> Option<NaiveDate> {
        self.dates.first().copied()
    }
    pub fn last_date(&self) -> Option<NaiveDate> {
        self.dates.last().copied()
    }

    /// Row `i` as an [`Observation`].
    pub fn observation(&self, i: usize) -> Observation {
        let o = self.ohlcv.as_ref();
        Observation {
            date: self.dates[i],
            value: self.values[i],
            open: o.and_then(|o| o.open[i]),
            high: o.and_then(|o| o.high[i]),
            low: o.and_then(|o| o.low[i]),
            volume: o.and_then(|o| o.volume[i]),
        }
    }

    pub fn observations(&self) -> impl Iterator<Item = Observation> + '_ {
        (0..self.len()).map(|i| self.observation(i))
    }

    /// Value on `date`, if observed.
    pub fn value_on(&self, date: NaiveDate) -> Option<f64> {
        self.dates.binary_search(&date).ok().map(|i| self.values[i])
    }

    /// Index of the last observation on or before `date`.
    pub fn index_at_or_before(&self, date: NaiveDate) -> Option<usize> {
        match self.dates.binary_search(&date) {
            Ok(i) => Some(i),
            Err(0) => None,
            Err(i) => Some(i - 1),
        }
    }

    /// The sub-series with `from <= date <= to` (either bound optional).
    pub fn slice(&self, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Series {
        let lo = from.map_or(0, |f| self.dates.partition_point(|d| *d < f));
        let hi = to.map_or(self.len(), |t| self.dates.partition_point(|d| *d <= t));
        let hi = hi.max(lo);
        Series {
            meta: self.meta.clone(),
            dates: self.dates[lo..hi].to_vec(),
            values: self.values[lo..hi].to_vec(),
            ohlcv: self.ohlcv.as_ref().map(|o| o.select(lo..hi)),
        }
    }

    /// The series truncated at `as_of` (inclusive): what was known on that date.
    pub fn as_of(&self, as_of: NaiveDate) -> Series {
        self.slice(None, Some(as_of))
    }

    /// The same data with the value column replaced (e.g. after a transform).
    pub fn map_values(&self, id: impl Into<String>, f: impl Fn(f64) -> f64) -> Result<Series> {
        let mut meta = self.meta.clone();
        meta.id = id.into();
        Series::new(meta, self.dates.clone(), self.values.iter().map(|v| f(*v)).collect())
    }

    /// Checks the declared frequency against the dates (errors on a mismatch).
    pub fn check_frequency(&self) -> Result<()> {
        let observed = Frequency::infer(&self.dates);
        if observed == Frequency::Irregular || self.meta.frequency.accepts(observed) {
            return Ok(());
        }
        Err(CoreError::FrequencyMismatch {
            series: self.meta.id.clone(),
            declared: self.meta.frequency.to_string(),
            observed: observed.to_string(),
            median_gap_days: median_gap_days(&self.dates).unwrap_or(0),
        })
    }

    /// Errors if any value is not strictly positive (needed before log returns).
    pub fn check_positive(&self) -> Result<()> {
        match self.dates.iter().zip(&self.values).find(|(_, v)| **v <= 0.0) {
            Some((d, v)) => Err(CoreError::NonPositivePrice { series: self.meta.id.clone(), date: *d, value: *v }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn rejects_unsorted_and_nan() {
        let m = SeriesMeta::new("x");
        let e = Series::new(m.clone(), vec![d("2020-01-02"), d("2020-01-01")], vec![1.0, 2.0]);
        assert!(matches!(e, Err(CoreError::UnsortedDates { index: 1, .. })));
        let e = Series::new(m, vec![d("2020-01-01")], vec![f64::NAN]);
        assert!(matches!(e, Err(CoreError::NonFinite { .. })));
    }

    #[test]
    fn slicing_and_as_of() {
        let s = Series::new(
            SeriesMeta::new("x"),
            vec![d("2020-01-01"), d("2020-01-02"), d("2020-01-06")],
            vec![1.0, 2.0, 3.0],
        )
        .unwrap();
        assert_eq!(s.as_of(d("2020-01-05")).values(), &[1.0, 2.0]);
        assert_eq!(s.slice(Some(d("2020-01-02")), None).values(), &[2.0, 3.0]);
        assert_eq!(s.index_at_or_before(d("2020-01-05")), Some(1));
        assert_eq!(s.index_at_or_before(d("2019-12-31")), None);
    }

    #[test]
    fn infers_frequencies() {
        let base = d("2020-01-06");
        let daily: Vec<_> = (0..60)
            .map(|i| base + chrono::Days::new(i))
            .filter(|x| chrono::Datelike::weekday(x).number_from_monday() <= 5)
            .collect();
        assert_eq!(Frequency::infer(&daily), Frequency::Daily);
        let cal: Vec<_> = (0..60).map(|i| base + chrono::Days::new(i)).collect();
        assert_eq!(Frequency::infer(&cal), Frequency::CalendarDaily);
        let weekly: Vec<_> = (0..20).map(|i| base + chrono::Days::new(7 * i)).collect();
        assert_eq!(Frequency::infer(&weekly), Frequency::Weekly);
        let monthly: Vec<_> = (1..=12).map(|m| NaiveDate::from_ymd_opt(2020, m, 1).unwrap()).collect();
        assert_eq!(Frequency::infer(&monthly), Frequency::Monthly);
    }
}
