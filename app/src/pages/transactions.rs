use crate::api::shop::ShopContext;
use crate::api::transactions::{
    list_saved_views, list_transactions, transaction_totals, DeleteSavedView, SaveView, TxPage,
    TxTotals, MAX_VIEW_NAME_CHARS,
};
use crate::components::form::{
    described, field_error, field_msg, form_msg, invalid, ErrorPage, FormError,
};
use crate::domain::fees::Channel;
use crate::domain::tx_filter::{
    status_label, SortKey, TxFilter, PAGE_SIZES, PERIODS, SORTS, STATUSES,
};
use crate::domain::FieldErrors;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The page's state from the URL.
pub fn use_filter() -> Memo<TxFilter> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|m| TxFilter::from_params(|k| m.get(k))))
}

fn href(f: &TxFilter) -> String {
    let q = f.to_query();
    if q.is_empty() {
        "?".into()
    } else {
        format!("?{q}")
    }
}

/// The transactions of the shop: filters, sort, keyset pages, totals, saved views, export.
#[component]
pub fn Transactions() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let filter = use_filter();
    let shop = ctx.slug.clone();
    let page = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), filter.get())
        },
        |(shop, f)| list_transactions(shop, f),
    );
    let totals = count_totals(shop.clone(), filter);
    view! {
        <Title text="Transactions" />
        <section class="panel">
            <h1>"Transactions"</h1>
            <SavedViews shop=shop.clone() filter />
            <Export shop=shop.clone() filter totals />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading transactions…"</p> }>
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
                                    Ok(p) => view! {
                                        {p.link_reference.clone().map(|r| view! { <LinkNote reference=r f=f.clone() /> })}
                                        <Totals totals />
                                        <TxTable page=p f shop />
                                    }.into_any(),
                                    Err(AppError::Validation(_)) => view! {
                                        <p class="banner error" role="alert">"Fix the marked filter fields to see transactions."</p>
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

/// Says that the list shows one payment link's payments, with the way back to all of them.
#[component]
fn LinkNote(reference: String, f: TxFilter) -> impl IntoView {
    view! {
        <p class="banner" data-testid="link-note">
            "Payments through the payment link " <strong>{reference}</strong> ". "
            <a href=without_link(&f)>"Show all transactions"</a>
        </p>
    }
}

/// The same filter for every payment, not only one payment link's.
fn without_link(f: &TxFilter) -> String {
    href(&TxFilter {
        link: String::new(),
        ..f.first_page()
    })
}

#[component]
fn FilterForm(f: TxFilter, errors: FieldErrors) -> impl IntoView {
    let presets = PERIODS
        .iter()
        .map(|(code, label)| {
            let target = TxFilter {
                period: code.to_string(),
                from: String::new(),
                to: String::new(),
                ..f.first_page()
            };
            let current = f.period == *code;
            view! {
                <a class="chip" href=href(&target) aria-current=current.then_some("true")>{*label}</a>
            }
        })
        .collect_view();
    let all_time = TxFilter {
        period: String::new(),
        from: String::new(),
        to: String::new(),
        ..f.first_page()
    };
    let is_all_time = f.period.is_empty() && f.from.is_empty() && f.to.is_empty();
    let size = f.page_size();
    let sort = f.sort_or_default().to_string();
    view! {
        <nav class="chips" aria-label="Period">
            <a class="chip" href=href(&all_time) aria-current=is_all_time.then_some("true")>"All time"</a>
            {presets}
        </nav>
        <form method="get" class="filters" aria-label="Filter transactions">
            {(!f.period.is_empty()).then(|| view! { <input type="hidden" name="period" value=f.period.clone() /> })}
            {(!f.link.is_empty()).then(|| view! { <input type="hidden" name="link" value=f.link.clone() /> })}
            {field_error(&errors, "link").map(|e| view! { <div class="field wide">{e}<a href=without_link(&f)>"Show all transactions"</a></div> })}
            <div class="field">
                <label for="f-from">"From"</label>
                <input id="f-from" name="from" type="date" value=f.from.clone()
                    aria-invalid=invalid(&errors, "from") aria-describedby=described(&errors, "from") />
                {field_error(&errors, "from")}
                {field_error(&errors, "period")}
            </div>
            <div class="field">
                <label for="f-to">"To"</label>
                <input id="f-to" name="to" type="date" value=f.to.clone()
                    aria-invalid=invalid(&errors, "to") aria-describedby=described(&errors, "to") />
                {field_error(&errors, "to")}
            </div>
            <div class="field">
                <label for="f-status">"Status"</label>
                <select id="f-status" name="status" aria-invalid=invalid(&errors, "status") aria-describedby=described(&errors, "status")>
                    <option value="">"All statuses"</option>
                    {STATUSES.iter().map(|(c, l)| view! { <option value=*c selected=f.status == *c>{*l}</option> }).collect_view()}
                </select>
                {field_error(&errors, "status")}
            </div>
            <div class="field">
                <label for="f-channel">"Channel"</label>
                <select id="f-channel" name="channel" aria-invalid=invalid(&errors, "channel") aria-describedby=described(&errors, "channel")>
                    <option value="">"All channels"</option>
                    <optgroup label="Bank links">
                        {Channel::ALL.into_iter().filter(|c| c.group() == crate::domain::fees::ChannelGroup::BankLinks)
                            .map(|c| view! { <option value=c.as_str() selected=f.channel == c.as_str()>{c.label()}</option> }).collect_view()}
                    </optgroup>
                    <optgroup label="Cards">
                        {Channel::ALL.into_iter().filter(|c| c.group() == crate::domain::fees::ChannelGroup::Cards)
                            .map(|c| view! { <option value=c.as_str() selected=f.channel == c.as_str()>{c.label()}</option> }).collect_view()}
                    </optgroup>
                </select>
                {field_error(&errors, "channel")}
            </div>
            <div class="field narrow">
                <label for="f-min">"Amount from (EUR)"</label>
                <input id="f-min" name="min" inputmode="decimal" value=f.min.clone() placeholder="0.00"
                    aria-invalid=invalid(&errors, "min") aria-describedby=described(&errors, "min") />
                {field_error(&errors, "min")}
            </div>
            <div class="field narrow">
                <label for="f-max">"Amount to (EUR)"</label>
                <input id="f-max" name="max" inputmode="decimal" value=f.max.clone() placeholder="0.00"
                    aria-invalid=invalid(&errors, "max") aria-describedby=described(&errors, "max") />
                {field_error(&errors, "max")}
            </div>
            <div class="field wide">
                <label for="f-q">"Search"</label>
                <input id="f-q" name="q" type="search" value=f.q.clone()
                    placeholder="Reference, id, buyer name or e-mail"
                    aria-invalid=invalid(&errors, "q") aria-describedby=described(&errors, "q") />
                {field_error(&errors, "q")}
            </div>
            <div class="field">
                <label for="f-sort">"Sort"</label>
                <select id="f-sort" name="sort">
                    {SORTS.iter().map(|(c, l)| view! { <option value=*c selected=sort == *c>{*l}</option> }).collect_view()}
                </select>
            </div>
            <div class="field narrow">
                <label for="f-size">"Rows per page"</label>
                <select id="f-size" name="size">
                    {PAGE_SIZES.into_iter().map(|n| view! { <option value=n.to_string() selected=n == size>{n}</option> }).collect_view()}
                </select>
            </div>
            {field_error(&errors, "after")}
            {field_error(&errors, "before")}
            <div class="actions">
                <button type="submit" class="primary">"Filter"</button>
                <a class="button-link" href="?">"Clear"</a>
            </div>
        </form>
    }
}

type TotalsState = RwSignal<Option<Result<TxTotals, AppError>>>;

/// Counts the totals over the whole filter in the browser's own request, so the list never
/// waits for them; a newer filter's answer replaces an older one.
fn count_totals(shop: String, filter: Memo<TxFilter>) -> TotalsState {
    let totals: TotalsState = RwSignal::new(None);
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let f = filter.get().matching();
        let shop = shop.clone();
        generation.update_value(|g| *g += 1);
        let mine = generation.get_value();
        totals.set(None);
        leptos::task::spawn_local(async move {
            let r = transaction_totals(shop, f).await;
            if generation.get_value() == mine {
                totals.set(Some(r));
            }
        });
    });
    totals
}

