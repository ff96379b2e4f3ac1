//! Settings → API keys, and the check the shop API makes of them.
//!
//! Each shop has a Shop ID (its id), and per mode (`test`, `live`) a publishable key and a
//! secret. A secret is 256 random bits, shown once when made; only its SHA-256 is kept,
//! with its last four characters to tell it apart. Regenerating keeps the replaced secret
//! valid for the grace period the admin chooses (none, 1 hour, 24 hours). The API's
//! `Authorization: Basic` (user = Shop ID, password = secret) is checked against every
//! valid secret of the shop in equal time, and a caller's failures per Shop ID are
//! throttled (kept in the database, so several instances share the count).

use crate::error::{AppError, AppResult};
use crate::model::settings::{ApiKeysView, ApiSettings, NewSecret, SecretView};
use crate::server::identity::access::ShopAccess;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::infra::clock::{HOUR_MS, MINUTE_MS};
use crate::server::infra::tokens;
use crate::server::AppState;
use base64::Engine;

pub const MODES: [&str; 2] = ["test", "live"];
/// Failed checks a caller may make per Shop ID within [`THROTTLE_WINDOW_MS`].
pub const MAX_FAILURES: i64 = 10;
pub const THROTTLE_WINDOW_MS: i64 = MINUTE_MS;
/// A secret's last use is written at most this often.
const LAST_USED_EVERY_MS: i64 = MINUTE_MS;

fn mode_of(input: &str) -> AppResult<&'static str> {
    MODES
        .into_iter()
        .find(|m| *m == input.trim())
        .ok_or_else(|| AppError::field("mode", "Choose test or live."))
}

/// The grace period as the form sends it: `none`, `1h` or `24h`.
pub fn grace_ms(input: &str) -> AppResult<i64> {
    match input.trim() {
        "none" | "0" | "" => Ok(0),
        "1h" => Ok(HOUR_MS),
        "24h" => Ok(24 * HOUR_MS),
        _ => Err(AppError::field(
            "grace",
            "Choose how long the old secret keeps working: not at all, 1 hour or 24 hours.",
        )),
    }
}

fn hint(mode: &str, last_four: &str) -> String {
    format!("sk_{mode}_…{last_four}")
}

/// The shop's keys as the page shows them (no secret, only its last characters).
pub async fn view(state: &AppState, a: &ShopAccess) -> AppResult<ApiSettings> {
    let now = state.clock.now_ms();
    let publishable: Vec<(String, String)> =
        sqlx::query_as("SELECT mode, publishable FROM api_publishable_keys WHERE shop_id = $1")
            .bind(a.shop_id)
            .fetch_all(&state.db.pool)
            .await?;
    type Row = (String, String, i64, Option<i64>, Option<i64>);
    let secrets: Vec<Row> = sqlx::query_as(
        "SELECT mode, last_four, created_at, expires_at, last_used_at FROM api_secrets \
         WHERE shop_id = $1 AND (expires_at IS NULL OR expires_at > $2) \
         ORDER BY created_at DESC, id DESC",
    )
    .bind(a.shop_id)
    .bind(now)
    .fetch_all(&state.db.pool)
    .await?;
    let at = |ms: i64| crate::server::format_time(ms, &a.time_zone);
    Ok(ApiSettings {
        shop_id: a.shop_id.to_string(),
        modes: MODES
            .iter()
            .map(|mode| ApiKeysView {
                mode: mode.to_string(),
                publishable: publishable
                    .iter()
                    .find(|(m, _)| m == mode)
                    .map(|(_, p)| p.clone()),
                secrets: secrets
                    .iter()
                    .filter(|(m, ..)| m == mode)
                    .map(|(m, four, created, expires, used)| SecretView {
                        hint: hint(m, four),
                        created_at: at(*created),
                        valid_until: expires.map(at),
                        last_used: used.map(at),
                    })
                    .collect(),
            })
            .collect(),
    })
}

