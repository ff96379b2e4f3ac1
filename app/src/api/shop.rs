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
            let admins = users::admins_of(&state, a.shop_id).await?;
            Ok(ShopContext {
                slug: a.shop_slug,
                name: a.shop_name,
                merchant: a.merchant_name,
                time_zone: a.time_zone,
                role: a.role,
                user_name: a.user.name,
                user_email: a.user.email,
                test_data: a.user.test_data,
                csv_dialect: a.user.csv_dialect,
                live_simulated: state.live_is_simulated(),
                shops,
                admins,
            })
        }
        .await,
    )
}

/// Switches this session to test data (`on` = "1") or back to live data, then returns to
/// `next` (a path of this site). A plain form post: the whole page reloads in the new mode.
#[server(endpoint = "set_test_data")]
pub async fn set_test_data(on: String, #[server(default)] next: String) -> Result<(), AppError> {
    use crate::server::{identity::access, identity::auth, respond};
    respond(
        async {
            access::signed_in().await?;
            let session = leptos_axum::extract::<tower_sessions::Session>()
                .await
                .map_err(crate::server::internal)?;
            auth::set_test_data(&session, on == "1").await?;
            leptos_axum::redirect(&crate::domain::validate::safe_next(Some(&next)));
            Ok(())
        }
        .await,
    )
}
