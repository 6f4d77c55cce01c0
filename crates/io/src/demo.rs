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
    /// Repair OHLC rows whose open or close lies outside [low, high] (high/low widened; the
    /// close is never changed). Yahoo's continuous futures mix settlement closes with
    /// session highs and lows, so their files need it; MANIFEST.md says which.
    #[serde(default)]
    pub repair_ohlc: bool,
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

/// The deal book of the catalog (`[network]`): deals, firms and claims files.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkEntry {
    /// Name of the book in the store (`ai`).
    pub book: String,
    pub deals: String,
    pub firms: String,
    #[serde(default)]
    pub claims: Option<String>,
    #[serde(default)]
    pub fundamentals: Option<String>,
}

impl NetworkEntry {
    /// The files of the entry.
    pub fn files(&self) -> Vec<&String> {
        [Some(&self.deals), Some(&self.firms), self.claims.as_ref(), self.fundamentals.as_ref()]
            .into_iter()
            .flatten()
            .collect()
    }
}

/// The demo catalog.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    pub series: Vec<SeriesEntry>,
    #[serde(default)]
    pub sections: Vec<SectionEntry>,
    #[serde(default)]
    pub network: Option<NetworkEntry>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo catalog: {0}")]
    Catalog(String),
    #[error("demo catalog names `{0}`, which is not bundled")]
    MissingFile(String),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Deals(#[from] crate::deals::DealReadError),
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
    /// The deal book (name, book) of the catalog's `[network]` entry.
    pub book: Option<(String, fissure_core::DealBook)>,
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
            repair_ohlc: e.repair_ohlc,
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
    if let Some(n) = &cat.network {
        out.book = Some((n.book.clone(), load_book(n)?));
    }
    Ok(out)
}

/// Reads the deal book of a `[network]` entry from the bundled files.
pub fn load_book(n: &NetworkEntry) -> Result<fissure_core::DealBook, DemoError> {
    use crate::deals;
    let get = |f: &String| file(f).ok_or_else(|| DemoError::MissingFile(f.clone()));
    let path = |f: &String| std::path::PathBuf::from(format!("data/demo/{f}"));
    let firms = deals::read_firms(&path(&n.firms), get(&n.firms)?)?;
    let deal_rows = deals::read_deals(&path(&n.deals), get(&n.deals)?, &firms)?;
    let claims = match &n.claims {
        Some(f) => deals::read_claims(&path(f), get(f)?)?,
        None => vec![],
    };
    let fundamentals = match &n.fundamentals {
        Some(f) => deals::read_fundamentals(&path(f), get(f)?)?,
        None => vec![],
    };
    Ok(fissure_core::DealBook { deals: deal_rows, firms, fundamentals, claims })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_files_are_bundled() {
        let cat = catalog().unwrap();
        let network: Vec<&String> = cat.network.iter().flat_map(|n| n.files()).collect();
        for f in cat
            .series
            .iter()
            .map(|e| &e.file)
            .chain(cat.sections.iter().map(|e| &e.file))
            .chain(network.iter().copied())
        {
            assert!(file(f).is_some(), "{f} not embedded");
        }
        assert_eq!(
            DEMO_FILES.len(),
            cat.series.len() + cat.sections.len() + network.len(),
            "bundled files not in the catalog"
        );
    }
}
