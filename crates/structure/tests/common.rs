//! Shared helpers: the bundled demo data (data/demo).
#![allow(dead_code)]

use fissure_core::{CrossSection, Series};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub struct Demo {
    pub series: BTreeMap<String, Series>,
    pub mcaps: Vec<CrossSection>,
}

pub fn demo() -> &'static Demo {
    static DATA: OnceLock<Demo> = OnceLock::new();
    DATA.get_or_init(|| {
        let d = fissure_io::demo::load().expect("demo data");
        Demo {
            series: d.series.into_iter().map(|(s, _)| (s.id().to_string(), s)).collect(),
            mcaps: d
                .sections
                .into_iter()
                .map(|(s, _)| s)
                .filter(|s| s.id.starts_with("SP500_MCAP") && s.field == "market_cap_usd_bn")
                .collect(),
        }
    })
}
