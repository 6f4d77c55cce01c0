//! Issue 9's reader rules, each tested for its class: dates (formats, day/month order, range,
//! future), OHLC consistency and its explicit repair, gaps against the frequency, spikes,
//! encodings and delimiters, echoed cells, `skip_before`.

use chrono::NaiveDate;
use fissure_core::{AssetClass, Frequency, SeriesMeta};
use fissure_io::read::{read_bytes, DateOrder, ReadError, ReadOptions, ReadOutcome};
use std::path::Path;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn read_as(name: &str, text: &[u8], opts: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    read_bytes(Path::new(name), text, opts)
}

fn ok(text: &str, opts: &ReadOptions) -> ReadOutcome {
    read_as("x.csv", text.as_bytes(), opts).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str, opts: &ReadOptions) -> ReadError {
    match read_as("x.csv", text.as_bytes(), opts) {
        Ok(o) => panic!("accepted: {:?}", o.series.first().map(|s| s.dates().to_vec())),
        Err(e) => e,
    }
}

#[test]
fn every_pair_of_date_forms_in_one_file_is_refused() {
    let forms = ["2024-01-02", "01/03/2024", "20240104", "2024-02", "2024-01-05T10:00:00Z"];
    for a in forms {
        for b in forms {
            // timestamps and plain ISO dates are one form
            let same = a == b || (a.starts_with("2024-01-0") && b.starts_with("2024-01-0"));
            let text = format!("date,value\n{a},1\n{b},2\n");
            let r = read_as("x.csv", text.as_bytes(), &ReadOptions::default());
            match r {
                Err(e) if !same => assert_eq!(e.kind(), "MixedDateFormats", "{a} + {b}: {e}"),
                Err(e) if e.kind() == "MixedDateFormats" => panic!("{a} + {b}: {e}"),
                _ => {}
            }
            if !same {
                let e = read_as("x.csv", text.as_bytes(), &ReadOptions::default()).err().unwrap();
                assert_eq!(e.line(), Some(3), "{e}");
            }
        }
    }
}

#[test]
fn day_month_order_is_decided_by_the_file_or_by_the_flag() {
    // every day <= 12: ambiguous, refused without --date-format, and both readings offered
    let amb = "date,value\n01/03/2024,1\n02/03/2024,2\n03/03/2024,3\n";
    let e = err(amb, &ReadOptions::default());
    assert_eq!(e.kind(), "AmbiguousDates");
    assert!(e.to_string().contains("3 January 2024") && e.to_string().contains("1 March 2024"), "{e}");
    let mdy = ok(amb, &ReadOptions { date_order: DateOrder::Mdy, ..Default::default() });
    assert_eq!(mdy.series[0].dates()[0], d("2024-01-03"));
    let dmy = ok(amb, &ReadOptions { date_order: DateOrder::Dmy, ..Default::default() });
    assert_eq!(dmy.series[0].dates(), &[d("2024-03-01"), d("2024-03-02"), d("2024-03-03")]);
    // a day > 12 anywhere decides day-first, with a warning naming the line
    let day_first = "date,value\n01/02/2024,1\n13/02/2024,2\n";
    let out = ok(day_first, &ReadOptions::default());
    assert_eq!(out.series[0].dates(), &[d("2024-02-01"), d("2024-02-13")]);
    assert!(out.warnings.iter().any(|w| w.message.contains("day-first") && w.message.contains("line 3")));
    // a month-position part > 12 decides month-first, silently (the documented default)
    let us = "date,value\n01/02/2024,1\n01/13/2024,2\n";
    assert_eq!(ok(us, &ReadOptions::default()).series[0].dates(), &[d("2024-01-02"), d("2024-01-13")]);
    // --date-format mdy on a day-first file: the first impossible date is named
    let e = err(day_first, &ReadOptions { date_order: DateOrder::Mdy, ..Default::default() });
    assert_eq!((e.kind(), e.line()), ("BadDate", Some(3)));
}

