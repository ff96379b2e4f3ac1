//! One payout: its amount, day, account and status, why it is this much (lines that add up
//! to it to the cent, each linking to the statement's movements of its types), and the
//! payments it covers.

use crate::api::payouts::{load_payout, PayoutDetail};
use crate::api::shop::ShopContext;
use crate::components::form::ErrorPage;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn Payout() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let shop = ctx.slug.clone();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0));
    let payout = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), id())
        },
        |(shop, id)| load_payout(shop, id),
    );
    view! {
        <Title text="Payout" />
        <section class="panel">
            <p><a href=format!("/shops/{shop}/payouts")>"← Payouts"</a></p>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the payout…"</p> }>
                {
                    let shop = shop.clone();
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            match payout.await {
                                Ok(p) => view! { <Detail p shop /> }.into_any(),
                                Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </section>
    }
}

#[component]
fn Detail(p: PayoutDetail, shop: String) -> impl IntoView {
    let statement = |kinds: &[String]| {
        let kind = if kinds.len() == 1 {
            format!("&kind={}", kinds[0])
        } else {
            String::new()
        };
        format!(
            "/shops/{shop}/statement?period=custom&from={}&to={}{kind}",
            if p.from.is_empty() {
                p.to.clone()
            } else {
                p.from.clone()
            },
            p.to
        )
    };
    let lines = p
        .lines
        .iter()
        .map(|l| {
            let link = (!l.kinds.is_empty()).then(|| statement(&l.kinds));
            view! {
                <tr>
                    <th scope="row">
                        {match link {
                            Some(href) => view! { <a href=href>{l.label.clone()}</a> }.into_any(),
                            None => view! { <span>{l.label.clone()}</span> }.into_any(),
                        }}
                        {(l.entries > 0).then(|| view! { <small class="muted">{format!(" ({} movements: {})", l.entries, l.kinds.join(", "))}</small> })}
                    </th>
                    <td class="num">{l.amount.human()}</td>
                </tr>
            }
        })
        .collect_view();
    let payments = p
        .payments
        .iter()
        .map(|(id, reference, amount)| {
            view! {
                <li><a href=format!("/shops/{shop}/transactions/{id}")>{reference.clone()}</a>" "{amount.human()}</li>
            }
        })
        .collect_view();
    view! {
        <h1>{format!("Payout of {} on {}", p.row.amount.human(), p.row.date)}</h1>
        <dl class="facts">
            <div><dt>"Status"</dt><dd>{if p.row.status == "sent" { "Sent to the bank" } else { "Scheduled" }}</dd></div>
            <div><dt>"To"</dt><dd>{format!("{}, {}", p.iban, p.holder)}</dd></div>
            <div><dt>"Payments paid out"</dt><dd>{p.row.payments}</dd></div>
        </dl>
        <section aria-labelledby="why-title">
            <h2 id="why-title">"Why this amount"</h2>
            <div class="table-wrap">
                <table class="breakdown">
                    <caption class="sr-only">"The payout, line by line"</caption>
                    <tbody>{lines}</tbody>
                    <tfoot>
                        <tr><th scope="row">"Payout"</th><td class="num" data-testid="payout-total">{p.row.amount.human()}</td></tr>
                    </tfoot>
                </table>
            </div>
            <p class="muted small">"Movements since the previous payout; each line links to them on the statement."</p>
        </section>
        <section aria-labelledby="paid-title">
            <h2 id="paid-title">"Payments in this payout"</h2>
            {if p.payments.is_empty() {
                view! { <p class="empty">"No payment: this payout paid money carried from before."</p> }.into_any()
            } else {
                view! { <ul class="payout-payments">{payments}</ul> }.into_any()
            }}
        </section>
    }
}
