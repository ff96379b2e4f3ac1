//! Payment links of the shop: make one (admin and info & refunds), copy it, show its QR
//! code, send it as an invoice; list, filter and deactivate them.

use crate::api::payment_links::{
    list_payment_links, CreatePaymentLink, DeactivatePaymentLink, LinkRow, NewLink,
    SendPaymentLink, STATUSES,
};
use crate::api::shop::ShopContext;
use crate::components::copy::{copy_to_clipboard, select_on_focus};
use crate::components::form::{field_msg, form_msg, ErrorPage, Field, FormError};
use crate::domain::payment_link::{
    DEFAULT_EXPIRY_DAYS, LANGUAGES, MAX_EXPIRY_DAYS, MAX_REFERENCE_CHARS,
};
use crate::domain::Permission;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PaymentLinks() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let shop = ctx.slug.clone();
    let can_create = ctx.can(Permission::CreatePaymentLinks);
    let create = ServerAction::<CreatePaymentLink>::new();
    let deactivate = ServerAction::<DeactivatePaymentLink>::new();
    let send = ServerAction::<SendPaymentLink>::new();
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            (
                q.get("status").unwrap_or_default(),
                q.get("q").unwrap_or_default(),
            )
        })
    };
    let before = move || query.with(|q| q.get("before").unwrap_or_default());
    let links = Resource::new(
        {
            let shop = shop.clone();
            move || {
                (
                    shop.clone(),
                    filter(),
                    before(),
                    create.version().get(),
                    deactivate.version().get(),
                )
            }
        },
        |(shop, (status, q), before, ..)| {
            list_payment_links(shop, Some(status), Some(q), Some(before))
        },
    );
    let created = move || match create.value().get() {
        Some(Ok(link)) => Some(link),
        _ => None,
    };
    view! {
        <Title text="Payment links" />
        <section class="panel">
            <h1>"Payment links"</h1>
            <p class="muted">"A link opens a payment page where the buyer pays with their bank or card. The payment then appears among the transactions."</p>
            {if can_create {
                view! { <CreateForm shop=shop.clone() create=create /> }.into_any()
            } else {
                view! { <p class="muted">"Your role can see the links; an admin or a user with refunds can make them."</p> }.into_any()
            }}
        </section>
        {move || created().map(|link| view! { <Created link=link shop=shop.clone() send=send /> })}
        <section class="panel">
            <h2>"Links"</h2>
            {
                // The form starts from the URL as loaded; a new filter is a new page load.
                let (status, q) = query.with_untracked(|q| {
                    (q.get("status").unwrap_or_default(), q.get("q").unwrap_or_default())
                });
                view! { <FilterForm status q /> }
            }
            <FormError message=form_msg(deactivate) />
            <div aria-live="polite">{move || match send.value().get() {
                Some(Ok(to)) if created().is_none() => Some(view! { <p class="banner ok" role="status">{format!("Invoice sent to {to}.")}</p> }),
                _ => None,
            }}</div>
            {move || created().is_none().then(|| view! { <FormError message=form_msg(send) /> })}
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading links…"</p> }>
                {
                    let shop = ctx.slug.clone();
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            match links.await {
                                Ok(page) => {
                                    let (status, q) = filter();
                                    let filtered = !status.is_empty() || !q.is_empty();
                                    view! {
                                        <LinkTable rows=page.rows shop can_create deactivate send filtered />
                                        <Pager next=page.next older=page.older status q />
                                    }
                                    .into_any()
                                }
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
fn CreateForm(shop: String, create: ServerAction<CreatePaymentLink>) -> impl IntoView {
    view! {
        <h2>"New payment link"</h2>
        <FormError message=form_msg(create) />
        <ActionForm action=create attr:class="grid-form link-form">
            <input type="hidden" name="shop" value=shop />
            <Field label="Amount (EUR)" name="link[amount]" required=true hint="Cents after a comma or a dot, e.g. 49,90." error=field_msg(create, "amount") />
            <Field label="Reference" name="link[reference]" required=true maxlength=MAX_REFERENCE_CHARS
                hint=format!("What you will recognise on the statement, e.g. \"Order 123 extra payment\" (at most {MAX_REFERENCE_CHARS} characters).")
                error=field_msg(create, "reference") />
            <div class="field wide">
                <label for="f-link-description">"Description for the buyer (optional)"</label>
                <textarea id="f-link-description" name="link[description]" rows="2"
                    aria-invalid=move || field_msg(create, "description").get().is_some().then_some("true")></textarea>
                {move || field_msg(create, "description").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <Field label="Buyer's name (optional)" name="link[buyer_name]" autocomplete="off" error=field_msg(create, "buyer_name") />
            <Field label="Buyer's e-mail (optional)" name="link[buyer_email]" kind="email" autocomplete="off" error=field_msg(create, "buyer_email") />
            <div class="field">
                <label for="f-link-language">"Payment page language"</label>
                <select id="f-link-language" name="link[language]">
                    <option value="">"The shop's default"</option>
                    {LANGUAGES.iter().map(|(code, name)| view! { <option value=*code>{*name}</option> }).collect_view()}
                </select>
                {move || field_msg(create, "language").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </div>
            <Field label="Valid for (days)" name="link[expires_days]" kind="number" value=DEFAULT_EXPIRY_DAYS.to_string()
                hint=format!("1 to {MAX_EXPIRY_DAYS} days.") error=field_msg(create, "expires_days") />
            <fieldset class="field">
                <legend>"Use"</legend>
                <label class="inline"><input type="radio" name="link[usage]" value="" checked=true />" Single use"</label>
                <label class="inline"><input type="radio" name="link[usage]" value="reusable" />" Reusable"</label>
                {move || field_msg(create, "usage").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
            <Field label="Most payments (reusable links, optional)" name="link[max_payments]" kind="number"
                hint="Leave empty for no limit." error=field_msg(create, "max_payments") />
            <button type="submit" class="primary" disabled=move || create.pending().get()>
                {move || if create.pending().get() { "Making the link…" } else { "Make the link" }}
            </button>
        </ActionForm>
    }
    .into_any()
}

#[component]
fn Created(link: NewLink, shop: String, send: ServerAction<SendPaymentLink>) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let url = link.url.clone();
    let sent = move || match send.value().get() {
        Some(Ok(to)) => Some(format!("Invoice sent to {to}.")),
        _ => None,
    };
    view! {
        <section class="panel created" aria-labelledby="created-title">
            <h2 id="created-title">
                {link.test_mode.then(|| view! { <span class="badge test-mode">"Test link"</span>" " })}
                "Link ready: "{link.amount.human()}" · "{link.reference.clone()}
            </h2>
            {link.test_mode.then(|| view! {
                <p class="muted">"Payments through this link go to the test bank: no money moves, and they show only in test data."</p>
            })}
            <div class="created-grid">
                <div>
                    <div class="field">
                        <label for="created-url">"Payment link"</label>
                        <div class="copy-row">
                            <input id="created-url" readonly=true value=link.url.clone() on:focus=select_on_focus />
                            <button type="button" on:click=move |_| copy_to_clipboard(url.clone(), copied)>"Copy link"</button>
                        </div>
                        <p class="hint" aria-live="polite">{move || match copied.get() {
                            Some(true) => "Copied to the clipboard.",
                            Some(false) => "Copying was not allowed here: select the address and copy it yourself.",
                            None => "",
                        }}</p>
                    </div>
                    <p class="muted">"Valid until "{link.expires.clone()}". "<a href=link.url.clone() target="_blank" rel="noopener">"Open the payment page"</a></p>
                    <h3>"Send as invoice"</h3>
                    <div aria-live="polite">{move || sent().map(|m| view! { <p class="banner ok" role="status">{m}</p> })}</div>
                    <FormError message=form_msg(send) />
                    <ActionForm action=send attr:class="grid-form">
                        <input type="hidden" name="shop" value=shop />
                        <input type="hidden" name="id" value=link.id.to_string() />
                        <Field label="Buyer's e-mail" name="email" kind="email" required=true id_prefix="send-"
                            value=link.buyer_email.clone().unwrap_or_default() error=field_msg(send, "email")
                            hint="The invoice is written in the payment page's language." />
                        <button type="submit" class="primary" disabled=move || send.pending().get()>
                            {move || if send.pending().get() { "Sending…" } else { "Send the invoice" }}
                        </button>
                    </ActionForm>
                </div>
                <figure class="qr">
                    <div role="img" aria-label="QR code of the payment link" inner_html=link.qr_svg.clone()></div>
                    <figcaption class="muted">"Scan to pay"</figcaption>
                </figure>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn FilterForm(status: String, q: String) -> impl IntoView {
    view! {
        <form method="get" class="filters" aria-label="Filter links">
            <div class="field">
                <label for="links-status">"Status"</label>
                <select id="links-status" name="status">
                    {STATUSES.iter().map(|(code, label)| view! { <option value=*code selected=status == *code>{*label}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="links-q">"Search"</label>
                <input id="links-q" name="q" type="search" value=q placeholder="Reference, buyer or description" />
            </div>
            <button type="submit">"Filter"</button>
        </form>
    }
    .into_any()
}

/// Older and newest links, keeping the filter.
#[component]
fn Pager(next: Option<String>, older: bool, status: String, q: String) -> impl IntoView {
    let base = {
        let mut parts = Vec::new();
        if !status.is_empty() {
            parts.push(format!("status={}", urlencoding(&status)));
        }
        if !q.is_empty() {
            parts.push(format!("q={}", urlencoding(&q)));
        }
        parts
    };
    let href = move |before: Option<&str>| {
        let mut parts = base.clone();
        if let Some(b) = before {
            parts.push(format!("before={}", urlencoding(b)));
        }
        if parts.is_empty() {
            "?".to_string()
        } else {
            format!("?{}", parts.join("&"))
        }
    };
    (older || next.is_some()).then(|| {
        view! {
            <nav class="pager" aria-label="Pages of links">
                {older.then(|| view! { <a href=href(None)>"← Newest links"</a> })}
                {next.as_deref().map(|n| view! { <a href=href(Some(n)) rel="next">"Older links →"</a> })}
            </nav>
        }
    })
}

/// A query-string value, percent-encoded.
fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn LinkTable(
    rows: Vec<LinkRow>,
    shop: String,
    can_create: bool,
    deactivate: ServerAction<DeactivatePaymentLink>,
    send: ServerAction<SendPaymentLink>,
    filtered: bool,
) -> impl IntoView {
    if rows.is_empty() {
        let text = if filtered {
            "No link matches this filter."
        } else {
            "No payment links yet. Make one above and send it to your buyer."
        };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="stack links">
                <caption class="sr-only">"Payment links of this shop"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Reference"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Payments"</th>
                        <th scope="col">"Buyer"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Valid until"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(move |r| {
                        // The same pill as a payment's status, with the filter's words.
                        let pill = format!("status link-{}", r.status);
                        let status_label = crate::model::payment_links::STATUSES
                            .iter()
                            .find(|(code, _)| *code == r.status)
                            .map(|(_, label)| *label)
                            .unwrap_or("Unknown");
                        let payments = match (r.reusable, r.max_payments) {
                            (false, _) => format!("{} (single use)", r.payments_made),
                            (true, Some(max)) => format!("{} of {max}", r.payments_made),
                            (true, None) => format!("{} (reusable)", r.payments_made),
                        };
                        let active = r.status == "active";
                        let label = format!("Deactivate link {}", r.reference);
                        let msg_id = format!("deactivate-{}", r.id);
                        let send_id = format!("send-{}", r.id);
                        let send_label = format!("Send link {} as an invoice", r.reference);
                        let (shop, shop_send, shop_list) = (shop.clone(), shop.clone(), shop.clone());
                        view! {
                            <tr>
                                <td data-label="Reference"><a href=r.url.clone()>{r.reference.clone()}</a></td>
                                <td data-label="Amount" class="num">{r.amount.human()}</td>
                                <td data-label="Status">
                                    <span class=pill>{status_label}</span>
                                    {r.message.clone().map(|m| view! { <small class="muted">" “"{m}"”"</small> })}
                                </td>
                                <td data-label="Payments">
                                    <a href=format!("/shops/{shop_list}/transactions?link={}", r.id)
                                        aria-label=format!("Payments of link {}: {payments}", r.reference)>{payments.clone()}</a>
                                </td>
                                <td data-label="Buyer">{r.buyer_email.clone().unwrap_or_else(|| "—".into())}</td>
                                <td data-label="Created">{r.created.clone()}<br /><small class="muted">{r.created_by.clone()}</small></td>
                                <td data-label="Valid until">{r.expires.clone()}</td>
                                <td data-label="Actions">
                                    {(can_create && active).then(|| view! {
                                        <details class="row-action send">
                                            <summary aria-label=send_label.clone()>"Send"</summary>
                                            <ActionForm action=send attr:class="inline-form">
                                                <input type="hidden" name="shop" value=shop_send />
                                                <input type="hidden" name="id" value=r.id.to_string() />
                                                <label for=send_id.clone()>"Buyer's e-mail"</label>
                                                <input id=send_id.clone() name="email" type="email" required=true
                                                    value=r.buyer_email.clone().unwrap_or_default() />
                                                <button type="submit">"Send the invoice"</button>
                                            </ActionForm>
                                        </details>
                                        <details class="row-action">
                                            <summary aria-label=label.clone()>"Deactivate"</summary>
                                            <ActionForm action=deactivate attr:class="inline-form">
                                                <input type="hidden" name="shop" value=shop />
                                                <input type="hidden" name="id" value=r.id.to_string() />
                                                <label for=msg_id.clone()>"Message to the buyer (optional)"</label>
                                                <input id=msg_id name="message" maxlength="300" />
                                                <button type="submit" class="danger">"Deactivate"</button>
                                            </ActionForm>
                                        </details>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
