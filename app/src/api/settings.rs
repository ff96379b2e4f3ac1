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

/// Every payment method the provider offers, with its state for the shop (admins only).
#[server(endpoint = "load_payment_methods")]
pub async fn load_payment_methods(shop: String) -> Result<Vec<MethodGroup>, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, settings::methods};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            methods::list(&state, &a).await
        }
        .await,
    )
}

/// Switches an activated method on or off (`on`, `off`), or asks the provider to activate
/// one (`request`); admins only, audited.
#[server(endpoint = "change_payment_method")]
pub async fn change_payment_method(
    shop: String,
    method: String,
    action: String,
    #[server(default)] note: String,
) -> Result<Vec<MethodGroup>, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, settings::methods};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            match action.as_str() {
                "on" => methods::switch(&state, &a, &method, true).await?,
                "off" => methods::switch(&state, &a, &method, false).await?,
                "request" => {
                    methods::request(&state, &a, &method, &note).await?;
                }
                _ => {
                    return Err(AppError::field(
                        "action",
                        "Choose to switch the method on or off, or to request it.",
                    ))
                }
            }
            methods::list(&state, &a).await
        }
        .await,
    )
}

/// The Shop ID and the API keys of both modes, without secrets (admins only).
#[server(endpoint = "load_api_keys")]
pub async fn load_api_keys(shop: String) -> Result<ApiSettings, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, settings::keys};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            keys::view(&state, &a).await
        }
        .await,
    )
}

/// Makes a new secret key for `mode` (`test`, `live`), shown this once; the old one keeps
/// working for `grace` (`none`, `1h`, `24h`). Admins only, audited without the secret.
#[server(endpoint = "regenerate_api_secret")]
pub async fn regenerate_api_secret(
    shop: String,
    mode: String,
    grace: String,
) -> Result<NewSecret, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, settings::keys};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ShopSettings).await?;
            keys::regenerate(&state, &a, &mode, &grace).await
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
