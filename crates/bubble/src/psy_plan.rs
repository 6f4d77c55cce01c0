//! A PSY run made concrete for one series from user-level options, and its `--json` document: the CLI
//! (`fissure bubble psy`), the Python package (`fissure.psy`) and its Dask scan build the same plan, so every
//! default and refusal is written once.
//!
//! Options → plan: resample (`freq`), cut to [`from`, `to`], transform the levels, choose the lag (fixed or by
//! AIC/BIC up to `max_lag`), the smallest window (default, observations or rows), `tb` (default two years of
//! the data's frequency plus the window, at most the sample), the critical values (Monte Carlo with the
//! pointwise rule by default, wild bootstrap with the sup-over-`tb` rule by default, or none) and the level.

use crate::analyse::{transform, PsyOutcome, Transform};
use crate::cv::{self, BsadfCvRule, CriticalValues, CvMethod, Progress};
use crate::datestamp;
use crate::psy::{self, LagSelection, MinWindow, PsyConfig, Radf};
use crate::{BubbleError, Result};
use chrono::NaiveDate;
use fissure_core::{resample, Aggregation, Frequency, Series};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Resampling before the test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Freq {
    Daily,
    Weekly,
    Monthly,
}

/// Information criterion for the lag order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ic {
    Aic,
    Bic,
}

/// Critical values: Monte Carlo, wild bootstrap, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CvChoice {
    Mc,
    Wild,
    None,
}

/// The BSADF critical-value rule (default: pointwise for Monte Carlo, sup over `tb` for the wild bootstrap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CvRuleChoice {
    Pointwise,
    Exuber,
    Tb,
}

/// What `min_window` counts: observations of the levels (psymonitor) or regression rows (exuber).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowConvention {
    Obs,
    Rows,
}

/// The user's PSY options (the names of the CLI's flags and of the Python keywords).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PsyOptions {
    pub freq: Option<Freq>,
    pub transform: Transform,
    pub lag: Option<usize>,
    pub ic: Option<Ic>,
    pub max_lag: usize,
    pub min_window: Option<usize>,
    pub window_convention: WindowConvention,
    pub cv: CvChoice,
    pub cv_rule: Option<CvRuleChoice>,
    pub tb: Option<usize>,
    pub reps: usize,
    pub seed: u64,
    pub drift_eta: Option<f64>,
    /// 90, 95 or 99.
    pub level: u32,
    /// Minimum episode duration as a multiple of log(T) (0: none).
    pub min_duration: f64,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Monte Carlo critical values are simulated on at most this many observations.
    pub mc_max_len: usize,
}

impl Default for PsyOptions {
    fn default() -> Self {
        PsyOptions {
            freq: None,
            transform: Transform::Log,
            lag: None,
            ic: None,
            max_lag: 6,
            min_window: None,
            window_convention: WindowConvention::Obs,
            cv: CvChoice::Mc,
            cv_rule: None,
            tb: None,
            reps: 2000,
            seed: 123,
            drift_eta: None,
            level: 95,
            min_duration: 0.0,
            from: None,
            to: None,
            mc_max_len: 2600,
        }
    }
}

impl PsyOptions {
    /// Refuses out-of-range options (the ranges the CLI checks when it parses its flags).
    pub fn validate(&self) -> Result<()> {
        let bad = |what: String| Err(BubbleError::Config(what));
        if self.lag.is_some() && self.ic.is_some() {
            return bad("the options `lag` and `ic` cannot be used together".into());
        }
        if let Some(l) = self.lag.filter(|l| *l > 10) {
            return bad(format!("lag {l} is not in 0..=10"));
        }
        if self.max_lag > 10 {
            return bad(format!("max_lag {} is not in 0..=10", self.max_lag));
        }
        if let Some(w) = self.min_window.filter(|w| !(4..=10_000_000).contains(w)) {
            return bad(format!("min_window {w} is not in 4..=10000000"));
        }
        if let Some(t) = self.tb.filter(|t| *t == 0) {
            return bad(format!("tb {t} is not at least 1"));
        }
        if self.reps < 10 {
            return bad(format!("{} replications are too few (need ≥ 10)", self.reps));
        }
        if self.reps > 100_000 {
            return bad(format!("{} replications are more than 100000", self.reps));
        }
        if !(50..=100_000).contains(&self.mc_max_len) {
            return bad(format!("mc_max_len {} is not in 50..=100000", self.mc_max_len));
        }
        if let Some(e) = self.drift_eta.filter(|e| !(e.is_finite() && *e > 0.0)) {
            return bad(format!("drift_eta {e} is not positive"));
        }
        if !(self.min_duration.is_finite() && self.min_duration >= 0.0) {
            return bad(format!("min_duration {} is not a non-negative number", self.min_duration));
        }
        if ![90, 95, 99].contains(&self.level) {
            return bad(format!("level must be 90, 95 or 99, not `{}`", self.level));
        }
        Ok(())
    }
}

