//! The parameter file (TOML): simulation settings, price impact, assets and the
//! agent populations. [`SpiralConfig::default_config`] is the bundled, cited
//! calibration (`config/default.toml`); a user copies it and passes `--agents FILE`.
//!
//! Units: money in US$ billions, volatilities as daily or annual fractions as named,
//! returns as simple fractions.

use crate::{Result, SpiralError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The bundled default parameters (cited in the file's comments).
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Everything the simulator needs besides the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpiralConfig {
    pub simulation: SimulationConfig,
    pub impact: ImpactConfig,
    pub assets: Vec<AssetConfig>,
    #[serde(default)]
    pub cta: Vec<CtaConfig>,
    #[serde(default)]
    pub vol_target: Vec<VolTargetConfig>,
    #[serde(default)]
    pub margin: Vec<MarginConfig>,
    #[serde(default)]
    pub carry: Vec<CarryConfig>,
    #[serde(default)]
    pub liquidity: Vec<LiquidityConfig>,
    #[serde(default)]
    pub leverage: Vec<LeverageConfig>,
}

/// How exogenous ("fundamental") daily returns are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exogenous {
    /// Multivariate normal, zero mean, the sample covariance of the estimation window.
    Gaussian,
    /// Whole historical days (all assets jointly) drawn with replacement from the window.
    Bootstrap,
    /// No noise: only the shock moves fundamentals (analytic cases, replays).
    None,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationConfig {
    /// Monte Carlo paths.
    pub paths: usize,
    /// Trading days per path.
    pub steps: usize,
    pub seed: u64,
    /// Intra-day cascade rounds: fast agents (stops, margin calls, carry unwinds,
    /// liquidity providers, leverage targeters) react to the day's price so far.
    pub rounds: usize,
    pub exogenous: Exogenous,
    /// Trading days of history for the covariance, the bootstrap and σ.
    pub window: usize,
    /// RiskMetrics EWMA decay for the agents' volatility estimates (J.P. Morgan 1996: 0.94).
    pub ewma_lambda: f64,
    /// Weights of the portfolio whose loss defines the amplification (asset id → weight);
    /// empty = the shocked assets, equally weighted, each in the shock's direction.
    #[serde(default)]
    pub loss_weights: BTreeMap<String, f64>,
    /// Give assets not named in the shock their conditional mean given the shocked
    /// ones (Gaussian conditioning on the window covariance); false = only the named assets move.
    #[serde(default = "yes")]
    pub propagate_shock: bool,
    /// Cap on any population's position in an asset, in days of its ADV (0 = none):
    /// keeps positions within the market's size when the state is estimated in the past.
    #[serde(default)]
    pub max_position_adv: f64,
    /// Simulated days kept for the quantile bands (0 = about 50, evenly spaced).
    #[serde(default)]
    pub record_points: usize,
}

/// The price-impact law mapping a day's net order flow Q (US$ bn, + = buying) to a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactModel {
    /// Square-root law Δp/p = Y·σ·sign(Q)·sqrt(|Q|/ADV) (Bouchaud, Farmer & Lillo 2009; Tóth et al. 2011).
    Sqrt,
    /// Cont & Schaanning (2017): Δp/p = sign(Q)·(1 − exp(−|Q|/D)), depth D = c·ADV·sqrt(τ)/σ.
    Exponential,
    /// Linear (Kyle 1985; Greenwood, Landier & Thesmar 2015): Δp/p = Y·σ·Q/ADV.
    Linear,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactConfig {
    pub model: ImpactModel,
    /// Y of the square-root and linear laws (Bouchaud et al.: 0.5–1).
    pub y: f64,
    /// Cont–Schaanning depth constant c.
    pub cs_c: f64,
    /// Cont–Schaanning liquidation horizon τ (days).
    pub cs_tau: f64,
    /// Use the agents' current EWMA σ in the impact (true) or the window σ (false).
    pub state_dependent_sigma: bool,
    /// With `state_dependent_sigma`, the intra-day σ of the impact is at most this multiple of the
    /// previous close's EWMA σ. Without a bound the loop σ → impact → return → σ diverges once a day's
    /// flow exceeds about 17 days of depth (the impact of round i + 1 grows like 0.245·|rᵢ|·√(Q/D)).
    #[serde(default = "default_sigma_cap")]
    pub sigma_cap: f64,
}

fn default_sigma_cap() -> f64 {
    3.0
}

/// One simulated asset: a stored series id and where its daily volume comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssetConfig {
    /// Series id in the store (`SPX`, `GOLD`, …).
    pub id: String,
    pub name: String,
    /// Average daily volume in US$ bn stated directly (with `adv_source`), when the
    /// bundled data carry no usable volume.
    #[serde(default)]
    pub adv_usd_bn: Option<f64>,
    /// Series whose median dollar volume (close × volume over the last 63 days) sums to the ADV.
    #[serde(default)]
    pub adv_series: Vec<String>,
    /// Units per volume unit (futures contract size: 100 oz gold, 5,000 oz silver).
    #[serde(default = "one")]
    pub adv_multiplier: f64,
    /// The volume column is already in US dollars (crypto quotes), not in units.
    #[serde(default)]
    pub adv_volume_in_usd: bool,
    /// Scale applied to the measured dollar volume (e.g. reported crypto volume).
    #[serde(default = "one")]
    pub adv_scale: f64,
    /// Citation or reasoning for the ADV.
    #[serde(default)]
    pub adv_source: String,
    /// A yield whose shock moves this asset by −duration·Δy (e.g. `US10Y` for long Treasuries).
    #[serde(default)]
    pub yield_id: Option<String>,
    #[serde(default)]
    pub duration: Option<f64>,
}

fn yes() -> bool {
    true
}

fn one() -> f64 {
    1.0
}

/// A round-number (or any) stop level of a trend follower.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopConfig {
    pub asset: String,
    /// Price level. Below the starting price it protects long positions (sell on a
    /// cross below); above, short ones (buy on a cross above).
    pub level: f64,
    /// Fraction of the position cut when the level is crossed.
    pub cut: f64,
}

