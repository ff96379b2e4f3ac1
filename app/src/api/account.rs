use crate::error::AppError;
pub use crate::model::account::*;
use leptos::prelude::*;

/// `None` when nobody is signed in (not an error: the home page uses it to choose where to go).
#[server(endpoint = "current_account")]
pub async fn current_account() -> Result<Option<Me>, AppError> {
    use crate::server::{identity::auth::Auth, respond, state::app_state};
    respond(
        async {
            let state = app_state()?;
            let axum::Extension(Auth(user)) = leptos_axum::extract::<axum::Extension<Auth>>()
                .await
                .map_err(crate::server::internal)?;
            let Some(user) = user else { return Ok(None) };
            let shops = crate::server::identity::users::shops_of(&state, user.id).await?;
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
    use crate::server::{identity::access, identity::users, respond};
    respond(
        async {
            let (state, user, ip) = access::signed_in().await?;
            users::update_name(&state, &user, &ip, &name).await
        }
        .await,
    )
}

/// Signs the user out everywhere but here.
#[server(endpoint = "sign_out_elsewhere")]
pub async fn sign_out_elsewhere() -> Result<(), AppError> {
    use crate::server::{identity::access, identity::auth, respond};
    respond(
        async {
            let (state, user, ip) = access::signed_in().await?;
            let session = leptos_axum::extract::<tower_sessions::Session>()
                .await
                .map_err(crate::server::internal)?;
            auth::sign_out_elsewhere(&state, &session, &user, &ip).await
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
    use crate::server::{identity::access, identity::auth, respond};
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