#[test]
fn compact_digit_columns_are_dates_only_under_a_date_name() {
    let codes = "code,value\n200001,1\n200002,2\n200003,3\n";
    assert_eq!(err(codes, &ReadOptions::default()).kind(), "MissingDateColumn");
    let codes8 = "id,value\n20000101,1\n20000102,2\n";
    assert_eq!(err(codes8, &ReadOptions::default()).kind(), "MissingDateColumn");
    let named = "month,value\n200001,1\n200002,2\n200003,3\n";
    assert_eq!(ok(named, &ReadOptions::default()).series[0].dates()[0], d("2000-01-01"));
    let chosen = ReadOptions { date_col: Some("code".into()), ..Default::default() };
    assert_eq!(ok(codes, &chosen).series[0].dates()[2], d("2000-03-01"));
}

#[test]
fn dates_outside_the_plausible_range_are_refused() {
    for (text, line) in [("date,value\n2024-01-02,1\n0001-01-01,2\n", 3), ("date,value\n1599-12-31,1\n", 2)] {
        let e = err(text, &ReadOptions::default());
        assert_eq!((e.kind(), e.line()), ("DateOutOfRange", Some(line)), "{e}");
    }
    // future dates: refused after `not_after` (the CLI passes today), line and date named
    let today = d("2026-03-02");
    let opts = ReadOptions { not_after: Some(today), ..Default::default() };
    for future in ["2099-01-02", "9999-12-31", "2026-03-03"] {
        let e = err(&format!("date,value\n2026-02-27,1\n{future},2\n"), &opts);
        assert_eq!((e.kind(), e.line()), ("DateOutOfRange", Some(3)), "{e}");
        assert!(e.to_string().contains(future) && e.to_string().contains("--allow-future"), "{e}");
    }
    assert_eq!(ok("date,value\n2026-03-02,1\n", &opts).series[0].len(), 1, "today itself is fine");
    // snapshots too
    let snap = "snapshot_date,symbol,name,price\n2099-01-02,AAPL,Apple,1\n";
    assert_eq!(err(snap, &opts).kind(), "DateOutOfRange");
}

#[test]
fn ohlc_rows_must_be_consistent_or_explicitly_repaired() {
    let head = "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n";
    for (row, column) in [
        ("2024-01-03,10,9,11,10,100", "high"),
        ("2024-01-03,12,11,9,10,100", "open"),
        ("2024-01-03,8,11,9,10,100", "open"),
        ("2024-01-03,10,11,9,11.5,100", "close"),
        ("2024-01-03,10,11,9,8.5,100", "close"),
        ("2024-01-03,10,11,9,10,-1", "volume"),
    ] {
        let text = format!("{head}{row}\n");
        let e = err(&text, &ReadOptions::default());
        assert_eq!((e.kind(), e.line(), e.column().as_deref()), ("OhlcInconsistent", Some(3), Some(column)), "{row}");
        let out = ok(&text, &ReadOptions { repair_ohlc: true, ..Default::default() });
        let s = &out.series[0];
        let o = s.ohlcv().unwrap();
        assert_eq!(s.values()[1], text.lines().nth(2).unwrap().split(',').nth(4).unwrap().parse::<f64>().unwrap());
        let (h, l) = (o.high[1].unwrap(), o.low[1].unwrap());
        assert!(l <= h && o.open[1].unwrap() >= l && o.open[1].unwrap() <= h, "{row}: repaired {l} {h}");
        assert!(o.volume[1].is_none_or(|v| v >= 0.0));
        assert!(out.warnings.iter().any(|w| w.message.contains("repaired 1 row") && w.message.contains("line 3")));
    }
    // Yahoo: Adj Close is not on the scale of the unadjusted high/low: not checked
    let yahoo = "Date,Open,High,Low,Close,Adj Close,Volume\n2024-01-02,10,11,9,10.5,5.2,100\n";
    assert_eq!(ok(yahoo, &ReadOptions::default()).series[0].values(), &[5.2]);
}

