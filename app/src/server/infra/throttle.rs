//! Sign-in throttling kept in the database, so it holds across server instances: after 5
//! failures for one account within 15 minutes, or 20 from one IP, attempts must wait.

use crate::error::{AppError, AppResult};
use crate::server::infra::clock::MINUTE_MS;
use crate::server::infra::db::Db;

pub const WINDOW_MS: i64 = 15 * MINUTE_MS;
pub const MAX_PER_ACCOUNT: i64 = 5;
pub const MAX_PER_IP: i64 = 20;

/// When the caller may try again, if they must wait: the failure that opened the window
/// leaves it 15 minutes later.
/// An account's own success clears its count (its owner got in); an IP's count ignores
/// successes, or one own sign-in between every 19 guesses would keep an attacker going.
async fn wait_ms(db: &Db, column: &str, key: &str, limit: i64, now: i64) -> AppResult<Option<i64>> {
    let last_success: Option<i64> = if column == "email" {
        sqlx::query_scalar(&format!(
            "SELECT MAX(at) FROM sign_in_attempts WHERE {column} = $1 AND success = 1"
        ))
        .bind(key)
        .fetch_one(&db.pool)
        .await?
    } else {
        None
    };
    let since = (now - WINDOW_MS).max(last_success.unwrap_or(i64::MIN));
    let recent: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT at FROM sign_in_attempts WHERE {column} = $1 AND success = 0 AND at > $2 \
         ORDER BY at DESC LIMIT $3"
    ))
    .bind(key)
    .bind(since)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    if (recent.len() as i64) < limit {
        return Ok(None);
    }
    let oldest = recent[recent.len() - 1];
    Ok(Some((oldest + WINDOW_MS - now).max(1000)))
}

pub async fn check(db: &Db, email: &str, ip: &str, now: i64) -> AppResult<()> {
    let by_account = wait_ms(db, "email", email, MAX_PER_ACCOUNT, now).await?;
    let by_ip = wait_ms(db, "ip", ip, MAX_PER_IP, now).await?;
    match by_account.max(by_ip) {
        Some(ms) => Err(AppError::TooManyAttempts {
            retry_after_secs: (ms as u64).div_ceil(1000),
        }),
        None => Ok(()),
    }
}

pub async fn record(db: &Db, email: &str, ip: &str, now: i64, success: bool) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO sign_in_attempts (id, at, email, ip, success) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(crate::server::new_id())
    .bind(now)
    .bind(email)
    .bind(ip)
    .bind(i64::from(success))
    .execute(&db.pool)
    .await?;
    Ok(())
}
