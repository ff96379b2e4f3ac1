use crate::error::AppError;
pub use crate::model::refunds::*;
use leptos::prelude::*;

/// Checks a refund and shows its effect on the balance; nothing is written.
#[server(endpoint = "preview_refund")]
pub async fn preview_refund(
    shop: String,
    transaction_id: i64,
    amount: String,
) -> Result<RefundPreview, AppError> {
    use crate::domain::{Money, Permission};
    use crate::server::{identity::access, refunds, respond};
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
    use crate::domain::{Money, Permission};
    use crate::server::{identity::access, refunds, respond};
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
