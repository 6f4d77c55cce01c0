//! Caching of family outputs in the store, keyed by everything that determines
//! them: the data revisions of the inputs the family reads, the watchlist parts
//! it receives, `as_of`, the family key and parameters, and the code.

use fissure_core::{FamilyInputs, SignalFamily};
use fissure_io::Store;

/// A byte cache with a data fingerprint. Implemented by the store; tests use
/// an in-memory map.
pub trait Cache {
    fn get(&self, key: &str) -> Option<Vec<u8>>;
    fn put(&self, key: &str, value: &[u8]);
    /// A text that changes exactly when the stored data of any of `ids` changes.
    fn fingerprint(&self, ids: &[String]) -> Option<String>;
}

impl Cache for Store {
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.cache_get(key).ok().flatten()
    }

    fn put(&self, key: &str, value: &[u8]) {
        // A cache that cannot be written only costs time on the next run.
        let _ = self.cache_put(key, value);
    }

    fn fingerprint(&self, ids: &[String]) -> Option<String> {
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let series = Store::fingerprint(self, &refs).ok()?;
        // Cross-sections have their own revisions.
        let sections = self.list_sections().ok()?;
        let secs: Vec<String> = sections
            .iter()
            .filter(|s| ids.iter().any(|i| *i == s.id || *i == format!("{}.{}", s.id, s.field)))
            .map(|s| format!("{}.{}@{}", s.id, s.field, s.revision))
            .collect();
        Some(format!("{series}|{}", secs.join(",")))
    }
}

/// 128-bit FNV-1a hash as hex (two 64-bit lanes with different offsets): a
/// compact, dependency-free cache key; the descriptor it hashes is exact.
pub fn hash_hex(text: &str) -> String {
    let mut a: u64 = 0xcbf2_9ce4_8422_2325;
    let mut b: u64 = 0x6c62_272e_07bb_0142;
    for byte in text.bytes() {
        a ^= byte as u64;
        a = a.wrapping_mul(0x0000_0100_0000_01b3);
        b ^= byte as u64;
        b = b.wrapping_mul(0x0000_0100_0000_01b3).rotate_left(5);
    }
    format!("{a:016x}{b:016x}")
}

/// A streaming version of [`hash_hex`] (same lanes), for large inputs.
#[derive(Debug, Clone)]
pub struct Fnv128 {
    a: u64,
    b: u64,
}

impl Default for Fnv128 {
    fn default() -> Self {
        Fnv128 { a: 0xcbf2_9ce4_8422_2325, b: 0x6c62_272e_07bb_0142 }
    }
}

impl Fnv128 {
    pub fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.a ^= *byte as u64;
            self.a = self.a.wrapping_mul(0x0000_0100_0000_01b3);
            self.b ^= *byte as u64;
            self.b = self.b.wrapping_mul(0x0000_0100_0000_01b3).rotate_left(5);
        }
    }

    pub fn hex(&self) -> String {
        format!("{:016x}{:016x}", self.a, self.b)
    }
}

/// The exact description of a family computation (what the key hashes).
pub fn family_descriptor(fingerprint: &str, family: &dyn SignalFamily, inputs: &FamilyInputs, code_id: &str) -> String {
    let baskets: Vec<String> = inputs
        .baskets
        .iter()
        .map(|(k, v)| format!("{k}={}", v.iter().map(|(m, w)| format!("{m}:{w}")).collect::<Vec<_>>().join("+")))
        .collect();
    let roles: Vec<String> = inputs.roles.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(
        "fissure-report {} | code {code_id} | family {} | params {} | as_of {} | data {fingerprint} | baskets {} | roles {} | bubble {} | portfolio {}",
        env!("CARGO_PKG_VERSION"),
        family.key(),
        family.params(),
        inputs.as_of.map_or_else(|| "-".to_string(), |d| d.to_string()),
        baskets.join(";"),
        roles.join(";"),
        inputs.bubble_assets.join(","),
        inputs.portfolio.iter().map(|(k, w)| format!("{k}:{w}")).collect::<Vec<_>>().join(","),
    )
}

/// The cache key of a family's output, `None` when the cache cannot fingerprint
/// the data (then the family is always computed).
pub fn family_cache_key(
    cache: &dyn Cache,
    family: &dyn SignalFamily,
    inputs: &FamilyInputs,
    code_id: &str,
) -> Option<String> {
    let mut ids = family
        .inputs_used(inputs)
        .unwrap_or_else(|| inputs.series.keys().chain(inputs.sections.keys()).cloned().collect());
    ids.sort();
    ids.dedup();
    let fp = cache.fingerprint(&ids)?;
    Some(format!("report/family/{}/{}", family.key(), hash_hex(&family_descriptor(&fp, family, inputs, code_id))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_hash_equals_hash_hex() {
        let mut h = Fnv128::default();
        h.write(b"SPX");
        h.write(b"@1");
        assert_eq!(h.hex(), hash_hex("SPX@1"));
    }

    #[test]
    fn hash_differs_on_small_changes() {
        assert_ne!(hash_hex("SPX@1"), hash_hex("SPX@2"));
        assert_eq!(hash_hex("abc").len(), 32);
        assert_eq!(hash_hex("abc"), hash_hex("abc"));
    }
}
