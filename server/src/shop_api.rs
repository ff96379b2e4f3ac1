//! The shop API: every call authenticates with `Authorization: Basic` (user = Shop ID,
//! password = the secret key of the test or live mode). `GET /api/v1/me` answers who the
//! key belongs to, so a shop's developer can check a key before wiring it in;
//! `POST /api/v1/payments` makes a payment page for an order (a single-use payment link):
//! with a test key it is a test payment, paid through the test bank and carrying no fees.

use crate::ServerState;
use app::server::identity::auth::RequestMeta;
use app::server::settings::keys::{self, ApiCaller, ApiRefusal};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Extension, Json, Router};

/// Method, path and handler of each API route; the router and the endpoint list are made
/// from it.
fn table() -> [(&'static str, &'static str, MethodRouter<ServerState>); 2] {
    [
        ("GET", "/api/v1/me", get(me)),
        ("POST", "/api/v1/payments", post(new_payment)),
    ]
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

/// An order to pay, as the shop's server sends it. The amount may be a string ("12.50",
/// "12,50") or a number.
#[derive(serde::Deserialize)]
struct NewPayment {
    amount: serde_json::Value,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    buyer_name: String,
    #[serde(default)]
    buyer_email: String,
    /// et, lv, lt, en or ru; the shop's language when left out.
    #[serde(default)]
    language: String,
}

fn unprocessable(error: &str, fields: serde_json::Value) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(serde_json::json!({ "error": error, "fields": fields })),
    )
        .into_response()
}

async fn new_payment(
    State(s): State<ServerState>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
    body: Result<Json<NewPayment>, JsonRejection>,
) -> Response {
    let c = match caller(&s, &headers, &meta.ip).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Json(p) = match body {
        Ok(b) => b,
        Err(e) => {
            return unprocessable(
                &format!("Send the order as JSON: {}", e.body_text()),
                serde_json::json!({}),
            )
        }
    };
    let Some(user_id) = c.key_owner else {
        return unprocessable(
            "This key has no owner any more: make a new secret in Settings → API keys.",
            serde_json::json!({}),
        );
    };
    let amount = match p.amount {
        serde_json::Value::String(a) => a,
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    };
    let form = app::domain::payment_link::LinkForm {
        amount,
        reference: p.reference,
        description: p.description,
        buyer_name: p.buyer_name,
        buyer_email: p.buyer_email,
        language: p.language,
        ..Default::default()
    };
    let actor = app::server::links::payment_links::Actor {
        user_id,
        email: format!("shop API ({} key)", c.mode),
        ip: meta.ip.clone(),
        merchant_id: c.merchant_id,
        test_mode: c.test_mode(),
    };
    match app::server::links::payment_links::create(&s.app, c.shop_id, &actor, &form).await {
        Ok(link) => (
            StatusCode::CREATED,
            Json(serde_json::json!({
                "id": link.id.to_string(),
                "url": link.url,
                "amount": link.amount.to_string(),
                "currency": "EUR",
                "reference": link.reference,
                "expires": link.expires,
                "test": link.test_mode,
            })),
        )
            .into_response(),
        Err(app::error::AppError::Validation(errors)) => unprocessable(
            "Check the fields named below.",
            serde_json::to_value(&errors.0).unwrap_or_default(),
        ),
        Err(e) => {
            tracing::error!(error = %e, "the shop API could not make a payment");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(serde_json::json!({ "error": "The payment could not be made; try again." })),
            )
                .into_response()
        }
    }
}
