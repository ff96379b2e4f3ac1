use crate::error::AppError;
pub use crate::model::settings::*;
use leptos::prelude::*;

/// The shop's settings (admins only).
#[server(endpoint = "load_settings")]
pub async fn load_settings(shop: String) -> Result<SettingsView, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, settings::general};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            general::load(&state, &a).await
        }
        .await,
    )
}

/// Saves Settings → General (admins only; audited).
#[server(endpoint = "save_general_settings")]
pub async fn save_general_settings(
    shop: String,
    general: GeneralSettings,
) -> Result<SettingsView, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, settings::general};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            general::save(&state, &a, &general).await
        }
        .await,
    )
}

/// Posts a sample payment notice to the shop's saved notification URL and tells what came
/// back (admins only; audited).
#[server(endpoint = "send_test_notification")]
pub async fn send_test_notification(shop: String) -> Result<NotificationTest, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, settings::notify_url};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            notify_url::send_test(&state, &a).await
        }
        .await,
    )
}
