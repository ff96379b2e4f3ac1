//! Settings → Contract: the shop's domain and the merchant's legal entity as the provider
//! has them; changing either is a request to the provider, listed with its state.

use crate::api::requests::{list_requests, RequestDomain, RequestLegalEntity, WithdrawRequest};
use crate::api::settings::{Contract, SettingsView};
use crate::components::form::{field_msg, form_msg, ErrorPage, FormError};
use crate::components::requests::Requests;
use leptos::prelude::*;

#[component]
pub fn ContractRequests(
    shop: String,
    /// The settings page's own load, which carries the contract's facts.
    settings: Resource<Result<SettingsView, crate::error::AppError>>,
) -> impl IntoView {
    let domain = ServerAction::<RequestDomain>::new();
    let entity = ServerAction::<RequestLegalEntity>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let requests = Resource::new(
        {
            let shop = shop.clone();
            move || {
                (
                    shop.clone(),
                    domain.version().get(),
                    entity.version().get(),
                    withdraw.version().get(),
                )
            }
        },
        |(shop, ..)| list_requests(shop),
    );
    let sent = move || match (domain.value().get(), entity.value().get()) {
        (Some(Ok(r)), _) | (_, Some(Ok(r))) => Some(format!(
            "Sent to the provider: {}. You get an e-mail when it is answered.",
            r.what
        )),
        _ => None,
    };
    let err = |a: ServerAction<RequestDomain>, f: &'static str| {
        move || {
            field_msg(a, f)
                .get()
                .map(|m| view! { <p class="field-error">{m}</p> })
        }
    };
    let err_e = move |f: &'static str| {
        move || {
            field_msg(entity, f)
                .get()
                .map(|m| view! { <p class="field-error">{m}</p> })
        }
    };
    let list_shop = shop.clone();
    let shop_e = shop.clone();
    view! {
        <p class="muted">"The domain and the legal entity are part of your contract: the provider checks a change and applies it. Until then everything stays as it is."</p>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(v) => view! { <Facts c=v.contract /> }.into_any(),
                    Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <div aria-live="polite">{move || sent().map(|m| view! { <p class="banner ok" role="status">{m}</p> })}</div>
        <h3 id="domain-request-title">"Ask for another domain"</h3>
        <FormError message=Signal::derive(move || match domain.value().get() {
            Some(Err(crate::error::AppError::Validation(_))) => None,
            _ => form_msg(domain).get(),
        }) />
        <ActionForm action=domain attr:class="grid-form" attr:aria-labelledby="domain-request-title">
            <input type="hidden" name="shop" value=shop />
            <div class="field">
                <label for="request-domain">"New domain"</label>
                <input id="request-domain" name="domain" required placeholder="shop.example" autocomplete="off" spellcheck="false"
                    aria-invalid=move || field_msg(domain, "domain").get().is_some().then_some("true") />
                {err(domain, "domain")}
            </div>
            <div class="field wide">
                <label for="domain-note">"Note to the provider (optional)"</label>
                <textarea id="domain-note" name="note" rows="2" maxlength="1000"></textarea>
                {err(domain, "note")}
            </div>
            <button type="submit" class="primary" disabled=move || domain.pending().get()>"Send the request"</button>
        </ActionForm>
        <h3 id="entity-request-title">"Ask to change the legal entity"</h3>
        <FormError message=Signal::derive(move || match entity.value().get() {
            Some(Err(crate::error::AppError::Validation(_))) => None,
            _ => form_msg(entity).get(),
        }) />
        <ActionForm action=entity attr:class="grid-form" attr:aria-labelledby="entity-request-title">
            <input type="hidden" name="shop" value=shop_e />
            <div class="field">
                <label for="entity-name">"Company name"</label>
                <input id="entity-name" name="name" required autocomplete="organization"
                    aria-invalid=move || field_msg(entity, "name").get().is_some().then_some("true") />
                {err_e("name")}
            </div>
            <div class="field">
                <label for="entity-code">"Registry code"</label>
                <input id="entity-code" name="registry_code" required inputmode="numeric" autocomplete="off"
                    aria-invalid=move || field_msg(entity, "registry_code").get().is_some().then_some("true") />
                {err_e("registry_code")}
            </div>
            <div class="field">
                <label for="entity-vat">"VAT number (optional)"</label>
                <input id="entity-vat" name="vat_number" autocomplete="off" placeholder="EE100000001"
                    aria-invalid=move || field_msg(entity, "vat_number").get().is_some().then_some("true") />
                {err_e("vat_number")}
            </div>
            <div class="field wide">
                <label for="entity-note">"Note to the provider (optional)"</label>
                <textarea id="entity-note" name="note" rows="2" maxlength="1000"></textarea>
                {err_e("note")}
            </div>
            <button type="submit" class="primary" disabled=move || entity.pending().get()>"Send the request"</button>
        </ActionForm>
        <h3 id="requests-title">"Your requests"</h3>
        <FormError message=form_msg(withdraw) />
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading requests…"</p> }>
            {move || {
                let shop = list_shop.clone();
                Suspend::new(async move {
                    match requests.await {
                        Ok(rows) => view! { <Requests rows shop withdraw /> }.into_any(),
                        Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Facts(c: Contract) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>"Domain"</dt><dd>{c.domain.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>"Legal entity"</dt>
            <dd>
                {c.legal_name.clone()}
                {c.registry_code.clone().map(|r| format!(", registry code {r}"))}
                {c.vat_number.clone().map(|v| format!(", VAT number {v}"))}
            </dd>
        </dl>
    }
}