#[test]
fn gaps_are_checked_against_the_frequency() {
    let mut text = String::from("date,value\n");
    for day in ["1950-01-03", "1950-01-04", "1950-01-05", "1950-01-06", "2023-01-04", "2023-01-05", "2023-01-06"] {
        text.push_str(&format!("{day},1\n"));
    }
    let e = err(&text, &ReadOptions { frequency: Some(Frequency::Daily), ..Default::default() });
    assert_eq!((e.kind(), e.line()), ("GapTooLong", Some(6)));
    assert!(e.to_string().contains("1950-01-06") && e.to_string().contains("2023-01-04"), "{e}");
    // undeclared: stored, with a warning naming the gap
    let out = ok(&text, &ReadOptions::default());
    assert!(out.warnings.iter().any(|w| w.message.contains("gap of 26661 days")), "{:?}", out.warnings);
    // a daily series that pauses for three years (the Fed's reverse repo, 2004-2007) is
    // stored with a warning; eleven years is an error
    let mut pause = String::from("date,value\n");
    for day in ["2004-01-05", "2004-01-06", "2004-01-07", "2004-01-08", "2007-04-26", "2007-04-27", "2007-04-30"] {
        pause.push_str(&format!("{day},1\n"));
    }
    let out = ok(&pause, &ReadOptions { frequency: Some(Frequency::Daily), ..Default::default() });
    assert!(out.warnings.iter().any(|w| w.message.contains("a gap of 1204 days")), "{:?}", out.warnings);
    let monthly = "date,value\n2000-01-01,1\n2000-02-01,1\n2000-03-01,1\n2011-03-01,1\n2011-04-01,1\n";
    let e = err(monthly, &ReadOptions { frequency: Some(Frequency::Monthly), ..Default::default() });
    assert_eq!(e.kind(), "GapTooLong");
}

#[test]
fn one_step_spikes_are_warned_never_altered() {
    let text = "date,close\n2024-01-02,100\n2024-01-03,1000000\n2024-01-04,101\n2024-01-05,102\n";
    let out = ok(text, &ReadOptions::default());
    assert_eq!(out.series[0].values(), &[100.0, 1e6, 101.0, 102.0], "stored as given");
    let w: Vec<&str> = out.warnings.iter().map(|w| w.message.as_str()).filter(|m| m.contains("one-step")).collect();
    assert_eq!(w.len(), 1, "{:?}", out.warnings);
    assert!(w[0].contains("2024-01-03") && w[0].contains("line 3") && w[0].contains("×10000"), "{}", w[0]);
    assert!(w[0].contains("2 one-step"), "the fall back is named too: {}", w[0]);
    // ordinary moves (bitcoin's worst day, a 30% crash) are not warned
    let calm = "date,close\n2024-01-02,100\n2024-01-03,60\n2024-01-04,130\n";
    assert!(ok(calm, &ReadOptions::default()).warnings.iter().all(|w| !w.message.contains("one-step")));
}

