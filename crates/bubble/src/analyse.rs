//! The transform of the levels and the outcome of a PSY run (statistics, critical values, dated episodes);
//! [`crate::psy_plan`] makes and runs the plan.

use crate::cv::CriticalValues;
use crate::datestamp::Episode;
use crate::psy::Radf;
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
    /// How the critical values were approximated, when they were (see [`crate::cv::critical_values_capped`]).
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