/// Trend followers (CTAs): time-series momentum (Moskowitz, Ooi & Pedersen 2012;
/// Hurst, Ooi & Pedersen 2017) with per-asset volatility scaling and stop levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CtaConfig {
    pub name: String,
    /// Equity, US$ bn.
    pub capital: f64,
    /// Lookbacks of the trend signals (trading days); the signal is the mean of their signs.
    pub lookbacks: Vec<usize>,
    /// Annual volatility targeted per asset position (MOP 2012: 40%), divided by the number of assets traded.
    pub asset_vol_target: f64,
    /// Fraction of the gap to the target traded per day.
    pub speed: f64,
    /// Cap on gross notional / equity.
    pub max_gross_leverage: f64,
    /// Traded assets and their risk weights (normalised to sum 1).
    pub weights: BTreeMap<String, f64>,
    #[serde(default)]
    pub stops: Vec<StopConfig>,
    /// Days a stopped position stays capped at its post-stop size.
    #[serde(default = "default_cooldown")]
    pub stop_cooldown: usize,
}

fn default_cooldown() -> usize {
    5
}

/// Volatility-targeting / risk-parity funds: exposure ∝ target / realised volatility
/// (Moreira & Muir 2017; Asness, Frazzini & Pedersen 2012).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolTargetConfig {
    pub name: String,
    pub capital: f64,
    /// Annual volatility target of the portfolio.
    pub target_vol: f64,
    pub max_leverage: f64,
    pub speed: f64,
    /// Base portfolio weights (normalised to sum 1).
    pub weights: BTreeMap<String, f64>,
}

