use crate::error::AppError;
pub use crate::model::users::*;
use leptos::prelude::*;

#[server(endpoint = "list_users")]
pub async fn list_users(shop: String) -> Result<UserList, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, identity::users, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ManageUsers).await?;
            let rows = users::list(&state, &a).await?;
            let last_active = rows
                .iter()
                .map(|r| {
                    r.last_active_ms
                        .map(|ms| crate::server::format_time(ms, &a.time_zone))
                })
                .collect();
            let two_factor_required = users::two_factor_required(&state, a.merchant_id).await?;
            Ok(UserList {
                rows,
                last_active,
                time_zone: a.time_zone,
                me: a.user.id,
                two_factor_required,
            })
        }
        .await,
    )
}

/// Returns the invited address, for the confirmation message.
#[server(endpoint = "invite_user")]
pub async fn invite_user(
    shop: String,
    email: String,
    name: String,
    role: String,
) -> Result<String, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, identity::users, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ManageUsers).await?;
            users::invite(&state, &a, &email, &name, &role).await
        }
        .await,
    )
}

#[server(endpoint = "change_role")]
pub async fn change_role(shop: String, user_id: i64, role: String) -> Result<(), AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, identity::users, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ManageUsers).await?;
            users::change_role(&state, &a, user_id, &role).await
        }
        .await,
    )
}

#[server(endpoint = "set_user_active")]
pub async fn set_user_active(shop: String, user_id: i64, active: bool) -> Result<(), AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, identity::users, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ManageUsers).await?;
            users::set_active(&state, &a, user_id, active).await
        }
        .await,
    )
}
