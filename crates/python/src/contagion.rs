//! Contagion family: `garch`, `dcc`, `correlations`, `absorption_ratio`, `turbulence`, `spillover`, `cocrash`
//! (the JSON of `fissure contagion … --json`; baskets are the caller's to build).

use crate::common::{many, options, run, PySeries};
use anyhow::{bail, Context};
use chrono::NaiveDate;
use fissure_contagion::absorption::{absorption_ratio as ar_fn, AbsorptionOptions};
use fissure_contagion::cocrash::{class_of, CrashClass};
use fissure_contagion::dcc::fit_dcc;
use fissure_contagion::garch::{fit_garch, GarchSpec, Innovation};
use fissure_contagion::panel::{log_return_rows, ReturnRows};
use fissure_contagion::spillover::{
    rolling_spillover, spillover as spill_fn, Identification, LagChoice, SpilloverOptions,
};
use fissure_contagion::turbulence::turbulence as turb_fn;
use fissure_core::{Alignment, Series};
use pyo3::prelude::*;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Dist {
    #[default]
    Normal,
    T,
}

fn spec_of(dist: Dist, gjr: bool) -> GarchSpec {
    GarchSpec { dist: if matches!(dist, Dist::T) { Innovation::StudentT } else { Innovation::Normal }, gjr }
}

/// 100 × log returns on the common dates (`Alignment::Intersection`), restricted to `from..=to`.
fn returns(
    series: &[Series],
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    min: usize,
) -> anyhow::Result<ReturnRows> {
    if series.len() < min {
        bail!("need at least {min} series, got {}", series.len());
    }
    let refs: Vec<&Series> = series.iter().collect();
    let r = log_return_rows(&refs, &Alignment::Intersection, 100.0).context("aligning the series' returns")?;
    let r = r.between(from, to);
    if r.rows.is_empty() {
        bail!("no common dates with returns in the requested span");
    }
    Ok(r)
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct GarchOpts {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub dist: Dist,
    pub gjr: bool,
    /// `returns="simple"` (default) or `"log"`, as `contagion garch --returns`.
    pub returns: GarchReturns,
}

#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum GarchReturns {
    #[default]
    Simple,
    Log,
}

