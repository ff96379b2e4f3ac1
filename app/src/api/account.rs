use super::ShopRef;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in user and the shops they may open.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub email: String,
    pub shops: Vec<ShopRef>,
}

/// `None` when nobody is signed in (not an error: the home page uses it to choose where to go).
#[server(endpoint = "current_account")]
pub async fn current_account() -> Result<Option<Me>, AppError> {
    use crate::server::{auth::Auth, respond, state::app_state};
    respond(
        async {
            let state = app_state()?;
            let axum::Extension(Auth(user)) = leptos_axum::extract::<axum::Extension<Auth>>()
                .await
                .map_err(crate::server::internal)?;
            let Some(user) = user else { return Ok(None) };
            let shops = crate::server::users::shops_of(&state, user.id).await?;
            Ok(Some(Me {
                name: user.name,
                email: user.email,
                shops,
            }))
        }
        .await,
    )
}

#[server(endpoint = "update_name")]
pub async fn update_name(name: String) -> Result<(), AppError> {
    use crate::server::{access, respond, users};
    respond(
        async {
            let (state, user, ip) = access::signed_in().await?;
            users::update_name(&state, &user, &ip, &name).await
        }
        .await,
    )
}

#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::server::{access, auth, respond};
    respond(
        async {
            let (state, user, ip) = access::signed_in().await?;
            let session = leptos_axum::extract::<tower_sessions::Session>()
                .await
                .map_err(crate::server::internal)?;
            auth::change_password(&state, &session, &user, &ip, &current, &password, &confirm).await
        }
        .await,
    )
}
