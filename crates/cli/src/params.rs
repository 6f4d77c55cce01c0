//! Value parsers of the numeric options, shared by every analysis command: each numeric parameter is
//! checked at parse time (clap exits with a usage error, code 2, naming the option), and its range is
//! stated in the option's `--help` text as `[range: …]`.
//!
//! Integers use [`int`] with the bounds as const parameters (`value_parser = params::int::<1, 1000>`);
//! reals use the named parsers below. Upper bounds exist to bound the work a typo can ask for
//! (`--starts 1000000`, `--reps 10000000`).

/// An integer in `[LO, HI]`.
pub fn int<const LO: usize, const HI: usize>(s: &str) -> Result<usize, String> {
    let v: usize = s.trim().parse().map_err(|_| format!("`{s}` is not a whole number (expected {LO}..={HI})"))?;
    if v < LO || v > HI {
        return Err(format!("{v} is out of range: expected {LO}..={HI}"));
    }
    Ok(v)
}

fn real(s: &str) -> Result<f64, String> {
    let v: f64 = s.trim().parse().map_err(|_| format!("`{s}` is not a number"))?;
    if !v.is_finite() {
        return Err(format!("`{s}` is not a finite number"));
    }
    Ok(v)
}

/// A real in the open interval (0, 1): confidence levels, EWMA λ.
pub fn open_unit(s: &str) -> Result<f64, String> {
    let v = real(s)?;
    if v <= 0.0 || v >= 1.0 {
        return Err(format!("{v} is out of range: expected a number strictly between 0 and 1"));
    }
    Ok(v)
}

/// A real in (0, 1]: shares and fractions.
pub fn unit_fraction(s: &str) -> Result<f64, String> {
    let v = real(s)?;
    if v <= 0.0 || v > 1.0 {
        return Err(format!("{v} is out of range: expected a number in (0, 1]"));
    }
    Ok(v)
}

/// A finite real > 0: thresholds in σ units, half-lives, scales.
pub fn positive(s: &str) -> Result<f64, String> {
    let v = real(s)?;
    if v <= 0.0 {
        return Err(format!("{v} is out of range: expected a finite number > 0"));
    }
    Ok(v)
}

/// A finite real ≥ 0.
pub fn non_negative(s: &str) -> Result<f64, String> {
    let v = real(s)?;
    if v < 0.0 {
        return Err(format!("{v} is out of range: expected a finite number ≥ 0"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(int::<1, 10>("3"), Ok(3));
        assert!(int::<1, 10>("0").is_err());
        assert!(int::<1, 10>("11").is_err());
        assert!(int::<1, 10>("-1").is_err());
        assert!(int::<1, 10>("x").is_err());
        for bad in ["0", "1", "-1", "2", "NaN", "inf"] {
            assert!(open_unit(bad).is_err(), "{bad}");
        }
        assert_eq!(open_unit("0.95"), Ok(0.95));
        assert!(unit_fraction("1").is_ok() && unit_fraction("0").is_err());
        for bad in ["0", "-1.5", "NaN", "inf", "-inf"] {
            assert!(positive(bad).is_err(), "{bad}");
        }
        assert!(non_negative("0").is_ok() && non_negative("-0.1").is_err());
    }
}
