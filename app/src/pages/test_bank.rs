//! The test connector's bank, `/test-bank/{token}/{payment}`: stands in for the bank's or card
//! issuer's page. The buyer approves, declines or cancels; a card payment first asks for its
//! details and then for a 3-D Secure code. Plain forms, so it works without JavaScript.

use crate::api::pay::{test_bank_page, BankPage};
use crate::components::badge::ChannelBadge;
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn TestBank() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let (token, payment) = params.with_untracked(|p| {
        (
            p.get("token").unwrap_or_default(),
            p.get("payment")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
        )
    });
    let q = move |k: &str| query.with(|m| m.get(k));
    let page = Resource::new(
        {
            let token = token.clone();
            move || (token.clone(), q("lang"))
        },
        move |(token, lang)| test_bank_page(token, payment, lang),
    );
    view! {
        <Suspense fallback=|| view! { <main class="pay"><p class="loading">"…"</p></main> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match page.await {
                        Ok(p) => {
                            let step = q("step").unwrap_or_default();
                            let wrong = q("wrong").is_some();
                            view! { <BankView page=p token=token payment=payment step=step wrong=wrong /> }.into_any()
                        }
                        Err(_) => {
                            let l = q("lang").as_deref().and_then(Lang::parse).unwrap_or(Lang::En);
                            view! {
                                <Html {..} lang=l.code() />
                                <main id="main" class="pay" lang=l.code()>
                                    <div class="pay-card">
                                        <h1>{l.t("link-unknown-title")}</h1>
                                        <p>{l.t("link-unknown-text")}</p>
                                    </div>
                                </main>
                            }.into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn BankView(
    page: BankPage,
    token: String,
    payment: i64,
    step: String,
    wrong: bool,
) -> impl IntoView {
    let l = page.lang;
    let action = format!("/test-bank/{token}/{payment}");
    let back = format!("/pay/{token}/return/{payment}");
    let summary = view! {
        <dl class="pay-summary">
            <div><dt>{l.tf("bank-pay-to", &[("merchant", &page.merchant)])}</dt><dd>{page.reference.clone()}</dd></div>
            <div class="amount"><dt>{l.t("pay-amount")}</dt><dd>{l.money(page.amount)}</dd></div>
        </dl>
    };
    let title = if page.card {
        l.t("card-title")
    } else {
        l.tf("bank-title", &[("bank", &page.bank)])
    };
    let body = if page.decided {
        view! {
            <p>{l.t("bank-done")}</p>
            <p><a class="button primary" href=back>{l.t("error-try-again")}</a></p>
        }
        .into_any()
    } else if page.card && step == "3ds" {
        view! {
            <h2>{l.t("tds-title")}</h2>
            <p>{l.tf("tds-text", &[("amount", &l.money(page.amount)), ("merchant", &page.merchant), ("code", &page.code)])}</p>
            {wrong.then(|| view! { <p class="banner error" role="alert">{l.tf("tds-wrong-code", &[("code", &page.code)])}</p> })}
            <form method="post" action=action.clone()>
                <input type="hidden" name="lang" value=l.code() />
                <div class="field">
                    <label for="tds-code">{l.t("tds-code")}</label>
                    <input id="tds-code" name="code" inputmode="numeric" autocomplete="one-time-code" required=true />
                </div>
                <div class="actions">
                    <button type="submit" name="choice" value="confirm" class="primary">{l.t("tds-confirm")}</button>
                    <button type="submit" name="choice" value="cancel" formnovalidate=true>{l.t("bank-cancel")}</button>
                </div>
            </form>
        }
        .into_any()
    } else if page.card {
        view! {
            {summary}
            <form method="post" action=action.clone()>
                <input type="hidden" name="lang" value=l.code() />
                <p class="muted">{l.t("card-test-values")}</p>
                <div class="field">
                    <label for="card-number">{l.t("card-number")}</label>
                    <input id="card-number" value="4111 1111 1111 1111" readonly=true autocomplete="off" />
                </div>
                <div class="field-row">
                    <div class="field">
                        <label for="card-expiry">{l.t("card-expiry")}</label>
                        <input id="card-expiry" value="12/30" readonly=true autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="card-cvc">{l.t("card-cvc")}</label>
                        <input id="card-cvc" value="123" readonly=true autocomplete="off" />
                    </div>
                </div>
                <div class="actions">
                    <button type="submit" name="choice" value="card" class="primary">{l.t("card-continue")}</button>
                    <button type="submit" name="choice" value="decline">{l.t("bank-decline")}</button>
                    <button type="submit" name="choice" value="cancel">{l.t("bank-cancel")}</button>
                </div>
            </form>
        }
        .into_any()
    } else {
        view! {
            {summary}
            <form method="post" action=action.clone()>
                <input type="hidden" name="lang" value=l.code() />
                <div class="actions">
                    <button type="submit" name="choice" value="approve" class="primary">{l.t("bank-approve")}</button>
                    <button type="submit" name="choice" value="decline">{l.t("bank-decline")}</button>
                    <button type="submit" name="choice" value="cancel">{l.t("bank-cancel")}</button>
                </div>
            </form>
        }
        .into_any()
    };
    view! {
        <Title text=title.clone() />
        <Html {..} lang=l.code() />
        <main id="main" class="pay test-bank" lang=l.code()>
            <div class="pay-card">
                <div class="bank-head">
                    <ChannelBadge channel=page.channel.clone() />
                    <h1>{title}</h1>
                </div>
                <p class="banner">{l.t("bank-notice")}</p>
                {body}
            </div>
        </main>
    }
}
