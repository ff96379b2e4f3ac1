//! Payment links of a shop: made, listed and deactivated, each change audited.

use super::audit::{self, AuditEvent};
use super::{tokens, AppState};
use crate::api::payment_links::{LinkRow, NewLink};
use crate::domain::payment_link::{validate, LinkForm};
use crate::domain::Money;
use crate::error::{AppError, AppResult};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Who acts, for the audit log.
pub struct Actor {
    pub user_id: i64,
    pub email: String,
    pub ip: String,
    pub merchant_id: i64,
}

pub async fn create(
    state: &AppState,
    shop_id: i64,
    by: &Actor,
    form: &LinkForm,
) -> AppResult<NewLink> {
    let (limit, language): (i64, String) =
        sqlx::query_as("SELECT payment_limit_cents, language FROM shops WHERE id = $1")
            .bind(shop_id)
            .fetch_one(&state.db.pool)
            .await?;
    let v = validate(form, Money::from_cents(limit), &language).map_err(AppError::Validation)?;
    let now = state.clock.now_ms();
    let id = super::new_id();
    let token = tokens::random_token();
    let expires_at = now + v.expires_days * DAY_MS;
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO payment_links (id, shop_id, token, amount_cents, reference, description, buyer_name, buyer_email, \
         language, expires_at, reusable, max_payments, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', $13, $14)",
    )
    .bind(id)
    .bind(shop_id)
    .bind(&token)
    .bind(v.amount.cents())
    .bind(&v.reference)
    .bind(&v.description)
    .bind(&v.buyer_name)
    .bind(&v.buyer_email)
    .bind(&v.language)
    .bind(expires_at)
    .bind(i64::from(v.reusable))
    .bind(v.max_payments)
    .bind(by.user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "payment_link_created",
            merchant_id: Some(by.merchant_id),
            shop_id: Some(shop_id),
            actor_user_id: Some(by.user_id),
            actor_email: Some(by.email.clone()),
            ip: Some(by.ip.clone()),
            after: Some(format!("{} EUR", v.amount)),
            detail: Some(format!("link {id}: {}", v.reference)),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(NewLink {
        id,
        url: state.link(&format!("/pay/{token}")),
        amount: v.amount,
        reference: v.reference,
        expires: super::format_time(expires_at, &shop_time_zone(state, shop_id).await?),
    })
}

async fn shop_time_zone(state: &AppState, shop_id: i64) -> AppResult<String> {
    Ok(
        sqlx::query_scalar("SELECT time_zone FROM shops WHERE id = $1")
            .bind(shop_id)
            .fetch_one(&state.db.pool)
            .await?,
    )
}

type Stored = (
    i64,
    String,
    i64,
    String,
    Option<String>,
    String,
    i64,
    i64,
    Option<i64>,
    i64,
    String,
    Option<String>,
    i64,
);

/// The shop's links, newest first, with their status as the buyer would meet it.
pub async fn list(state: &AppState, shop_id: i64, time_zone: &str) -> AppResult<Vec<LinkRow>> {
    let now = state.clock.now_ms();
    let rows: Vec<Stored> = sqlx::query_as(
        "SELECT l.id, l.token, l.amount_cents, l.reference, l.buyer_email, COALESCE(u.email, ''), l.expires_at, \
                l.reusable, l.max_payments, l.payments_made, l.status, l.deactivation_message, l.created_at \
         FROM payment_links l LEFT JOIN users u ON u.id = l.created_by \
         WHERE l.shop_id = $1 ORDER BY l.created_at DESC, l.id DESC LIMIT 500",
    )
    .bind(shop_id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let status = match r.10.as_str() {
                "active" if r.6 <= now => "expired".to_string(),
                s => s.to_string(),
            };
            LinkRow {
                id: r.0,
                url: state.link(&format!("/pay/{}", r.1)),
                amount: Money::from_cents(r.2),
                reference: r.3,
                buyer_email: r.4,
                created_by: r.5,
                expires: super::format_time(r.6, time_zone),
                reusable: r.7 != 0,
                max_payments: r.8,
                payments_made: r.9,
                status,
                message: r.11,
                created: super::format_time(r.12, time_zone),
            }
        })
        .collect())
}

/// Stops a link; the buyer then sees `message`, if any.
pub async fn deactivate(
    state: &AppState,
    shop_id: i64,
    by: &Actor,
    id: i64,
    message: Option<String>,
) -> AppResult<()> {
    let message = message
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty());
    if message.as_ref().is_some_and(|m| m.chars().count() > 300) {
        return Err(AppError::field(
            "message",
            "Keep the message within 300 characters.",
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE payment_links SET status = 'deactivated', deactivation_message = $3 \
         WHERE id = $1 AND shop_id = $2 AND status = 'active'",
    )
    .bind(id)
    .bind(shop_id)
    .bind(&message)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM payment_links WHERE id = $1 AND shop_id = $2")
                .bind(id)
                .bind(shop_id)
                .fetch_optional(&mut *tx)
                .await?;
        return match status {
            None => Err(AppError::NotFound),
            Some(s) => Err(AppError::Conflict(format!(
                "This link is {s} already and cannot be deactivated."
            ))),
        };
    }
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "payment_link_deactivated",
            merchant_id: Some(by.merchant_id),
            shop_id: Some(shop_id),
            actor_user_id: Some(by.user_id),
            actor_email: Some(by.email.clone()),
            ip: Some(by.ip.clone()),
            detail: Some(match &message {
                Some(m) => format!("link {id}: {m}"),
                None => format!("link {id}"),
            }),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
