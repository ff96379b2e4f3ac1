use crate::domain::Money;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What a refund request ended with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundOutcome {
    pub refund_id: i64,
    pub amount: Money,
    /// The shop's balance after the refund (unchanged while a refund awaits the buyer's account).
    pub balance: Money,
    /// `done`, or `awaiting_account` for Finnish bank-link payments.
    pub status: String,
}

/// What a refund would do, shown before the user confirms it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPreview {
    pub amount: Money,
    /// What can still be refunded on the payment.
    pub refundable: Money,
    pub balance: Money,
    pub reserved: Money,
    pub balance_after: Money,
    /// A Finnish bank-link payment: the amount is reserved until the buyer gives an account.
    pub awaits_account: bool,
    /// The idempotency key the confirmation sends, so a double click makes one refund.
    pub key: String,
}

/// Checks a refund and shows its effect on the balance; nothing is written.
#[server(endpoint = "preview_refund")]
pub async fn preview_refund(
    shop: String,
    transaction_id: i64,
    amount: String,
) -> Result<RefundPreview, AppError> {
    use crate::domain::Permission;
    use crate::server::{access, refunds, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::MakeRefunds).await?;
            let amount = Money::parse(&amount).map_err(|m| AppError::field("amount", m))?;
            refunds::preview(&state, a.shop_id, transaction_id, amount).await
        }
        .await,
    )
}

/// Refunds part or all of a paid payment. `key` identifies the request, so a double click
/// or a retry makes one refund.
#[server(endpoint = "make_refund")]
pub async fn make_refund(
    shop: String,
    transaction_id: i64,
    amount: String,
    comment: Option<String>,
    key: String,
) -> Result<RefundOutcome, AppError> {
    use crate::domain::Permission;
    use crate::server::{access, refunds, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::MakeRefunds).await?;
            let amount = Money::parse(&amount).map_err(|m| AppError::field("amount", m))?;
            let by = refunds::Requester {
                user_id: a.user.id,
                email: a.user.email.clone(),
                ip: a.ip.clone(),
                merchant_id: a.merchant_id,
            };
            refunds::refund(
                &state,
                a.shop_id,
                &by,
                transaction_id,
                amount,
                comment,
                &key,
            )
            .await
        }
        .await,
    )
}
