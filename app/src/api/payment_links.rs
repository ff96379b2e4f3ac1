use crate::domain::payment_link::LinkForm;
use crate::error::AppError;
pub use crate::model::payment_links::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
fn actor(
    a: &crate::server::identity::access::ShopAccess,
) -> crate::server::links::payment_links::Actor {
    crate::server::links::payment_links::Actor {
        user_id: a.user.id,
        email: a.user.email.clone(),
        ip: a.ip.clone(),
        merchant_id: a.merchant_id,
        test_mode: a.user.test_data,
    }
}

#[server(endpoint = "create_payment_link")]
pub async fn create_payment_link(
    shop: String,
    #[server(default)] link: LinkForm,
) -> Result<NewLink, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, links::payment_links, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::CreatePaymentLinks).await?;
            payment_links::create(&state, a.shop_id, &actor(&a), &link).await
        }
        .await,
    )
}

#[server(endpoint = "list_payment_links")]
pub async fn list_payment_links(
    shop: String,
    #[server(default)] status: Option<String>,
    #[server(default)] q: Option<String>,
    #[server(default)] before: Option<String>,
) -> Result<LinkPage, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, links::payment_links, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            if status
                .as_deref()
                .is_some_and(|s| !STATUSES.iter().any(|(code, _)| *code == s))
            {
                return Err(AppError::field("status", "Choose a status from the list."));
            }
            if let Some(q) = q.as_deref() {
                crate::domain::search::check_term(q).map_err(|m| AppError::field("q", m))?;
            }
            payment_links::list(
                &state,
                a.shop_id,
                &a.time_zone,
                status.as_deref(),
                q.as_deref(),
                a.user.test_data,
                before.as_deref(),
            )
            .await
        }
        .await,
    )
}

#[server(endpoint = "deactivate_payment_link")]
pub async fn deactivate_payment_link(
    shop: String,
    id: i64,
    message: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, links::payment_links, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::CreatePaymentLinks).await?;
            payment_links::deactivate(&state, a.shop_id, &actor(&a), id, message).await
        }
        .await,
    )
}

/// E-mails the link to the buyer as an invoice; returns the address it went to.
#[server(endpoint = "send_payment_link")]
pub async fn send_payment_link(
    shop: String,
    id: i64,
    #[server(default)] email: Option<String>,
) -> Result<String, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, links::payment_links, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::CreatePaymentLinks).await?;
            payment_links::send_invoice(&state, a.shop_id, &actor(&a), id, email).await
        }
        .await,
    )
}
