//! Serde helpers for `f64` data that may hold NaN (a missing reading). JSON has
//! no NaN: these write non-finite values as `null` and read `null` back as NaN,
//! so results survive a JSON round trip (the report's cache, `report.json`).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

fn to_opt(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// For `Vec<f64>` fields: `#[serde(with = "crate::serde_nan::vec")]`.
pub mod vec {
    use super::*;

    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        v.iter().map(|x| to_opt(*x)).collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        Ok(Vec::<Option<f64>>::deserialize(d)?.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
    }
}

/// For `Vec<Vec<f64>>` fields (matrices).
pub mod matrix {
    use super::*;

    pub fn serialize<S: Serializer>(m: &[Vec<f64>], s: S) -> Result<S::Ok, S::Error> {
        m.iter().map(|r| r.iter().map(|x| to_opt(*x)).collect::<Vec<_>>()).collect::<Vec<_>>().serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
        Ok(Vec::<Vec<Option<f64>>>::deserialize(d)?
            .into_iter()
            .map(|r| r.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use crate::{Line, SignalSeries, SignalSpec, Thresholds};

    #[test]
    fn nan_survives_a_json_round_trip() {
        let s = SignalSeries {
            spec: SignalSpec {
                id: "x".into(),
                family: "f".into(),
                title_en: "t".into(),
                title_zh: "t".into(),
                unit: "u".into(),
                higher_is_riskier: true,
                thresholds: Thresholds::default(),
            },
            dates: vec!["2024-01-02".parse().unwrap(), "2024-01-03".parse().unwrap()],
            values: vec![f64::NAN, 1.5],
            explain_en: String::new(),
            explain_zh: String::new(),
        };
        let json = serde_json::to_string(&s).unwrap();
        let back: SignalSeries = serde_json::from_str(&json).unwrap();
        assert!(back.values[0].is_nan() && back.values[1] == 1.5);
        let l = Line { label: "l".into(), dates: s.dates.clone(), values: vec![f64::INFINITY, 2.0] };
        let back: Line = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
        assert!(back.values[0].is_nan());
    }
}