/// Why a plan (PSY, LPPLS, LPPLS indicator) could not be made or run; each names the series.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// A level the log transform cannot take. `hint` is the plan's own advice (LPPLS: it fits log prices);
    /// PSY leaves it empty and the caller adds how to ask for no transform in its own words.
    #[error("series `{series}`: value {value} on {date} is not positive{hint}")]
    NonPositive { series: String, date: NaiveDate, value: f64, hint: &'static str },
    /// The levels or the window do not fit the series.
    #[error("series `{series}` ({n} observations)")]
    Series {
        series: String,
        n: usize,
        #[source]
        source: BubbleError,
    },
    #[error(transparent)]
    Options(#[from] BubbleError),
    /// An LPPLS window longer than the series up to its end date.
    #[error("series `{series}` has {n} observations up to the end date; the window needs {window}")]
    ShortWindow { series: String, n: usize, window: usize },
    #[error("no observation of `{series}` on or before {date}")]
    NoObservation { series: String, date: NaiveDate },
    #[error("series `{series}` is empty")]
    Empty { series: String },
    #[error("empty date range")]
    EmptyRange,
    /// The LPPLS confidence indicator fitted no window at any date of its range.
    #[error(
        "LPPLS indicator on `{series}`: no window could be fitted at any date of the range (the shortest window needs {min_window} observations before the date; the range starts at observation {first})"
    )]
    NoWindow { series: String, min_window: usize, first: usize },
    /// An LPPLS fit or indicator failed (`what`: "LPPLS", "LPPLS indicator").
    #[error("{what} on `{series}`")]
    Lppls {
        what: &'static str,
        series: String,
        #[source]
        source: BubbleError,
    },
}

/// The transformed levels of `s`; a level the transform cannot take is named by its date (with `hint`).
pub(crate) fn levels(s: &Series, t: Transform, hint: &'static str) -> std::result::Result<Vec<f64>, PlanError> {
    transform(s.values(), t).map_err(|e| match e {
        BubbleError::NonPositive { index, value } => {
            PlanError::NonPositive { series: s.id().to_string(), date: s.dates()[index], value, hint }
        }
        source => PlanError::Series { series: s.id().to_string(), n: s.len(), source },
    })
}

/// A PSY problem made concrete for one series: the levels, the configuration and the critical-value request.
#[derive(Debug, Clone)]
pub struct PsyPlan {
    /// The series as tested (resampled and cut).
    pub s: Series,
    /// Its transformed levels.
    pub y: Vec<f64>,
    pub transform: Transform,
    pub cfg: PsyConfig,
    pub lag: LagSelection,
    /// The smallest window, in observations.
    pub w: usize,
    pub cv: Option<(CvMethod, BsadfCvRule)>,
    /// 0, 1, 2 for 90, 95, 99 %.
    pub level: usize,
    pub level_pct: u32,
    pub min_duration: usize,
    pub mc_max_len: usize,
}

impl PsyPlan {
    /// The plan for `raw` under `a` (validated first).
    pub fn new(raw: &Series, a: &PsyOptions) -> std::result::Result<PsyPlan, PlanError> {
        a.validate()?;
        let s = match a.freq {
            None | Some(Freq::Daily) => raw.clone(),
            Some(Freq::Weekly) => resample(raw, Frequency::Weekly, Aggregation::Last).map_err(BubbleError::from)?,
            Some(Freq::Monthly) => resample(raw, Frequency::Monthly, Aggregation::Last).map_err(BubbleError::from)?,
        };
        let s = s.slice(a.from, a.to);
        let series_err = |source: BubbleError, n: usize| PlanError::Series { series: s.id().to_string(), n, source };
        let y = levels(&s, a.transform, "")?;
        let lag = match (a.lag, a.ic) {
            (_, Some(Ic::Aic)) => LagSelection::Aic(a.max_lag),
            (_, Some(Ic::Bic)) => LagSelection::Bic(a.max_lag),
            (k, None) => LagSelection::Fixed(k.unwrap_or(0)),
        };
        let min_window = match (a.min_window, a.window_convention) {
            (None, _) => MinWindow::Default,
            (Some(n), WindowConvention::Obs) => MinWindow::Observations(n),
            (Some(n), WindowConvention::Rows) => MinWindow::Rows(n),
        };
        let cfg = PsyConfig { lag, min_window };
        let w = cfg.validate(y.len()).map_err(|e| series_err(e, y.len()))?;
        // refused before any critical value is simulated
        psy::check_levels(&y).map_err(|e| series_err(e, y.len()))?;
        let n = y.len();
        let ppy = Frequency::infer(s.dates()).periods_per_year();
        let tb = a.tb.unwrap_or_else(|| ((2.0 * ppy).round() as usize + w - 1).min(n));
        let rule = |default: BsadfCvRule| match a.cv_rule {
            None => default,
            Some(CvRuleChoice::Pointwise) => BsadfCvRule::Pointwise,
            Some(CvRuleChoice::Exuber) => BsadfCvRule::ExuberCummax,
            Some(CvRuleChoice::Tb) => BsadfCvRule::SupTb(tb),
        };
        let cv = match a.cv {
            CvChoice::None => None,
            CvChoice::Mc => Some((
                CvMethod::MonteCarlo { reps: a.reps, seed: a.seed, drift_eta: a.drift_eta },
                rule(BsadfCvRule::Pointwise),
            )),
            CvChoice::Wild => {
                Some((CvMethod::WildBootstrap { reps: a.reps, seed: a.seed }, rule(BsadfCvRule::SupTb(tb))))
            }
        };
        let level = match a.level {
            90 => 0,
            99 => 2,
            _ => 1,
        };
        Ok(PsyPlan {
            min_duration: datestamp::min_duration(n, a.min_duration),
            s,
            y,
            transform: a.transform,
            cfg,
            lag,
            w,
            cv,
            level,
            level_pct: a.level,
            mc_max_len: a.mc_max_len,
        })
    }

