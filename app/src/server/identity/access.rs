//! The one place where every request's access is decided: who is signed in, which shop the
//! request acts on (from its URL), and whether that person's role there allows the action.

use crate::domain::{Permission, Role};
use crate::error::{AppError, AppResult};
use crate::server::identity::auth::{Auth, CurrentUser, RequestMeta};
use crate::server::infra::state::app_state;
use crate::server::AppState;
use sqlx::Row;

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
    let row = sqlx::query(
        "SELECT s.id, s.slug, s.name, s.merchant_id, m.name, s.time_zone, r.role \
         FROM shops s \
         JOIN merchants m ON m.id = s.merchant_id \
         JOIN shop_roles r ON r.shop_id = s.id AND r.user_id = $2 \
         JOIN merchant_members mm ON mm.merchant_id = s.merchant_id AND mm.user_id = $2 AND mm.status = 'active' \
         WHERE s.slug = $1",
    )
    .bind(shop_slug)
    .bind(user.id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let role = Role::parse(&row.get::<String, _>(6))
        .ok_or_else(|| crate::server::internal("unknown role in database"))?;
    Ok(ShopAccess {
        user,
        ip,
        shop_id: row.get(0),
        shop_slug: row.get(1),
        shop_name: row.get(2),
        merchant_id: row.get(3),
        merchant_name: row.get(4),
        time_zone: row.get(5),
        role,
    })
}
