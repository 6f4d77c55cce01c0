//! One-call PSY analysis of a dated series: statistics, critical values and dated episodes.

use crate::cv::{self, BsadfCvRule, CriticalValues, CvMethod, Progress};
use crate::datestamp::{self, Episode};
use crate::psy::{self, PsyConfig, Radf};
use crate::{BubbleError, Result};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Transform applied to the levels before testing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    Log,
    None,
}

/// Applies the transform (log needs positive values).
pub fn transform(values: &[f64], t: Transform) -> Result<Vec<f64>> {
    match t {
        Transform::None => Ok(values.to_vec()),
        Transform::Log => values
            .iter()
            .enumerate()
            .map(|(i, v)| if *v > 0.0 { Ok(v.ln()) } else { Err(BubbleError::NonPositive { index: i, value: *v }) })
            .collect(),
    }
}

/// What to compute.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PsyRequest {
    pub cfg: PsyConfig,
    /// Critical values (None: statistics only, no episodes).
    pub cv: Option<(CvMethod, BsadfCvRule)>,
    /// Minimum episode duration in observations.
    pub min_duration: usize,
    /// Index into 90/95/99 of the level used for date-stamping (1 = 95%).
    pub level: usize,
    /// Longest simulated Monte Carlo path (see [`cv::critical_values_capped`]); `usize::MAX` = exact.
    pub mc_max_len: usize,
}

/// An episode with dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatedEpisode {
    pub start: NaiveDate,
    pub peak: NaiveDate,
    pub end: NaiveDate,
    pub duration: usize,
    pub ongoing: bool,
}

/// Statistics, critical values, episodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PsyOutcome {
    pub radf: Radf,
    pub cv: Option<CriticalValues>,
    pub episodes: Vec<Episode>,
    /// How the critical values were approximated, when they were (see [`cv::critical_values_capped`]).
    pub cv_note: Option<String>,
}

impl PsyOutcome {
    /// Episodes with the dates of `dates` (the levels' dates).
    pub fn dated(&self, dates: &[NaiveDate]) -> Vec<DatedEpisode> {
        self.episodes
            .iter()
            .filter(|e| e.end < dates.len())
            .map(|e| DatedEpisode {
                start: dates[e.start],
                peak: dates[e.peak],
                end: dates[e.end],
                duration: e.duration,
                ongoing: e.ongoing,
            })
            .collect()
    }
}

/// Runs the recursive tests on `y` (already transformed) with optional critical values.
pub fn psy(y: &[f64], req: &PsyRequest, progress: Progress<'_>) -> Result<PsyOutcome> {
    let radf = psy::radf(y, &req.cfg)?;
    let Some((method, rule)) = req.cv else {
        return Ok(PsyOutcome { radf, cv: None, episodes: vec![], cv_note: None });
    };
    let (cvs, cv_note) = cv::critical_values_capped(y, &req.cfg, method, rule, req.mc_max_len, progress)?;
    let level = req.level.min(2);
    let seq: Vec<f64> = cvs.bsadf.iter().map(|c| c[level]).collect();
    let episodes = datestamp::episodes(&radf.bsadf, &seq, radf.first, req.min_duration)?;
    Ok(PsyOutcome { radf, cv: Some(cvs), episodes, cv_note })
}
