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
    issue_scoped(db, user_id, purpose, None, now, valid_ms).await
}

/// Where an invitation leads: membership of this merchant, sent from this shop (whose audit
/// log records the answer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InviteScope {
    pub merchant_id: i64,
    pub shop_id: i64,
}

/// Creates an invitation link to the merchant, replacing the user's unused one to the same
/// merchant (invitations of other merchants stay valid).
pub async fn issue_invite(
    db: &mut sqlx::AnyConnection,
    user_id: i64,
    scope: InviteScope,
    now: i64,
    valid_ms: i64,
) -> AppResult<String> {
    issue_scoped(db, user_id, Purpose::Invite, Some(scope), now, valid_ms).await
}

async fn issue_scoped(
    db: &mut sqlx::AnyConnection,
    user_id: i64,
    purpose: Purpose,
    scope: Option<InviteScope>,
    now: i64,
    valid_ms: i64,
) -> AppResult<String> {
    let token = random_token();
    // Ids are positive, so 0 stands for "no merchant" in the comparison.
    sqlx::query(
        "UPDATE user_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 \
         AND used_at IS NULL AND COALESCE(merchant_id, 0) = $4",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(scope.map_or(0, |s| s.merchant_id))
    .execute(&mut *db)
    .await?;
    sqlx::query(
        "INSERT INTO user_tokens (token_hash, user_id, purpose, created_at, expires_at, merchant_id, shop_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash(&token))
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(now)
    .bind(now + valid_ms)
    .bind(scope.map(|s| s.merchant_id))
    .bind(scope.map(|s| s.shop_id))
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

/// A still-valid invitation link: whose it is and where it leads (`scope` is `None` for
/// links made before invitations named their merchant).
#[derive(Clone, Debug)]
pub struct Invitation {
    pub user_id: i64,
    pub scope: Option<InviteScope>,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    user_id: i64,
    merchant_id: Option<i64>,
    shop_id: Option<i64>,
}

impl From<InvitationRow> for Invitation {
    fn from(r: InvitationRow) -> Invitation {
        Invitation {
            user_id: r.user_id,
            scope: r
                .merchant_id
                .zip(r.shop_id)
                .map(|(merchant_id, shop_id)| InviteScope {
                    merchant_id,
                    shop_id,
                }),
        }
    }
}

/// The invitation behind a still-valid link, without using it.
pub async fn peek_invite<'e, E: Executor<'e, Database = Any>>(
    db: E,
    token: &str,
    now: i64,
) -> AppResult<Option<Invitation>> {
    let row: Option<InvitationRow> = sqlx::query_as(
        "SELECT user_id, merchant_id, shop_id FROM user_tokens \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(hash(token))
    .bind(Purpose::Invite.as_str())
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.map(Invitation::from))
}

/// Marks a valid invitation link used and returns it; `None` if unknown, expired or used.
/// One conditional UPDATE, so two concurrent answers cannot both succeed.
pub async fn consume_invite<'e, E: Executor<'e, Database = Any>>(
    db: E,
    token: &str,
    now: i64,
) -> AppResult<Option<Invitation>> {
    let row: Option<InvitationRow> = sqlx::query_as(
        "UPDATE user_tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 \
         AND used_at IS NULL AND expires_at > $1 RETURNING user_id, merchant_id, shop_id",
    )
    .bind(now)
    .bind(hash(token))
    .bind(Purpose::Invite.as_str())
    .fetch_optional(db)
    .await?;
    Ok(row.map(Invitation::from))
}
