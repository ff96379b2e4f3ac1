//! Settings (admins): General — the shop's public name, time zone, contact phone, the
//! addresses mailed about payments, refunds and invoices, the payment page's language, the
//! notification URL with its test — the payout schedule, payment methods, API keys, and the
//! contract's requests.

mod contract;
mod keys;
mod methods;

use crate::api::payouts::{load_payout_schedule, SetPayoutFrequency};
use crate::api::settings::{
    load_settings, NotificationTest, SaveGeneralSettings, SendTestNotification, SettingsView,
};
use crate::api::shop::ShopContext;
use crate::components::form::{field_msg, form_msg, ErrorPage, FormError};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Settings() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    if !ctx.can(crate::domain::Permission::ShopSettings) {
        // The server refuses the settings too (403); the page says so and shows nothing.
        return view! { <crate::components::refused::NotForYourRole page="Settings" what="changing the shop's settings" /> }
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
        <nav class="section-nav" aria-label="Settings sections">
            <a href="#general-title">"General"</a>
            <a href="#methods-title">"Payment methods"</a>
            <a href="#keys-title">"API keys"</a>
            <a href="#contract-title">"Contract"</a>
            <a href="#schedule-title">"Payout schedule"</a>
        </nav>
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
        <section class="panel key-settings" aria-labelledby="keys-title">
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

#[component]
fn General(
    v: SettingsView,
    shop: String,
    save: ServerAction<SaveGeneralSettings>,
) -> impl IntoView {
    let g = v.general.clone();
    let shop_for_test = shop.clone();
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
            <div class="field">
                <label for="s-url">"Notification URL (optional)"</label>
                <input id="s-url" name="general[notification_url]" type="url" inputmode="url" value=g.notification_url.clone() maxlength="500" placeholder="https://" aria-describedby="s-url-hint" aria-invalid=invalid("notification_url") />
                <p class="hint" id="s-url-hint">"Your server's address: the provider posts to it about each payment. The test below uses the saved address."</p>
                {err("notification_url")}
            </div>
            <button type="submit" class="primary" disabled=move || save.pending().get()>"Save settings"</button>
        </ActionForm>
        <NotificationTestForm shop=shop_for_test last=v.last_notification_test.clone() />
    }
}

/// "Send a test notification": a form of its own, so it works without JavaScript; the
/// result (or, after a plain form post, the last test from the audit log) is announced.
#[component]
fn NotificationTestForm(shop: String, last: Option<String>) -> impl IntoView {
    let test = ServerAction::<SendTestNotification>::new();
    let result = move || match test.value().get() {
        Some(Ok(r)) => view! { <TestResult r /> }.into_any(),
        Some(Err(e)) => {
            let m = field_msg(test, "notification_url")
                .get()
                .unwrap_or_else(|| e.to_string());
            view! { <p class="banner error" role="alert">{m}</p> }.into_any()
        }
        None => last
            .clone()
            .map(|l| view! { <p class="hint">{l}</p> })
            .into_any(),
    };
    view! {
        <div class="notify-test">
            <h3 id="notify-test-title">"Test notification"</h3>
            <p class="hint" id="notify-test-hint">"Posts a sample payment notice, marked as a test, to the saved notification URL and shows what your server answers. It waits at most 5 seconds."</p>
            <ActionForm action=test attr:class="inline-form" attr:aria-labelledby="notify-test-title">
                <input type="hidden" name="shop" value=shop />
                <button type="submit" aria-describedby="notify-test-hint" disabled=move || test.pending().get()>"Send a test notification"</button>
            </ActionForm>
            <div aria-live="polite" id="notify-test-result">
                {move || test.pending().get().then(|| view! { <p class="loading" aria-busy="true">"Sending…"</p> })}
                {result}
            </div>
        </div>
    }
}

#[component]
fn TestResult(r: NotificationTest) -> impl IntoView {
    let has_body = !r.body_start.is_empty();
    view! {
        <dl class="facts">
            <dt>"Answer"</dt>
            <dd>{r.outcome}</dd>
            <dt>"Address"</dt>
            <dd>{r.url}</dd>
            <dt>"Time taken"</dt>
            <dd>{format!("{} ms", r.elapsed_ms)}</dd>
        </dl>
        {has_body.then(|| view! {
            <p class="hint">{if r.truncated { "The answer's first kilobyte (cut there):" } else { "The answer:" }}</p>
            <pre class="answer">{r.body_start}</pre>
        })}
    }
}
