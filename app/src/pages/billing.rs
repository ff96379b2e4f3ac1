//! Billing: the price list in force with every rule written out, this month's fees so far,
//! and the monthly fee invoices (download as PDF, each line linked to the statement
//! movements it sums; admins send an invoice again).

use crate::api::billing::{load_billing, BillingView, FeeLineView, InvoiceRow, SendInvoice};
use crate::api::shop::ShopContext;
use crate::components::form::{form_msg, ErrorPage, FormError};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Billing() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let shop = ctx.slug.clone();
    let send = ServerAction::<SendInvoice>::new();
    let billing = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), send.version().get())
        },
        |(shop, _)| load_billing(shop),
    );
    view! {
        <Title text="Billing" />
        <h1>"Billing"</h1>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading billing…"</p> }>
            {
                let shop = shop.clone();
                move || {
                    let shop = shop.clone();
                    Suspend::new(async move {
                        match billing.await {
                            Ok(b) => view! { <Page b shop send /> }.into_any(),
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
fn Page(b: BillingView, shop: String, send: ServerAction<SendInvoice>) -> impl IntoView {
    let p = b.price_list.clone();
    let offer = p.until.clone().map(|until| {
        view! {
            <p class="banner info" data-testid="offer-ends">
                {format!(
                    "This special offer applies until {until}; from the day after, the {} applies.",
                    p.after.clone().unwrap_or_else(|| "standard price list".into())
                )}
            </p>
        }
    });
    let mail_note = match &b.invoice_email {
        Some(to) => format!("Each month's invoice is e-mailed to {to} when it is issued."),
        None => "No invoice e-mail is set: invoices are not e-mailed, they wait here.".to_string(),
    };
    view! {
        <section class="panel" aria-labelledby="prices-title">
            <h2 id="prices-title">"Price list in force"</h2>
            <p data-testid="price-list"><strong>{p.kind.clone()}</strong>{format!(" \u{201c}{}\u{201d}", p.name)}</p>
            {offer}
            <h3>"Transaction fees"</h3>
            <ul data-testid="fee-rules">{p.rules.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
            <h3>"Monthly fees"</h3>
            <ul data-testid="monthly-rules">{p.monthly.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
            <p class="muted small">"Monthly fees are deducted in full on the month's last day, even if a service started mid-month. Each fee's VAT is rounded to the cent; on the 1st a VAT correction makes the month's VAT exactly the rate of its fees."</p>
        </section>
        <Estimate b=b.clone() />
        <section class="panel" aria-labelledby="invoices-title">
            <h2 id="invoices-title">"Invoices"</h2>
            <p class="muted">"Fee invoices are for your records: the fees were already deducted from your balance, there is nothing to pay. Last month's invoice is issued on the 1st. "{mail_note}</p>
            <div aria-live="polite">
                {move || match send.value().get() {
                    Some(Ok(to)) => Some(view! { <p class="banner ok" role="status">{format!("Queued for {to}; the status says Sent once the mail has gone out.")}</p> }),
                    _ => None,
                }}
            </div>
            <FormError message=form_msg(send) />
            <Invoices rows=b.invoices.clone() shop can_send=b.can_send send />
        </section>
    }
}

#[component]
fn Estimate(b: BillingView) -> impl IntoView {
    let e = b.estimate;
    let empty = e.lines.is_empty() && e.expected.is_empty();
    view! {
        <section class="panel" aria-labelledby="estimate-title">
            <h2 id="estimate-title">{format!("{} so far (estimate)", e.period)}</h2>
            {if empty {
                view! { <p class="empty">"No fees so far this month."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="stack fee-lines" data-testid="estimate">
                            <caption class="sr-only">"This month's fees so far"</caption>
                            <thead><tr>
                                <th scope="col">"Fee"</th>
                                <th scope="col" class="num">"Entries"</th>
                                <th scope="col" class="num">"Net (EUR)"</th>
                                <th scope="col" class="num">"VAT (EUR)"</th>
                            </tr></thead>
                            <tbody>
                                <Lines lines=e.lines.clone() />
                                {e.expected.iter().map(|(label, fee, vat)| view! {
                                    <tr class="muted">
                                        <td data-label="Fee">{label.clone()}</td>
                                        <td data-label="Entries" class="num">"1"</td>
                                        <td data-label="Net (EUR)" class="num">{fee.human()}</td>
                                        <td data-label="VAT (EUR)" class="num">{vat.human()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                            <tfoot><tr>
                                <th scope="row">"Total"</th>
                                <td></td>
                                <td class="num">{e.net.human()}</td>
                                <td class="num">{e.vat.human()}</td>
                            </tr>
                            <tr>
                                <th scope="row">"Total with VAT"</th>
                                <td></td>
                                <td class="num" data-testid="estimate-total">{e.total.human()}</td>
                                <td></td>
                            </tr></tfoot>
                        </table>
                    </div>
                }.into_any()
            }}
            <p class="muted small">"An estimate: more payments, refunds and the VAT correction can still change it until the invoice is issued."</p>
        </section>
    }
}

/// Fee lines, each with a link to the statement movements it sums.
#[component]
fn Lines(lines: Vec<FeeLineView>) -> impl IntoView {
    lines
        .into_iter()
        .map(|l| {
            view! {
                <tr>
                    <td data-label="Fee">
                        <a href=l.movements.clone() title=format!("The {} movements on the statement", l.code)>{l.label.clone()}</a>
                        " "<span class="muted small">{l.code.clone()}</span>
                    </td>
                    <td data-label="Entries" class="num">{l.quantity}</td>
                    <td data-label="Net (EUR)" class="num">{l.net.human()}</td>
                    <td data-label="VAT (EUR)" class="num">{l.vat.human()}</td>
                </tr>
            }
        })
        .collect_view()
}

#[component]
fn Invoices(
    rows: Vec<InvoiceRow>,
    shop: String,
    can_send: bool,
    send: ServerAction<SendInvoice>,
) -> impl IntoView {
    if rows.is_empty() {
        return view! {
            <p class="empty">"No invoices yet. The first is issued on the 1st of the month after the shop's first fees."</p>
        }
        .into_any();
    }
    let items = rows
        .into_iter()
        .map(|r| {
            let shop = shop.clone();
            let title = format!("{} {} — {}", r.kind, r.number, r.period);
            let send_label = format!("Send {} again", r.number);
            view! {
                <li class="invoice" data-testid="invoice" data-number=r.number.clone()>
                    <div class="invoice-head">
                        <h3>{title}</h3>
                        <dl class="invoice-facts">
                            <div><dt>"Issued"</dt><dd>{r.issued_on.clone()}</dd></div>
                            <div><dt>"Net"</dt><dd class="num">{r.net.human()}</dd></div>
                            <div><dt>"VAT"</dt><dd class="num">{r.vat.human()}</dd></div>
                            <div><dt>"Total"</dt><dd class="num"><strong>{r.total.human()}</strong></dd></div>
                            <div><dt>"Status"</dt><dd data-testid="invoice-status">{r.status.clone()}</dd></div>
                        </dl>
                        <div class="actions">
                            <a class="button-link" href=r.download.clone() download="" rel="external">{format!("Download PDF ({})", r.number)}</a>
                            {can_send.then(|| view! {
                                <ActionForm action=send attr:class="inline-form">
                                    <input type="hidden" name="shop" value=shop.clone() />
                                    <input type="hidden" name="id" value=r.id.to_string() />
                                    <button type="submit" disabled=move || send.pending().get()>
                                        {send_label.clone()}
                                    </button>
                                </ActionForm>
                            })}
                        </div>
                    </div>
                    <details>
                        <summary>{format!("Lines of {}", r.number)}</summary>
                        <div class="table-wrap">
                            <table class="stack fee-lines">
                                <caption class="sr-only">{format!("Lines of {}", r.number)}</caption>
                                <thead><tr>
                                    <th scope="col">"Fee"</th>
                                    <th scope="col" class="num">"Entries"</th>
                                    <th scope="col" class="num">"Net (EUR)"</th>
                                    <th scope="col" class="num">"VAT (EUR)"</th>
                                </tr></thead>
                                <tbody><Lines lines=r.lines.clone() /></tbody>
                            </table>
                        </div>
                    </details>
                </li>
            }
        })
        .collect_view();
    view! { <ul class="invoices">{items}</ul> }.into_any()
}
