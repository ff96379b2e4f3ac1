//! The buyer's pages: the hosted payment page and the test connector's bank. Public: no
//! sign-in. Each answers in the buyer's language, with 404 or 410 for links that cannot be
//! paid, and gives away nothing about a link beyond what its page shows.

use crate::error::AppError;
pub use crate::model::pay::*;
use leptos::prelude::*;

#[server(endpoint = "pay_page")]
pub async fn pay_page(
    token: String,
    #[server(default)] lang: Option<String>,
    #[server(default)] payment: Option<i64>,
) -> Result<PaymentPage, AppError> {
    use crate::server::{payments::pay, state::app_state};
    let state = app_state()?;
    let accept = leptos::prelude::use_context::<http::request::Parts>().and_then(|p| {
        p.headers
            .get(http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    let page = pay::page(&state, &token, lang.as_deref(), accept.as_deref(), payment).await?;
    if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        match page.state {
            LinkState::Unknown => opts.set_status(http::StatusCode::NOT_FOUND),
            LinkState::Expired | LinkState::Deactivated(_) => {
                opts.set_status(http::StatusCode::GONE)
            }
            _ => {}
        }
    }
    Ok(page)
}

#[server(endpoint = "test_bank_page")]
pub async fn test_bank_page(
    token: String,
    payment: i64,
    #[server(default)] lang: Option<String>,
) -> Result<BankPage, AppError> {
    use crate::server::{payments::pay, respond, state::app_state};
    let state = app_state()?;
    respond(pay::bank_page(&state, &token, payment, lang.as_deref()).await)
}
