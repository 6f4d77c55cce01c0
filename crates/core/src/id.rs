//! The series id grammar, shared by the readers, the store, the watchlist and the CLI.
//!
//! An id is 1 to [`MAX_ID_LEN`] characters: letters and digits (any script), and the
//! punctuation `_ . - ^ = + @`. It starts with a letter, a digit or `^` (Yahoo's `^GSPC`),
//! does not end with `.`, and has no `..`. So `SPX`, `SHILLER.cape`, `BRK-B`, `^GSPC`,
//! `EURUSD=X`, `AAII_ALLOC.stocks_pct` are ids; an empty string, spaces, newlines, terminal
//! escape codes, slashes, quotes and commas are not. Ids are printed in tables, HTML and file
//! names: the grammar keeps all of them safe without escaping.

/// Longest accepted id, in characters.
pub const MAX_ID_LEN: usize = 64;

/// Punctuation allowed in an id besides letters and digits.
pub const ID_PUNCTUATION: &str = "_.-^=+@";

/// Why `id` is not a valid series id, or `None` if it is.
pub fn id_problem(id: &str) -> Option<String> {
    let n = id.chars().count();
    if n == 0 {
        return Some("an id cannot be empty".into());
    }
    if n > MAX_ID_LEN {
        return Some(format!("{n} characters; at most {MAX_ID_LEN} are allowed"));
    }
    if let Some(c) = id.chars().find(|c| !(c.is_alphanumeric() || ID_PUNCTUATION.contains(*c))) {
        let what = if c.is_control() {
            "a control character".to_string()
        } else if c.is_whitespace() {
            "a space".to_string()
        } else {
            format!("{c:?}")
        };
        return Some(format!("contains {what}; allowed are letters, digits and {ID_PUNCTUATION}"));
    }
    let first = id.chars().next()?;
    if !(first.is_alphanumeric() || first == '^') {
        return Some(format!("starts with {first:?}; an id starts with a letter, a digit or ^"));
    }
    if id.ends_with('.') || id.contains("..") {
        return Some("a `.` separates parts (`SHILLER.cape`): no trailing `.` and no `..`".into());
    }
    None
}

/// True if `id` follows the grammar.
pub fn is_valid_id(id: &str) -> bool {
    id_problem(id).is_none()
}

/// `id` made printable for an error message: control characters escaped, cut to a short
/// prefix (the total length is said when cut).
pub fn printable_id(id: &str) -> String {
    shorten(id, 40)
}

/// Any text made safe to echo in a message: control characters escaped (`\n`, `\u{1b}`),
/// and cut to `max` characters with the total length appended when longer.
pub fn shorten(text: &str, max: usize) -> String {
    let n = text.chars().count();
    let mut out: String = text.chars().take(max).flat_map(|c| c.escape_debug()).collect();
    if n > max {
        out.push_str(&format!("… ({n} characters)"));
    }
    out
}

/// A valid id derived from a column name for a multi-column file's `<base>.<column>`:
/// characters outside the grammar become `_`, runs of them collapse, the result is cut to
/// fit [`MAX_ID_LEN`] with the base. `None` if nothing usable is left.
pub fn id_part(column: &str) -> Option<String> {
    let mut out = String::new();
    for c in column.trim().chars() {
        let ok = c.is_alphanumeric() || (ID_PUNCTUATION.contains(c) && c != '.');
        if ok {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_').to_string();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar() {
        for ok in ["SPX", "SHILLER.cape", "BRK-B", "^GSPC", "EURUSD=X", "AAII_ALLOC.stocks_pct", "沪深300", "a"] {
            assert!(is_valid_id(ok), "{ok}: {:?}", id_problem(ok));
        }
        let long = "x".repeat(65);
        for bad in ["", " ", "a b", "a\nb", "\u{1b}[31mred", "a/b", "a,b", "\"q\"", "-x", ".x", "x.", "a..b", &long] {
            assert!(!is_valid_id(bad), "{bad:?} accepted");
        }
        assert!(id_problem("\u{1b}[31m").unwrap().contains("control"));
    }

    #[test]
    fn printing_escapes_and_cuts() {
        assert_eq!(printable_id("a\nb"), "a\\nb");
        assert_eq!(printable_id("\u{1b}[2J"), "\\u{1b}[2J");
        let s = shorten(&"y".repeat(1000), 10);
        assert!(s.starts_with("yyyyyyyyyy…") && s.contains("1000 characters"), "{s}");
    }

    #[test]
    fn column_parts() {
        assert_eq!(id_part("Bullish %").as_deref(), Some("Bullish"));
        assert_eq!(id_part("stocks pct").as_deref(), Some("stocks_pct"));
        assert_eq!(id_part("a.b").as_deref(), Some("a_b"));
        assert_eq!(id_part(" %% "), None);
    }
}
