//! The bundled real data set (`data/demo`): its catalog and the embedded files.
//! `fissure ingest --demo` and `fissure report` (with no store) load it.

use crate::read::{read_bytes, Format, ReadError, ReadOptions};
use fissure_core::{AssetClass, CrossSection, Frequency, Series, SeriesMeta};
use serde::Deserialize;
use std::path::Path;

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// The catalog (`data/demo/catalog.toml`), embedded.
pub const CATALOG: &str = include_str!("../../../data/demo/catalog.toml");
/// The manifest of the bundled files (`data/demo/MANIFEST.md`), embedded.
pub const MANIFEST: &str = include_str!("../../../data/demo/MANIFEST.md");

/// One series file of the catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeriesEntry {
    pub file: String,
    pub id: String,
    pub name: String,
    pub asset_class: AssetClass,
    pub unit: String,
    pub frequency: Frequency,
    pub source: String,
    #[serde(default)]
    pub value_col: Option<String>,
    /// Accept prices <= 0 (WTI on 2020-04-20); log returns of such a series fail at analysis time.
    #[serde(default)]
    pub allow_non_positive: bool,
    /// Calendar days from an observation's date label to its publication
    /// (see [`crate::publication`]); absent: the source's documented default.
    #[serde(default)]
    pub publication_lag_days: Option<i64>,
}

/// One cross-section file of the catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionEntry {
    pub file: String,
    pub id: String,
    pub name: String,
    pub source: String,
}

/// The demo catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub series: Vec<SeriesEntry>,
    #[serde(default)]
    pub sections: Vec<SectionEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo catalog: {0}")]
    Catalog(String),
    #[error("demo catalog names `{0}`, which is not bundled")]
    MissingFile(String),
    #[error(transparent)]
    Read(#[from] ReadError),
}

/// The embedded catalog.
pub fn catalog() -> Result<Catalog, DemoError> {
    toml::from_str(CATALOG).map_err(|e| DemoError::Catalog(e.to_string()))
}

/// The content of bundled file `rel` (e.g. `prices/etf_spy_daily.csv`).
pub fn file(rel: &str) -> Option<&'static [u8]> {
    DEMO_FILES.iter().find(|(p, _)| *p == rel).map(|(_, b)| *b)
}

/// Everything loaded from the demo data.
#[derive(Debug, Clone, Default)]
pub struct DemoData {
    /// (series, bundled file it came from)
    pub series: Vec<(Series, String)>,
    pub sections: Vec<(CrossSection, String)>,
}

/// Reads every file of the catalog into validated series and cross-sections.
pub fn load() -> Result<DemoData, DemoError> {
    let cat = catalog()?;
    let mut out = DemoData::default();
    for e in &cat.series {
        let bytes = file(&e.file).ok_or_else(|| DemoError::MissingFile(e.file.clone()))?;
        let meta = SeriesMeta {
            id: e.id.clone(),
            name: e.name.clone(),
            asset_class: e.asset_class,
            unit: e.unit.clone(),
            frequency: e.frequency,
            source: format!("{} (data/demo/{})", e.source, e.file),
        };
        let opts = ReadOptions {
            format: Format::Bundle,
            id: Some(e.id.clone()),
            value_col: e.value_col.clone(),
            meta: Some(meta),
            frequency: Some(e.frequency),
            allow_non_positive: e.allow_non_positive,
            ..Default::default()
        };
        let got = read_bytes(Path::new(&e.file), bytes, &opts)?;
        out.series.extend(got.series.into_iter().map(|s| (s, e.file.clone())));
    }
    for e in &cat.sections {
        let bytes = file(&e.file).ok_or_else(|| DemoError::MissingFile(e.file.clone()))?;
        let opts = ReadOptions { id: Some(e.id.clone()), ..Default::default() };
        let got = read_bytes(Path::new(&e.file), bytes, &opts)?;
        out.sections.extend(got.sections.into_iter().map(|s| (s, e.file.clone())));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_files_are_bundled() {
        let cat = catalog().unwrap();
        for f in cat.series.iter().map(|e| &e.file).chain(cat.sections.iter().map(|e| &e.file)) {
            assert!(file(f).is_some(), "{f} not embedded");
        }
        assert_eq!(DEMO_FILES.len(), cat.series.len() + cat.sections.len(), "bundled files not in the catalog");
    }
}
