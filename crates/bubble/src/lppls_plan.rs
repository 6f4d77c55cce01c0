//! LPPLS runs made concrete for one series from user-level options, and their `--json` documents: one fit on
//! the window that ends at a date (`fissure bubble lppls`, `fissure.lppls`) and the FCO confidence indicator
//! over a range of dates (`fissure bubble lppls-ci`, `fissure.lppls_confidence`). The CLI and the Python
//! package build the same plans, so every default, range and refusal is written once.
//!
//! Time is the calendar day (proleptic Gregorian ordinal, 0001-01-01 = 1), so `tc` is a date; the levels are
//! log prices (Filimonov & Sornette 2013, eq. 1).

use crate::analyse::Transform;
use crate::lppls::{self, FitOptions, LpplsFit};
use crate::lppls_ci::{self, CiConfig, CiPoint, Filter, RelErrorAggregation};
use crate::psy_plan::{levels, PlanError};
use crate::{BubbleError, Result};
use chrono::{Datelike, NaiveDate};
use fissure_core::Series;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// The qualification filter of a fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FilterChoice {
    /// FCO filter 1 (Sornette et al. 2015, Table 1).
    Fco,
    /// The `lppls` Python package's defaults.
    Lppls,
}

/// How the FCO relative-error bound aggregates the window's errors `|p − p̂| / p̂`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RelError {
    Mean,
    Max,
}

/// The filter for a choice and an aggregation.
pub fn filter_of(f: FilterChoice, rel: RelError) -> Filter {
    let base = match f {
        FilterChoice::Fco => Filter::default(),
        FilterChoice::Lppls => Filter::lppls_package(),
    };
    let rel_error = match rel {
        RelError::Mean => RelErrorAggregation::Mean,
        RelError::Max => RelErrorAggregation::Max,
    };
    Filter { rel_error, ..base }
}

/// The calendar day of a date (0001-01-01 = 1).
pub fn ordinal(d: NaiveDate) -> f64 {
    d.num_days_from_ce() as f64
}

/// The date of a calendar day, if it is one (`tc` can lie far outside the calendar).
pub fn from_ordinal(x: f64) -> Option<NaiveDate> {
    if x.is_finite() && x.abs() < 1e7 {
        NaiveDate::from_num_days_from_ce_opt(x.floor() as i32)
    } else {
        None
    }
}

fn check(name: &str, v: usize, lo: usize, hi: usize) -> Result<()> {
    if (lo..=hi).contains(&v) {
        Ok(())
    } else {
        Err(BubbleError::Config(format!("{name} {v} is not in {lo}..={hi}")))
    }
}

/// The log levels; LPPLS has no other transform, so a non-positive level is refused with that reason.
fn log_levels(s: &Series) -> std::result::Result<Vec<f64>, PlanError> {
    levels(s, Transform::Log, "; LPPLS fits log prices")
}

/// The user's options for one LPPLS fit (the names of the CLI's flags and of the Python keywords).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LpplsOptions {
    /// Last date of the window (default: the last observation).
    pub end: Option<NaiveDate>,
    /// Window length in observations.
    pub window: usize,
    /// Local searches (LM from the best screened candidates; the lowest-SSE fit is kept).
    pub starts: usize,
    /// Random candidate points screened by SSE.
    pub screen: usize,
    pub seed: u64,
    pub filter: FilterChoice,
    pub rel_error: RelError,
}

impl Default for LpplsOptions {
    fn default() -> Self {
        LpplsOptions {
            end: None,
            window: 500,
            starts: 8,
            screen: 96,
            seed: 0,
            filter: FilterChoice::Fco,
            rel_error: RelError::Mean,
        }
    }
}

impl LpplsOptions {
    /// Refuses out-of-range options (the ranges the CLI checks when it parses its flags).
    pub fn validate(&self) -> Result<()> {
        check("window", self.window, 20, 100_000)?;
        check("starts", self.starts, 1, 1000)?;
        check("screen", self.screen, 1, 100_000)
    }
}

