//! API tokens of `fissure serve`, in the store.
//!
//! Only a hash of each token is stored (the server hashes with Argon2id; this
//! module never sees a token in clear). A token is never deleted: revoking it
//! sets `revoked_at`, so `fissure token list` keeps the history.

use crate::store::{Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// The migration that creates the token table (appended to the store's list).
pub(crate) const MIGRATION: &str = "CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
     );";

/// One stored token (its hash, never the token itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenRecord {
    /// Public identifier (the part of the token before the secret).
    pub id: String,
    pub name: String,
    /// `read` or `write`.
    pub role: String,
    /// PHC string of the hash (Argon2id).
    #[serde(skip)]
    pub hash: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

impl TokenRecord {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

type Result<T> = std::result::Result<T, StoreError>;

impl Store {
    fn token_sql<T>(&self, r: rusqlite::Result<T>) -> Result<T> {
        r.map_err(|source| StoreError::Sqlite { path: self.path().to_path_buf(), source })
    }

    /// Stores a new token record (`id` must be new).
    pub fn token_insert(&self, id: &str, name: &str, role: &str, hash: &str) -> Result<()> {
        let now = chrono::Utc::now().to_rfc3339();
        let r = self.conn().execute(
            "INSERT INTO api_tokens (id, name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, name, role, hash, now],
        );
        self.token_sql(r).map(|_| ())
    }

    /// Every token record, oldest first.
    pub fn token_list(&self) -> Result<Vec<TokenRecord>> {
        let mut stmt = self
            .token_sql(self.conn().prepare(
                "SELECT id, name, role, hash, created_at, revoked_at FROM api_tokens ORDER BY created_at, id",
            ))?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenRecord {
                id: r.get(0)?,
                name: r.get(1)?,
                role: r.get(2)?,
                hash: r.get(3)?,
                created_at: r.get(4)?,
                revoked_at: r.get(5)?,
            })
        });
        let rows = self.token_sql(rows)?;
        rows.map(|r| self.token_sql(r)).collect()
    }

    /// One token record by id.
    pub fn token_get(&self, id: &str) -> Result<Option<TokenRecord>> {
        let r = self
            .conn()
            .query_row("SELECT id, name, role, hash, created_at, revoked_at FROM api_tokens WHERE id = ?1", [id], |r| {
                Ok(TokenRecord {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    role: r.get(2)?,
                    hash: r.get(3)?,
                    created_at: r.get(4)?,
                    revoked_at: r.get(5)?,
                })
            })
            .optional();
        self.token_sql(r)
    }

    /// Revokes a token. Returns false when no active token has this id.
    pub fn token_revoke(&self, id: &str) -> Result<bool> {
        let now = chrono::Utc::now().to_rfc3339();
        let r = self
            .conn()
            .execute("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", params![id, now]);
        Ok(self.token_sql(r)? == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_list_revoke() {
        let dir = tempfile::tempdir().unwrap();
        let st = Store::open(&dir.path().join("s.sqlite")).unwrap();
        assert!(st.token_list().unwrap().is_empty());
        st.token_insert("a1", "ci", "write", "$argon2id$x").unwrap();
        st.token_insert("b2", "desk", "read", "$argon2id$y").unwrap();
        assert!(st.token_insert("a1", "dup", "read", "h").is_err());
        let all = st.token_list().unwrap();
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(TokenRecord::is_active));
        assert!(st.token_revoke("a1").unwrap());
        assert!(!st.token_revoke("a1").unwrap(), "already revoked");
        assert!(!st.token_revoke("zz").unwrap(), "unknown id");
        let a = st.token_get("a1").unwrap().unwrap();
        assert!(!a.is_active());
        assert_eq!(a.hash, "$argon2id$x");
        assert!(st.token_get("zz").unwrap().is_none());
        // token rows are not data: the data dump is unchanged by them
        assert!(!st.dump().unwrap().contains("argon2"));
    }

    #[test]
    fn consistent_read_sees_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let reader = Store::open(&path).unwrap();
        let writer = Store::open(&path).unwrap();
        let n = reader
            .consistent_read(|s| {
                let before = s.token_list().unwrap().len();
                writer.token_insert("w", "n", "read", "h").unwrap();
                (before, s.token_list().unwrap().len())
            })
            .unwrap();
        assert_eq!(n, (0, 0), "a write committed during the read is not seen");
        assert_eq!(reader.token_list().unwrap().len(), 1);
    }
}
