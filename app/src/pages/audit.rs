use crate::api::audit::{kind_label, list_audit, AuditPage, KINDS};
use crate::api::shop::ShopContext;
use crate::components::form::ErrorPage;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The audit log with filters by user, kind and date; the filter lives in the URL.
#[component]
pub fn Audit() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    if !ctx.can(crate::domain::Permission::ViewAudit) {
        return view! { <crate::components::refused::NotForYourRole page="Audit log" what="the audit log" /> }
            .into_any();
    }
    let query = use_query_map();
    let q = move |k: &'static str| Memo::new(move |_| query.with(|m| m.get(k)).unwrap_or_default());
    let (user, kind, from, to) = (q("user"), q("kind"), q("from"), q("to"));
    let shop = ctx.slug.clone();
    let page = Resource::new(
        move || (shop.clone(), user.get(), kind.get(), from.get(), to.get()),
        |(shop, user, kind, from, to)| {
            list_audit(shop, Some(user), Some(kind), Some(from), Some(to))
        },
    );
    view! {
        <Title text="Audit log" />
        <section class="panel">
            <h1>"Audit log"</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let result = page.await;
                    let errors = match &result {
                        Err(AppError::Validation(f)) => f.clone(),
                        _ => Default::default(),
                    };
                    view! {
                        <form method="get" class="filters" aria-label="Filter the audit log">
                            <div class="field">
                                <label for="f-user">"User e-mail"</label>
                                <input id="f-user" name="user" type="search" value=user.get_untracked() />
                            </div>
                            <div class="field">
                                <label for="f-kind">"Kind"</label>
                                <select id="f-kind" name="kind">
                                    <option value="">"All kinds"</option>
                                    {KINDS.iter().map(|(k, l)| view! { <option value=*k selected=kind.get_untracked() == *k>{*l}</option> }).collect_view()}
                                </select>
                                {errors.get("kind").map(|m| view! { <p class="field-error">{m.to_string()}</p> })}
                            </div>
                            <div class="field">
                                <label for="f-from">"From"</label>
                                <input id="f-from" name="from" type="date" value=from.get_untracked() />
                                {errors.get("from").map(|m| view! { <p class="field-error">{m.to_string()}</p> })}
                            </div>
                            <div class="field">
                                <label for="f-to">"To"</label>
                                <input id="f-to" name="to" type="date" value=to.get_untracked() />
                                {errors.get("to").map(|m| view! { <p class="field-error">{m.to_string()}</p> })}
                            </div>
                            <div class="actions">
                                <button type="submit" class="primary">"Filter"</button>
                                <a class="button-link" href="?">"Clear"</a>
                            </div>
                        </form>
                        {match result {
                            Ok(p) => view! { <AuditTable page=p /> }.into_any(),
                            Err(AppError::Validation(_)) => ().into_any(),
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        }}
                    }
                })}
            </Suspense>
        </section>
    }
    .into_any()
}

#[component]
fn AuditTable(page: AuditPage) -> impl IntoView {
    if page.rows.is_empty() {
        return view! { <p class="empty">"No events match this filter."</p> }.into_any();
    }
    let capped = page.rows.len() as i64 >= page.limit;
    let dash = || "—".to_string();
    view! {
        {capped.then(|| view! { <p class="muted">"Showing the newest "{page.limit}" events. Narrow the filter to see older ones."</p> })}
        <div class="table-wrap">
            <table class="stack">
                <caption class="sr-only">"Audit events, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When ("{page.time_zone.clone()}")"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"Target"</th>
                        <th scope="col">"Before"</th>
                        <th scope="col">"After"</th>
                        <th scope="col">"IP"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.rows.into_iter().zip(page.times).map(|(r, t)| view! {
                        <tr>
                            <td data-label="When">{t}</td>
                            <td data-label="What">{kind_label(&r.kind).to_string()}{r.detail.map(|d| view! { <small class="detail">{d}</small> })}</td>
                            <td data-label="Who">{r.actor.unwrap_or_else(dash)}</td>
                            <td data-label="Target">{r.target.unwrap_or_else(dash)}</td>
                            <td data-label="Before">{r.before.as_deref().map(value_label).unwrap_or_else(dash)}</td>
                            <td data-label="After">{r.after.as_deref().map(value_label).unwrap_or_else(dash)}</td>
                            <td data-label="IP">{r.ip.unwrap_or_else(dash)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Stored values as people say them: role names and account states.
fn value_label(v: &str) -> String {
    match (crate::domain::Role::parse(v), v) {
        (Some(r), _) => r.label().to_string(),
        (None, "active") => "Active".into(),
        (None, "deactivated") => "Deactivated".into(),
        (None, other) => other.to_string(),
    }
}
