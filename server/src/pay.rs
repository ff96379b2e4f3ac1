//! The payment page's plain-HTTP side: the form that starts a payment, the buyer's return
//! from the bank, the connector's notification, and the test bank's decisions. Each answers
//! with a redirect (303) so the browser never resubmits a form on reload.

use crate::ServerState;
use app::server::identity::auth::RequestMeta;
use app::server::payments::connector::{self, BankStatus};
use app::server::payments::pay::{self, StartForm, StartRefused};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, MethodRouter};
use axum::{Extension, Form, Router};
use serde::Deserialize;

/// The routes below, for the list of every endpoint (and the access matrix that tests it).
/// The plain routes of the buyer's pages: method, path and handler. Both the router and the
/// endpoint list (which the access matrix checks) are made from this one table.
fn table() -> [(&'static str, &'static str, MethodRouter<ServerState>); 4] {
    [
        ("POST", "/pay/{token}/start", post(start)),
        ("GET", "/pay/{token}/return/{payment}", get(back_from_bank)),
        ("POST", "/connector/{connector}/notify", post(notify)),
        (
            "POST",
            "/test-bank/{token}/{payment}",
            post(test_bank_decide),
        ),
    ]
}

pub fn routes() -> Router<ServerState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
}

/// The routes' methods and paths, for the endpoint list.
pub fn paths() -> impl Iterator<Item = (&'static str, &'static str)> {
    table().into_iter().map(|(method, path, _)| (method, path))
}

fn see_other(to: String) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

fn lang_code(asked: &str) -> &'static str {
    app::i18n::Lang::parse(asked)
        .map(|l| l.code())
        .unwrap_or("")
}

fn page_url(token: &str, lang: &str, extra: &str) -> String {
    match (lang_code(lang), extra) {
        ("", "") => format!("/pay/{token}"),
        ("", e) => format!("/pay/{token}?{e}"),
        (l, "") => format!("/pay/{token}?lang={l}"),
        (l, e) => format!("/pay/{token}?lang={l}&{e}"),
    }
}

/// The payment page's form: the chosen method and, optionally, the receipt's address. The
/// amount and shop come from the stored link; any other field is ignored.
async fn start(
    State(s): State<ServerState>,
    Path(token): Path<String>,
    Extension(meta): Extension<RequestMeta>,
    Form(form): Form<StartForm>,
) -> Response {
    match pay::start(&s.app, &token, &form, Some(meta.ip)).await {
        Ok(bank) => see_other(bank),
        Err(StartRefused::Message(key)) => {
            see_other(page_url(&token, &form.lang, &format!("error={key}")))
        }
        Err(StartRefused::NotPayable) => see_other(page_url(&token, &form.lang, "")),
    }
}

/// The buyer is back from the bank: ask the connector, record the outcome, show the result.
async fn back_from_bank(
    State(s): State<ServerState>,
    Path((token, payment)): Path<(String, i64)>,
) -> Response {
    let lang = match pay::payment_of_link(&s.app, &token, payment).await {
        Ok(Some((_, lang))) => lang,
        Ok(None) => return see_other(format!("/pay/{token}")),
        Err(_) => return see_other(page_url(&token, "", "error=error-internal")),
    };
    if let Err(e) = pay::confirm(&s.app, payment).await {
        tracing::error!(error = %e, payment, "confirming a returning buyer's payment failed");
        return see_other(page_url(&token, &lang, "error=error-internal"));
    }
    see_other(page_url(&token, &lang, &format!("payment={payment}")))
}

#[derive(Deserialize)]
struct Notification {
    payment: i64,
}

/// The bank's server-to-server notice that a payment changed. It carries nothing trusted: the
/// connector is asked for the status, so a forged notice changes nothing.
async fn notify(
    State(s): State<ServerState>,
    Path(name): Path<String>,
    Form(n): Form<Notification>,
) -> Response {
    let known = s.app.test_connector.id() == name
        || s.app
            .live_connector
            .as_ref()
            .is_some_and(|c| c.id() == name);
    if !known {
        return (StatusCode::NOT_FOUND, "unknown connector").into_response();
    }
    match pay::confirm(&s.app, n.payment).await {
        Ok(c) => (StatusCode::OK, format!("{c:?}")).into_response(),
        Err(app::error::AppError::NotFound) => {
            (StatusCode::NOT_FOUND, "unknown payment").into_response()
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response(),
    }
}

#[derive(Deserialize)]
struct Decision {
    #[serde(default)]
    choice: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    lang: String,
}

/// The test bank's buttons. A decision is recorded once; then, as a bank would, it notifies
/// the portal (in the background) and sends the buyer back — two confirmations that race.
async fn test_bank_decide(
    State(s): State<ServerState>,
    Path((token, payment)): Path<(String, i64)>,
    Form(d): Form<Decision>,
) -> Response {
    let state = &s.app;
    let page = match pay::bank_page(state, &token, payment, None).await {
        Ok(p) => p,
        Err(_) => return (StatusCode::NOT_FOUND, "unknown payment").into_response(),
    };
    let here = |extra: &str| {
        let l = lang_code(&d.lang);
        see_other(format!("/test-bank/{token}/{payment}?lang={l}{extra}"))
    };
    let back = format!("/pay/{token}/return/{payment}");
    if page.decided {
        return see_other(back);
    }
    let outcome = match d.choice.as_str() {
        "approve" if !page.card => BankStatus::Approved,
        "card" if page.card => return here("&step=3ds"),
        "confirm" if page.card => {
            if d.code.trim() != pay::three_ds_code(payment) {
                return here("&step=3ds&wrong=1");
            }
            BankStatus::Approved
        }
        "decline" => BankStatus::Declined,
        "cancel" => BankStatus::Cancelled,
        _ => return here(""),
    };
    match connector::test_bank_decide(state, payment, outcome).await {
        Ok(_) => {
            let state = state.clone();
            tokio::spawn(async move {
                if let Err(e) = pay::confirm(&state, payment).await {
                    tracing::warn!(error = %e, payment, "the test bank's notification failed");
                }
            });
            see_other(back)
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response(),
    }
}
