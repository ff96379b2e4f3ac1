use crate::domain::Money;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the buyer's refund link shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundClaim {
    /// `open` (waiting for the account), `done` (sent) or `expired`.
    pub state: String,
    pub merchant: String,
    pub shop: String,
    pub amount: Money,
    pub reference: String,
    /// When the link stops working, in the shop's time zone.
    pub expires: String,
}

/// The refund behind a buyer's link (public: the link is the credential).
#[server(endpoint = "get_refund_claim")]
pub async fn get_refund_claim(token: String) -> Result<RefundClaim, AppError> {
    use crate::server::{refund_accounts, respond, state::app_state};
    respond(
        async {
            let state = app_state()?;
            refund_accounts::claim(&state, &token).await
        }
        .await,
    )
}

/// The buyer gives the account to send the refund to; the refund is sent at once.
#[server(endpoint = "give_refund_account")]
pub async fn give_refund_account(
    token: String,
    holder: String,
    iban: String,
) -> Result<Money, AppError> {
    use crate::server::{access, refund_accounts, respond, state::app_state};
    respond(
        async {
            let state = app_state()?;
            let ip = access::client_ip().await;
            refund_accounts::give_account(&state, &token, &holder, &iban, &ip).await
        }
        .await,
    )
}
