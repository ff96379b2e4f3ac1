//! Settings (admins): General — the shop's public name, time zone, contact phone, the
//! addresses mailed about payments, refunds and invoices, the payment page's language —
//! the payout schedule, payment methods, API keys, and the contract's requests.

mod contract;
mod keys;
mod methods;

use crate::api::payouts::{load_payout_schedule, SetPayoutFrequency};
use crate::api::settings::{load_settings, SaveGeneralSettings, SettingsView};
use crate::api::shop::ShopContext;
use crate::components::form::{field_msg, form_msg, ErrorPage, FormError};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Settings() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    if !ctx.can(crate::domain::Permission::ShopSettings) {
        // The server refuses the settings too (403); the page says so and shows nothing.
        return view! {
            <Title text="Settings" />
            <SettingsRefused shop=ctx.slug.clone() />
        }
        .into_any();
    }
    let shop = ctx.slug.clone();
    let save = ServerAction::<SaveGeneralSettings>::new();
    let settings = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), save.version().get())
        },
        |(shop, _)| load_settings(shop),
    );
    let save_schedule = ServerAction::<SetPayoutFrequency>::new();
    let schedule = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), save_schedule.version().get())
        },
        |(shop, _)| load_payout_schedule(shop),
    );
    let schedule_shop = shop.clone();
    let (methods_shop, keys_shop, contract_shop) = (shop.clone(), shop.clone(), shop.clone());
    view! {
        <Title text="Settings" />
        <h1>"Settings"</h1>
        <section class="panel" aria-labelledby="general-title">
            <h2 id="general-title">"General"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading settings…"</p> }>
                {
                    let shop = shop.clone();
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            match settings.await {
                                Ok(v) => view! { <General v shop save /> }.into_any(),
                                Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </section>
        <section class="panel" aria-labelledby="methods-title">
            <h2 id="methods-title">"Payment methods"</h2>
            <methods::PaymentMethods shop=methods_shop />
        </section>
        <section class="panel" aria-labelledby="keys-title">
            <h2 id="keys-title">"API keys"</h2>
            <keys::ApiKeys shop=keys_shop />
        </section>
        <section class="panel" aria-labelledby="contract-title">
            <h2 id="contract-title">"Contract"</h2>
            <contract::ContractRequests shop=contract_shop settings />
        </section>
        <section class="panel" aria-labelledby="schedule-title">
            <h2 id="schedule-title">"Payout schedule"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the schedule…"</p> }>
                {
                    let shop = schedule_shop.clone();
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            match schedule.await {
                                Ok(s) => view! { <crate::pages::payouts::Schedule s shop save=save_schedule /> }.into_any(),
                                Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </section>
    }
    .into_any()
}

/// For users who are not the shop's admins: the server's own answer (403), in words.
#[component]
fn SettingsRefused(shop: String) -> impl IntoView {
    let refused = Resource::new(move || shop.clone(), load_settings);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match refused.await {
                    Ok(_) => ().into_any(),
                    Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn General(
    v: SettingsView,
    shop: String,
    save: ServerAction<SaveGeneralSettings>,
) -> impl IntoView {
    let g = v.general.clone();
    let err = move |f: &'static str| {
        move || {
            field_msg(save, f)
                .get()
                .map(|m| view! { <p class="field-error" id=format!("{f}-error")>{m}</p> })
        }
    };
    let invalid =
        move |f: &'static str| move || field_msg(save, f).get().is_some().then_some("true");
    let zones = v
        .time_zones
        .iter()
        .map(|z| view! { <option value=z.clone() selected=*z == g.time_zone>{z.clone()}</option> })
        .collect_view();
    let languages = v
        .languages
        .iter()
        .map(|(code, name)| view! { <option value=code.clone() selected=*code == g.language>{name.clone()}</option> })
        .collect_view();
    view! {
        <div aria-live="polite">
            {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! { <p class="banner ok" role="status">"Settings saved."</p> })}
        </div>
        <FormError message=Signal::derive(move || match save.value().get() {
            Some(Err(crate::error::AppError::Validation(_))) => Some("Check the fields marked below.".to_string()),
            _ => form_msg(save).get(),
        }) />
        <ActionForm action=save attr:class="grid-form settings-form">
            <input type="hidden" name="shop" value=shop />
            <div class="field">
                <label for="s-name">"Public name"</label>
                <input id="s-name" name="general[name]" value=g.name.clone() required maxlength="100" aria-describedby="s-name-hint" aria-invalid=invalid("name") />
                <p class="hint" id="s-name-hint">"Shown to buyers on the payment page and in their receipts."</p>
                {err("name")}
            </div>
            <div class="field">
                <label for="s-tz">"Time zone"</label>
                <select id="s-tz" name="general[time_zone]" aria-describedby="s-tz-hint" aria-invalid=invalid("time_zone")>{zones}</select>
                <p class="hint" id="s-tz-hint">"Times on every page, the statement's days and the billing month follow it."</p>
                {err("time_zone")}
            </div>
            <div class="field">
                <label for="s-phone">"Contact phone (optional)"</label>
                <input id="s-phone" name="general[phone]" type="tel" autocomplete="tel" value=g.phone.clone() aria-invalid=invalid("phone") />
                {err("phone")}
            </div>
            <div class="field">
                <label for="s-notify">"Notification e-mails (optional)"</label>
                <textarea id="s-notify" name="general[notification_emails]" rows="2" aria-describedby="s-notify-hint" aria-invalid=invalid("notification_emails")>{g.notification_emails.clone()}</textarea>
                <p class="hint" id="s-notify-hint">"Mailed about payments through payment links and about refunds. Up to five addresses, separated by commas."</p>
                {err("notification_emails")}
            </div>
            <div class="field">
                <label for="s-invoice">"Invoice e-mail (optional)"</label>
                <input id="s-invoice" name="general[invoice_email]" type="email" value=g.invoice_email.clone() aria-describedby="s-invoice-hint" aria-invalid=invalid("invoice_email") />
                <p class="hint" id="s-invoice-hint">"Each month's fee invoice is mailed here with its PDF."</p>
                {err("invoice_email")}
            </div>
            <div class="field">
                <label for="s-lang">"Payment page language"</label>
                <select id="s-lang" name="general[language]" aria-describedby="s-lang-hint" aria-invalid=invalid("language")>{languages}</select>
                <p class="hint" id="s-lang-hint">"The language buyers see first; they can switch."</p>
                {err("language")}
            </div>
            <button type="submit" class="primary" disabled=move || save.pending().get()>"Save settings"</button>
        </ActionForm>
    }
}
