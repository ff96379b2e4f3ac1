//! The account statement: a period's opening balance, every movement in posting order with
//! the balance after it, the closing balance and the totals per movement type. The filter
//! is a plain GET form, so the page works before the browser part has loaded.

use crate::api::shop::ShopContext;
use crate::api::statement::{
    load_statement, load_statement_totals, StatementFilter, StatementPage, StatementTotals, PERIODS,
};
use crate::components::download::{Downloads, FileButton};
use crate::components::form::{described, field_error, invalid, ErrorPage};
use crate::domain::ledger::MovementKind;
use crate::domain::FieldErrors;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn href(f: &StatementFilter) -> String {
    let q = f.to_query();
    if q.is_empty() {
        "?".into()
    } else {
        format!("?{q}")
    }
}

#[component]
pub fn Statement() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|m| StatementFilter::from_params(|k| m.get(k))));
    let shop = ctx.slug.clone();
    let page = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), filter.get())
        },
        |(shop, f)| load_statement(shop, f),
    );
    let totals = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), filter.get().first_page())
        },
        |(shop, f)| load_statement_totals(shop, f),
    );
    view! {
        <Title text="Account statement" />
        <section class="panel statement">
            <h1>"Account statement"</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the statement…"</p> }>
                {
                    let shop = shop.clone();
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            let result = page.await;
                            let errors = match &result {
                                Err(AppError::Validation(e)) => e.clone(),
                                _ => FieldErrors::default(),
                            };
                            let f = filter.get_untracked();
                            view! {
                                <FilterForm f=f.clone() errors />
                                {match result {
                                    Ok(p) => view! { <Movements p f shop totals /> }.into_any(),
                                    Err(AppError::Validation(_)) => view! {
                                        <p class="banner error" role="alert">"Fix the marked fields to see the statement."</p>
                                    }.into_any(),
                                    Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                                }}
                            }
                        })
                    }
                }
            </Suspense>
        </section>
    }
}

#[component]
fn FilterForm(f: StatementFilter, errors: FieldErrors) -> impl IntoView {
    let chosen = if f.period.is_empty() {
        "this_month".to_string()
    } else {
        f.period.clone()
    };
    let presets = PERIODS
        .iter()
        .map(|(code, label)| {
            let target = StatementFilter {
                period: code.to_string(),
                month: String::new(),
                from: String::new(),
                to: String::new(),
                ..f.first_page()
            };
            view! { <a class="chip" href=href(&target) aria-current=(chosen == *code).then_some("true")>{*label}</a> }
        })
        .collect_view();
    view! {
        <nav class="chips" aria-label="Period">{presets}</nav>
        <form method="get" class="filters" aria-label="Choose the statement's period and movements">
            <div class="field">
                <label for="s-period">"Period"</label>
                <select id="s-period" name="period" aria-invalid=invalid(&errors, "period") aria-describedby=described(&errors, "period")>
                    <option value="this_month" selected=chosen == "this_month">"This month"</option>
                    <option value="last_month" selected=chosen == "last_month">"Last month"</option>
                    <option value="month" selected=chosen == "month">"The month below"</option>
                    <option value="custom" selected=chosen == "custom">"The days below"</option>
                </select>
                {field_error(&errors, "period")}
            </div>
            <div class="field">
                <label for="s-month">"Month"</label>
                <input id="s-month" name="month" type="month" value=f.month.clone() placeholder="2026-11"
                    aria-invalid=invalid(&errors, "month") aria-describedby=described(&errors, "month") />
                {field_error(&errors, "month")}
            </div>
            <div class="field">
                <label for="s-from">"From"</label>
                <input id="s-from" name="from" type="date" value=f.from.clone()
                    aria-invalid=invalid(&errors, "from") aria-describedby=described(&errors, "from") />
                {field_error(&errors, "from")}
            </div>
            <div class="field">
                <label for="s-to">"To"</label>
                <input id="s-to" name="to" type="date" value=f.to.clone()
                    aria-invalid=invalid(&errors, "to") aria-describedby=described(&errors, "to") />
                {field_error(&errors, "to")}
            </div>
            <div class="field">
                <label for="s-kind">"Type"</label>
                <select id="s-kind" name="kind" aria-invalid=invalid(&errors, "kind") aria-describedby=described(&errors, "kind")>
                    <option value="">"All types"</option>
                    {MovementKind::ALL.into_iter().map(|k| view! {
                        <option value=k.code() selected=f.kind == k.code()>{format!("{} ({})", k.label(), k.code())}</option>
                    }).collect_view()}
                </select>
                {field_error(&errors, "kind")}
            </div>
            <div class="field wide">
                <label for="s-q">"Search"</label>
                <input id="s-q" name="q" type="search" value=f.q.clone()
                    placeholder="Payment reference, buyer name or e-mail"
                    aria-invalid=invalid(&errors, "q") aria-describedby=described(&errors, "q") />
                {field_error(&errors, "q")}
            </div>
            {field_error(&errors, "after")}
            {field_error(&errors, "before")}
            <div class="actions">
                <button type="submit" class="primary">"Show"</button>
                <a class="button-link" href="?">"This month"</a>
            </div>
        </form>
    }
}

