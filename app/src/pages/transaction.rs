use crate::api::refunds::{MakeRefund, PreviewRefund};
use crate::api::shop::ShopContext;
use crate::api::transactions::{get_transaction, MovementRow, RefundRow, TimelineEvent, TxDetail};
use crate::components::form::{field_msg, form_msg, ErrorPage, FormError};
use crate::domain::fees::Channel;
use crate::domain::status::PaymentStatus;
use crate::domain::tx_filter::status_label;
use crate::domain::Permission;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn refund_status_label(s: &str) -> &str {
    match s {
        "done" => "Refunded",
        "awaiting_account" => "Waiting for the buyer's account",
        "failed" => "Failed",
        other => other,
    }
}

/// One payment: summary, timeline, movements, refunds, fraud signals, and the refund form.
#[component]
pub fn Transaction() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok())));
    let refund = ServerAction::<MakeRefund>::new();
    let shop = ctx.slug.clone();
    let detail = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), id.get(), refund.version().get())
        },
        |(shop, id, _)| async move {
            match id {
                Some(id) => get_transaction(shop, id).await,
                None => Err(crate::error::AppError::NotFound),
            }
        },
    );
    let can_refund = ctx.can(Permission::MakeRefunds);
    let done_msg = move || match refund.value().get() {
        Some(Ok(o)) if o.status == "awaiting_account" => Some(format!(
            "{} is reserved. The refund is sent when the buyer gives a bank account.",
            o.amount.human()
        )),
        Some(Ok(o)) => Some(format!(
            "Refunded {}. The balance is now {}.",
            o.amount.human(),
            o.balance.human()
        )),
        _ => None,
    };
    view! {
        <div aria-live="polite">{move || done_msg().map(|m| view! { <p class="banner ok" role="status">{m}</p> })}</div>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the payment…"</p> }>
            {
                let shop = shop.clone();
                move || {
                    let shop = shop.clone();
                    Suspend::new(async move {
                        match detail.await {
                            Ok(d) => view! { <Detail d shop can_refund refund /> }.into_any(),
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
fn Detail(
    d: TxDetail,
    shop: String,
    can_refund: bool,
    refund: ServerAction<MakeRefund>,
) -> impl IntoView {
    let dash = || "—".to_string();
    let back = format!("/shops/{shop}/transactions");
    let refundable_now = d.refundable.is_positive();
    let title = format!("Payment {}", d.reference);
    let summary = view! {
        <Title text=title.clone() />
        <p><a href=back>"← All transactions"</a></p>
        <section class="panel">
            <h1>{title}" "<span class=format!("status status-{}", d.status)>{status_label(&d.status).to_string()}</span></h1>
            {d.test_mode.then(|| view! { <p class="badge info">"Test payment"</p> })}
            <dl class="stats">
                <div><dt>"Amount"</dt><dd>{d.amount.human()}</dd></div>
                <div><dt>"Fees"</dt><dd>{d.fees.human()}</dd></div>
                <div><dt>"VAT on fees"</dt><dd>{d.vat.human()}</dd></div>
                <div><dt>"Net"</dt><dd>{d.net.map(|n| n.human()).unwrap_or_else(dash)}</dd></div>
                <div><dt>"Refunded"</dt><dd data-testid="refunded">{d.refunded.human()}</dd></div>
                <div><dt>"Still refundable"</dt><dd data-testid="refundable">{d.refundable.human()}</dd></div>
            </dl>
            {(!d.also_paid.is_empty()).then(|| view! {
                <p class="banner error" role="note" data-testid="also-paid">
                    "This payment link was for one payment, but it was paid more than once. "
                    "The buyer may have paid twice: if so, refund one of the payments. Also paid: "
                    {d.also_paid.iter().map(|other| view! {
                        <a href=format!("/shops/{shop}/transactions/{other}")>{format!("payment {other}")}</a>" "
                    }).collect_view()}
                </p>
            })}
            <dl class="facts">
                <dt>"ID"</dt><dd class="mono">{d.id}</dd>
                <dt>"Reference"</dt><dd>{d.reference.clone()}</dd>
                <dt>"Description"</dt><dd>{d.description.clone().unwrap_or_else(dash)}</dd>
                <dt>"Channel"</dt><dd>{Channel::label_of(&d.channel).to_string()}</dd>
                <dt>"Origin"</dt>
                <dd data-testid="origin">
                    {match (d.link_id, d.origin.clone()) {
                        (Some(link), Some(origin)) => view! {
                            <a href=format!("/shops/{shop}/transactions?link={link}")>{origin}</a>
                        }.into_any(),
                        _ => dash().into_any(),
                    }}
                </dd>
                <dt>"Buyer"</dt><dd>{d.buyer_name.clone().unwrap_or_else(dash)}</dd>
                <dt>"Buyer e-mail"</dt><dd>{d.buyer_email.clone().unwrap_or_else(dash)}</dd>
                <dt>"Buyer IP"</dt><dd>{d.buyer_ip.clone().unwrap_or_else(dash)}</dd>
                <dt>"Country"</dt><dd>{d.buyer_country.clone().unwrap_or_else(dash)}</dd>
                <dt>"Payout"</dt><dd class="mono">{match d.payout_id {
                    Some(p) => view! { <a href=format!("/shops/{shop}/payouts/{p}")>{format!("payout {p}")}</a> }.into_any(),
                    None => view! { "Not paid out yet" }.into_any(),
                }}</dd>
            </dl>
        </section>
    }
    .into_any();
    view! {
        {summary}
        {(can_refund && refundable_now).then(|| view! { <RefundForm d=d.clone() shop=shop.clone() refund /> }.into_any())}
        {(can_refund && !refundable_now).then(|| {
            let why = if d.reserved.is_positive() {
                "Nothing more can be refunded while a refund waits for the buyer's bank account."
            } else if PaymentStatus::parse(&d.status).is_some_and(PaymentStatus::is_paid) {
                "This payment has been refunded in full."
            } else {
                "Only paid payments can be refunded."
            };
            view! { <section class="panel"><h2>"Refund"</h2><p class="muted">{why}</p></section> }.into_any()
        })}
        <Signals signals=d.signals.clone() />
        <Timeline events=d.timeline.clone() time_zone=d.time_zone.clone() />
        <Movements movements=d.movements.clone() fee_caps=d.fee_caps.clone() />
        <Refunds refunds=d.refunds.clone() />
    }
}

/// Amount and comment, a preview of the effect on the balance, then an explicit confirmation.
#[component]
fn RefundForm(d: TxDetail, shop: String, refund: ServerAction<MakeRefund>) -> impl IntoView {
    let preview = ServerAction::<PreviewRefund>::new();
    let amount = RwSignal::new(d.refundable.to_string());
    let comment = RwSignal::new(String::new());
    // A new preview replaces the old one; a made refund clears it.
    let shown = Memo::new(move |_| match preview.value().get() {
        Some(Ok(p)) => Some(p),
        _ => None,
    });
    let amount_error = Signal::derive(move || {
        field_msg(refund, "amount")
            .get()
            .or_else(|| field_msg(preview, "amount").get())
    });
    let other_error = Signal::derive(move || {
        let p = match preview.value().get() {
            Some(Err(crate::error::AppError::Validation(_))) => None,
            _ => form_msg(preview).get(),
        };
        let r = match refund.value().get() {
            Some(Err(crate::error::AppError::Validation(_))) => None,
            _ => form_msg(refund).get(),
        };
        r.or(p)
    });
    let tx_id = d.id;
    let shop2 = shop.clone();
    let on_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        preview.dispatch(PreviewRefund {
            shop: shop2.clone(),
            transaction_id: tx_id,
            amount: amount.get_untracked(),
        });
    };
    let on_confirm = move |_| {
        // The preview's key goes with the request: a double click makes one refund.
        let Some(p) = shown.get_untracked() else {
            return;
        };
        let c = comment.get_untracked();
        refund.dispatch(MakeRefund {
            shop: shop.clone(),
            transaction_id: tx_id,
            amount: p.amount.to_string(),
            comment: (!c.trim().is_empty()).then_some(c),
            key: p.key,
        });
    };
    // Where the money goes, said in the preview.
    let channel = Channel::parse(&d.channel);
    let destination = match channel {
        Some(c) if c.is_finnish_bank_link() => format!(
            "To a bank account the buyer gives: they are asked by e-mail{}.",
            d.buyer_email
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
        Some(c) if c.group() == crate::domain::fees::ChannelGroup::Cards => {
            "Back to the card the buyer paid with.".to_string()
        }
        _ => "Back to the bank account the buyer paid from.".to_string(),
    };
    // The form needs the browser part (the preview is shown in place): until it has loaded,
    // its buttons are visibly disabled rather than doing nothing.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let confirm_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if shown.get().is_some() {
            if let Some(b) = confirm_ref.get() {
                let _ = b.focus();
            }
        }
    });
    let awaiting_note = Channel::parse(&d.channel)
        .is_some_and(|c| c.is_finnish_bank_link())
        .then(|| view! {
            <p class="hint">"Finnish bank payments carry no payer account: the amount is reserved and the buyer is asked by e-mail for a bank account to send the refund to."</p>
        });
    view! {
        <section class="panel" aria-labelledby="refund-h">
            <h2 id="refund-h">"Refund"</h2>
            <FormError message=other_error />
            {awaiting_note}
            <form class="grid-form" on:submit=on_preview novalidate>
                <div class="field">
                    <label for="refund-amount">"Amount (EUR)"</label>
                    <p class="hint" id="refund-amount-hint">"Up to "{d.refundable.human()}". Cents after a comma or a dot, e.g. 12,50."</p>
                    <input id="refund-amount" name="amount" inputmode="decimal" required
                        prop:value=move || amount.get()
                        on:input=move |ev| { amount.set(event_target_value(&ev)); preview.value().set(None); }
                        aria-invalid=move || amount_error.get().map(|_| "true")
                        aria-describedby=move || if amount_error.get().is_some() { "refund-amount-hint refund-amount-error" } else { "refund-amount-hint" } />
                    {move || amount_error.get().map(|m| view! { <p class="field-error" id="refund-amount-error">{m}</p> })}
                </div>
                <div class="field">
                    <label for="refund-comment">"Comment (optional)"</label>
                    <input id="refund-comment" name="comment" maxlength="500"
                        prop:value=move || comment.get()
                        on:input=move |ev| comment.set(event_target_value(&ev)) />
                </div>
                <button type="submit" disabled=move || !ready.get() || preview.pending().get()
                    title=move || (!ready.get()).then_some("Loading the page…")>
                    {move || if preview.pending().get() { "Checking…" } else { "Preview refund" }}
                </button>
            </form>
            {move || shown.get().map(|p| view! {
                <div class="preview" role="region" aria-label="Refund preview">
                    <dl class="stats">
                        <div><dt>"Refund"</dt><dd data-testid="preview-amount">{p.amount.human()}</dd></div>
                        <div><dt>"Refundable after"</dt><dd data-testid="preview-refundable-after">{p.refundable.checked_sub(p.amount).unwrap_or_default().human()}</dd></div>
                        <div><dt>"Shop balance now"</dt><dd data-testid="preview-balance">{p.balance.human()}</dd></div>
                        <div><dt>"Shop balance after"</dt><dd data-testid="preview-after">{p.balance_after.human()}</dd></div>
                    </dl>
                    <p data-testid="preview-destination">{destination.clone()}</p>
                    <p class="muted">"The payment's fees are not returned: the refund comes out of the shop's balance in full."</p>
                    {p.reserved.is_positive().then(|| view! { <p class="muted">{p.reserved.human()}" of the balance is reserved for refunds waiting for buyers' accounts."</p> })}
                    {p.awaits_account.then(|| view! { <p class="muted">"The amount will be reserved until the buyer gives a bank account."</p> })}
                    <div class="actions">
                        <button type="button" class="primary" node_ref=confirm_ref on:click=on_confirm.clone() disabled=move || refund.pending().get()>
                            {move || if refund.pending().get() { "Refunding…" } else { "Confirm refund" }}
                        </button>
                        <button type="button" on:click=move |_| preview.value().set(None)>"Change"</button>
                    </div>
                </div>
            })}
        </section>
    }
}

/// What may be wrong with the payment, strong signals first as the rules order them.
#[component]
fn Signals(signals: Vec<crate::domain::fraud::Signal>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="signals-h">
            <h2 id="signals-h">"Fraud signals"</h2>
            {if signals.is_empty() {
                view! { <p class="muted">"Nothing unusual about this payment."</p> }.into_any()
            } else {
                view! {
                    <ul class="signals">
                        {signals.iter().map(|s| view! {
                            <li class=if s.strong { "strong" } else { "weak" }>
                                <strong>{s.title.clone()}</strong>" "
                                <span class="sr-only">{if s.strong { "(strong signal)" } else { "(weak signal)" }}</span>
                                <span>{s.reason.clone()}</span>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// What happened to the payment, oldest first.
#[component]
fn Timeline(events: Vec<TimelineEvent>, time_zone: String) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Timeline"</h2>
            <ol class="timeline">
                {events.iter().map(|e| view! {
                    <li>
                        <time>{e.time.clone()}</time>
                        <strong>{e.label.clone()}</strong>
                        {e.detail.clone().map(|x| view! { <small class="detail">{x}</small> })}
                    </li>
                }).collect_view()}
            </ol>
            <p class="muted">"Times in "{time_zone}"."</p>
        </section>
    }
}

/// The payment's movements on the balance, and any fee that was capped.
#[component]
fn Movements(movements: Vec<MovementRow>, fee_caps: Vec<String>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"Movements on the balance"</h2>
            {if movements.is_empty() {
                view! { <p class="muted">"None: the payment was not approved, so nothing reached the balance."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="stack">
                            <caption class="sr-only">"Movements of this payment, in order"</caption>
                            <thead><tr>
                                <th scope="col">"Time"</th><th scope="col">"Type"</th>
                                <th scope="col" class="num">"Amount"</th><th scope="col" class="num">"Balance after"</th>
                            </tr></thead>
                            <tbody>
                                {movements.iter().map(|m| view! {
                                    <tr>
                                        <td data-label="Time">{m.time.clone()}</td>
                                        <td data-label="Type" class="mono">{m.kind.clone()}</td>
                                        <td data-label="Amount" class="num">{m.amount.human()}</td>
                                        <td data-label="Balance after" class="num">{m.balance_after.human()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {fee_caps.iter().map(|text| view! {
                <p class="banner fee-cap" role="note">{text.clone()}</p>
            }).collect_view()}
        </section>
    }
}

/// The refunds of the payment.
#[component]
fn Refunds(refunds: Vec<RefundRow>) -> impl IntoView {
    let dash = || "—".to_string();
    view! {
        <section class="panel">
            <h2>"Refunds"</h2>
            {if refunds.is_empty() {
                view! { <p class="muted">"No refunds."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="stack">
                            <caption class="sr-only">"Refunds of this payment"</caption>
                            <thead><tr>
                                <th scope="col">"Time"</th><th scope="col" class="num">"Amount"</th>
                                <th scope="col">"Status"</th><th scope="col">"By"</th><th scope="col">"Comment"</th>
                            </tr></thead>
                            <tbody>
                                {refunds.iter().map(|f| view! {
                                    <tr>
                                        <td data-label="Time">{f.time.clone()}</td>
                                        <td data-label="Amount" class="num">{f.amount.human()}</td>
                                        <td data-label="Status"><span class=format!("status status-{}", f.status)>{refund_status_label(&f.status).to_string()}</span></td>
                                        <td data-label="By">{f.by.clone().unwrap_or_else(dash)}</td>
                                        <td data-label="Comment">{f.comment.clone().unwrap_or_else(dash)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