/// Makes a new secret for the mode (and the publishable key, the first time); the replaced
/// secret keeps working for the grace period. Audited without the secret.
pub async fn regenerate(
    state: &AppState,
    a: &ShopAccess,
    mode: &str,
    grace: &str,
) -> AppResult<NewSecret> {
    let mode = mode_of(mode)?;
    let grace = grace_ms(grace)?;
    let now = state.clock.now_ms();
    let secret = format!("sk_{mode}_{}", tokens::random_token());
    let last_four: String = secret[secret.len() - 4..].to_string();
    let mut tx = state.db.begin_write().await?;
    // The current secret gets its end; one already in a grace period keeps the earlier end.
    let replaced: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, last_four FROM api_secrets WHERE shop_id = $1 AND mode = $2 AND expires_at IS NULL",
    )
    .bind(a.shop_id)
    .bind(mode)
    .fetch_optional(&mut *tx)
    .await?;
    let until = now + grace;
    sqlx::query(
        "UPDATE api_secrets SET expires_at = $3 WHERE shop_id = $1 AND mode = $2 \
         AND (expires_at IS NULL OR expires_at > $3)",
    )
    .bind(a.shop_id)
    .bind(mode)
    .bind(until)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO api_secrets (id, shop_id, mode, secret_hash, last_four, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(crate::server::new_id())
    .bind(a.shop_id)
    .bind(mode)
    .bind(tokens::hash(&secret))
    .bind(&last_four)
    .bind(now)
    .bind(a.user.id)
    .execute(&mut *tx)
    .await?;
    let mut random = tokens::random_token();
    random.truncate(24);
    sqlx::query(
        "INSERT INTO api_publishable_keys (shop_id, mode, publishable, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (shop_id, mode) DO NOTHING",
    )
    .bind(a.shop_id)
    .bind(mode)
    .bind(format!("pk_{mode}_{random}"))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let old_valid_until = replaced
        .as_ref()
        .filter(|_| grace > 0)
        .map(|_| crate::server::format_time(until, &a.time_zone));
    audit::record(
        &mut *tx,
        AuditEvent {
            before: Some(
                replaced
                    .as_ref()
                    .map(|(_, four)| hint(mode, four))
                    .unwrap_or_else(|| "none".into()),
            ),
            after: Some(hint(mode, &last_four)),
            detail: Some(match (&replaced, &old_valid_until) {
                (None, _) => format!("{mode} secret created"),
                (Some(_), None) => {
                    format!("{mode} secret regenerated; the old one stopped at once")
                }
                (Some(_), Some(t)) => {
                    format!("{mode} secret regenerated; the old one works until {t}")
                }
            }),
            ..AuditEvent::in_shop("api_key", a, now)
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewSecret {
        mode: mode.to_string(),
        secret,
        old_valid_until,
        keys: view(state, a).await?,
    })
}

/// Who an API call comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCaller {
    pub shop_id: i64,
    pub shop_slug: String,
    pub merchant_id: i64,
    /// The admin who made the secret: what the key does is recorded as theirs.
    pub key_owner: Option<i64>,
    /// `test` or `live`: test-mode keys make test payments, which carry no fees.
    pub mode: &'static str,
}

impl ApiCaller {
    pub fn test_mode(&self) -> bool {
        self.mode == "test"
    }
}

/// Why an API call is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiRefusal {
    /// 401: what is wrong, for the shop's developer.
    Unauthorized(String),
    /// 429: too many failures; try again after this many seconds.
    Throttled { retry_after_secs: u64 },
}

/// Compares two byte strings in time that depends only on their lengths.
fn equal_time(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// User and password of an `Authorization: Basic …` header.
fn basic(header: Option<&str>) -> Result<(String, String), String> {
    let value =
        header.ok_or("Send the Shop ID and the secret key as HTTP Basic authentication.")?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
        .ok_or("Use HTTP Basic authentication: Authorization: Basic base64(ShopID:secret).")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| "The Authorization header is not valid base64.")?;
    let text = String::from_utf8(decoded).map_err(|_| "The credentials are not text.")?;
    let (user, password) = text
        .split_once(':')
        .ok_or("Write the credentials as ShopID:secret.")?;
    Ok((user.to_string(), password.to_string()))
}

