//! A shop's requests to the provider, for its admins: the form that asks for a new payout
//! bank account, and every request with its state (withdraw while it waits).

use crate::api::requests::{list_requests, ProviderRequest, RequestPayoutAccount, WithdrawRequest};
use crate::components::form::{field_msg, form_msg, ErrorPage, FormError};
use leptos::prelude::*;

#[component]
pub fn PayoutAccountRequest(shop: String) -> impl IntoView {
    let ask = ServerAction::<RequestPayoutAccount>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let requests = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), ask.version().get(), withdraw.version().get())
        },
        |(shop, _, _)| list_requests(shop),
    );
    let sent = move || {
        match ask.value().get() {
        Some(Ok(r)) => Some(format!(
            "Sent to the provider: {}. Payouts go to the current account until the provider has changed it; you get an e-mail then.",
            r.what
        )),
        _ => None,
    }
    };
    let list_shop = shop.clone();
    view! {
        <h3 id="account-request-title">"Ask for another payout account"</h3>
        <p class="muted small">"The payout account is part of your contract: the provider checks the new account and changes it. Until then payouts go to the account above."</p>
        <div aria-live="polite">{move || sent().map(|m| view! { <p class="banner ok" role="status">{m}</p> })}</div>
        <FormError message=Signal::derive(move || match ask.value().get() {
            Some(Err(crate::error::AppError::Validation(_))) => None,
            _ => form_msg(ask).get(),
        }) />
        <ActionForm action=ask attr:class="grid-form account-request-form" attr:aria-labelledby="account-request-title">
            <input type="hidden" name="shop" value=shop />
            <div class="field">
                <label for="request-iban">"IBAN"</label>
                <input id="request-iban" name="iban" required autocomplete="off" spellcheck="false"
                    inputmode="text" size="34" placeholder="EE38 2200 2210 2014 5685"
                    aria-invalid=move || field_msg(ask, "iban").get().is_some().then_some("true") />
                {move || field_msg(ask, "iban").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <div class="field">
                <label for="request-holder">"Account holder"</label>
                <input id="request-holder" name="holder" required autocomplete="organization" size="34"
                    aria-invalid=move || field_msg(ask, "holder").get().is_some().then_some("true") />
                {move || field_msg(ask, "holder").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <div class="field wide">
                <label for="request-note">"Note to the provider (optional)"</label>
                <textarea id="request-note" name="note" rows="2" maxlength="1000"></textarea>
                {move || field_msg(ask, "note").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <button type="submit" class="primary" disabled=move || ask.pending().get()>"Send the request"</button>
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
pub fn Requests(
    rows: Vec<ProviderRequest>,
    shop: String,
    withdraw: ServerAction<WithdrawRequest>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty">"No requests yet."</p> }.into_any();
    }
    let items = rows
        .into_iter()
        .map(|r| {
            let waiting = r.state == "open";
            let shop = shop.clone();
            let label = r.state_label();
            view! {
                <li class="request" data-state=r.state.clone()>
                    <p><strong>{r.what.clone()}</strong>" "<span class=format!("status request-{}", r.state)>{label}</span></p>
                    <p class="muted small">
                        {format!("Asked {} by {}", r.requested_at, r.requested_by)}
                        {r.decided_at.clone().map(|d| format!("; answered {d}"))}
                    </p>
                    {(!r.note.is_empty()).then(|| view! { <p class="small">{format!("Your note: {}", r.note)}</p> })}
                    {r.answer.clone().map(|a| view! { <p class="small">{format!("The provider's answer: {a}")}</p> })}
                    {waiting.then(|| view! {
                        <ActionForm action=withdraw attr:class="inline-form">
                            <input type="hidden" name="shop" value=shop />
                            <input type="hidden" name="id" value=r.id.to_string() />
                            <button type="submit" class="secondary" disabled=move || withdraw.pending().get()>"Withdraw the request"</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="requests" aria-labelledby="requests-title">{items}</ul> }.into_any()
}
