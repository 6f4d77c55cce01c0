//! Shared helpers: the bundled demo data (data/demo) as a map id → series.
#![allow(dead_code)]

use fissure_core::{CrossSection, Series};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub fn demo() -> &'static BTreeMap<String, Series> {
    static DATA: OnceLock<BTreeMap<String, Series>> = OnceLock::new();
    DATA.get_or_init(|| {
        let d = fissure_io::demo::load().expect("demo data");
        d.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect()
    })
}

pub fn demo_sections() -> Vec<CrossSection> {
    fissure_io::demo::load().expect("demo data").sections.into_iter().map(|(s, _)| s).collect()
}