/// Margin-constrained leveraged investors (Brunnermeier & Pedersen 2009): the
/// funding constraint Σ|x_k|·m_k ≤ W with margins m_k = max(floor_k, z·σ_k·sqrt(h))
/// that rise with volatility; a breach forces pro-rata sales of every holding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginConfig {
    pub name: String,
    /// Equity W, US$ bn (or the latest value of `capital_series` × `capital_per_unit`).
    pub capital: f64,
    /// Optional series scaling the equity with positioning data (e.g. `MARGIN_DEBT`).
    #[serde(default)]
    pub capital_series: Option<String>,
    /// US$ bn of equity per unit of `capital_series`.
    #[serde(default)]
    pub capital_per_unit: f64,
    /// Share of the margin capacity in use at the start (Σ x·m = utilisation·W).
    pub utilisation: f64,
    /// Margin multiple of volatility (VaR quantile; 2.33 = 99%).
    pub z: f64,
    /// Margin period of risk (days).
    pub horizon_days: f64,
    /// Minimum margin per asset (haircut floor); missing assets use `default_floor`.
    #[serde(default)]
    pub floors: BTreeMap<String, f64>,
    pub default_floor: f64,
    pub weights: BTreeMap<String, f64>,
    /// Share of the gap back to `utilisation` re-levered per day when the investors are below it
    /// (gains, falling margins): leverage is procyclical (Adrian & Shin 2010). 0 = never re-lever.
    #[serde(default)]
    pub relever_speed: f64,
}

/// Yen-funded carry traders (Brunnermeier, Nagel & Pedersen 2008): long risky assets
/// funded in JPY (hence long USDJPY), unwinding as the yen strengthens or the BoJ hikes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CarryConfig {
    pub name: String,
    /// Risky holdings funded in yen, US$ bn.
    pub capital: f64,
    /// The funding-currency asset (its fall = yen appreciation).
    pub funding_asset: String,
    /// Fall of the funding asset from its running maximum that starts the unwind.
    pub trigger: f64,
    /// Further fall over which the unwind goes from 0 to 100%.
    pub ramp: f64,
    /// Days of the running maximum.
    pub window: usize,
    /// Share unwound per 25 bp of BoJ hike (a `BOJ=+25bp` shock).
    pub boj_sensitivity: f64,
    /// Share of an unwind rebuilt per day once the yen has retraced ("up the stairs, down the
    /// elevator": carry unwinds fast and rebuilds slowly; Brunnermeier, Nagel & Pedersen 2008). 0 = never.
    #[serde(default)]
    pub reentry_speed: f64,
    /// Risky holdings' weights (normalised to sum 1).
    pub weights: BTreeMap<String, f64>,
}

/// Liquidity providers / value buyers with limited capital (Grossman & Miller 1988;
/// Shleifer & Vishny 1997): buy when the price is below the fundamental (the no-agent
/// price on the same random numbers), more the larger the gap in σ units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidityConfig {
    pub name: String,
    /// Cash available, US$ bn.
    pub capital: f64,
    /// Share of an asset's allocation deployed per daily σ of discount.
    pub aggressiveness: f64,
    pub weights: BTreeMap<String, f64>,
    /// Share d of the market depth of each asset they trade that these buyers' spare capital
    /// provides: the impact law's ADV is scaled by 1 − d·(1 − spare/allocation), so that market
    /// liquidity dries up as their capital is used or lost (Brunnermeier & Pedersen 2009: market
    /// illiquidity rises as liquidity providers' funding falls; Grossman & Miller 1988). 0 = none.
    #[serde(default)]
    pub depth_share: f64,
}

/// Leverage targeters (banks, dealers): restore assets = (1 + b)·equity after every
/// move, selling pro rata to start-of-day holdings (Greenwood, Landier & Thesmar 2015;
/// Adrian & Shin 2010).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverageConfig {
    pub name: String,
    /// Total assets, US$ bn.
    pub assets: f64,
    /// Target leverage b = debt / equity.
    pub leverage: f64,
    pub weights: BTreeMap<String, f64>,
}

/// Agent classes, as named by `--no-agents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentClass {
    Cta,
    VolTarget,
    Margin,
    Carry,
    Liquidity,
    Leverage,
}

