//! Number cells: missing markers, finite numbers, and what is wrong with the rest.

/// What one numeric cell holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// Empty, or a missing marker (`.`, `NA`, `N/A`, `#N/A`, `NaN`, `null`, `None`, `-`).
    Missing,
    Value(f64),
    /// A spelled-out infinity or a number that overflows `f64` (`inf`, `1e999`).
    NonFinite,
    /// Not a number.
    Bad,
}

/// True for the spellings of "no value" (surrounding whitespace already trimmed).
pub fn is_missing(s: &[u8]) -> bool {
    match s.len() {
        0 => true,
        1 => s[0] == b'.' || s[0] == b'-',
        2 => s.eq_ignore_ascii_case(b"na"),
        3 => s.eq_ignore_ascii_case(b"nan") || s.eq_ignore_ascii_case(b"n/a"),
        4 => s.eq_ignore_ascii_case(b"null") || s.eq_ignore_ascii_case(b"none") || s.eq_ignore_ascii_case(b"#n/a"),
        _ => false,
    }
}

/// Parses a numeric cell. Plain decimal and scientific notation (`1.5`, `-2`, `1e-3`, `+4`)
/// are numbers; thousands separators, currency signs and percent signs are not.
pub fn parse_cell(field: &[u8]) -> Cell {
    let s = field.trim_ascii();
    if is_missing(s) {
        return Cell::Missing;
    }
    // Only digits, sign, point and exponent may appear: this rejects `inf`/`infinity`
    // spellings before `str::parse` (which accepts them) and keeps the hot path cheap.
    let plain = s.iter().all(|b| matches!(b, b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E'));
    if !plain {
        let t = s.strip_prefix(b"+").or_else(|| s.strip_prefix(b"-")).unwrap_or(s);
        if t.eq_ignore_ascii_case(b"inf") || t.eq_ignore_ascii_case(b"infinity") {
            return Cell::NonFinite;
        }
        return Cell::Bad;
    }
    let Ok(text) = std::str::from_utf8(s) else {
        return Cell::Bad;
    };
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Cell::Value(v),
        Ok(_) => Cell::NonFinite,
        Err(_) => Cell::Bad,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(parse_cell(b" 5048.62 "), Cell::Value(5048.62));
        assert_eq!(parse_cell(b"-36.98"), Cell::Value(-36.98));
        assert_eq!(parse_cell(b"1e3"), Cell::Value(1000.0));
        assert_eq!(parse_cell(b"+4"), Cell::Value(4.0));
        for m in ["", " ", ".", "NA", "na", "NaN", "nan", "null", "NULL", "N/A", "#N/A", "None", "-"] {
            assert_eq!(parse_cell(m.as_bytes()), Cell::Missing, "{m}");
        }
        for m in ["inf", "-inf", "Infinity", "+INF", "1e999"] {
            assert_eq!(parse_cell(m.as_bytes()), Cell::NonFinite, "{m}");
        }
        for m in ["1,234", "$5", "5%", "abc", "1.2.3", "--1", "e", "0x10", "1 2"] {
            assert_eq!(parse_cell(m.as_bytes()), Cell::Bad, "{m}");
        }
    }
}
