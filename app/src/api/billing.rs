use crate::error::AppError;
pub use crate::model::billing::*;
use leptos::prelude::*;

/// The billing page: the price list in force, the invoices and this month's estimate.
/// Every role may read it.
#[server(endpoint = "load_billing")]
pub async fn load_billing(shop: String) -> Result<BillingView, AppError> {
    use crate::domain::Permission;
    use crate::server::{billing::view, identity::access, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            view::overview(&state, &a).await
        }
        .await,
    )
}

/// E-mails an invoice or credit note again, with its PDF (admins): to the shop's invoice
/// e-mail, or to the admin when none is set. Returns the address.
#[server(endpoint = "send_invoice")]
pub async fn send_invoice(shop: String, id: i64) -> Result<String, AppError> {
    use crate::domain::Permission;
    use crate::server::{billing::invoices, identity::access, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            invoices::send_again(&state, &a, id).await
        }
        .await,
    )
}
