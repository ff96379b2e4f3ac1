//! The one place where every request's access is decided: who is signed in, which shop the
//! request acts on (from its URL), and whether that person's role there allows the action.

use crate::domain::{Permission, Role};
use crate::error::{AppError, AppResult};
use crate::server::identity::auth::{Auth, CurrentUser, RequestMeta};
use crate::server::state::app_state;
use crate::server::AppState;

/// A signed-in user acting in one shop with one role.
#[derive(Clone, Debug)]
pub struct ShopAccess {
    pub user: CurrentUser,
    pub ip: String,
    pub shop_id: i64,
    pub shop_slug: String,
    pub shop_name: String,
    pub merchant_id: i64,
    pub merchant_name: String,
    pub time_zone: String,
    pub role: Role,
}

async fn request_auth() -> AppResult<(Option<CurrentUser>, String)> {
    let axum::Extension(Auth(user)) = leptos_axum::extract::<axum::Extension<Auth>>()
        .await
        .map_err(crate::server::internal)?;
    let ip = leptos_axum::extract::<axum::Extension<RequestMeta>>()
        .await
        .map(|axum::Extension(m)| m.ip)
        .unwrap_or_default();
    Ok((user, ip))
}

/// The signed-in user if there is one, for pages that anyone may open.
pub async fn maybe_signed_in() -> AppResult<(AppState, Option<CurrentUser>, String)> {
    let state = app_state()?;
    let (user, ip) = request_auth().await?;
    Ok((state, user, ip))
}

/// The signed-in user, or `Unauthenticated`.
pub async fn signed_in() -> AppResult<(AppState, CurrentUser, String)> {
    let state = app_state()?;
    let (user, ip) = request_auth().await?;
    Ok((state, user.ok_or(AppError::Unauthenticated)?, ip))
}

/// The client IP of the current request, for throttling and the audit log.
pub async fn client_ip() -> String {
    request_auth().await.map(|(_, ip)| ip).unwrap_or_default()
}

/// Checks that the signed-in user has a role in `shop_slug` (else 404, as for a shop that does
/// not exist) and that the role allows `permission` (else 403).
pub async fn require(shop_slug: &str, permission: Permission) -> AppResult<(AppState, ShopAccess)> {
    let (state, user, ip) = signed_in().await?;
    let access = shop_access(&state, user, ip, shop_slug).await?;
    if !access.role.allows(permission) {
        return Err(AppError::Forbidden);
    }
    Ok((state, access))
}

pub async fn shop_access(
    state: &AppState,
    user: CurrentUser,
    ip: String,
    shop_slug: &str,
) -> AppResult<ShopAccess> {
    let row: ShopRow = sqlx::query_as(
        "SELECT s.id, s.slug, s.name, s.merchant_id, m.name AS merchant_name, s.time_zone, r.role, \
           m.require_two_factor, mm.last_active_at, \
           (SELECT COUNT(*) FROM two_factor t WHERE t.user_id = $2 AND t.confirmed_at IS NOT NULL) \
             AS has_two_factor \
         FROM shops s \
         JOIN merchants m ON m.id = s.merchant_id \
         JOIN shop_roles r ON r.shop_id = s.id AND r.user_id = $2 \
         JOIN merchant_members mm ON mm.merchant_id = s.merchant_id AND mm.user_id = $2 AND mm.status = 'active' \
           AND mm.accepted_at IS NOT NULL \
         WHERE s.slug = $1",
    )
    .bind(shop_slug)
    .bind(user.id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    // A merchant that requires a second factor shows nothing to a user without one.
    if row.require_two_factor != 0 && row.has_two_factor == 0 {
        return Err(AppError::TwoFactorRequired);
    }
    let role = Role::parse(&row.role)
        .ok_or_else(|| crate::server::internal("unknown role in database"))?;
    note_activity(state, row.merchant_id, user.id, row.last_active_at).await?;
    Ok(ShopAccess {
        user,
        ip,
        shop_id: row.id,
        shop_slug: row.slug,
        shop_name: row.name,
        merchant_id: row.merchant_id,
        merchant_name: row.merchant_name,
        time_zone: row.time_zone,
        role,
    })
}

/// How stale "last active" may get: a member's use of the merchant's shops is written at
/// most this often, so reading pages does not write on every request.
pub const ACTIVITY_STEP_MS: i64 = 5 * crate::server::infra::clock::MINUTE_MS;

/// Notes that the user is using a shop of this merchant, for the merchant's user list: its
/// "last active" is the merchant's own knowledge, unlike the account's sign-ins anywhere.
async fn note_activity(
    state: &AppState,
    merchant_id: i64,
    user_id: i64,
    last: Option<i64>,
) -> AppResult<()> {
    let now = state.clock.now_ms();
    if last.is_some_and(|t| now - t < ACTIVITY_STEP_MS) {
        return Ok(());
    }
    sqlx::query(
        "UPDATE merchant_members SET last_active_at = $3 WHERE merchant_id = $1 AND user_id = $2",
    )
    .bind(merchant_id)
    .bind(user_id)
    .bind(now)
    .execute(&state.db.pool)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ShopRow {
    id: i64,
    slug: String,
    name: String,
    merchant_id: i64,
    merchant_name: String,
    time_zone: String,
    role: String,
    require_two_factor: i64,
    has_two_factor: i64,
    last_active_at: Option<i64>,
}