/// Checks an API call's Basic credentials: throttled per Shop ID and caller, compared in
/// equal time with every valid secret of the shop; a success notes when the key was used.
pub async fn authenticate(
    state: &AppState,
    header: Option<&str>,
    ip: &str,
) -> Result<ApiCaller, ApiRefusal> {
    let internal = |e: AppError| {
        tracing::error!(error = %e, "API key check failed");
        ApiRefusal::Unauthorized("The check could not be made; try again.".into())
    };
    let (user, password) = basic(header).map_err(ApiRefusal::Unauthorized)?;
    let shop_id: i64 = user.trim().parse().unwrap_or(-1);
    let now = state.clock.now_ms();
    let failures: Vec<i64> = sqlx::query_scalar(
        "SELECT at FROM api_auth_failures WHERE shop_id = $1 AND ip = $2 AND at > $3 \
         ORDER BY at LIMIT $4",
    )
    .bind(shop_id)
    .bind(ip)
    .bind(now - THROTTLE_WINDOW_MS)
    .bind(MAX_FAILURES)
    .fetch_all(&state.db.pool)
    .await
    .map_err(|e| internal(e.into()))?;
    if failures.len() as i64 >= MAX_FAILURES {
        let wait = failures[0] + THROTTLE_WINDOW_MS - now;
        return Err(ApiRefusal::Throttled {
            retry_after_secs: (wait.max(1000) as u64).div_ceil(1000),
        });
    }
    type Row = (i64, String, String, String, Option<i64>, i64, Option<i64>);
    let valid: Vec<Row> = sqlx::query_as(
        "SELECT k.id, k.mode, k.secret_hash, s.slug, k.last_used_at, s.merchant_id, k.created_by \
         FROM api_secrets k \
         JOIN shops s ON s.id = k.shop_id \
         WHERE k.shop_id = $1 AND (k.expires_at IS NULL OR k.expires_at > $2)",
    )
    .bind(shop_id)
    .bind(now)
    .fetch_all(&state.db.pool)
    .await
    .map_err(|e| internal(e.into()))?;
    let presented = tokens::hash(&password);
    // Every valid secret is compared, whichever matches.
    let mut matched: Option<&Row> = None;
    for row in &valid {
        if equal_time(presented.as_bytes(), row.2.as_bytes()) {
            matched = Some(row);
        }
    }
    let Some((id, mode, _, slug, last_used, merchant_id, key_owner)) = matched else {
        sqlx::query("INSERT INTO api_auth_failures (shop_id, ip, at) VALUES ($1, $2, $3)")
            .bind(shop_id)
            .bind(ip)
            .bind(now)
            .execute(&state.db.pool)
            .await
            .map_err(|e| internal(e.into()))?;
        let stray = password.trim() != password || user.trim() != user;
        return Err(ApiRefusal::Unauthorized(if stray {
            "The Shop ID or the secret key has spaces around it: copy them again.".into()
        } else {
            "The Shop ID and secret key do not match a valid key: check the mode (test or live) and copy the secret again.".into()
        }));
    };
    if last_used.is_none_or(|t| t < now - LAST_USED_EVERY_MS) {
        sqlx::query("UPDATE api_secrets SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&state.db.pool)
            .await
            .map_err(|e| internal(e.into()))?;
    }
    Ok(ApiCaller {
        shop_id,
        shop_slug: slug.clone(),
        merchant_id: *merchant_id,
        key_owner: *key_owner,
        mode: if mode == "live" { "live" } else { "test" },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_read_from_basic_and_compared_in_equal_time() {
        let h = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("123:sk_test_abc")
        );
        assert_eq!(
            basic(Some(&h)).unwrap(),
            ("123".to_string(), "sk_test_abc".to_string())
        );
        assert!(basic(None).is_err());
        assert!(basic(Some("Bearer x")).is_err());
        assert!(basic(Some("Basic ???")).is_err());
        assert!(equal_time(b"abc", b"abc"));
        assert!(!equal_time(b"abc", b"abd"));
        assert!(!equal_time(b"abc", b"ab"));
        assert_eq!(grace_ms("none").unwrap(), 0);
        assert_eq!(grace_ms("24h").unwrap(), 24 * HOUR_MS);
        assert!(grace_ms("2h").is_err());
    }
}
