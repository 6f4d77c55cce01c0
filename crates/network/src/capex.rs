//! The capex–revenue gap.
//!
//! - capex intensity from a fundamentals table: capex / revenue, capex / operating
//!   cash flow, free cash flow after capex (`OCF − capex`);
//! - required revenue: the annual revenue at which capex `C` earns a hurdle return
//!   `r` over a useful life of `n` years at an operating margin `m` (methods 13.1):
//!   straight-line `R = C·(1/n + r)/m` (depreciation plus return on the full outlay)
//!   or annuity `R = C·r/(1 − (1 + r)^−n)/m` (the capital-recovery factor; `C/(n·m)` at
//!   `r = 0`); the perpetuity `C·r/m` is the annuity's limit as `n → ∞`;
//! - a sensitivity table over `r`, `n`, `m`, and the break-even assumptions under which
//!   a stated (capex, required revenue) pair holds: the implied margin `m* = C·f(r, n)/R`
//!   and the implied life solving `f(r, n) = R·m/C`.

use crate::error::NetworkError;
use fissure_core::Fundamentals;
use serde::Serialize;

/// How the capital is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    StraightLine,
    Annuity,
}

impl std::str::FromStr for Method {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "straight-line" => Ok(Method::StraightLine),
            "annuity" => Ok(Method::Annuity),
            _ => Err(format!("unknown method `{s}` (expected straight-line or annuity)")),
        }
    }
}

/// The annual capital charge per unit of capex: `1/n + r` or `r/(1 − (1+r)^−n)`.
pub fn charge_factor(r: f64, n: f64, method: Method) -> f64 {
    match method {
        Method::StraightLine => 1.0 / n + r,
        Method::Annuity if r.abs() < 1e-12 => 1.0 / n,
        Method::Annuity => r / (1.0 - (1.0 + r).powf(-n)),
    }
}

/// Checks the ranges: capex > 0, r ∈ [0, 1], n ∈ [1, 100] years, m ∈ (0, 1].
pub fn validate(capex: f64, r: f64, n: f64, m: f64) -> Result<(), NetworkError> {
    if !capex.is_finite() || capex <= 0.0 {
        return Err(NetworkError::Invalid(format!("capex {capex}: expected a positive amount")));
    }
    if !(0.0..=1.0).contains(&r) {
        return Err(NetworkError::Invalid(format!("hurdle {r}: expected a rate in [0, 1] (0.1 = 10%)")));
    }
    if !(1.0..=100.0).contains(&n) {
        return Err(NetworkError::Invalid(format!("life {n}: expected 1 to 100 years")));
    }
    if !(m > 0.0 && m <= 1.0) {
        return Err(NetworkError::Invalid(format!("margin {m}: expected a share in (0, 1] (0.5 = 50%)")));
    }
    Ok(())
}

/// Annual revenue needed for capex `c` (USD bn) at hurdle `r`, life `n`, margin `m`.
pub fn required_revenue(c: f64, r: f64, n: f64, m: f64, method: Method) -> Result<f64, NetworkError> {
    validate(c, r, n, m)?;
    Ok(c * charge_factor(r, n, method) / m)
}

/// One cell of the sensitivity table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SensitivityRow {
    pub hurdle: f64,
    pub life_years: f64,
    pub margin: f64,
    pub straight_line_usd_bn: f64,
    pub annuity_usd_bn: f64,
}

/// Default grids: hurdle 6–15%, life 3–10 years, margin 25–100%.
pub const HURDLES: [f64; 4] = [0.06, 0.08, 0.10, 0.15];
pub const LIVES: [f64; 4] = [3.0, 5.0, 6.0, 10.0];
pub const MARGINS: [f64; 4] = [0.25, 0.5, 0.75, 1.0];

/// Required revenue for capex `c` over every (r, n, m) of the grids.
pub fn sensitivity(
    c: f64,
    hurdles: &[f64],
    lives: &[f64],
    margins: &[f64],
) -> Result<Vec<SensitivityRow>, NetworkError> {
    let mut out = Vec::new();
    for &r in hurdles {
        for &n in lives {
            for &m in margins {
                out.push(SensitivityRow {
                    hurdle: r,
                    life_years: n,
                    margin: m,
                    straight_line_usd_bn: required_revenue(c, r, n, m, Method::StraightLine)?,
                    annuity_usd_bn: required_revenue(c, r, n, m, Method::Annuity)?,
                });
            }
        }
    }
    Ok(out)
}

/// Break-even assumptions under which capex `c` needs exactly revenue `rev` a year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakEven {
    pub hurdle: f64,
    pub life_years: f64,
    /// The margin at which the pair holds (`C·f/R`); above 1 means no margin can make it hold.
    pub implied_margin_straight_line: f64,
    pub implied_margin_annuity: f64,
}

