//! The buyer's pages: the hosted payment page and the test connector's bank. Public: no
//! sign-in. Each answers in the buyer's language, with 404 or 410 for links that cannot be
//! paid, and gives away nothing about a link beyond what its page shows.

use crate::domain::Money;
use crate::error::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the buyer can do with a link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Payable,
    /// A single-use link (or one that reached its maximum) has been paid.
    Paid,
    Expired,
    /// Withdrawn by the merchant, with their message to the buyer.
    Deactivated(Option<String>),
    Unknown,
}

/// One payment method button.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodItem {
    /// What the button sends, e.g. `swedbank:EE`.
    pub code: String,
    /// The channel's code (for its badge).
    pub channel: String,
    pub label: String,
}

/// Bank links of one country, or the cards (`country` empty).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodGroup {
    pub country: String,
    pub methods: Vec<MethodItem>,
}

/// How the payment the buyer came back from stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Paid,
    Failed,
    Expired,
    Pending,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentResult {
    pub outcome: Outcome,
    pub id: i64,
    /// Where the receipt went, if anywhere.
    pub receipt_to: Option<String>,
}

/// Everything the payment page shows; the link's details only when it can be paid (or was
/// just paid by this buyer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentPage {
    pub lang: Lang,
    pub state: LinkState,
    pub merchant: String,
    pub amount: Money,
    pub reference: String,
    pub description: Option<String>,
    pub valid_until: String,
    /// The link has the buyer's e-mail: the page does not ask for it.
    pub email_known: bool,
    pub methods: Vec<MethodGroup>,
    pub result: Option<PaymentResult>,
}

/// What the test bank's page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankPage {
    pub lang: Lang,
    pub bank: String,
    pub channel: String,
    pub card: bool,
    pub merchant: String,
    pub amount: Money,
    pub reference: String,
    /// The buyer decided already (or the payment was closed): nothing to do here.
    pub decided: bool,
    /// The code the 3-D Secure step asks for.
    pub code: String,
}

#[server(endpoint = "pay_page")]
pub async fn pay_page(
    token: String,
    #[server(default)] lang: Option<String>,
    #[server(default)] payment: Option<i64>,
) -> Result<PaymentPage, AppError> {
    use crate::server::{pay, state::app_state};
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
    use crate::server::{pay, respond, state::app_state};
    let state = app_state()?;
    respond(pay::bank_page(&state, &token, payment, lang.as_deref()).await)
}
