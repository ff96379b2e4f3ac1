//! Payouts of the shop: the payout schedule (every role reads it; admins change the
//! frequency, from the next cycle) with the next five payout days from the real banking
//! calendar, and the payout bank account.

use crate::api::payouts::{
    list_payouts, load_payout_schedule, PayoutList, PayoutSchedule, SetPayoutFrequency,
};
use crate::api::shop::ShopContext;
use crate::components::form::{field_msg, form_msg, ErrorPage, FormError};
use crate::domain::calendar::{Frequency, WEEKDAYS};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn Payouts() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let shop = ctx.slug.clone();
    let save = ServerAction::<SetPayoutFrequency>::new();
    let schedule = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), save.version().get())
        },
        |(shop, _)| load_payout_schedule(shop),
    );
    let payouts = Resource::new(
        {
            let shop = shop.clone();
            move || shop.clone()
        },
        list_payouts,
    );
    let list_shop = shop.clone();
    // The request form and its list are made here, outside the schedule's Suspense: a
    // resource made inside a Suspense's children is made again whenever those re-run, and
    // the list then missed the refresh after a request was sent.
    let may_ask = ctx.role.allows(crate::domain::Permission::ShopSettings);
    let request_shop = shop.clone();
    view! {
        <Title text="Payouts" />
        <section class="panel" aria-labelledby="schedule-title">
            <h1>"Payouts"</h1>
            <p class="muted">"Your balance is paid out to your bank account as one transfer per payout day: bank-link payments from the next banking day on, card payments from the 7th banking day."</p>
            <h2 id="schedule-title">"Payout schedule"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the schedule…"</p> }>
                {
                    let shop = shop.clone();
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            match schedule.await {
                                Ok(s) => view! { <Schedule s shop save /> }.into_any(),
                                Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
            {may_ask.then(|| view! { <crate::components::requests::PayoutAccountRequest shop=request_shop /> })}
        </section>
        <section class="panel" aria-labelledby="list-title">
            <h2 id="list-title">"Payouts made"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading payouts…"</p> }>
                {
                    let shop = list_shop.clone();
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            match payouts.await {
                                Ok(l) => view! { <List l shop /> }.into_any(),
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
fn List(l: PayoutList, shop: String) -> impl IntoView {
    let next = l.next.clone().map(|(d, amount)| view! {
        <p data-testid="next-payout">{format!("Next payout: {} {}, about {} EUR if it were made now.", d.weekday, d.date, amount.human())}</p>
    });
    if l.rows.is_empty() {
        return view! {
            {next}
            <p class="empty">"No payouts yet. Payments become payable one banking day (bank links) or seven (cards) after they are paid."</p>
        }
        .into_any();
    }
    let rows = l
        .rows
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <td data-label="Day"><a href=format!("/shops/{shop}/payouts/{}", r.id)>{r.date.clone()}</a></td>
                    <td data-label="Amount (EUR)" class="num">{r.amount.human()}</td>
                    <td data-label="Status">{if r.status == "sent" { "Sent" } else { "Scheduled" }}</td>
                    <td data-label="Payments" class="num">{r.payments}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {next}
        <div class="table-wrap">
            <table class="stack payouts-table">
                <caption class="sr-only">"Payouts, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Day"</th>
                        <th scope="col" class="num">"Amount (EUR)"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Payments"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
                <tfoot>
                    <tr><th scope="row">"Total"</th><td class="num" data-total="payouts">{l.total.human()}</td><td></td><td></td></tr>
                </tfoot>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub(crate) fn Schedule(
    s: PayoutSchedule,
    shop: String,
    save: ServerAction<SetPayoutFrequency>,
) -> impl IntoView {
    let saved = move || match save.value().get() {
        Some(Ok(s)) => Some(match s.pending {
            Some((_, text, from)) => format!(
                "Saved. From {from}: {text}. Payouts until then follow the schedule in force."
            ),
            None => format!("Saved: {}.", s.describe),
        }),
        _ => None,
    };
    let (every, weekday, day) = match s.pending.as_ref().map(|p| p.0).unwrap_or(s.frequency) {
        Frequency::Daily => ("daily", 5, 1),
        Frequency::Weekly { weekday } => ("weekly", weekday, 1),
        Frequency::Monthly { day } => ("monthly", 5, day),
    };
    let next = s
        .next
        .iter()
        .map(|d| view! { <li><time datetime=d.date.clone()>{format!("{} {}", d.weekday, d.date)}</time></li> })
        .collect_view();
    let account = match (&s.iban, &s.holder) {
        (Some(iban), holder) => format!(
            "{iban}{}",
            holder
                .as_ref()
                .map(|h| format!(", {h}"))
                .unwrap_or_default()
        ),
        _ => "Not set yet: the provider sets it from your contract.".to_string(),
    };
    view! {
        <dl class="facts">
            <div><dt>"Frequency"</dt><dd data-testid="frequency">{s.describe.clone()}</dd></div>
            {s.pending.clone().map(|(_, text, from)| view! {
                <div><dt>"Change waiting"</dt><dd data-testid="pending">{format!("From {from}: {text}")}</dd></div>
            })}
            <div><dt>"Bank account"</dt><dd>{account}</dd></div>
        </dl>
        <h3 id="next-title">"Next payout days"</h3>
        <ol class="payout-days" aria-labelledby="next-title" data-testid="next-days">{next}</ol>
        <p class="muted small">{format!("No payouts on weekends, TARGET2 closing days and the public holidays of {} (the provider's banking calendar).", country(&s.country))}</p>
        {if s.can_change {
            view! {
                <div aria-live="polite">{move || saved().map(|m| view! { <p class="banner ok" role="status">{m}</p> })}</div>
                <FormError message=Signal::derive(move || match save.value().get() {
                    Some(Err(crate::error::AppError::Validation(_))) => None,
                    _ => form_msg(save).get(),
                }) />
                <ActionForm action=save attr:class="grid-form payout-form">
                    <input type="hidden" name="shop" value=shop />
                    <fieldset>
                        <legend>"Pay out"</legend>
                        <label><input type="radio" name="every" value="daily" checked=every == "daily" />" Every banking day"</label>
                        <label><input type="radio" name="every" value="weekly" checked=every == "weekly" />" Once a week, on the weekday below"</label>
                        <label><input type="radio" name="every" value="monthly" checked=every == "monthly" />" Once a month, on the day below"</label>
                        {move || field_msg(save, "every").get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </fieldset>
                    <div class="field">
                        <label for="payout-weekday">"Weekday (once a week)"</label>
                        <select id="payout-weekday" name="weekday">
                            {(1u8..=5).map(|w| view! {
                                <option value=w.to_string() selected=w == weekday>{WEEKDAYS[usize::from(w) - 1]}</option>
                            }).collect_view()}
                        </select>
                        {move || field_msg(save, "weekday").get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </div>
                    <div class="field">
                        <label for="payout-day">"Day of the month (once a month)"</label>
                        <select id="payout-day" name="day" aria-describedby="payout-day-hint">
                            {(1u8..=31).map(|d| view! {
                                <option value=d.to_string() selected=d == day>{d.to_string()}</option>
                            }).collect_view()}
                        </select>
                        <p class="hint" id="payout-day-hint">"29–31: the month's last banking day in shorter months. A closed day moves to the next banking day."</p>
                        {move || field_msg(save, "day").get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </div>
                    <p class="muted small">"A change applies from the next cycle: the payout already scheduled still happens."</p>
                    <button type="submit" class="primary" disabled=move || save.pending().get()>"Save schedule"</button>
                </ActionForm>
            }.into_any()
        } else {
            view! { <p class="muted">"Only an admin of the shop can change the payout schedule."</p> }.into_any()
        }}
        {(!s.can_change).then(|| view! {
            <p class="muted small">"The bank account is part of the shop's contract: an admin of the shop asks the provider to change it."</p>
        })}
    }
}

fn country(code: &str) -> &str {
    match code {
        "EE" => "Estonia",
        other => other,
    }
}
