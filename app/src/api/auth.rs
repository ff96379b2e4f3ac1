use crate::error::AppError;
pub use crate::model::auth::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn session() -> Result<tower_sessions::Session, AppError> {
    leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(crate::server::internal)
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use crate::server::{identity::access, identity::auth, respond, state::app_state};
    respond(
        async {
            let state = app_state()?;
            let session = session().await?;
            let ip = access::client_ip().await;
            let next = crate::domain::validate::safe_next(next.as_deref());
            let to = match auth::sign_in(&state, &session, &ip, &email, &password).await? {
                auth::SignIn::NeedsCode => format!("/login/code?next={}", urlencode(&next)),
                auth::SignIn::Done { enrol: true, .. } => "/account/two-factor".to_string(),
                auth::SignIn::Done { enrol: false, .. } => next,
            };
            leptos_axum::redirect(&to);
            Ok(())
        }
        .await,
    )
}

/// The second step of signing in: a code from the authenticator app or a recovery code.
#[server(endpoint = "sign_in_code")]
pub async fn sign_in_code(code: String, next: Option<String>) -> Result<(), AppError> {
    use crate::server::{identity::access, identity::two_factor, respond, state::app_state};
    respond(
        async {
            let state = app_state()?;
            let session = session().await?;
            let ip = access::client_ip().await;
            two_factor::verify_sign_in_code(&state, &session, &ip, &code).await?;
            leptos_axum::redirect(&crate::domain::validate::safe_next(next.as_deref()));
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
    use crate::server::{identity::access, identity::auth, respond, state::app_state};
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
        identity::access, identity::auth, infra::tokens::Purpose, respond, state::app_state,
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

/// The invitation behind a link, and what the person who opened it does next; `None` when
/// the link cannot be used.
#[server(endpoint = "get_invite")]
pub async fn get_invite(token: String) -> Result<Option<InviteDetails>, AppError> {
    use crate::server::{identity::access, identity::invitations, respond};
    respond(
        async {
            let (state, user, _) = access::maybe_signed_in().await?;
            invitations::details(&state, user.as_ref(), &token).await
        }
        .await,
    )
}

/// Accepts (`accept` true) or declines an invitation; accepting opens the shop it came from.
#[server(endpoint = "answer_invite")]
pub async fn answer_invite(token: String, accept: bool) -> Result<(), AppError> {
    use crate::server::{identity::access, identity::invitations, respond};
    respond(
        async {
            let (state, user, ip) = access::maybe_signed_in().await?;
            let to = match invitations::answer(&state, user.as_ref(), &ip, &token, accept).await? {
                invitations::Answered::Joined { shop_slug } => format!("/shops/{shop_slug}"),
                invitations::Answered::Declined => "/invite-declined".to_string(),
            };
            leptos_axum::redirect(&to);
            Ok(())
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
        identity::access, identity::auth, infra::tokens::Purpose, respond, state::app_state,
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
