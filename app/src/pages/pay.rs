//! The hosted payment page, `/pay/{token}`: public, in the buyer's language, and complete
//! without JavaScript — the language switcher is links and paying is a plain form post.

use crate::api::pay::{pay_page, LinkState, MethodGroup, Outcome, PaymentPage, PaymentResult};
use crate::components::badge::ChannelBadge;
use crate::i18n::Lang;
use leptos::prelude::*;
use leptos_meta::{Html, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

/// Error keys the page shows when the start of a payment was refused (anything else in the
/// address is ignored, so a crafted link cannot put words on the page).
const ERRORS: [&str; 7] = [
    "error-choose-method",
    "error-method-unavailable",
    "error-below-minimum",
    "error-email",
    "error-internal",
    "error-too-many",
    "error-no-connector",
];

#[component]
pub fn Pay() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
    let args = move || {
        query.with(|q| {
            (
                q.get("lang"),
                q.get("payment").and_then(|p| p.parse::<i64>().ok()),
                q.get("error").filter(|e| ERRORS.contains(&e.as_str())),
            )
        })
    };
    let page = Resource::new(
        {
            let token = token.clone();
            move || (token.clone(), args())
        },
        |(token, (lang, payment, _))| pay_page(token, lang, payment),
    );
    view! {
        <Suspense fallback=|| view! { <main class="pay"><p class="loading">"…"</p></main> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    let error = args().2;
                    match page.await {
                        Ok(p) => view! { <PayView page=p token=token error=error /> }.into_any(),
                        Err(_) => {
                            let l = args().0.as_deref().and_then(Lang::parse).unwrap_or(Lang::En);
                            view! {
                                <Html {..} lang=l.code() />
                                <main id="main" class="pay" lang=l.code()>
                                    <div class="pay-card">
                                        <h1>{l.t("error-title")}</h1>
                                        <p>{l.t("error-internal")}</p>
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
fn PayView(page: PaymentPage, token: String, error: Option<String>) -> impl IntoView {
    let l = page.lang;
    let payment = page.result.as_ref().map(|r| r.id);
    let switcher = Lang::ALL
        .into_iter()
        .map(|other| {
            let href = match payment {
                Some(id) => format!("/pay/{token}?lang={}&payment={id}", other.code()),
                None => format!("/pay/{token}?lang={}", other.code()),
            };
            view! {
                <li>
                    <a href=href hreflang=other.code() lang=other.code()
                        aria-current=(other == l).then_some("true")>{other.name()}</a>
                </li>
            }
        })
        .collect_view();
    let body = match &page.state {
        LinkState::Unknown => notice(l.t("link-unknown-title"), l.t("link-unknown-text"), None),
        LinkState::Expired => notice(l.t("link-expired-title"), l.t("link-expired-text"), None),
        LinkState::Deactivated(message) => notice(
            l.t("link-deactivated-title"),
            l.t("link-deactivated-text"),
            message
                .clone()
                .map(|m| (l.t("link-deactivated-message"), m)),
        ),
        LinkState::Paid
            if page
                .result
                .as_ref()
                .is_none_or(|r| r.outcome != Outcome::Paid) =>
        {
            notice(l.t("link-paid-title"), l.t("link-paid-text"), None)
        }
        _ => payable(&page, &token, error).into_any(),
    };
    let title = match page.state {
        LinkState::Payable | LinkState::Paid if !page.merchant.is_empty() => {
            l.tf("pay-title", &[("merchant", &page.merchant)])
        }
        LinkState::Paid => l.t("link-paid-title"),
        LinkState::Expired => l.t("link-expired-title"),
        LinkState::Deactivated(_) => l.t("link-deactivated-title"),
        _ => l.t("link-unknown-title"),
    };
    view! {
        <Title text=title />
        <Html {..} lang=l.code() />
        <main id="main" class="pay" lang=l.code()>
            <nav class="langs" aria-label=l.t("language-switcher")>
                <ul>{switcher}</ul>
            </nav>
            <div class="pay-card">{body}</div>
            <p class="pay-foot muted">{l.t("pay-secure")}</p>
        </main>
    }
}

fn notice(title: String, text: String, message: Option<(String, String)>) -> AnyView {
    view! {
        <h1>{title}</h1>
        <p>{text}</p>
        {message.map(|(label, m)| view! {
            <div class="seller-message"><p class="muted">{label}</p><p>{m}</p></div>
        })}
    }
    .into_any()
}

fn payable(page: &PaymentPage, token: &str, error: Option<String>) -> impl IntoView {
    let l = page.lang;
    let result = page
        .result
        .clone()
        .map(|r| result_banner(l, &page.merchant, &page.amount, r));
    let can_pay = page.state == LinkState::Payable
        && page
            .result
            .as_ref()
            .is_none_or(|r| r.outcome != Outcome::Paid);
    let cannot_take = can_pay && page.cannot_take_payments;
    let form = (can_pay && !cannot_take).then(|| {
        let email_field = (!page.email_known).then(|| {
            view! {
                <div class="field">
                    <label for="pay-email">{l.t("pay-email")}</label>
                    <input id="pay-email" type="email" name="email" autocomplete="email"
                        aria-describedby="pay-email-hint" aria-invalid=(error.as_deref() == Some("error-email")).then_some("true") />
                    <p class="hint" id="pay-email-hint">{l.t("pay-email-hint")}</p>
                </div>
            }
        });
        let groups = if page.methods.is_empty() {
            view! { <p class="empty">{l.t("pay-no-methods")}</p> }.into_any()
        } else {
            page.methods.iter().map(|g| method_group(l, g)).collect_view().into_any()
        };
        view! {
            {error.map(|e| view! { <p class="banner error" role="alert">{l.t(&e)}</p> })}
            <form method="post" action=format!("/pay/{token}/start") class="pay-form">
                <input type="hidden" name="lang" value=l.code() />
                {email_field}
                <h2>{l.t("pay-choose")}</h2>
                {groups}
                <p class="muted">{l.t("pay-redirect-note")}</p>
            </form>
        }
    });
    view! {
        {page.test_mode.then(|| view! {
            <aside class="mode-banner test" aria-label=l.t("pay-test-label") data-testid="test-payment">{l.t("pay-test-mode")}</aside>
        })}
        <h1>{l.tf("pay-heading", &[("merchant", &page.merchant)])}</h1>
        <dl class="pay-summary">
            <div class="amount"><dt>{l.t("pay-amount")}</dt><dd>{l.money(page.amount)}</dd></div>
            <div><dt>{l.t("pay-reference")}</dt><dd>{page.reference.clone()}</dd></div>
            {page.description.clone().map(|d| view! { <div><dt>{l.t("pay-description")}</dt><dd>{d}</dd></div> })}
        </dl>
        {can_pay.then(|| view! { <p class="muted">{l.tf("pay-valid-until", &[("date", &page.valid_until)])}</p> })}
        {result}
        {cannot_take.then(|| view! { <p class="banner error" role="alert">{l.t("pay-cannot-take-payments")}</p> })}
        {form}
    }
}

fn method_group(l: Lang, g: &MethodGroup) -> impl IntoView {
    let legend = if g.country.is_empty() {
        l.t("pay-cards")
    } else {
        format!(
            "{} · {}",
            l.t("pay-bank-links"),
            l.t(&format!("country-{}", g.country))
        )
    };
    let buttons = g
        .methods
        .iter()
        .map(|m| {
            view! {
                <button type="submit" name="method" value=m.code.clone() class="method"
                    title=l.tf("pay-with", &[("method", &m.label)])>
                    <ChannelBadge channel=m.channel.clone() />
                    <span>{m.label.clone()}</span>
                </button>
            }
        })
        .collect_view();
    view! {
        <fieldset class="methods">
            <legend>{legend}</legend>
            <div class="method-grid">{buttons}</div>
        </fieldset>
    }
}

fn result_banner(
    l: Lang,
    merchant: &str,
    amount: &crate::domain::Money,
    r: PaymentResult,
) -> AnyView {
    match r.outcome {
        Outcome::Paid => view! {
            <div class="banner ok result" role="status">
                <h2>{l.t("result-paid-title")}</h2>
                <p>{l.tf("result-paid-text", &[("merchant", merchant), ("amount", &l.money(*amount))])}</p>
                {r.receipt_to.map(|e| view! { <p>{l.tf("result-receipt", &[("email", &e)])}</p> })}
                <p class="muted">{l.tf("result-payment-id", &[("id", &r.id.to_string())])}</p>
            </div>
        }
        .into_any(),
        Outcome::Failed | Outcome::Expired => view! {
            <div class="banner error result" role="alert">
                <h2>{l.t("result-failed-title")}</h2>
                <p>{if r.outcome == Outcome::Failed { l.t("result-failed-text") } else { l.t("result-expired-text") }}</p>
            </div>
        }
        .into_any(),
        Outcome::Pending => view! {
            <div class="banner result" role="status">
                <h2>{l.t("result-pending-title")}</h2>
                <p>{l.t("result-pending-text")}</p>
            </div>
        }
        .into_any(),
    }
}
