//! Date-stamping of explosive episodes (PSY 2015a §2.3): an episode starts at the first `r2`
//! where BSADF(r2) exceeds its critical value and ends at the first later `r2` where it no longer
//! does; an optional minimum duration `δ·log T` (PSY) drops short runs.
//!
//! Conventions follow exuber's `datestamp()`: `end` is the first observation back at or below the
//! critical value (the date the episode is known to be over); an episode still running at the
//! sample end is `ongoing` and its `end` is the last observation; `duration` counts the
//! observations above the critical value; `peak` is the observation with the largest statistic.

use crate::{BubbleError, Result};
use serde::{Deserialize, Serialize};

/// One explosive episode, as indices into the levels of the series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Episode {
    pub start: usize,
    pub peak: usize,
    /// First index back below the critical value, or the last index if `ongoing`.
    pub end: usize,
    /// Number of observations above the critical value.
    pub duration: usize,
    pub ongoing: bool,
}

/// PSY's minimum duration `round(δ·log T)` observations (exuber `psy_ds`, rule 1).
pub fn min_duration(t: usize, delta: f64) -> usize {
    (delta * (t as f64).ln()).round() as usize
}

/// Episodes where `stat[i] > cv[i]`. `first` is the index (into the levels) of `stat[0]`;
/// runs shorter than `min_duration` observations are dropped.
pub fn episodes(stat: &[f64], cv: &[f64], first: usize, min_duration: usize) -> Result<Vec<Episode>> {
    if stat.len() != cv.len() {
        return Err(BubbleError::Length(format!("{} statistics vs {} critical values", stat.len(), cv.len())));
    }
    let n = stat.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        if stat[i] > cv[i] {
            let s = i;
            let mut peak = i;
            while i < n && stat[i] > cv[i] {
                if stat[i] > stat[peak] {
                    peak = i;
                }
                i += 1;
            }
            let duration = i - s;
            if duration >= min_duration.max(1) {
                let ongoing = i >= n;
                out.push(Episode {
                    start: s + first,
                    peak: peak + first,
                    end: if ongoing { n - 1 + first } else { i + first },
                    duration,
                    ongoing,
                });
            }
        } else {
            i += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_min_duration() {
        let s = [0.0, 2.0, 3.0, 0.0, 2.0, 0.0, 5.0, 6.0];
        let c = [1.0; 8];
        let e = episodes(&s, &c, 10, 0).unwrap();
        assert_eq!(e.len(), 3);
        assert_eq!(e[0], Episode { start: 11, peak: 12, end: 13, duration: 2, ongoing: false });
        assert_eq!(e[2], Episode { start: 16, peak: 17, end: 17, duration: 2, ongoing: true });
        let e = episodes(&s, &c, 10, 2).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(min_duration(323, 1.0), 6);
        assert!(episodes(&s, &c[..3], 0, 0).is_err());
    }
}