/// One LPPLS fit made concrete: the window's times and log levels, the fit options and the filter.
#[derive(Debug, Clone)]
pub struct LpplsPlan {
    /// The series as known at `end`.
    pub s: Series,
    /// Index of the window's first observation in `s`.
    pub lo: usize,
    pub t: Vec<f64>,
    pub y: Vec<f64>,
    pub fit: FitOptions,
    pub filter: Filter,
    pub window: usize,
}

impl LpplsPlan {
    /// The plan for `raw` under `a` (validated first).
    pub fn new(raw: &Series, a: &LpplsOptions) -> std::result::Result<LpplsPlan, PlanError> {
        a.validate()?;
        let s = match a.end {
            Some(e) => raw.as_of(e),
            None => raw.clone(),
        };
        if s.len() < a.window {
            return Err(PlanError::ShortWindow { series: s.id().to_string(), n: s.len(), window: a.window });
        }
        let lo = s.len() - a.window;
        let t = s.dates()[lo..].iter().map(|d| ordinal(*d)).collect();
        let y = log_levels(&s)?[lo..].to_vec();
        let fit = FitOptions { starts: a.starts, screen: a.screen, seed: a.seed, ..FitOptions::default() };
        Ok(LpplsPlan { s, lo, t, y, fit, filter: filter_of(a.filter, a.rel_error), window: a.window })
    }

    /// The calibrated fit (Filimonov & Sornette 2013).
    pub fn run(&self) -> std::result::Result<LpplsFit, PlanError> {
        lppls::fit(&self.t, &self.y, &self.fit).map_err(|source| PlanError::Lppls {
            what: "LPPLS",
            series: self.s.id().to_string(),
            source,
        })
    }

    /// Whether the fit passes the plan's filter.
    pub fn qualified(&self, f: &LpplsFit) -> bool {
        self.filter.qualifies(f, &self.t, &self.y)
    }

    /// The document of `fissure bubble lppls --json`.
    pub fn json(&self, f: &LpplsFit) -> Value {
        let s = &self.s;
        json!({
            "tc": from_ordinal(f.tc), "tc_days": f.tc, "m": f.m, "omega": f.omega, "a": f.a, "b": f.b, "c1": f.c1, "c2": f.c2,
            "sse": f.sse, "qualified": self.qualified(f), "oscillations": f.oscillations(self.filter.oscillation_divisor),
            "damping": f.damping(),
            "params": {"id": s.id(), "first": s.dates()[self.lo], "end": s.dates()[s.len() - 1], "window": self.window,
                        "starts": self.fit.starts, "seed": self.fit.seed, "search_space": self.fit.space, "filter": self.filter,
                        "time": "calendar days (proleptic Gregorian ordinal, 0001-01-01 = 1)"},
        })
    }
}

/// The user's options for the LPPLS confidence indicator over a range of dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LpplsCiOptions {
    /// First date of the range (default: 60 observations before `to`).
    pub from: Option<NaiveDate>,
    /// Last date of the range (default: the last observation).
    pub to: Option<NaiveDate>,
    /// Every k-th date of the range.
    pub every: usize,
    pub max_window: usize,
    pub min_window: usize,
    /// Step between window lengths.
    pub step: usize,
    /// Local searches per window (plus a warm start from the next larger window).
    pub starts: usize,
    /// Random candidates screened per window.
    pub screen: usize,
    pub seed: u64,
    pub filter: FilterChoice,
    pub rel_error: RelError,
}

impl Default for LpplsCiOptions {
    fn default() -> Self {
        LpplsCiOptions {
            from: None,
            to: None,
            every: 1,
            max_window: 750,
            min_window: 125,
            step: 5,
            starts: 2,
            screen: 16,
            seed: 0,
            filter: FilterChoice::Fco,
            rel_error: RelError::Mean,
        }
    }
}

impl LpplsCiOptions {
    /// Refuses out-of-range options (the ranges the CLI checks when it parses its flags; `max_window` ≥
    /// `min_window` is the indicator's own check).
    pub fn validate(&self) -> Result<()> {
        check("every", self.every, 1, 100_000)?;
        check("max_window", self.max_window, 8, 100_000)?;
        check("min_window", self.min_window, 8, 100_000)?;
        check("step", self.step, 1, 100_000)?;
        check("starts", self.starts, 1, 100)?;
        check("screen", self.screen, 1, 10_000)
    }
}

