//! Bearer tokens: creation (shown once), Argon2id hashes in the store,
//! verification with an in-memory cache, roles, and a per-token rate limit.
//!
//! A token reads `fst_<id>_<secret>`: `id` (12 hex digits) names the stored
//! record, `secret` is 256 random bits. Only the Argon2id hash of the whole
//! token is stored. A verified token is remembered by its SHA-256 so that
//! Argon2 runs once per token, not once per request; the token table is
//! re-read every [`TABLE_REFRESH`], so a revocation made with
//! `fissure token revoke` (another process) takes effect within that delay.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use fissure_io::tokens::TokenRecord;
use fissure_io::Store;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the server re-reads the token table.
pub const TABLE_REFRESH: Duration = Duration::from_secs(2);

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// GET endpoints (needed only when reads are not public).
    Read,
    /// Ingest and admin endpoints, and reads.
    Write,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "read" => Some(Role::Read),
            "write" => Some(Role::Write),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "write",
        }
    }
}

/// Errors of token management.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Store(#[from] fissure_io::StoreError),
    #[error("hashing the token: {0}")]
    Hash(String),
    #[error("no active token with id `{0}` (see `fissure token list`)")]
    NotFound(String),
}

/// A new token: the clear text (shown once) and its stored record id.
pub struct NewToken {
    pub id: String,
    pub token: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash_token(token: &str) -> Result<String, TokenError> {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| TokenError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(token.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| TokenError::Hash(e.to_string()))
}

/// Whether `token` matches the stored PHC hash.
pub fn verify_hash(token: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(token.as_bytes(), &h).is_ok())
}

/// Creates a token with `role`, stores its hash, and returns it (the only time it is visible).
pub fn create_token(store: &Store, role: Role, name: &str) -> Result<NewToken, TokenError> {
    let mut id = [0u8; 6];
    let mut secret = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut id);
    rand::rngs::OsRng.fill_bytes(&mut secret);
    let id = hex(&id);
    let token = format!("fst_{id}_{}", hex(&secret));
    let hash = hash_token(&token)?;
    store.token_insert(&id, name, role.as_str(), &hash)?;
    Ok(NewToken { id, token })
}

/// Revokes the token `id`.
pub fn revoke_token(store: &Store, id: &str) -> Result<(), TokenError> {
    if store.token_revoke(id)? {
        Ok(())
    } else {
        Err(TokenError::NotFound(id.into()))
    }
}

/// The id part of a well-formed token.
pub fn token_id(token: &str) -> Option<&str> {
    let rest = token.strip_prefix("fst_")?;
    let (id, secret) = rest.split_once('_')?;
    let ok = id.len() == 12
        && secret.len() == 64
        && id.bytes().chain(secret.bytes()).all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    ok.then_some(id)
}

/// Outcome of checking a bearer token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    Valid {
        id: String,
        role: Role,
    },
    /// Malformed, unknown, revoked or wrong secret (all answered 401 alike).
    Invalid(&'static str),
    /// Known id, not verified yet: the caller runs Argon2 (off the async threads) and then [`Tokens::remember`].
    NeedsVerify {
        record: TokenRecord,
    },
}

/// The server's view of the token table.
pub struct Tokens {
    table: Mutex<(Instant, HashMap<String, TokenRecord>)>,
    verified: Mutex<HashMap<[u8; 32], String>>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl Tokens {
    pub fn new(records: Vec<TokenRecord>) -> Tokens {
        Tokens {
            table: Mutex::new((Instant::now(), records.into_iter().map(|r| (r.id.clone(), r)).collect())),
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the table (after re-reading the store).
    pub fn reload(&self, records: Vec<TokenRecord>) {
        let mut t = self.table.lock().unwrap_or_else(|e| e.into_inner());
        *t = (Instant::now(), records.into_iter().map(|r| (r.id.clone(), r)).collect());
    }

    /// Whether the table is older than [`TABLE_REFRESH`].
    pub fn stale(&self) -> bool {
        self.table.lock().unwrap_or_else(|e| e.into_inner()).0.elapsed() >= TABLE_REFRESH
    }

    /// Checks a token against the table and the cache of verified tokens.
    pub fn check(&self, token: &str) -> Check {
        let Some(id) = token_id(token) else { return Check::Invalid("malformed token") };
        let record = {
            let t = self.table.lock().unwrap_or_else(|e| e.into_inner());
            match t.1.get(id) {
                Some(r) => r.clone(),
                None => return Check::Invalid("unknown token"),
            }
        };
        if !record.is_active() {
            return Check::Invalid("revoked token");
        }
        let Some(role) = Role::parse(&record.role) else { return Check::Invalid("token with an unknown role") };
        let known = self.verified.lock().unwrap_or_else(|e| e.into_inner()).get(&digest(token)) == Some(&record.id);
        if known {
            Check::Valid { id: record.id, role }
        } else {
            Check::NeedsVerify { record }
        }
    }

    /// Remembers a token whose hash was verified.
    pub fn remember(&self, token: &str, id: &str) {
        self.verified.lock().unwrap_or_else(|e| e.into_inner()).insert(digest(token), id.to_string());
    }
}

/// Per-token token buckets (Turner 1986's leaky bucket as a meter).
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_second: f64, burst: f64) -> RateLimiter {
        RateLimiter { per_second, burst, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds)` until the next token when empty.
    pub fn take(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut b = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (level, at) = b.entry(key.to_string()).or_insert((self.burst, now));
        *level = (*level + now.duration_since(*at).as_secs_f64() * self.per_second).min(self.burst);
        *at = now;
        if *level >= 1.0 {
            *level -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *level) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_verify_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let st = Store::open(&dir.path().join("s.sqlite")).unwrap();
        let t = create_token(&st, Role::Write, "ci").unwrap();
        assert_eq!(token_id(&t.token), Some(t.id.as_str()));
        let rec = st.token_get(&t.id).unwrap().unwrap();
        assert!(rec.hash.starts_with("$argon2id$"), "{}", rec.hash);
        assert!(!rec.hash.contains(&t.token[20..]), "the secret is not stored");
        assert!(verify_hash(&t.token, &rec.hash));
        let mut wrong = t.token.clone();
        wrong.pop();
        wrong.push(if t.token.ends_with('0') { '1' } else { '0' });
        assert!(!verify_hash(&wrong, &rec.hash));

        let tokens = Tokens::new(st.token_list().unwrap());
        match tokens.check(&t.token) {
            Check::NeedsVerify { record } => tokens.remember(&t.token, &record.id),
            other => panic!("{other:?}"),
        }
        assert_eq!(tokens.check(&t.token), Check::Valid { id: t.id.clone(), role: Role::Write });
        assert!(matches!(tokens.check("fst_nope"), Check::Invalid(_)));
        assert!(matches!(tokens.check(&format!("fst_{}_{}", "0".repeat(12), "0".repeat(64))), Check::Invalid(_)));
        revoke_token(&st, &t.id).unwrap();
        assert!(revoke_token(&st, &t.id).is_err());
        tokens.reload(st.token_list().unwrap());
        assert_eq!(tokens.check(&t.token), Check::Invalid("revoked token"));
    }

    #[test]
    fn rate_limit_refills() {
        let r = RateLimiter::new(1000.0, 3.0);
        assert!(r.take("a").is_ok() && r.take("a").is_ok() && r.take("a").is_ok());
        assert!(r.take("a").is_err());
        assert!(r.take("b").is_ok(), "buckets are per token");
        std::thread::sleep(Duration::from_millis(5));
        assert!(r.take("a").is_ok());
    }
}
