use crate::error::AppError;
pub use crate::model::auth::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(crate::server::internal)
}

/// Only same-site paths are followed after sign-in, never another host.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{identity::access, identity::auth, infra::state::app_state, respond};
    respond(
        async {
            let state = app_state()?;
            let session = session().await?;
            let ip = access::client_ip().await;
            auth::sign_in(&state, &session, &ip, &email, &password).await?;
            leptos_axum::redirect(&safe_next(next.as_deref()));
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::server::{identity::auth, respond};
    respond(
        async {
            auth::sign_out(&session().await?).await?;
            leptos_axum::redirect("/login");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use crate::server::{identity::access, identity::auth, infra::state::app_state, respond};
    respond(
        async {
            let state = app_state()?;
            auth::request_password_reset(&state, &access::client_ip().await, &email).await
        }
        .await,
    )
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(
    token: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::server::{
        identity::access, identity::auth, infra::state::app_state, infra::tokens::Purpose, respond,
    };
    respond(
        async {
            let state = app_state()?;
            let ip = access::client_ip().await;
            auth::set_password_with_token(
                &state,
                &ip,
                Purpose::Reset,
                &token,
                None,
                &password,
                &confirm,
            )
            .await?;
            leptos_axum::redirect("/login?done=reset");
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "get_invite")]
pub async fn get_invite(token: String) -> Result<Option<InviteDetails>, AppError> {
    use crate::server::{infra::state::app_state, infra::tokens, respond};
    respond(
        async {
            let state = app_state()?;
            let now = state.clock.now_ms();
            Ok(
                tokens::peek(&state.db.pool, &token, tokens::Purpose::Invite, now)
                    .await?
                    .map(|(email, name)| InviteDetails { email, name }),
            )
        }
        .await,
    )
}

#[server(endpoint = "accept_invite")]
pub async fn accept_invite(
    token: String,
    name: String,
    password: String,
    confirm: String,
) -> Result<(), AppError> {
    use crate::server::{
        identity::access, identity::auth, infra::state::app_state, infra::tokens::Purpose, respond,
    };
    respond(
        async {
            let state = app_state()?;
            let ip = access::client_ip().await;
            let email = auth::set_password_with_token(
                &state,
                &ip,
                Purpose::Invite,
                &token,
                Some(&name),
                &password,
                &confirm,
            )
            .await?;
            leptos_axum::redirect(&format!("/login?done=invite&email={}", urlencode(&email)));
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
