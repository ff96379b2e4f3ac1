use super::ShopRef;
use crate::domain::{Permission, Role};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the shop's pages need around them: the shop, the user's role there, the other shops.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShopContext {
    pub slug: String,
    pub name: String,
    pub merchant: String,
    pub time_zone: String,
    pub role: Role,
    pub user_name: String,
    pub user_email: String,
    pub shops: Vec<ShopRef>,
}

impl ShopContext {
    pub fn can(&self, p: Permission) -> bool {
        self.role.allows(p)
    }
}

#[server(endpoint = "load_shop")]
pub async fn load_shop(shop: String) -> Result<ShopContext, AppError> {
    use crate::server::{access, respond, users};
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