#[component]
fn Movements(
    p: StatementPage,
    f: StatementFilter,
    shop: String,
    totals: Resource<Result<StatementTotals, AppError>>,
) -> impl IntoView {
    let filtered = !f.kind.is_empty() || !f.q.is_empty();
    let prev = p.prev.clone().map(|c| {
        href(&StatementFilter {
            before: c,
            ..f.first_page()
        })
    });
    let next = p.next.clone().map(|c| {
        href(&StatementFilter {
            after: c,
            ..f.first_page()
        })
    });
    let tx_base = format!("/shops/{shop}/transactions");
    // The same period, type and search as the page: the form works before the browser part
    // has loaded, and the files stream to disk however long the period is.
    let dialect = expect_context::<ShopContext>().csv_dialect;
    let mut files = vec![
        FileButton {
            file: "statement.xml",
            label: "XML (camt.053)",
        },
        FileButton {
            file: "statement.xlsx",
            label: "XLSX",
        },
        FileButton {
            file: "statement.csv",
            label: "CSV",
        },
    ];
    if f.is_whole_month() {
        files.push(FileButton {
            file: "month-close.zip",
            label: "Month-close pack (ZIP)",
        });
    }
    let pairs = f.first_page().pairs();
    let expected = Signal::derive(move || {
        totals
            .get()
            .and_then(Result::ok)
            .map(|t| t.entries.max(0) as u64)
    });
    let rows = p
        .rows
        .iter()
        .map(|r| {
            let reference = match (r.transaction_id, r.reference.clone()) {
                (Some(id), Some(reference)) => view! {
                    <a href=format!("{tx_base}/{id}")>{reference}</a>
                    {r.refund_id.map(|rf| view! { <br /><small class="muted">{format!("refund {rf}")}</small> })}
                }
                .into_any(),
                _ => view! { <span class="muted">"—"</span> }.into_any(),
            };
            view! {
                <tr>
                    <td data-label="Time">{r.at.clone()}</td>
                    <td data-label="Type">{r.label.clone()}" "<code class="kind">{r.kind.clone()}</code>{r.note.clone().map(|n| view! { <span class="note muted small">{n}</span> })}</td>
                    <td data-label="Reference">{reference}
                        {r.payout_id.map(|po| view! { <br /><small><a href=format!("/shops/{shop}/payouts/{po}")>{format!("payout {po}")}</a></small> })}
                    </td>
                    <td data-label="Debit" class="num">{r.debit.map(|m| m.human())}</td>
                    <td data-label="Credit" class="num">{r.credit.map(|m| m.human())}</td>
                    <td data-label="Balance after" class="num">{r.balance_after.human()}</td>
                </tr>
            }
        })
        .collect_view();
    let nothing = if p.empty {
        Some(format!(
            "No movements in {}: the balance did not change.",
            p.period
        ))
    } else if p.rows.is_empty() && filtered {
        Some("No movement of this period matches the type or search.".to_string())
    } else {
        None
    };
    view! {
        {p.test_data.then(|| view! {
            <p class="banner" role="note">"Test payments move no money and have no statement: this is the live statement."</p>
        })}
        <h2 class="period">{p.period.clone()}" "<small class="muted">{format!("times in {}", p.time_zone)}</small></h2>
        <dl class="stats balances">
            <div><dt>"Opening balance"</dt><dd data-testid="opening">{p.opening.human()}" EUR"</dd></div>
            <div><dt>"Closing balance"</dt><dd data-testid="closing">{p.closing.human()}" EUR"</dd></div>
        </dl>
        <Downloads shop=shop.clone() lead="Download this statement for your accounting software:"
            files pairs=Signal::stored(pairs) dialect=Some(dialect) expected />
        {match nothing {
            Some(text) => view! { <p class="empty">{text}</p> }.into_any(),
            None => view! {
                <div class="table-wrap">
                    <table class="stack statement-table">
                        <caption class="sr-only">{format!("Movements of {}", p.period)}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Time"</th>
                                <th scope="col">"Type"</th>
                                <th scope="col">"Reference"</th>
                                <th scope="col" class="num">"Debit (EUR)"</th>
                                <th scope="col" class="num">"Credit (EUR)"</th>
                                <th scope="col" class="num">"Balance after (EUR)"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }.into_any(),
        }}
        {(prev.is_some() || next.is_some()).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|h| view! { <a href=h rel="prev">"← Earlier movements"</a> })}
                {next.map(|h| view! { <a href=h rel="next">"Later movements →"</a> })}
            </nav>
        })}
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Adding up the period…"</p> }>
            {move || Suspend::new(async move {
                match totals.await {
                    Ok(t) => view! { <Totals t /> }.into_any(),
                    Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Totals(t: StatementTotals) -> impl IntoView {
    if t.kinds.is_empty() {
        return ().into_any();
    }
    view! {
        <section aria-labelledby="totals-title">
            <h2 id="totals-title">"Totals by type"</h2>
            <div class="table-wrap">
                <table class="stack totals-table">
                    <thead>
                        <tr>
                            <th scope="col">"Type"</th>
                            <th scope="col" class="num">"Entries"</th>
                            <th scope="col" class="num">"Debit (EUR)"</th>
                            <th scope="col" class="num">"Credit (EUR)"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {t.kinds.into_iter().map(|k| view! {
                            <tr>
                                <td data-label="Type">{k.label}" "<code class="kind">{k.kind}</code></td>
                                <td data-label="Entries" class="num">{k.entries}</td>
                                <td data-label="Debit" class="num">{k.debit.human()}</td>
                                <td data-label="Credit" class="num">{k.credit.human()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                    <tfoot>
                        <tr>
                            <th scope="row">"All types"</th>
                            <td data-label="Entries" class="num" data-total="entries">{t.entries}</td>
                            <td data-label="Debit" class="num" data-total="debit">{t.debit.human()}</td>
                            <td data-label="Credit" class="num" data-total="credit">{t.credit.human()}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
        </section>
    }
    .into_any()
}
