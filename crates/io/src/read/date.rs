//! Date parsing for the readers.
//!
//! Accepted forms (all map to a calendar date; a time of day is dropped):
//! - ISO `YYYY-MM-DD` (also `YYYY/MM/DD`);
//! - US `M/D/YYYY` (`MM/DD/YYYY`, one or two digits for month and day);
//! - compact `YYYYMMDD` (Stooq);
//! - monthly `YYYYMM`, `YYYY-MM`, `YYYY/MM` and Shiller's `YYYY.MM` (two-digit month) → the
//!   first of the month, the bundle's convention for monthly data;
//! - timestamps: an ISO date followed by `T` or a space and `HH:MM[:SS[.fff]]`, optionally
//!   followed by `Z`, ` UTC` or an offset `±HH:MM` / `±HHMM` / `±HH`. The date as written is
//!   kept (no conversion to UTC: a daily bar stamped `2024-01-02T00:00:00-05:00` is the
//!   2 January session).
//!
//! Anything else (including `YYYY.M`, ambiguous in Shiller's data where `1871.1` means
//! October) is rejected.

use chrono::NaiveDate;

#[inline]
fn digit(b: u8) -> Option<u32> {
    if b.is_ascii_digit() {
        Some((b - b'0') as u32)
    } else {
        None
    }
}

/// Parses a run of ASCII digits (1..=9 of them) as a number.
#[inline]
fn num(s: &[u8]) -> Option<u32> {
    if s.is_empty() || s.len() > 9 {
        return None;
    }
    let mut n = 0u32;
    for &b in s {
        n = n * 10 + digit(b)?;
    }
    Some(n)
}

#[inline]
fn ymd(y: u32, m: u32, d: u32) -> Option<NaiveDate> {
    if !(1..=9999).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// Checks a time-of-day suffix: `HH:MM[:SS[.f+]]` then an optional zone.
fn valid_time(t: &[u8]) -> bool {
    // HH:MM
    if t.len() < 5 || t[2] != b':' {
        return false;
    }
    let (Some(h), Some(mi)) = (num(&t[0..2]), num(&t[3..5])) else {
        return false;
    };
    if h > 24 || mi > 59 {
        return false;
    }
    let mut rest = &t[5..];
    if rest.len() >= 3 && rest[0] == b':' {
        match num(&rest[1..3]) {
            Some(s) if s <= 60 => rest = &rest[3..],
            _ => return false,
        }
        if !rest.is_empty() && (rest[0] == b'.' || rest[0] == b',') {
            let frac = rest[1..].iter().take_while(|b| b.is_ascii_digit()).count();
            if frac == 0 {
                return false;
            }
            rest = &rest[1 + frac..];
        }
    }
    valid_zone(rest)
}

fn valid_zone(z: &[u8]) -> bool {
    match z {
        [] | b"Z" | b"z" | b" UTC" | b" GMT" | b"UTC" => true,
        [s, rest @ ..] if *s == b'+' || *s == b'-' => {
            let ok = |h: &[u8], m: &[u8]| matches!((num(h), num(m)), (Some(h), Some(m)) if h <= 14 && m <= 59);
            match rest {
                [a, b] => ok(&[*a, *b], b"00"),
                [a, b, c, d] => ok(&[*a, *b], &[*c, *d]),
                [a, b, b':', c, d] => ok(&[*a, *b], &[*c, *d]),
                _ => false,
            }
        }
        _ => false,
    }
}

/// How a date cell is written. One file uses one form: a file mixing them (ISO and
/// `01/03/2024`) is refused, because such files are usually pasted together from sources
/// with different conventions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    /// `YYYY-MM-DD` or `YYYY/MM/DD`, with or without a time of day.
    Iso,
    /// `M/D/YYYY` or `D/M/YYYY` (see [`DateOrder`]).
    Slash,
    /// `YYYYMMDD`.
    Compact,
    /// `YYYYMM`, `YYYY-MM`, `YYYY/MM`, `YYYY.MM`: a month.
    Month,
}

impl DateForm {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Iso => "YYYY-MM-DD",
            Self::Slash => "M/D/YYYY or D/M/YYYY",
            Self::Compact => "YYYYMMDD",
            Self::Month => "a month (YYYYMM, YYYY-MM or YYYY.MM)",
        }
    }
}

/// The order of day and month in `a/b/YYYY` dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    /// Decided from the file: a first part above 12 means day-first, a second part above
    /// 12 month-first; a file where every date has both parts ≤ 12 is ambiguous and refused.
    #[default]
    Auto,
    /// Month first (`01/13/2024`, US).
    Mdy,
    /// Day first (`13/01/2024`, most of the world).
    Dmy,
}

impl std::str::FromStr for DateOrder {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(Self::Auto),
            "mdy" | "m/d/y" | "us" => Ok(Self::Mdy),
            "dmy" | "d/m/y" => Ok(Self::Dmy),
            _ => Err(format!("unknown date format `{s}` (expected auto, mdy or dmy)")),
        }
    }
}

/// The form of a date cell, if it is in one of the accepted forms' shapes (not checked
/// for validity).
pub fn date_form(field: &[u8]) -> Option<DateForm> {
    let s = field.trim_ascii();
    let n = s.len();
    if n >= 10 && (s[4] == b'-' || s[4] == b'/') && s[7] == s[4] {
        return Some(DateForm::Iso);
    }
    match n {
        8 if s.iter().all(u8::is_ascii_digit) => Some(DateForm::Compact),
        6 if s.iter().all(u8::is_ascii_digit) => Some(DateForm::Month),
        7 if matches!(s[4], b'-' | b'.' | b'/') => Some(DateForm::Month),
        _ if slash_parts(s).is_some() => Some(DateForm::Slash),
        _ => None,
    }
}

