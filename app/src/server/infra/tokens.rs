//! Single-use links sent by e-mail. The link carries 256 random bits; only their SHA-256
//! is stored, so a copy of the database cannot be used to take over accounts.

use crate::error::AppResult;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::{Any, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Invite,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Invite => "invite",
            Purpose::Reset => "reset",
        }
    }
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token, replacing any unused one of the same purpose for the user.
pub async fn issue(
    db: &mut sqlx::AnyConnection,
    user_id: i64,
    purpose: Purpose,
    now: i64,
    valid_ms: i64,
) -> AppResult<String> {
    let token = random_token();
    sqlx::query("UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .bind(purpose.as_str())
        .execute(&mut *db)
        .await?;
    sqlx::query(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash(&token))
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(now + valid_ms)
    .execute(&mut *db)
    .await?;
    Ok(token)
}

/// Marks a valid token used and returns its user; `None` if unknown, expired or used.
/// One conditional UPDATE, so two concurrent uses cannot both succeed.
pub async fn consume<'e, E: Executor<'e, Database = Any>>(
    db: E,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> AppResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE user_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
    )
    .bind(now)
    .bind(hash(token))
    .bind(purpose.as_str())
    .fetch_optional(db)
    .await?)
}

/// The e-mail a still-valid token belongs to, for showing on the page before it is used.
pub async fn peek<'e, E: Executor<'e, Database = Any>>(
    db: E,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> AppResult<Option<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT u.email, u.name FROM user_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3",
    )
    .bind(hash(token))
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(db)
    .await?)
}
