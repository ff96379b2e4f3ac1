use crate::error::AppError;
pub use crate::model::dashboard::*;
use leptos::prelude::*;

#[server(endpoint = "load_dashboard")]
pub async fn load_dashboard(shop: String) -> Result<Dashboard, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, reporting::dashboard, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            dashboard::load(&state, a.shop_id, &a.time_zone, a.user.test_data).await
        }
        .await,
    )
}
