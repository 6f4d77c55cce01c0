//! Property tests: the date parser, and write_csv → read_bytes round trips.

use chrono::{Datelike, NaiveDate};
use fissure_core::{Ohlcv, Series, SeriesMeta};
use fissure_io::read::{parse_date, read_bytes, ReadOptions};
use fissure_io::write::write_csv;
use proptest::prelude::*;
use std::path::Path;

fn date_strategy() -> impl Strategy<Value = NaiveDate> {
    (1800i32..2200, 1u32..=12, 1u32..=31).prop_filter_map("valid date", |(y, m, d)| NaiveDate::from_ymd_opt(y, m, d))
}

proptest! {
    #[test]
    fn every_written_form_parses_to_the_date(d in date_strategy(), h in 0u32..24, mi in 0u32..60, off in -12i32..=14) {
        let (y, m, dd) = (d.year(), d.month(), d.day());
        for s in [
            format!("{y:04}-{m:02}-{dd:02}"),
            format!("{y:04}/{m:02}/{dd:02}"),
            format!("{m}/{dd}/{y:04}"),
            format!("{m:02}/{dd:02}/{y:04}"),
            format!("{y:04}{m:02}{dd:02}"),
            format!("{y:04}-{m:02}-{dd:02} {h:02}:{mi:02}:00"),
            format!("{y:04}-{m:02}-{dd:02}T{h:02}:{mi:02}:00Z"),
            format!("{y:04}-{m:02}-{dd:02}T{h:02}:{mi:02}:00.250{}{:02}:00", if off < 0 { '-' } else { '+' }, off.abs()),
            format!(" {y:04}-{m:02}-{dd:02} "),
        ] {
            prop_assert_eq!(parse_date(s.as_bytes()), Some(d), "{}", s);
        }
        let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
        for s in [format!("{y:04}{m:02}"), format!("{y:04}-{m:02}"), format!("{y:04}.{m:02}")] {
            prop_assert_eq!(parse_date(s.as_bytes()), Some(first), "{}", s);
        }
    }

    #[test]
    fn invalid_days_are_rejected(y in 1800i32..2200, m in 1u32..=12, dd in 1u32..=40) {
        let s = format!("{y:04}-{m:02}-{dd:02}");
        prop_assert_eq!(parse_date(s.as_bytes()), NaiveDate::from_ymd_opt(y, m, dd));
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,40}") {
        let _ = parse_date(s.as_bytes());
    }

    #[test]
    fn csv_round_trip_one_series(
        start in date_strategy(),
        gaps in proptest::collection::vec(1u64..10, 1..60),
        vals in proptest::collection::vec(1e-9f64..1e12, 60),
        ohlc in any::<bool>(),
    ) {
        let mut dates = vec![start];
        for g in &gaps {
            let next = *dates.last().unwrap() + chrono::Days::new(*g);
            dates.push(next);
        }
        let n = dates.len();
        let values: Vec<f64> = vals[..n].to_vec();
        let ohlcv = ohlc.then(|| Ohlcv {
            open: values.iter().enumerate().map(|(i, v)| (i % 3 != 0).then_some(v * 0.99)).collect(),
            high: values.iter().map(|v| Some(v * 1.01)).collect(),
            low: values.iter().map(|v| Some(v * 0.98)).collect(),
            volume: (0..n).map(|i| (i % 4 != 1).then_some(i as f64 * 1000.0)).collect(),
        });
        let s = Series::with_ohlcv(SeriesMeta::new("x"), dates, values, ohlcv).unwrap();
        let mut buf = Vec::new();
        write_csv(std::slice::from_ref(&s), &mut buf).unwrap();
        let back = read_bytes(Path::new("x.csv"), &buf, &ReadOptions::default()).unwrap();
        prop_assert_eq!(back.series.len(), 1);
        let b = &back.series[0];
        prop_assert_eq!(b.dates(), s.dates());
        prop_assert_eq!(b.values(), s.values());
        prop_assert_eq!(b.ohlcv(), s.ohlcv());
    }

    #[test]
    fn csv_round_trip_several_series(
        a in proptest::collection::btree_map(date_strategy(), -1e6f64..1e6, 1..40),
        b in proptest::collection::btree_map(date_strategy(), -1e6f64..1e6, 1..40),
    ) {
        let mk = |id: &str, m: &std::collections::BTreeMap<NaiveDate, f64>| {
            Series::new(SeriesMeta::new(id), m.keys().copied().collect(), m.values().copied().collect()).unwrap()
        };
        let (sa, sb) = (mk("alpha", &a), mk("beta", &b));
        let mut buf = Vec::new();
        write_csv(&[sa.clone(), sb.clone()], &mut buf).unwrap();
        let back = read_bytes(Path::new("pair.csv"), &buf, &ReadOptions::default()).unwrap();
        prop_assert_eq!(back.series.len(), 2);
        for (orig, got) in [sa, sb].iter().zip(&back.series) {
            prop_assert_eq!(got.id(), format!("pair.{}", orig.id()));
            prop_assert_eq!(got.dates(), orig.dates());
            prop_assert_eq!(got.values(), orig.values());
        }
    }
}
