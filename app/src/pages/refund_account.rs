use super::auth::AuthCard;
use crate::api::refund_account::{get_refund_claim, GiveRefundAccount};
use crate::components::form::{field_msg, form_msg, Field, FormError};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

/// The buyer's page for a Finnish bank-link refund: give the account to send it to.
#[component]
pub fn RefundAccount() -> impl IntoView {
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
    let claim = Resource::new(
        {
            let t = token.clone();
            move || t.clone()
        },
        get_refund_claim,
    );
    let action = ServerAction::<GiveRefundAccount>::new();
    let sent = move || match action.value().get() {
        Some(Ok(amount)) => Some(amount),
        _ => None,
    };
    view! {
        <AuthCard title="Your refund">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match claim.await {
                            Ok(c) if c.state == "open" => view! {
                                {move || {
                                    let (c, token) = (c.clone(), token.clone());
                                    match sent() {
                                    Some(amount) => view! {
                                        <p class="banner ok" role="status">{format!("Thank you. {} is on its way to your account; banks usually take 1–2 working days.", amount.human())}</p>
                                    }.into_any(),
                                    None => view! {
                                        <p>{format!("{} ({}) is refunding {} of your payment {}.", c.merchant, c.shop, c.amount.human(), c.reference)}</p>
                                        <p class="muted">"Give the bank account to send it to. This link works until "{c.expires.clone()}"."</p>
                                        <FormError message=Signal::derive(move || match action.value().get() {
                                            Some(Err(AppError::Validation(_))) => None,
                                            _ => form_msg(action).get(),
                                        }) />
                                        <ActionForm action=action>
                                            <input type="hidden" name="token" value=token />
                                            <Field label="Account holder" name="holder" autocomplete="name" required=true error=field_msg(action, "holder") />
                                            <Field label="IBAN" name="iban" autocomplete="off" hint="For example FI21 1234 5600 0007 85. Spaces are fine." required=true error=field_msg(action, "iban") />
                                            <button type="submit" class="primary" disabled=move || action.pending().get()>"Send me the refund"</button>
                                        </ActionForm>
                                    }.into_any(),
                                }}}
                            }.into_any(),
                            Ok(c) if c.state == "done" => view! {
                                <p class="banner ok" role="status">{format!("The refund of {} for payment {} has been sent to your account.", c.amount.human(), c.reference)}</p>
                            }.into_any(),
                            Ok(c) => view! {
                                <p class="banner error" role="alert">{format!("This link has expired. Ask {} for the refund of payment {} again.", c.merchant, c.reference)}</p>
                            }.into_any(),
                            Err(_) => view! {
                                <p class="banner error" role="alert">"This refund link is not valid. Check that you opened the whole address from the e-mail."</p>
                            }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </AuthCard>
    }
}