/// The two leading parts of an `a/b/YYYY` date, if it has that shape.
pub fn slash_parts(field: &[u8]) -> Option<(u32, u32)> {
    let s = field.trim_ascii();
    let mut parts = s.splitn(3, |b| *b == b'/');
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if !(1..=2).contains(&a.len()) || !(1..=2).contains(&b.len()) || y.len() != 4 {
        return None;
    }
    Some((num(a)?, num(b)?))
}

/// As [`parse_date`], reading `a/b/YYYY` dates in `order` (`Auto` reads them month-first).
pub fn parse_date_with(field: &[u8], order: DateOrder) -> Option<NaiveDate> {
    if order == DateOrder::Dmy {
        let s = field.trim_ascii();
        let mut parts = s.splitn(3, |b| *b == b'/');
        if let (Some(d), Some(m), Some(y)) = (parts.next(), parts.next(), parts.next()) {
            if (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) && y.len() == 4 {
                return ymd(num(y)?, num(m)?, num(d)?);
            }
        }
    }
    parse_date(field)
}

/// Parses one date field (surrounding whitespace ignored). `None` if it is not a date in
/// one of the accepted forms.
pub fn parse_date(field: &[u8]) -> Option<NaiveDate> {
    let s = field.trim_ascii();
    let n = s.len();
    // Fast path: YYYY-MM-DD, optionally followed by a time.
    if n >= 10 && (s[4] == b'-' || s[4] == b'/') && s[7] == s[4] {
        let d = ymd(num(&s[0..4])?, num(&s[5..7])?, num(&s[8..10])?)?;
        if n == 10 {
            return Some(d);
        }
        return match s[10] {
            b'T' | b't' | b' ' if valid_time(&s[11..]) => Some(d),
            _ => None,
        };
    }
    match n {
        8 if s.iter().all(u8::is_ascii_digit) => ymd(num(&s[0..4])?, num(&s[4..6])?, num(&s[6..8])?),
        6 if s.iter().all(u8::is_ascii_digit) => ymd(num(&s[0..4])?, num(&s[4..6])?, 1),
        7 if matches!(s[4], b'-' | b'.' | b'/') => ymd(num(&s[0..4])?, num(&s[5..7])?, 1),
        _ => us_date(s),
    }
}

/// `M/D/YYYY` with one- or two-digit month and day.
fn us_date(s: &[u8]) -> Option<NaiveDate> {
    let mut parts = s.splitn(3, |b| *b == b'/');
    let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
    if !(1..=2).contains(&m.len()) || !(1..=2).contains(&d.len()) || y.len() != 4 {
        return None;
    }
    ymd(num(y)?, num(m)?, num(d)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, dd)
    }

    #[test]
    fn forms_and_orders() {
        assert_eq!(date_form(b"2024-01-02"), Some(DateForm::Iso));
        assert_eq!(date_form(b"2024-01-02T10:00Z"), Some(DateForm::Iso));
        assert_eq!(date_form(b"01/03/2024"), Some(DateForm::Slash));
        assert_eq!(date_form(b"20240102"), Some(DateForm::Compact));
        assert_eq!(date_form(b"202401"), Some(DateForm::Month));
        assert_eq!(date_form(b"1871.01"), Some(DateForm::Month));
        assert_eq!(slash_parts(b"13/01/2024"), Some((13, 1)));
        assert_eq!(parse_date_with(b"13/01/2024", DateOrder::Dmy), d(2024, 1, 13));
        assert_eq!(parse_date_with(b"01/03/2024", DateOrder::Dmy), d(2024, 3, 1));
        assert_eq!(parse_date_with(b"01/03/2024", DateOrder::Mdy), d(2024, 1, 3));
        assert_eq!(parse_date_with(b"13/01/2024", DateOrder::Mdy), None);
        assert_eq!(parse_date_with(b"2024-01-02", DateOrder::Dmy), d(2024, 1, 2));
    }

    #[test]
    fn accepted_forms() {
        let cases: &[(&str, Option<NaiveDate>)] = &[
            ("2000-03-10", d(2000, 3, 10)),
            (" 2000-03-10 ", d(2000, 3, 10)),
            ("2000/03/10", d(2000, 3, 10)),
            ("3/10/2000", d(2000, 3, 10)),
            ("03/10/2000", d(2000, 3, 10)),
            ("12/31/1999", d(1999, 12, 31)),
            ("20000310", d(2000, 3, 10)),
            ("200003", d(2000, 3, 1)),
            ("2000-03", d(2000, 3, 1)),
            ("1871.01", d(1871, 1, 1)),
            ("1871.10", d(1871, 10, 1)),
            ("2024-01-02 00:00:00", d(2024, 1, 2)),
            ("2024-01-02T00:00:00Z", d(2024, 1, 2)),
            ("2024-01-02T16:00:00-05:00", d(2024, 1, 2)),
            ("2024-01-02T16:00:00+0100", d(2024, 1, 2)),
            ("2024-01-02T16:00:00.123456+01", d(2024, 1, 2)),
            ("2024-01-02 09:30", d(2024, 1, 2)),
            ("2024-01-02 00:00:00 UTC", d(2024, 1, 2)),
            ("2024-02-30", None),
            ("2023-02-29", None),
            ("2024-13-01", None),
            ("13/01/2024", None),
            ("1871.1", None),
            ("2024-01-02x", None),
            ("2024-01-02T25:00", None),
            ("2024-01-02T10:00+99:00", None),
            ("abc", None),
            ("", None),
            ("0000-01-01", None),
            ("2024-1-2", None),
            ("202401021", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_date(s.as_bytes()), *want, "{s}");
        }
    }
}
