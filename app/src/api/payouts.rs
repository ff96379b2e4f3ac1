use crate::error::AppError;
pub use crate::model::payouts::*;
use leptos::prelude::*;

/// The shop's payout schedule: frequency, a waiting change, the next five payout days and
/// the payout bank account. Every role may read it.
#[server(endpoint = "load_payout_schedule")]
pub async fn load_payout_schedule(shop: String) -> Result<PayoutSchedule, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, payouts::schedule, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            schedule::load(&state, &a).await
        }
        .await,
    )
}

/// Changes the payout frequency from the next cycle (admins): `every` is daily, weekly (with
/// `weekday`, 1 = Monday … 5 = Friday) or monthly (with `day`, 1–31).
#[server(endpoint = "set_payout_frequency")]
pub async fn set_payout_frequency(
    shop: String,
    every: String,
    #[server(default)] weekday: String,
    #[server(default)] day: String,
) -> Result<PayoutSchedule, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, payouts::schedule, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            let f = schedule::parse_choice(&every, &weekday, &day)?;
            schedule::set_frequency(&state, &a, f).await
        }
        .await,
    )
}

/// The shop's payouts (newest first), their total and the next payout's estimate.
#[server(endpoint = "list_payouts")]
pub async fn list_payouts(shop: String) -> Result<PayoutList, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, payouts::view, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            view::list(&state, &a).await
        }
        .await,
    )
}

/// One payout and why it is this much.
#[server(endpoint = "load_payout")]
pub async fn load_payout(shop: String, id: i64) -> Result<PayoutDetail, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, payouts::view, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            view::detail(&state, &a, id).await
        }
        .await,
    )
}
