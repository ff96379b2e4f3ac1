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
