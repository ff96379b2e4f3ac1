use crate::error::AppError;
pub use crate::model::requests::*;
use leptos::prelude::*;

/// The shop's requests to the provider, newest first (admins).
#[server(endpoint = "list_requests")]
pub async fn list_requests(shop: String) -> Result<Vec<ProviderRequest>, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, requests, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            requests::list(&state, &a).await
        }
        .await,
    )
}

/// Asks the provider to pay out to another bank account (admins): recorded, mailed to the
/// provider's operators, applied by them once the contract is changed.
#[server(endpoint = "request_payout_account")]
pub async fn request_payout_account(
    shop: String,
    iban: String,
    holder: String,
    #[server(default)] note: String,
) -> Result<ProviderRequest, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, requests, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            requests::ask_payout_account(&state, &a, &iban, &holder, &note).await
        }
        .await,
    )
}

/// Withdraws a waiting request (admins).
#[server(endpoint = "withdraw_request")]
pub async fn withdraw_request(shop: String, id: i64) -> Result<(), AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, requests, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            requests::withdraw(&state, &a, id).await
        }
        .await,
    )
}

/// Asks the provider to move the shop to another domain (admins).
#[server(endpoint = "request_domain")]
pub async fn request_domain(
    shop: String,
    domain: String,
    #[server(default)] note: String,
) -> Result<ProviderRequest, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, requests, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            requests::ask_domain(&state, &a, &domain, &note).await
        }
        .await,
    )
}

/// Asks the provider to pass the contract to another legal entity (admins).
#[server(endpoint = "request_legal_entity")]
pub async fn request_legal_entity(
    shop: String,
    name: String,
    registry_code: String,
    #[server(default)] vat_number: String,
    #[server(default)] note: String,
) -> Result<ProviderRequest, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, requests, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            requests::ask_legal_entity(&state, &a, &name, &registry_code, &vat_number, &note).await
        }
        .await,
    )
}