/// The confidence indicator made concrete: the series' times and log levels, the dates at which it is
/// computed and the window configuration.
#[derive(Debug, Clone)]
pub struct LpplsCiPlan {
    pub s: Series,
    pub t: Vec<f64>,
    pub y: Vec<f64>,
    /// Indices of the dates of the range (every k-th).
    pub ends: Vec<usize>,
    /// Index of the range's first date.
    pub from: usize,
    pub cfg: CiConfig,
}

impl LpplsCiPlan {
    /// The plan for `s` under `a` (validated first).
    pub fn new(s: &Series, a: &LpplsCiOptions) -> std::result::Result<LpplsCiPlan, PlanError> {
        a.validate()?;
        let to = match a.to {
            Some(d) => s
                .index_at_or_before(d)
                .ok_or_else(|| PlanError::NoObservation { series: s.id().to_string(), date: d })?,
            None => s.len().checked_sub(1).ok_or_else(|| PlanError::Empty { series: s.id().to_string() })?,
        };
        let from = match a.from {
            Some(d) => s.dates().partition_point(|x| *x < d),
            None => to.saturating_sub(59),
        };
        if from > to {
            return Err(PlanError::EmptyRange);
        }
        let t = s.dates().iter().map(|d| ordinal(*d)).collect();
        let y = log_levels(s)?;
        let cfg = CiConfig {
            max_window: a.max_window,
            min_window: a.min_window,
            step: a.step,
            filter: filter_of(a.filter, a.rel_error),
            starts: a.starts,
            screen: a.screen,
            seed: a.seed,
            ..CiConfig::default()
        };
        Ok(LpplsCiPlan { s: s.clone(), t, y, ends: (from..=to).step_by(a.every).collect(), from, cfg })
    }