    /// The key under which Monte Carlo critical values can be shared: they depend on the sample length, the
    /// configuration and the simulation only, never on the data (`None` for the wild bootstrap or no CV).
    pub fn shared_cv_key(&self) -> Option<String> {
        match self.cv {
            Some((m @ CvMethod::MonteCarlo { .. }, rule)) => Some(
                json!({"n": self.y.len(), "cfg": self.cfg, "method": m, "rule": rule, "mc_max_len": self.mc_max_len})
                    .to_string(),
            ),
            _ => None,
        }
    }

    /// Critical values for this plan (Monte Carlo ones need only the length); `progress` sees the replications.
    pub fn critical_values(&self, progress: Progress<'_>) -> Result<Option<CriticalValues>> {
        match self.cv {
            None => Ok(None),
            Some((m, rule)) => {
                Ok(Some(cv::critical_values_capped(&self.y, &self.cfg, m, rule, self.mc_max_len, progress)?.0))
            }
        }
    }

    /// Statistics and episodes with the given critical values (from `critical_values`, maybe shared).
    pub fn outcome(&self, cvs: Option<CriticalValues>) -> Result<PsyOutcome> {
        let radf: Radf = psy::radf(&self.y, &self.cfg)?;
        let episodes = match &cvs {
            Some(c) => {
                let seq: Vec<f64> = c.bsadf.iter().map(|v| v[self.level]).collect();
                datestamp::episodes(&radf.bsadf, &seq, radf.first, self.min_duration)?
            }
            None => vec![],
        };
        let cv_note = match (&cvs, self.cv) {
            (Some(_), Some((m, _))) => cv::cap_note(self.y.len(), self.w, m, self.mc_max_len),
            _ => None,
        };
        Ok(PsyOutcome { radf, cv: cvs, episodes, cv_note })
    }
}

fn lvl(v: [f64; 3]) -> Value {
    json!({"90": v[0], "95": v[1], "99": v[2]})
}

/// The document of `fissure bubble psy --json` without its `bsadf` records (see [`bsadf_records`]): the
/// statistics, critical values and p-values, the dated episodes, the note on capped critical values, the
/// parameters.
pub fn psy_json(p: &PsyPlan, out: &PsyOutcome) -> Value {
    let (s, r, n, w, lag) = (&p.s, &out.radf, p.y.len(), p.w, p.lag);
    let dates = s.dates();
    let params = json!({
        "id": s.id(), "n": n, "first": dates.first(), "last": dates.last(), "transform": p.transform,
        "lag": lag, "window_obs": w, "window_rows_lag": w - 1 - lag.max_lag(),
        "window_convention": "observations (levels) in the smallest window, psymonitor swindow0; exuber minw = window_obs - 1 - lag",
        "cv": p.cv.map(|(m, rule)| json!({"method": m, "rule": rule})), "level": p.level_pct,
        "min_duration": p.min_duration,
    });
    let cvs = out.cv.as_ref();
    let pv = CriticalValues::p_value;
    json!({
        "adf": r.adf, "sadf": r.sadf, "gsadf": r.gsadf,
        "cv": cvs.map(|c| json!({"adf": lvl(c.adf), "sadf": lvl(c.sadf), "gsadf": lvl(c.gsadf)})),
        "p_values": cvs.map(|c| json!({"adf": pv(&c.adf_distr, r.adf), "sadf": pv(&c.sadf_distr, r.sadf), "gsadf": pv(&c.gsadf_distr, r.gsadf)})),
        "episodes": out.dated(dates),
        "cv_note": out.cv_note,
        "params": params,
    })
}

/// The BSADF sequence as records {date, value, cv} (cv at the plan's level, null without critical values).
pub fn bsadf_records(p: &PsyPlan, out: &PsyOutcome) -> Value {
    let (r, dates) = (&out.radf, p.s.dates());
    let cvs = out.cv.as_ref();
    r.bsadf
        .iter()
        .enumerate()
        .map(|(i, v)| json!({"date": dates[r.first + i], "value": v, "cv": cvs.map(|c| c.bsadf[i][p.level])}))
        .collect()
}