/// The implied margins over the grids of hurdles and lives.
pub fn break_even(c: f64, rev: f64, hurdles: &[f64], lives: &[f64]) -> Result<Vec<BreakEven>, NetworkError> {
    if !(c.is_finite() && c > 0.0 && rev.is_finite() && rev > 0.0) {
        return Err(NetworkError::Invalid(format!("break-even needs capex and revenue > 0 (got {c}, {rev})")));
    }
    let mut out = Vec::new();
    for &r in hurdles {
        for &n in lives {
            out.push(BreakEven {
                hurdle: r,
                life_years: n,
                implied_margin_straight_line: c * charge_factor(r, n, Method::StraightLine) / rev,
                implied_margin_annuity: c * charge_factor(r, n, Method::Annuity) / rev,
            });
        }
    }
    Ok(out)
}

/// The useful life (years) at which capex `c` needs revenue `rev` at hurdle `r` and margin `m`
/// (annuity); `None` when no life is long enough (`r·C ≥ R·m`: even a perpetuity needs more).
pub fn implied_life(c: f64, rev: f64, r: f64, m: f64) -> Option<f64> {
    let k = rev * m / c;
    if r.abs() < 1e-12 {
        return (k > 0.0).then(|| 1.0 / k);
    }
    let x = 1.0 - r / k;
    (x > 0.0 && x < 1.0).then(|| -x.ln() / (1.0 + r).ln())
}

/// Capex intensity of one fundamentals row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Intensity {
    pub firm: String,
    pub period: String,
    pub capex_usd_bn: Option<f64>,
    pub revenue_usd_bn: Option<f64>,
    pub capex_to_revenue: Option<f64>,
    pub capex_to_ocf: Option<f64>,
    /// `OCF − capex`.
    pub fcf_after_capex_usd_bn: Option<f64>,
    pub fcf_reported_usd_bn: Option<f64>,
    /// `AI revenue / capex` where AI revenue is known.
    pub ai_revenue_to_capex: Option<f64>,
    pub source: String,
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b.abs() > 1e-12 * a.abs().max(1.0) && b > 0.0 => Some(a / b),
        _ => None,
    }
}

/// Intensity of every row (ratios only where both parts are reported and the denominator is positive).
pub fn intensity(rows: &[Fundamentals]) -> Vec<Intensity> {
    rows.iter()
        .map(|r| Intensity {
            firm: r.firm.clone(),
            period: r.period.clone(),
            capex_usd_bn: r.capex_usd_bn,
            revenue_usd_bn: r.revenue_usd_bn,
            capex_to_revenue: ratio(r.capex_usd_bn, r.revenue_usd_bn),
            capex_to_ocf: ratio(r.capex_usd_bn, r.operating_cash_flow_usd_bn),
            fcf_after_capex_usd_bn: r.operating_cash_flow_usd_bn.zip(r.capex_usd_bn).map(|(o, c)| o - c),
            fcf_reported_usd_bn: r.free_cash_flow_usd_bn,
            ai_revenue_to_capex: ratio(r.ai_revenue_usd_bn, r.capex_usd_bn),
            source: r.source.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: C = 100, r = 10%, n = 5, m = 50%.
    /// Straight-line: 100·(0.2 + 0.1)/0.5 = 60. Annuity: 0.1/(1 − 1.1^−5) = 0.263797…, /0.5 → 52.7595.
    #[test]
    fn required_revenue_by_hand() {
        let sl = required_revenue(100.0, 0.1, 5.0, 0.5, Method::StraightLine).unwrap();
        assert!((sl - 60.0).abs() < 1e-12);
        let an = required_revenue(100.0, 0.1, 5.0, 0.5, Method::Annuity).unwrap();
        assert!((an - 52.759_496_0).abs() < 1e-6, "{an}");
        // r = 0: both are C/(n·m)
        assert!((required_revenue(100.0, 0.0, 4.0, 1.0, Method::Annuity).unwrap() - 25.0).abs() < 1e-12);
        assert!(required_revenue(100.0, 0.1, 5.0, 0.0, Method::Annuity).is_err());
        assert!(required_revenue(-1.0, 0.1, 5.0, 0.5, Method::Annuity).is_err());
        assert!(required_revenue(100.0, 1.5, 5.0, 0.5, Method::Annuity).is_err());
    }

    #[test]
    fn implied_life_inverts_the_annuity() {
        let rev = required_revenue(650.0, 0.1, 6.0, 0.4, Method::Annuity).unwrap();
        let n = implied_life(650.0, rev, 0.1, 0.4).unwrap();
        assert!((n - 6.0).abs() < 1e-9);
        // perpetuity floor: r·C ≥ R·m → impossible
        assert_eq!(implied_life(650.0, 10.0, 0.1, 1.0), None);
    }
}
