use crate::domain::Role;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    /// Invited, has not chosen a password yet.
    Invited,
    Active,
    Deactivated,
}

impl UserStatus {
    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Invited => "Invited",
            UserStatus::Active => "Active",
            UserStatus::Deactivated => "Deactivated",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub status: UserStatus,
    pub last_sign_in_ms: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UserList {
    pub rows: Vec<UserRow>,
    /// Last sign-in times formatted in the shop's time zone, by row.
    pub last_sign_in: Vec<Option<String>>,
    pub time_zone: String,
    pub me: i64,
}

#[server(endpoint = "list_users")]
pub async fn list_users(shop: String) -> Result<UserList, AppError> {
    use crate::domain::Permission;
    use crate::server::{access, respond, users};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ManageUsers).await?;
            let rows = users::list(&state, &a).await?;
            let last_sign_in = rows
                .iter()
                .map(|r| {
                    r.last_sign_in_ms
                        .map(|ms| crate::server::format_time(ms, &a.time_zone))
                })
                .collect();
            Ok(UserList {
                rows,
                last_sign_in,
                time_zone: a.time_zone,
                me: a.user.id,
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
    use crate::server::{access, respond, users};
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
    use crate::server::{access, respond, users};
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
    use crate::server::{access, respond, users};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ManageUsers).await?;
            users::set_active(&state, &a, user_id, active).await
        }
        .await,
    )
}
