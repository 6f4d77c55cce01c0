#![allow(dead_code)]
//! Shared fixtures: the bundled real data (loaded once).

use fissure_core::Series;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub fn demo() -> &'static BTreeMap<String, Series> {
    static D: OnceLock<BTreeMap<String, Series>> = OnceLock::new();
    D.get_or_init(|| {
        let d = fissure_io::demo::load().expect("demo data");
        d.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect()
    })
}