impl AgentClass {
    pub const ALL: [AgentClass; 6] = [
        AgentClass::Cta,
        AgentClass::VolTarget,
        AgentClass::Margin,
        AgentClass::Carry,
        AgentClass::Liquidity,
        AgentClass::Leverage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgentClass::Cta => "cta",
            AgentClass::VolTarget => "vol_target",
            AgentClass::Margin => "margin",
            AgentClass::Carry => "carry",
            AgentClass::Liquidity => "liquidity",
            AgentClass::Leverage => "leverage",
        }
    }

    /// Parses a class name (`cta`, `vol_target`/`risk_parity`, `margin`, `carry`, `liquidity`/`lp`, `leverage`).
    pub fn parse(s: &str) -> Option<AgentClass> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "cta" | "trend" => Some(AgentClass::Cta),
            "vol_target" | "voltarget" | "risk_parity" => Some(AgentClass::VolTarget),
            "margin" => Some(AgentClass::Margin),
            "carry" | "yen_carry" => Some(AgentClass::Carry),
            "liquidity" | "lp" | "value" => Some(AgentClass::Liquidity),
            "leverage" | "banks" => Some(AgentClass::Leverage),
            _ => None,
        }
    }

    /// The classes of a `--no-agents` list (`all` = every class), sorted and without repeats; an unknown
    /// name is refused with the known ones.
    pub fn parse_list<S: AsRef<str>>(names: &[S]) -> Result<Vec<AgentClass>> {
        let mut out = Vec::new();
        for n in names.iter().map(AsRef::as_ref) {
            if n.trim().eq_ignore_ascii_case("all") {
                out.extend(AgentClass::ALL);
            } else {
                out.push(AgentClass::parse(n).ok_or_else(|| SpiralError::UnknownClass(n.to_string()))?);
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl SpiralConfig {
    /// The bundled default parameters.
    pub fn default_config() -> SpiralConfig {
        // The bundled file is tested; a parse failure here is a build defect.
        SpiralConfig::from_toml(DEFAULT_TOML, "config/default.toml").expect("bundled config/default.toml is valid")
    }

    /// The parameter file at `path`, or the bundled defaults when there is none.
    pub fn load(path: Option<&std::path::Path>) -> Result<SpiralConfig> {
        match path {
            Some(p) => {
                let origin = p.display().to_string();
                let text = std::fs::read_to_string(p)
                    .map_err(|e| SpiralError::Read { file: origin.clone(), msg: e.to_string() })?;
                SpiralConfig::from_toml(&text, &origin)
            }
            None => Ok(SpiralConfig::default_config()),
        }
    }

    /// Parses and validates a parameter file's text (`origin` names it in errors).
    pub fn from_toml(text: &str, origin: &str) -> Result<SpiralConfig> {
        let cfg: SpiralConfig = toml::from_str(text)
            .map_err(|e| SpiralError::ParamFile { file: origin.to_string(), msg: e.to_string() })?;
        cfg.validate().map_err(|e| SpiralError::ParamFile { file: origin.to_string(), msg: e.to_string() })?;
        Ok(cfg)
    }

    /// A configuration for synthetic markets (benchmarks, property tests): assets
    /// `ids` with ADV `adv` bn, one population of every agent class trading all of
    /// them (the last asset is the carry traders' funding currency), Gaussian noise.
    pub fn synthetic(ids: &[&str], adv: f64) -> SpiralConfig {
        let mut cfg = SpiralConfig::default_config();
        let template = cfg.assets[0].clone();
        cfg.assets = ids
            .iter()
            .map(|id| AssetConfig { id: id.to_string(), adv_usd_bn: Some(adv), adv_series: vec![], ..template.clone() })
            .collect();
        let all: BTreeMap<String, f64> = ids.iter().map(|id| (id.to_string(), 1.0)).collect();
        let risky: BTreeMap<String, f64> =
            ids[..ids.len().saturating_sub(1).max(1)].iter().map(|id| (id.to_string(), 1.0)).collect();
        for c in &mut cfg.cta {
            c.weights = all.clone();
            c.stops = vec![StopConfig { asset: ids[0].to_string(), level: 95.0, cut: 0.5 }];
        }
        for v in &mut cfg.vol_target {
            v.weights = risky.clone();
        }
        for m in &mut cfg.margin {
            m.weights = risky.clone();
            m.floors.clear();
            m.capital_series = None;
        }
        for c in &mut cfg.carry {
            c.weights = risky.clone();
            c.funding_asset = ids[ids.len() - 1].to_string();
        }
        for l in &mut cfg.liquidity {
            l.weights = risky.clone();
        }
        cfg.leverage =
            vec![LeverageConfig { name: "banks".into(), assets: 500.0, leverage: 10.0, weights: risky.clone() }];
        if ids.len() < 2 {
            cfg.carry.clear();
        }
        cfg
    }

    /// Removes every agent population of the given classes.
    pub fn without(&mut self, classes: &[AgentClass]) {
        for c in classes {
            match c {
                AgentClass::Cta => self.cta.clear(),
                AgentClass::VolTarget => self.vol_target.clear(),
                AgentClass::Margin => self.margin.clear(),
                AgentClass::Carry => self.carry.clear(),
                AgentClass::Liquidity => self.liquidity.clear(),
                AgentClass::Leverage => self.leverage.clear(),
            }
        }
    }

    /// Number of agent populations.
    pub fn agent_count(&self) -> usize {
        self.cta.len()
            + self.vol_target.len()
            + self.margin.len()
            + self.carry.len()
            + self.liquidity.len()
            + self.leverage.len()
    }

    pub fn asset_index(&self, id: &str) -> Option<usize> {
        self.assets.iter().position(|a| a.id.eq_ignore_ascii_case(id))
    }

    /// Every stored series the simulator reads: the assets, the ADV series and the
    /// positioning series.
    pub fn series_needed(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.assets.iter().map(|a| a.id.clone()).collect();
        ids.extend(self.assets.iter().flat_map(|a| a.adv_series.iter().cloned()));
        ids.extend(self.margin.iter().filter_map(|m| m.capital_series.clone()));
        ids.sort();
        ids.dedup();
        ids
    }

    /// The longest price history any agent needs (days).
    pub fn history_needed(&self) -> usize {
        let cta = self.cta.iter().flat_map(|c| c.lookbacks.iter().copied()).max().unwrap_or(1);
        let carry = self.carry.iter().map(|c| c.window).max().unwrap_or(1);
        cta.max(carry).max(1) + 1
    }

    /// Checks every parameter's range (shown in the message).
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(SpiralError::Params(m));
        let s = &self.simulation;
        if !(1..=1_000_000).contains(&s.paths) {
            return bad(format!("simulation.paths = {} (allowed 1..=1000000)", s.paths));
        }
        if !(1..=5000).contains(&s.steps) {
            return bad(format!("simulation.steps = {} (allowed 1..=5000)", s.steps));
        }
        if !(1..=50).contains(&s.rounds) {
            return bad(format!("simulation.rounds = {} (allowed 1..=50)", s.rounds));
        }
        if !(60..=20_000).contains(&s.window) {
            return bad(format!("simulation.window = {} (allowed 60..=20000 trading days)", s.window));
        }
        if !(s.max_position_adv.is_finite() && s.max_position_adv >= 0.0) {
            return bad(format!("simulation.max_position_adv = {} (must be ≥ 0)", s.max_position_adv));
        }
        if !(s.ewma_lambda > 0.0 && s.ewma_lambda < 1.0) {
            return bad(format!("simulation.ewma_lambda = {} (allowed (0, 1))", s.ewma_lambda));
        }
        let i = &self.impact;
        if !(i.y.is_finite() && i.y >= 0.0 && i.y <= 10.0) {
            return bad(format!("impact.y = {} (allowed [0, 10])", i.y));
        }
        if !(i.sigma_cap.is_finite() && (1.0..=100.0).contains(&i.sigma_cap)) {
            return bad(format!("impact.sigma_cap = {} (allowed [1, 100])", i.sigma_cap));
        }
        if !(i.cs_c.is_finite() && i.cs_c > 0.0 && i.cs_tau.is_finite() && i.cs_tau > 0.0) {
            return bad(format!("impact.cs_c = {}, impact.cs_tau = {} (both > 0)", i.cs_c, i.cs_tau));
        }
        if self.assets.is_empty() || self.assets.len() > 64 {
            return bad(format!("{} assets (allowed 1..=64)", self.assets.len()));
        }
        for (n, a) in self.assets.iter().enumerate() {
            if self.assets[..n].iter().any(|b| b.id.eq_ignore_ascii_case(&a.id)) {
                return bad(format!("asset {} listed twice", a.id));
            }
            if a.adv_usd_bn.is_none() && a.adv_series.is_empty() {
                return bad(format!("asset {}: give adv_usd_bn or adv_series", a.id));
            }
            if let Some(v) = a.adv_usd_bn {
                if !(v.is_finite() && v > 0.0) {
                    return bad(format!("asset {}: adv_usd_bn = {v} (must be > 0)", a.id));
                }
            }
            if !(a.adv_multiplier > 0.0 && a.adv_scale > 0.0) {
                return bad(format!("asset {}: adv_multiplier and adv_scale must be > 0", a.id));
            }
            if a.yield_id.is_some() != a.duration.is_some() {
                return bad(format!("asset {}: yield_id and duration go together", a.id));
            }
        }
        let pos = |what: &str, v: f64| -> Result<()> {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(SpiralError::Params(format!("{what} = {v} (must be finite and ≥ 0)")))
            }
        };
        let unit = |what: &str, v: f64| -> Result<()> {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(SpiralError::Params(format!("{what} = {v} (allowed [0, 1])")))
            }
        };
        let weights = |who: &str, w: &BTreeMap<String, f64>| -> Result<()> {
            if w.is_empty() {
                return Err(SpiralError::Params(format!("{who}: weights are empty")));
            }
            for (k, v) in w {
                if self.asset_index(k).is_none() {
                    return Err(SpiralError::Params(format!("{who}: weight on unknown asset {k}")));
                }
                if !(v.is_finite() && *v >= 0.0) {
                    return Err(SpiralError::Params(format!("{who}: weight {k} = {v} (must be ≥ 0)")));
                }
            }
            if w.values().sum::<f64>() <= 0.0 {
                return Err(SpiralError::Params(format!("{who}: weights sum to 0")));
            }
            Ok(())
        };
        for c in &self.cta {
            let who = format!("cta {}", c.name);
            pos(&format!("{who}.capital"), c.capital)?;
            if c.lookbacks.is_empty() || c.lookbacks.iter().any(|&l| l == 0 || l > 2520) {
                return bad(format!("{who}: lookbacks {:?} (each in 1..=2520)", c.lookbacks));
            }
            pos(&format!("{who}.asset_vol_target"), c.asset_vol_target)?;
            unit(&format!("{who}.speed"), c.speed)?;
            pos(&format!("{who}.max_gross_leverage"), c.max_gross_leverage)?;
            weights(&who, &c.weights)?;
            for st in &c.stops {
                if self.asset_index(&st.asset).is_none() {
                    return bad(format!("{who}: stop on unknown asset {}", st.asset));
                }
                if !(st.level.is_finite() && st.level > 0.0) {
                    return bad(format!("{who}: stop level {} (must be > 0)", st.level));
                }
                unit(&format!("{who}: stop cut"), st.cut)?;
            }
        }
        for v in &self.vol_target {
            let who = format!("vol_target {}", v.name);
            pos(&format!("{who}.capital"), v.capital)?;
            if !(v.target_vol > 0.0 && v.target_vol.is_finite()) {
                return bad(format!("{who}.target_vol = {} (must be > 0)", v.target_vol));
            }
            pos(&format!("{who}.max_leverage"), v.max_leverage)?;
            unit(&format!("{who}.speed"), v.speed)?;
            weights(&who, &v.weights)?;
        }
        for m in &self.margin {
            let who = format!("margin {}", m.name);
            pos(&format!("{who}.capital"), m.capital)?;
            if !(m.utilisation > 0.0 && m.utilisation <= 1.0) {
                return bad(format!("{who}.utilisation = {} (allowed (0, 1])", m.utilisation));
            }
            pos(&format!("{who}.z"), m.z)?;
            pos(&format!("{who}.horizon_days"), m.horizon_days)?;
            if !(m.default_floor > 0.0 && m.default_floor <= 1.0) {
                return bad(format!("{who}.default_floor = {} (allowed (0, 1])", m.default_floor));
            }
            for (k, f) in &m.floors {
                if self.asset_index(k).is_none() || !(*f > 0.0 && *f <= 1.0) {
                    return bad(format!("{who}: floor {k} = {f} (known asset, (0, 1])"));
                }
            }
            unit(&format!("{who}.relever_speed"), m.relever_speed)?;
            if m.capital_series.is_some() {
                pos(&format!("{who}.capital_per_unit"), m.capital_per_unit)?;
            }
            weights(&who, &m.weights)?;
        }
        for c in &self.carry {
            let who = format!("carry {}", c.name);
            pos(&format!("{who}.capital"), c.capital)?;
            if self.asset_index(&c.funding_asset).is_none() {
                return bad(format!("{who}: funding_asset {} is not a simulated asset", c.funding_asset));
            }
            unit(&format!("{who}.trigger"), c.trigger)?;
            if !(c.ramp > 0.0 && c.ramp <= 1.0) {
                return bad(format!("{who}.ramp = {} (allowed (0, 1])", c.ramp));
            }
            if !(1..=2520).contains(&c.window) {
                return bad(format!("{who}.window = {} (allowed 1..=2520)", c.window));
            }
            pos(&format!("{who}.boj_sensitivity"), c.boj_sensitivity)?;
            unit(&format!("{who}.reentry_speed"), c.reentry_speed)?;
            weights(&who, &c.weights)?;
            if c.weights.keys().any(|k| k.eq_ignore_ascii_case(&c.funding_asset)) {
                return bad(format!("{who}: the funding asset cannot be a risky holding"));
            }
        }
        for l in &self.liquidity {
            let who = format!("liquidity {}", l.name);
            pos(&format!("{who}.capital"), l.capital)?;
            pos(&format!("{who}.aggressiveness"), l.aggressiveness)?;
            if !(0.0..1.0).contains(&l.depth_share) {
                return bad(format!("{who}.depth_share = {} (allowed [0, 1))", l.depth_share));
            }
            weights(&who, &l.weights)?;
        }
        for l in &self.leverage {
            let who = format!("leverage {}", l.name);
            pos(&format!("{who}.assets"), l.assets)?;
            pos(&format!("{who}.leverage"), l.leverage)?;
            weights(&who, &l.weights)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod agent_list_tests {
    use super::AgentClass;

    #[test]
    fn no_agents_lists_parse_sort_and_refuse() {
        assert_eq!(
            AgentClass::parse_list(&["margin", "CTA", "margin"]).unwrap(),
            vec![AgentClass::Cta, AgentClass::Margin]
        );
        assert_eq!(AgentClass::parse_list(&["all", "cta"]).unwrap(), AgentClass::ALL.to_vec());
        assert!(AgentClass::parse_list::<&str>(&[]).unwrap().is_empty());
        let e = AgentClass::parse_list(&["hedgehogs"]).unwrap_err().to_string();
        assert!(e.contains("\"hedgehogs\"") && e.contains("leverage, all"), "{e}");
    }
}

#[cfg(test)]
mod load_tests {
    use super::SpiralConfig;

    #[test]
    fn load_reads_a_parameter_file_or_the_defaults_and_names_the_file_it_cannot_read() {
        assert_eq!(
            SpiralConfig::load(None).map(|c| c.assets.len()).ok(),
            Some(SpiralConfig::default_config().assets.len())
        );
        let dir = std::env::temp_dir().join(format!("fissure-spiral-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let p = dir.join("params.toml");
        std::fs::write(&p, super::DEFAULT_TOML).unwrap_or_else(|e| panic!("{e}"));
        let from_file = SpiralConfig::load(Some(&p)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_file.assets.len(), SpiralConfig::default_config().assets.len());
        std::fs::write(&p, "assets = 3").unwrap_or_else(|e| panic!("{e}"));
        let e = SpiralConfig::load(Some(&p)).map(|_| ()).unwrap_err().to_string();
        assert!(e.starts_with(&format!("parameter file {}: ", p.display())), "{e}");
        let missing = dir.join("missing.toml");
        let e = SpiralConfig::load(Some(&missing)).map(|_| ()).unwrap_err().to_string();
        assert!(e.starts_with(&format!("reading {}: ", missing.display())), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
