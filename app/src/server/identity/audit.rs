//! The append-only audit log: who did what, when, from where, to whom, before and after.

use crate::error::AppResult;
pub use crate::model::audit::AuditRow;
use sqlx::{Any, Executor};

#[derive(Default)]
pub struct AuditEvent {
    pub at: i64,
    pub kind: &'static str,
    pub merchant_id: Option<i64>,
    pub shop_id: Option<i64>,
    pub actor_user_id: Option<i64>,
    pub actor_email: Option<String>,
    pub ip: Option<String>,
    pub target_user_id: Option<i64>,
    pub target_email: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: Option<String>,
}

impl AuditEvent {
    /// An event of a signed-in user acting in a shop: the shop and its merchant, the user
    /// and their address. The caller adds what changed.
    pub fn in_shop(
        kind: &'static str,
        a: &crate::server::identity::access::ShopAccess,
        at: i64,
    ) -> AuditEvent {
        AuditEvent {
            at,
            kind,
            merchant_id: Some(a.merchant_id),
            shop_id: Some(a.shop_id),
            actor_user_id: Some(a.user.id),
            actor_email: Some(a.user.email.clone()),
            ip: Some(a.ip.clone()),
            ..Default::default()
        }
    }

    /// An event of a signed-in user about their own account (sign-in, password, second
    /// factor): they are both actor and target. It names no merchant or shop, so it is in no
    /// merchant's audit log.
    pub fn own(
        kind: &'static str,
        user: &crate::server::identity::auth::CurrentUser,
        ip: &str,
        at: i64,
    ) -> AuditEvent {
        AuditEvent {
            at,
            kind,
            actor_user_id: Some(user.id),
            actor_email: Some(user.email.clone()),
            ip: Some(ip.to_string()),
            target_user_id: Some(user.id),
            target_email: Some(user.email.clone()),
            ..Default::default()
        }
    }
}

pub async fn record<'e, E: Executor<'e, Database = Any>>(db: E, e: AuditEvent) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, at, merchant_id, shop_id, actor_user_id, actor_email, ip, kind, \
         target_user_id, target_email, before_value, after_value, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(crate::server::new_id())
    .bind(e.at)
    .bind(e.merchant_id)
    .bind(e.shop_id)
    .bind(e.actor_user_id)
    .bind(e.actor_email)
    .bind(e.ip)
    .bind(e.kind)
    .bind(e.target_user_id)
    .bind(e.target_email)
    .bind(e.before)
    .bind(e.after)
    .bind(e.detail)
    .execute(db)
    .await?;
    Ok(())
}

pub struct AuditQuery {
    pub shop_id: i64,
    pub user_email: Option<String>,
    pub kind: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
}

/// The events that happened in this shop: its payments, refunds and links, and its admins'
/// management of users and the answers to their invitations. Account events (sign-ins and
/// failed ones with their IPs, passwords, a user's own second factor) belong to the account,
/// not to any merchant, so no merchant sees them — neither a user's sign-ins elsewhere nor
/// those from before they joined or after they left.
pub async fn list(pool: &sqlx::AnyPool, q: &AuditQuery) -> AppResult<Vec<AuditRow>> {
    let rows: Vec<AuditDbRow> = sqlx::query_as(
        "SELECT at, kind, actor_email, ip, target_email, before_value, after_value, detail \
         FROM audit_events e \
         WHERE e.shop_id = $1 \
           AND ($2 = '' OR e.actor_email = $2 OR e.target_email = $2) \
           AND ($3 = '' OR e.kind = $3) \
           AND e.at >= $4 AND e.at < $5 \
         ORDER BY e.at DESC, e.id DESC LIMIT $6",
    )
    .bind(q.shop_id)
    .bind(q.user_email.clone().unwrap_or_default())
    .bind(q.kind.clone().unwrap_or_default())
    .bind(q.from_ms.unwrap_or(i64::MIN))
    .bind(q.to_ms.unwrap_or(i64::MAX))
    .bind(q.limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| AuditRow {
            at_ms: r.at,
            kind: r.kind,
            actor: r.actor_email,
            ip: r.ip,
            target: r.target_email,
            before: r.before_value,
            after: r.after_value,
            detail: r.detail,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct AuditDbRow {
    at: i64,
    kind: String,
    actor_email: Option<String>,
    ip: Option<String>,
    target_email: Option<String>,
    before_value: Option<String>,
    after_value: Option<String>,
    detail: Option<String>,
}