#[test]
fn encodings_and_delimiters_are_named() {
    let utf16le: Vec<u8> = "date,value\n2024-01-02,1\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let utf16be: Vec<u8> = "date,value\n2024-01-02,1\n".encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    for (bytes, what) in [(utf16le, "little-endian, without"), (utf16be, "big-endian, without")] {
        let e = read_as("x.csv", &bytes, &ReadOptions::default()).err().unwrap();
        assert_eq!(e.kind(), "Utf16");
        assert!(e.to_string().contains("looks like UTF-16") && e.to_string().contains(what), "{e}");
    }
    let e = read_as("x.csv", b"date,value\n2024-01-02,1\n2024-01-03,\x002\n", &ReadOptions::default()).err().unwrap();
    assert_eq!((e.kind(), e.line()), ("NulByte", Some(3)));
    // tab-separated: named with the flag to use; accepted with it, and by extension
    let tsv = b"date\tvalue\n2024-01-02\t1.5\n2024-01-03\t2.5\n";
    let e = read_as("x.csv", tsv, &ReadOptions::default()).err().unwrap();
    assert!(e.kind() == "WrongDelimiter" && e.to_string().contains("tab-separated; use --delimiter tab"), "{e}");
    let with = ReadOptions { delimiter: Some(b'\t'), ..Default::default() };
    assert_eq!(read_as("x.csv", tsv, &with).unwrap().series[0].values(), &[1.5, 2.5]);
    assert_eq!(read_as("x.tsv", tsv, &ReadOptions::default()).unwrap().series[0].values(), &[1.5, 2.5]);
    let semi = b"date;value\n2024-01-02;1.5\n";
    let e = read_as("x.csv", semi, &ReadOptions::default()).err().unwrap();
    assert!(e.to_string().contains("semicolon-separated; use --delimiter ';'"), "{e}");
    let with = ReadOptions { delimiter: Some(b';'), ..Default::default() };
    assert_eq!(read_as("x.csv", semi, &with).unwrap().series[0].values(), &[1.5]);
}

#[test]
fn echoed_cells_are_cut_to_a_short_prefix() {
    let huge = "9".repeat(3_000_000) + "x";
    for text in [
        format!("date,value\n2024-01-02,{huge}\n"),
        format!("date,value\n{huge},1\n"),
        format!("{huge},value\nabc,1\n"),
        format!("date,value\n2024-01-02,1\n2024-01-03,\u{1b}[2J{huge}\n"),
    ] {
        let e = err(&text, &ReadOptions::default());
        let msg = e.to_string();
        assert!(msg.len() < 600, "{} bytes: {}…", msg.len(), &msg[..200]);
        assert!(!msg.contains('\u{1b}'), "raw escape code in {msg:?}");
    }
}

#[test]
fn skip_before_drops_rows_before_their_values_are_checked() {
    // WTI crude settled at -36.98 on 2020-04-20: a price series from 2021 on is fine
    let text = "date,close\n2020-04-17,18.27\n2020-04-20,-36.98\n2020-04-21,8.91\n2021-01-04,47.47\n2021-01-05,49.78\n";
    assert_eq!(err(text, &ReadOptions::default()).kind(), "NonPositivePrice");
    let from = ReadOptions { skip_before: Some(d("2021-01-01")), ..Default::default() };
    assert_eq!(ok(text, &from).series[0].values(), &[47.47, 49.78]);
    // and allow_non_positive reads the whole history
    let all = ReadOptions { allow_non_positive: true, ..Default::default() };
    assert_eq!(ok(text, &all).series[0].value_on(d("2020-04-20")), Some(-36.98));
    // a bad number before the span is skipped too; after it, it is still an error
    let bad = "date,close\n2020-01-02,abc\n2021-01-04,47.47\n";
    assert_eq!(ok(bad, &from).series[0].len(), 1);
    // a start after every row is an error, not an empty success
    let late = ReadOptions { skip_before: Some(d("2030-01-01")), ..Default::default() };
    assert_eq!(err(text, &late).kind(), "DateOutOfRange");
}

#[test]
fn multi_column_ids_follow_the_id_grammar() {
    let text = "date,Bullish %,bear\n2024-01-04,45.5,20\n2024-01-11,46.5,21\n";
    let out = read_as("aaii.csv", text.as_bytes(), &ReadOptions::default()).unwrap();
    let ids: Vec<&str> = out.series.iter().map(|s| s.id()).collect();
    assert_eq!(ids, ["aaii.Bullish", "aaii.bear"]);
    assert!(out.warnings.iter().any(|w| w.message.contains("aaii.Bullish")));
    let _ = (AssetClass::Etf, SeriesMeta::new("x"));
}