#[pyfunction]
pub fn garch(py: Python<'_>, series: PySeries<'_>, options_json: &str) -> PyResult<String> {
    let s = series.to_series()?;
    run(py, move || {
        let a: GarchOpts = options(options_json)?;
        let log = a.returns == GarchReturns::Log;
        let (keep, y) = fissure_contagion::panel::garch_returns(&s, a.from, a.to, log)?;
        let fit = fit_garch(&y, spec_of(a.dist, a.gjr)).with_context(|| format!("GARCH fit of `{}`", s.id()))?;
        Ok(fissure_contagion::json::garch(&s, &keep, log, &fit, true))
    })
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct DccOpts {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub dist: Dist,
    pub paths: bool,
}

#[pyfunction]
pub fn dcc(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let list = many(&series)?;
    run(py, move || {
        let a: DccOpts = options(options_json)?;
        let r = returns(&list, a.from, a.to, 2)?;
        let cols: Vec<Vec<f64>> = (0..r.names.len()).map(|j| r.column(j)).collect();
        let fit = fit_dcc(&r.names, &cols, spec_of(a.dist, false))?;
        let out = fissure_contagion::json::dcc(&r, &fit, a.paths).context("empty DCC path")?;
        Ok(out)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorrOpts {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub window: usize,
    pub ewma: Option<f64>,
    pub conf: f64,
}

impl Default for CorrOpts {
    fn default() -> Self {
        CorrOpts { from: None, to: None, window: 60, ewma: None, conf: 0.95 }
    }
}

#[pyfunction]
pub fn correlations(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let list = many(&series)?;
    run(py, move || {
        let a: CorrOpts = options(options_json)?;
        let r = returns(&list, a.from, a.to, 2)?;
        Ok(fissure_contagion::json::correlations(&r, a.window, a.ewma, a.conf)?)
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AbsorptionOpts {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub window: usize,
    pub half_life: f64,
    pub fraction: f64,
}

impl Default for AbsorptionOpts {
    fn default() -> Self {
        AbsorptionOpts { from: None, to: None, window: 500, half_life: 250.0, fraction: 0.2 }
    }
}

#[pyfunction]
pub fn absorption_ratio(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let list = many(&series)?;
    run(py, move || {
        let a: AbsorptionOpts = options(options_json)?;
        let r = returns(&list, a.from, a.to, 2)?;
        let opts =
            AbsorptionOptions { window: a.window, half_life: a.half_life, fraction: a.fraction, ..Default::default() };
        let s = ar_fn(&r.rows, &opts)?;
        Ok(fissure_contagion::json::absorption(&r, &s, a.window, a.half_life))
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TurbulenceOpts {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub window: usize,
}

impl Default for TurbulenceOpts {
    fn default() -> Self {
        TurbulenceOpts { from: None, to: None, window: 500 }
    }
}

#[pyfunction]
pub fn turbulence(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let list = many(&series)?;
    run(py, move || {
        let a: TurbulenceOpts = options(options_json)?;
        let r = returns(&list, a.from, a.to, 1)?;
        let t = turb_fn(&r.rows, a.window)?;
        Ok(fissure_contagion::json::turbulence(&r, &t, a.window))
    })
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LagIc {
    Aic,
    Bic,
    Hqic,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SpilloverOpts {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub lag: usize,
    pub lag_ic: Option<LagIc>,
    pub max_lag: usize,
    pub horizon: usize,
    pub cholesky: bool,
    pub rolling: Option<usize>,
    pub step: usize,
}

impl Default for SpilloverOpts {
    fn default() -> Self {
        SpilloverOpts {
            from: None,
            to: None,
            lag: 2,
            lag_ic: None,
            max_lag: 8,
            horizon: 10,
            cholesky: false,
            rolling: None,
            step: 1,
        }
    }
}

#[pyfunction]
pub fn spillover(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let list = many(&series)?;
    run(py, move || {
        let a: SpilloverOpts = options(options_json)?;
        let r = returns(&list, a.from, a.to, 2)?;
        let lag = match a.lag_ic {
            None => LagChoice::Fixed { p: a.lag },
            Some(LagIc::Aic) => LagChoice::Aic { max: a.max_lag },
            Some(LagIc::Bic) => LagChoice::Bic { max: a.max_lag },
            Some(LagIc::Hqic) => LagChoice::Hqic { max: a.max_lag },
        };
        let identification = if a.cholesky { Identification::Cholesky } else { Identification::Generalized };
        let opts = SpilloverOptions { lag, horizon: a.horizon, identification };
        let s = spill_fn(&r.names, &r.rows, &opts)?;
        let rs = match a.rolling {
            Some(w) => {
                let ro = SpilloverOptions { lag: LagChoice::Fixed { p: s.p }, ..opts };
                Some((w, rolling_spillover(&r.names, &r.rows, w, a.step, &ro)?))
            }
            None => None,
        };
        Ok(fissure_contagion::json::spillover(&r, &s, rs.as_ref().map(|(w, x)| (*w, a.step, x))))
    })
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CocrashOpts {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Class of a series the detector does not know: id → equities|precious_metals|industrial_metals|energy|crypto|long_bonds.
    pub class: BTreeMap<String, String>,
    pub threshold: f64,
    pub vol_window: usize,
}

impl Default for CocrashOpts {
    fn default() -> Self {
        CocrashOpts { from: None, to: None, class: BTreeMap::new(), threshold: 1.5, vol_window: 60 }
    }
}

#[pyfunction]
pub fn cocrash(py: Python<'_>, series: Vec<PySeries<'_>>, options_json: &str) -> PyResult<String> {
    let list = many(&series)?;
    run(py, move || {
        let a: CocrashOpts = options(options_json)?;
        let mut classes = Vec::new();
        for s in &list {
            let c = match a.class.get(s.id()) {
                Some(c) => CrashClass::parse(c).with_context(|| format!("class {}={c}: unknown class", s.id()))?,
                None => class_of(s.id()).with_context(|| {
                    format!("no asset class known for `{}`; give class={{\"{}\": CLASS}}", s.id(), s.id())
                })?,
            };
            classes.push((s.id().to_string(), c));
        }
        let refs: Vec<&Series> = list.iter().collect();
        let sc = fissure_contagion::cocrash::scan(&refs, classes, a.threshold, a.vol_window)?;
        Ok(fissure_contagion::json::cocrash(&sc, a.threshold, a.vol_window, a.from, a.to))
    })
}
