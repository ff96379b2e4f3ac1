use crate::error::AppError;
pub use crate::model::shop::*;
use leptos::prelude::*;

#[server(endpoint = "load_shop")]
pub async fn load_shop(shop: String) -> Result<ShopContext, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, identity::users, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            let shops = users::shops_of(&state, a.user.id).await?;
            Ok(ShopContext {
                slug: a.shop_slug,
                name: a.shop_name,
                merchant: a.merchant_name,
                time_zone: a.time_zone,
                role: a.role,
                user_name: a.user.name,
                user_email: a.user.email,
                shops,
            })
        }
        .await,
    )
}
