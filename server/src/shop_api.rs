//! The shop API's door: every call authenticates with `Authorization: Basic` (user = Shop
//! ID, password = the secret key of the test or live mode). `GET /api/v1/me` answers who
//! the key belongs to, so a shop's developer can check a key before wiring it in.

use crate::ServerState;
use app::server::identity::auth::RequestMeta;
use app::server::settings::keys::{self, ApiCaller, ApiRefusal};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Extension, Json, Router};

/// Method, path and handler of each API route; the router and the endpoint list are made
/// from it.
fn table() -> [(&'static str, &'static str, MethodRouter<ServerState>); 1] {
    [("GET", "/api/v1/me", get(me))]
}

pub fn routes() -> Router<ServerState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
}

pub fn paths() -> impl Iterator<Item = (&'static str, &'static str)> {
    table().into_iter().map(|(method, path, _)| (method, path))
}

/// The caller, or the refusal as the API answers it (JSON with an `error`).
async fn caller(s: &ServerState, headers: &HeaderMap, ip: &str) -> Result<ApiCaller, Response> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    keys::authenticate(&s.app, auth, ip)
        .await
        .map_err(|refusal| match refusal {
            ApiRefusal::Unauthorized(message) => (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Basic realm=\"shop API\"")],
                Json(serde_json::json!({ "error": message })),
            )
                .into_response(),
            ApiRefusal::Throttled { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                Json(serde_json::json!({
                    "error": format!("Too many failed attempts with this Shop ID: try again in {retry_after_secs} s.")
                })),
            )
                .into_response(),
        })
}

async fn me(
    State(s): State<ServerState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
) -> Response {
    match caller(&s, &headers, &meta.ip).await {
        Ok(c) => Json(serde_json::json!({
            "shop_id": c.shop_id.to_string(),
            "shop": c.shop_slug,
            "mode": c.mode,
            "test": c.test_mode(),
        }))
        .into_response(),
        Err(r) => r,
    }
}
