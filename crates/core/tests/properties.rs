//! Property tests of the data model: alignment and resampling never invent dates,
//! forward fill never exceeds its bound, monthly last = last daily value of the
//! month, returns round-trip to prices.

use chrono::{Datelike, Days, NaiveDate};
use fissure_core::{
    log_returns, prices_from_log_returns, prices_from_simple_returns, resample, simple_returns, Aggregation, Alignment,
    Frequency, Panel, Series, SeriesMeta,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// A series on random dates (strictly increasing gaps of 1..=9 days) with positive values.
fn arb_series(id: &'static str) -> impl Strategy<Value = Series> {
    (0u64..2000, prop::collection::vec((1u64..10, 1.0f64..1000.0), 2..120)).prop_map(move |(start, steps)| {
        let mut d = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap() + Days::new(start);
        let mut dates = Vec::new();
        let mut values = Vec::new();
        for (gap, v) in steps {
            d = d + Days::new(gap);
            dates.push(d);
            values.push(v);
        }
        Series::new(SeriesMeta::new(id), dates, values).unwrap()
    })
}

proptest! {
    #[test]
    fn union_alignment_never_invents_dates_and_fill_is_bounded(
        a in arb_series("a"), b in arb_series("b"), max_fill in 0u32..8
    ) {
        let p = Panel::align(&[&a, &b], &Alignment::Union { max_fill_days: max_fill }).unwrap();
        let all: BTreeSet<NaiveDate> = a.dates().iter().chain(b.dates()).copied().collect();
        prop_assert_eq!(p.dates.iter().copied().collect::<BTreeSet<_>>(), all);
        for (j, s) in [&a, &b].iter().enumerate() {
            for (i, d) in p.dates.iter().enumerate() {
                match p.columns[j][i] {
                    Some(v) => {
                        // the value is the last observation on or before d, at most max_fill days old
                        let k = s.index_at_or_before(*d).unwrap();
                        prop_assert_eq!(v, s.values()[k]);
                        prop_assert!((*d - s.dates()[k]).num_days() <= i64::from(max_fill));
                    }
                    None => {
                        let stale = s.index_at_or_before(*d).is_none_or(|k| (*d - s.dates()[k]).num_days() > i64::from(max_fill));
                        prop_assert!(stale, "missing although a fresh observation exists");
                    }
                }
            }
        }
    }

    #[test]
    fn intersection_has_only_common_dates(a in arb_series("a"), b in arb_series("b")) {
        match Panel::align(&[&a, &b], &Alignment::Intersection) {
            Ok(p) => {
                for (i, d) in p.dates.iter().enumerate() {
                    prop_assert_eq!(p.columns[0][i], a.value_on(*d));
                    prop_assert_eq!(p.columns[1][i], b.value_on(*d));
                    prop_assert!(p.columns[0][i].is_some() && p.columns[1][i].is_some());
                }
            }
            Err(_) => {
                let sa: BTreeSet<_> = a.dates().iter().collect();
                prop_assert!(b.dates().iter().all(|d| !sa.contains(d)));
            }
        }
    }

    #[test]
    fn monthly_last_is_the_last_daily_value_of_the_month(a in arb_series("a")) {
        let m = resample(&a, Frequency::Monthly, Aggregation::Last).unwrap();
        for (d, v) in m.dates().iter().zip(m.values()) {
            let in_month: Vec<usize> = (0..a.len())
                .filter(|&i| a.dates()[i].year() == d.year() && a.dates()[i].month() == d.month())
                .collect();
            prop_assert!(!in_month.is_empty(), "a month with no observation was invented");
            prop_assert_eq!(*v, a.values()[*in_month.last().unwrap()]);
            prop_assert!(*d >= a.dates()[*in_month.last().unwrap()], "label before the value was known");
        }
        let months: BTreeSet<(i32, u32)> = a.dates().iter().map(|d| (d.year(), d.month())).collect();
        prop_assert_eq!(m.len(), months.len());
    }

    #[test]
    fn weekly_resampling_never_invents_weeks(a in arb_series("a")) {
        let w = resample(&a, Frequency::Weekly, Aggregation::Mean).unwrap();
        for d in w.dates() {
            prop_assert_eq!(d.weekday(), chrono::Weekday::Fri);
            prop_assert!(a.dates().iter().any(|x| *x <= *d && (*d - *x).num_days() < 7));
        }
    }

    #[test]
    fn returns_round_trip_to_prices(a in arb_series("a")) {
        let v = a.values();
        let r = simple_returns(&a).unwrap();
        let back = prices_from_simple_returns(r.values(), v[0]);
        for (x, y) in back.iter().zip(&v[1..]) {
            prop_assert!((x - y).abs() <= 1e-9 * y.abs());
        }
        let l = log_returns(&a).unwrap();
        let back = prices_from_log_returns(l.values(), v[0]);
        for (x, y) in back.iter().zip(&v[1..]) {
            prop_assert!((x - y).abs() <= 1e-9 * y.abs());
        }
        prop_assert_eq!(r.dates(), &a.dates()[1..]);
    }
}

#[test]
fn log_returns_refuse_non_positive_prices() {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let s = Series::new(SeriesMeta::new("wti"), vec![d("2020-04-17"), d("2020-04-20")], vec![18.27, -36.98]).unwrap();
    let e = log_returns(&s).unwrap_err();
    assert!(e.to_string().contains("2020-04-20"), "{e}");
}