#[component]
fn Totals(totals: TotalsState) -> impl IntoView {
    view! {
        <div class="totals" aria-live="polite">
            {move || match totals.get() {
                None => view! { <p class="muted" aria-busy="true">"Counting the totals…"</p> }.into_any(),
                Some(Ok(t)) => view! {
                    <dl class="stats" aria-label="Totals for this filter">
                        <div><dt>"Transactions"</dt><dd data-total="count">{t.count}</dd></div>
                        <div><dt>"Paid gross"</dt><dd data-total="gross">{t.gross.human()}</dd></div>
                        <div><dt>"Fees + VAT"</dt><dd data-total="fees">{t.fees.human()}</dd></div>
                        <div><dt>"Net"</dt><dd data-total="net">{t.net.human()}</dd></div>
                    </dl>
                }.into_any(),
                Some(Err(e)) => view! { <p class="banner error" role="alert">"Totals could not be counted: "{e.to_string()}</p> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn TxTable(page: TxPage, f: TxFilter, shop: String) -> impl IntoView {
    if page.rows.is_empty() {
        let text = if f.is_filtered() {
            "No transactions match this filter."
        } else {
            "No transactions yet. Payments appear here as soon as buyers pay."
        };
        return view! {
            <div class="empty">
                <p>{text}</p>
                {(f.is_filtered() || !f.after.is_empty() || !f.before.is_empty()).then(|| view! { <p><a href="?">"Show all transactions"</a></p> })}
            </div>
        }
        .into_any();
    }
    let sort_link = |key: SortKey, label: &'static str| {
        let current = f.sort_key() == key;
        let desc = f.descending();
        let next_sort = match (key, current && desc) {
            (SortKey::Time, true) => "time_asc",
            (SortKey::Time, false) => "time_desc",
            (SortKey::Amount, true) => "amount_asc",
            (SortKey::Amount, false) => "amount_desc",
        };
        let target = TxFilter {
            sort: next_sort.into(),
            ..f.first_page()
        };
        let aria = current.then_some(if desc { "descending" } else { "ascending" });
        let arrow = if current {
            if desc {
                " ↓"
            } else {
                " ↑"
            }
        } else {
            ""
        };
        (aria, view! { <a href=href(&target)>{label}{arrow}</a> })
    };
    let (time_aria, time_link) = sort_link(SortKey::Time, "Time");
    let (amount_aria, amount_link) = sort_link(SortKey::Amount, "Amount");
    let base = format!("/shops/{shop}/transactions");
    let payouts = format!("/shops/{shop}/payouts");
    let prev = page.prev.clone().map(|c| {
        href(&TxFilter {
            before: c,
            after: String::new(),
            ..f.clone()
        })
    });
    let next = page.next.clone().map(|c| {
        href(&TxFilter {
            after: c,
            before: String::new(),
            ..f.clone()
        })
    });
    let first = (!f.after.is_empty() || !f.before.is_empty()).then(|| href(&f.first_page()));
    let dash = || "—".to_string();
    view! {
        <div class="table-wrap">
            <table class="stack tx-table">
                <caption class="sr-only">"Transactions, "{SORTS.iter().find(|(c, _)| *c == f.sort_or_default()).map(|(_, l)| *l).unwrap_or("")}</caption>
                <thead>
                    <tr>
                        <th scope="col" aria-sort=time_aria>{time_link}" ("{page.time_zone.clone()}")"</th>
                        <th scope="col">"Reference"</th>
                        <th scope="col">"ID"</th>
                        <th scope="col">"Buyer"</th>
                        <th scope="col">"Channel"</th>
                        <th scope="col" class="num" aria-sort=amount_aria>{amount_link}</th>
                        <th scope="col" class="num">"Fees + VAT"</th>
                        <th scope="col" class="num">"Net"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Payout"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().map(|r| {
                        let detail = format!("{base}/{}", r.id);
                        let buyer = match (r.buyer_name.clone(), r.buyer_email.clone()) {
                            (Some(n), Some(e)) => view! { {n}<small class="detail">{e}</small> }.into_any(),
                            (Some(n), None) => view! { {n} }.into_any(),
                            (None, Some(e)) => view! { {e} }.into_any(),
                            (None, None) => view! { "—" }.into_any(),
                        };
                        view! {
                            <tr>
                                <td data-label="Time">{r.time}</td>
                                <td data-label="Reference"><a href=detail>{r.reference}</a></td>
                                <td data-label="ID" class="mono">{r.id}</td>
                                <td data-label="Buyer">{buyer}</td>
                                <td data-label="Channel">{Channel::label_of(&r.channel).to_string()}</td>
                                <td data-label="Amount" class="num">{r.amount.human()}</td>
                                <td data-label="Fees + VAT" class="num">{r.net.map(|_| r.fees.human()).unwrap_or_else(dash)}</td>
                                <td data-label="Net" class="num">{r.net.map(|n| n.human()).unwrap_or_else(dash)}</td>
                                <td data-label="Status"><span class=format!("status status-{}", r.status)>{status_label(&r.status).to_string()}</span></td>
                                <td data-label="Payout" class="mono">{match r.payout_id {
                                    Some(p) => view! { <a href=format!("{payouts}/{p}")>{p.to_string()}</a> }.into_any(),
                                    None => view! { {dash()} }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Pages">
            {first.map(|h| view! { <a href=h>"First page"</a> })}
            {match prev { Some(h) => view! { <a href=h rel="prev">"Previous page"</a> }.into_any(), None => view! { <span class="disabled" aria-disabled="true">"Previous page"</span> }.into_any() }}
            {match next { Some(h) => view! { <a href=h rel="next">"Next page"</a> }.into_any(), None => view! { <span class="disabled" aria-disabled="true">"Next page"</span> }.into_any() }}
        </nav>
    }
    .into_any()
}

/// The user's named filters for this shop: open one in a click, save the current one.
#[component]
fn SavedViews(shop: String, filter: Memo<TxFilter>) -> impl IntoView {
    let save = ServerAction::<SaveView>::new();
    let delete = ServerAction::<DeleteSavedView>::new();
    let views = Resource::new(
        {
            let shop = shop.clone();
            move || (shop.clone(), save.version().get(), delete.version().get())
        },
        |(shop, ..)| list_saved_views(shop),
    );
    let saved_msg = move || match save.value().get() {
        Some(Ok(v)) => Some(format!("Saved as \"{}\".", v.name)),
        _ => None,
    };
    let hidden = move || {
        let f = filter.get().first_page();
        [
            ("period", f.period),
            ("from", f.from),
            ("to", f.to),
            ("status", f.status),
            ("channel", f.channel),
            ("min", f.min),
            ("max", f.max),
            ("q", f.q),
            ("sort", f.sort),
            ("size", f.size),
        ]
        .into_iter()
        .map(|(k, v)| view! { <input type="hidden" name=format!("filter[{k}]") value=v /> })
        .collect_view()
    };
    let shop_for_list = shop.clone();
    view! {
        <details class="saved-views">
            <summary>"Saved views"</summary>
            <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading saved views…"</p> }>
                {
                    let shop = shop_for_list;
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            match views.await {
                                Ok(list) if list.is_empty() => view! { <p class="muted">"No saved views yet. Filter the list, then save it here under a name."</p> }.into_any(),
                                Ok(list) => view! {
                                    <ul class="view-list">
                                        {list.into_iter().map(|v| {
                                            let shop = shop.clone();
                                            let link = if v.query.is_empty() { "?".to_string() } else { format!("?{}", v.query) };
                                            let label = format!("Delete the view {}", v.name);
                                            view! {
                                                <li>
                                                    <a href=link>{v.name.clone()}</a>
                                                    <ActionForm action=delete attr:class="inline">
                                                        <input type="hidden" name="shop" value=shop.clone() />
                                                        <input type="hidden" name="id" value=v.id.to_string() />
                                                        <button type="submit" class="link-button" aria-label=label>"Delete"</button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                }.into_any(),
                                Err(e) => view! { <p class="banner error" role="alert">{e.to_string()}</p> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
            <div aria-live="polite">{move || saved_msg().map(|m| view! { <p class="banner ok" role="status">{m}</p> })}</div>
            <FormError message=Signal::derive(move || match save.value().get() {
                Some(Err(AppError::Validation(e))) if e.get("name").is_some() => None,
                _ => form_msg(save).get(),
            }) />
            <ActionForm action=save attr:class="inline-form">
                <input type="hidden" name="shop" value=shop.clone() />
                {hidden}
                <div class="field">
                    <label for="view-name">"Save the current filter as"</label>
                    <input id="view-name" name="name" required maxlength=MAX_VIEW_NAME_CHARS.to_string()
                        aria-invalid=move || field_msg(save, "name").get().map(|_| "true") />
                    {move || field_msg(save, "name").get().map(|m| view! { <p class="field-error">{m}</p> })}
                </div>
                <button type="submit" disabled=move || save.pending().get()>"Save view"</button>
            </ActionForm>
        </details>
    }
}

/// Export buttons: a plain download form (the browser saves the file to disk itself, also
/// before the page is interactive), with progress once it is.
#[component]
fn Export(shop: String, filter: Memo<TxFilter>, totals: TotalsState) -> impl IntoView {
    use crate::components::download::{Downloads, FileButton};
    let dialect = expect_context::<crate::api::shop::ShopContext>().csv_dialect;
    let pairs = Signal::derive(move || {
        TxFilter {
            size: String::new(),
            ..filter.get().first_page()
        }
        .pairs()
    });
    let expected = Signal::derive(move || match totals.get() {
        Some(Ok(t)) => Some(t.count.max(0) as u64),
        _ => None,
    });
    let files = vec![
        FileButton {
            file: "transactions.csv",
            label: "CSV",
        },
        FileButton {
            file: "transactions.xlsx",
            label: "XLSX (Excel)",
        },
    ];
    view! {
        <Downloads shop lead="Export everything this filter matches:" files pairs
            dialect=Some(dialect) expected />
    }
}
