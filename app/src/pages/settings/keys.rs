//! Settings → API keys: the Shop ID, and per mode the publishable key and the secret key's
//! state; a new secret is shown once, with a copy button.

use crate::api::settings::{load_api_keys, ApiKeysView, RegenerateApiSecret};
use crate::components::copy::CopyField;
use crate::components::form::{field_msg, form_msg, ErrorPage, FormError};
use leptos::prelude::*;

#[component]
pub fn ApiKeys(shop: String) -> impl IntoView {
    let regenerate = ServerAction::<RegenerateApiSecret>::new();
    let keys = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), regenerate.version().get())
        },
        |(shop, _)| load_api_keys(shop),
    );
    let fresh = move || match regenerate.value().get() {
        Some(Ok(n)) => Some(n),
        _ => None,
    };
    view! {
        <p class="muted">"Your shop's server calls the API with HTTP Basic authentication: the Shop ID as user name and the secret key as password. Test keys make test payments, which move no money and carry no fees."</p>
        <div aria-live="polite">
            {move || fresh().map(|n| view! {
                <div class="banner ok new-secret" role="status">
                    <p><strong>{format!("Your new {} secret key. Copy it now: it is not shown again.", n.mode)}</strong></p>
                    <CopyField id="new-secret".into() label=format!("New {} secret key", n.mode) value=n.secret.clone() button="Copy the secret" />
                    <p>{match n.old_valid_until.clone() {
                        Some(t) => format!("The old secret keeps working until {t}; change your shop's server before then."),
                        None => "Any old secret has stopped working.".to_string(),
                    }}</p>
                </div>
            })}
        </div>
        <FormError message=Signal::derive(move || match regenerate.value().get() {
            Some(Err(crate::error::AppError::Validation(_))) => field_msg(regenerate, "grace").get(),
            _ => form_msg(regenerate).get(),
        }) />
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading API keys…"</p> }>
            {
                let shop = shop.clone();
                move || {
                    let shop = shop.clone();
                    Suspend::new(async move {
                        match keys.await {
                            Ok(k) => {
                                let modes = k
                                    .modes
                                    .into_iter()
                                    .map(|m| view! { <Mode m shop=shop.clone() regenerate /> })
                                    .collect_view();
                                view! {
                                    <CopyField id="shop-id".into() label="Shop ID".into() value=k.shop_id button="Copy the Shop ID" />
                                    <div class="key-modes">{modes}</div>
                                }
                                .into_any()
                            }
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
fn Mode(
    m: ApiKeysView,
    shop: String,
    regenerate: ServerAction<RegenerateApiSecret>,
) -> impl IntoView {
    let title = if m.mode == "live" { "Live" } else { "Test" };
    let heading = format!("keys-{}", m.mode);
    let has_secret = !m.secrets.is_empty();
    let secrets = m
        .secrets
        .iter()
        .map(|s| {
            view! {
                <li>
                    <code>{s.hint.clone()}</code>
                    {format!(" made {}", s.created_at)}
                    {match &s.valid_until {
                        Some(t) => format!("; replaced, works until {t}"),
                        None => "; current".to_string(),
                    }}
                    {format!("; {}", s.last_used.clone().map(|u| format!("last used {u}")).unwrap_or_else(|| "never used".into()))}
                </li>
            }
        })
        .collect_view();
    let grace_id = format!("grace-{}", m.mode);
    let data_mode_p = m.mode.clone();
    let (heading_id, data_mode, form_mode, mode) = (
        heading.clone(),
        m.mode.clone(),
        m.mode.clone(),
        m.mode.clone(),
    );
    view! {
        <section class="key-mode" aria-labelledby=heading data-mode=data_mode>
            <h3 id=heading_id>{format!("{title} mode")}</h3>
            {match m.publishable.clone() {
                Some(p) => view! { <CopyField id=format!("publishable-{}", data_mode_p) label="Publishable key".into() value=p button="Copy" /> }.into_any(),
                None => view! { <p class="empty">"No keys yet: make the secret key below; the publishable key comes with it."</p> }.into_any(),
            }}
            <p class="label">"Secret key"</p>
            {if has_secret {
                view! { <ul class="secrets">{secrets}</ul> }.into_any()
            } else {
                view! { <p class="empty">"None yet."</p> }.into_any()
            }}
            <ActionForm action=regenerate attr:class="inline-form regenerate">
                <input type="hidden" name="shop" value=shop />
                <input type="hidden" name="mode" value=form_mode />
                {if has_secret {
                    view! {
                        <label for=grace_id.clone()>"The old secret keeps working"</label>
                        <select id=grace_id name="grace">
                            <option value="none">"not at all"</option>
                            <option value="1h">"for 1 hour"</option>
                            <option value="24h" selected=true>"for 24 hours"</option>
                        </select>
                    }
                    .into_any()
                } else {
                    view! { <input type="hidden" name="grace" value="none" /> }.into_any()
                }}
                <button type="submit" class="secondary" disabled=move || regenerate.pending().get()>
                    {format!("{} the {mode} secret", if has_secret { "Regenerate" } else { "Make" })}
                </button>
            </ActionForm>
        </section>
    }
}
