//! Two-factor sign-in: the user's own setup on `/account/two-factor`, and an admin's reset
//! and requirement on the users page.

use crate::error::AppError;
pub use crate::model::two_factor::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(crate::server::internal)
}

#[server(endpoint = "load_two_factor")]
pub async fn load_two_factor() -> Result<TwoFactorStatus, AppError> {
    use crate::server::{identity::access, identity::two_factor, respond};
    respond(
        async {
            let (state, user, _) = access::signed_in().await?;
            two_factor::status(&state, &session().await?, &user).await
        }
        .await,
    )
}

#[server(endpoint = "confirm_two_factor")]
pub async fn confirm_two_factor(code: String) -> Result<(), AppError> {
    use crate::server::{identity::access, identity::two_factor, respond};
    respond(
        async {
            let (state, user, ip) = access::signed_in().await?;
            two_factor::confirm(&state, &session().await?, &user, &ip, &code).await
        }
        .await,
    )
}

#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    use crate::server::{identity::access, identity::two_factor, respond};
    respond(
        async {
            let (state, user, ip) = access::signed_in().await?;
            two_factor::disable(&state, &user, &ip, &password, &code).await
        }
        .await,
    )
}

/// An admin resets a user's second factor (a lost phone).
#[server(endpoint = "reset_two_factor")]
pub async fn reset_two_factor(shop: String, user_id: i64) -> Result<(), AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, identity::two_factor, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ManageUsers).await?;
            two_factor::reset_for(&state, &a.user, &a.ip, a.merchant_id, a.shop_id, user_id).await
        }
        .await,
    )
}

/// An admin requires two-factor sign-in of everyone in the merchant (or stops requiring it).
#[server(endpoint = "require_two_factor")]
pub async fn require_two_factor(shop: String, required: bool) -> Result<(), AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, identity::two_factor, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ManageUsers).await?;
            two_factor::set_required(&state, &a.user, &a.ip, a.merchant_id, a.shop_id, required)
                .await
        }
        .await,
    )
}