    /// The indicator at every date of the plan; refused when no window could be fitted at any of them.
    /// `progress(done, total)` is called as dates complete.
    pub fn run(
        &self,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> std::result::Result<Vec<CiPoint>, PlanError> {
        let series = || self.s.id().to_string();
        let pts = lppls_ci::indicator(&self.t, &self.y, &self.ends, &self.cfg, progress)
            .map_err(|source| PlanError::Lppls { what: "LPPLS indicator", series: series(), source })?;
        if pts.iter().all(|p| p.windows == 0) {
            return Err(PlanError::NoWindow {
                series: series(),
                min_window: self.cfg.min_window,
                first: self.from + 1,
            });
        }
        Ok(pts)
    }

    /// The date at the `q`-quantile of the qualified fits' critical times at a point.
    pub fn tc_quantile(p: &CiPoint, q: f64) -> Option<NaiveDate> {
        p.tc_quantile(q).and_then(from_ordinal)
    }

    /// The document of `fissure bubble lppls-ci --json`.
    pub fn json(&self, pts: &[CiPoint]) -> Value {
        let q = Self::tc_quantile;
        let rows: Vec<Value> = pts
            .iter()
            .map(|p| {
                json!({"date": self.s.dates()[p.index], "pos_conf": p.pos_conf, "neg_conf": p.neg_conf, "windows": p.windows,
                       "qualified": p.tc_qualified.len(),
                       "tc_q10": q(p, 0.1), "tc_q50": q(p, 0.5), "tc_q90": q(p, 0.9)})
            })
            .collect();
        let cfg = &self.cfg;
        json!({"id": self.s.id(), "dates": rows, "params": {
            "windows": cfg.windows().len(), "max_window": cfg.max_window, "min_window": cfg.min_window, "step": cfg.step,
            "starts": cfg.starts, "seed": cfg.seed, "filter": cfg.filter, "search_space": cfg.space}})
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fissure_core::{Series, SeriesMeta as Meta};

    fn bubble(n: usize) -> Series {
        // a super-exponential run-up with a log-periodic wobble: the LPPLS shape, tc just after the end
        let d0 = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
        let dates: Vec<NaiveDate> = (0..n).map(|i| d0 + chrono::Days::new(i as u64)).collect();
        let tc = n as f64 + 20.0;
        let v: Vec<f64> = (0..n)
            .map(|i| {
                let dt = tc - i as f64;
                (5.0 - 0.4 * dt.powf(0.5) * (1.0 + 0.05 * (8.0 * dt.ln()).cos())).exp()
            })
            .collect();
        Series::new(Meta::new("B"), dates, v).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn lppls_plan_refuses_short_windows_bad_levels_and_ranges() {
        let s = bubble(100);
        let a = LpplsOptions { window: 200, ..LpplsOptions::default() };
        let e = LpplsPlan::new(&s, &a).map(|_| ()).unwrap_err();
        assert_eq!(e.to_string(), "series `B` has 100 observations up to the end date; the window needs 200");
        let e = LpplsPlan::new(&s, &LpplsOptions { window: 5, ..a.clone() }).map(|_| ()).unwrap_err();
        assert_eq!(e.to_string(), "invalid configuration: window 5 is not in 20..=100000");
        let mut v = s.values().to_vec();
        v[90] = 0.0;
        let z = Series::new(Meta::new("Z"), s.dates().to_vec(), v).unwrap_or_else(|e| panic!("{e}"));
        let e = LpplsPlan::new(&z, &LpplsOptions { window: 50, ..a }).map(|_| ()).unwrap_err();
        assert!(matches!(e, PlanError::NonPositive { value, .. } if value == 0.0), "{e}");
        assert!(e.to_string().ends_with("is not positive; LPPLS fits log prices"), "{e}");
        let c = LpplsCiOptions { to: NaiveDate::from_ymd_opt(2019, 1, 1), ..LpplsCiOptions::default() };
        let e = LpplsCiPlan::new(&s, &c).map(|_| ()).unwrap_err();
        assert_eq!(e.to_string(), "no observation of `B` on or before 2019-01-01");
        let c = LpplsCiOptions { from: NaiveDate::from_ymd_opt(2021, 1, 1), ..LpplsCiOptions::default() };
        assert_eq!(LpplsCiPlan::new(&s, &c).map(|_| ()).unwrap_err().to_string(), "empty date range");
    }

    #[test]
    fn lppls_plan_fits_the_window_and_documents_it() {
        let s = bubble(300);
        let p = LpplsPlan::new(&s, &LpplsOptions { window: 250, ..LpplsOptions::default() })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.lo, p.t.len(), p.y.len()), (50, 250, 250));
        assert_eq!(p.t[0], ordinal(s.dates()[50]));
        let f = p.run().unwrap_or_else(|e| panic!("{e}"));
        let doc = p.json(&f);
        assert_eq!(doc["params"]["first"], json!(s.dates()[50]));
        assert_eq!(doc["params"]["window"], json!(250));
        assert_eq!(doc["qualified"], json!(p.qualified(&f)));
        // tc as a date is the floor of the fitted calendar day
        assert_eq!(doc["tc"], json!(from_ordinal(f.tc)));
    }

    #[test]
    fn lppls_ci_plan_refuses_a_range_where_no_window_fits() {
        let s = bubble(200);
        // every date of the default range has fewer than 125 observations before it only if the series is short
        let c = LpplsCiOptions { min_window: 150, max_window: 160, ..LpplsCiOptions::default() };
        let short = Series::new(Meta::new("S"), s.dates()[..140].to_vec(), s.values()[..140].to_vec())
            .unwrap_or_else(|e| panic!("{e}"));
        let p = LpplsCiPlan::new(&short, &c).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.ends, (80..140).collect::<Vec<_>>());
        let e = p.run(None).map(|_| ()).unwrap_err();
        assert!(e.to_string().starts_with("LPPLS indicator on `S`: no window could be fitted at any date"), "{e}");
        let p = LpplsCiPlan::new(&s, &LpplsCiOptions { every: 20, ..c }).unwrap_or_else(|e| panic!("{e}"));
        let pts = p.run(None).unwrap_or_else(|e| panic!("{e}"));
        let doc = p.json(&pts);
        assert_eq!(doc["dates"].as_array().map(Vec::len), Some(3));
        assert_eq!(doc["params"]["windows"], json!(3));
    }
}
