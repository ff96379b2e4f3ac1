use crate::api::dashboard::{load_dashboard, Dashboard, DayGross};
use crate::api::shop::ShopContext;
use crate::components::form::ErrorPage;
use crate::domain::fees::Channel;
use crate::domain::tx_filter::status_label;
use crate::domain::{Money, Permission};
use leptos::prelude::*;
use leptos_meta::Title;

/// The shop's dashboard: balance, recent totals, a 30-day chart and the latest payments.
#[component]
pub fn Overview() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let shop = ctx.slug.clone();
    let data = Resource::new(move || shop.clone(), load_dashboard);
    let rights = [
        (
            Permission::ViewInfo,
            "See transactions, statements, exports and invoices",
        ),
        (Permission::MakeRefunds, "Make refunds"),
        (
            Permission::CreatePaymentLinks,
            "Create and send payment links",
        ),
        (Permission::ManageUsers, "Manage users"),
        (Permission::ShopSettings, "See and change shop settings"),
        (Permission::ViewAudit, "Read the audit log"),
    ];
    let slug = ctx.slug.clone();
    view! {
        <Title text=ctx.name.clone() />
        <section class="panel">
            <h1>{ctx.name.clone()}</h1>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the dashboard…"</p> }>
                {
                    let slug = slug.clone();
                    move || {
                        let slug = slug.clone();
                        Suspend::new(async move {
                            match data.await {
                                Ok(d) => view! { <Board d slug /> }.into_any(),
                                Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </section>
        <section class="panel">
            <h2>"Your role"</h2>
            <p>"You are signed in as "<strong>{ctx.user_name.clone()}</strong>" ("{ctx.user_email.clone()}"), "
               {ctx.role.label()}" of this shop of "{ctx.merchant.clone()}"."</p>
            <ul class="rights">
                {rights.into_iter().map(|(p, text)| {
                    let yes = ctx.can(p);
                    view! {
                        <li class=if yes { "yes" } else { "no" }>
                            <span class="sr-only">{if yes { "Allowed: " } else { "Not allowed: " }}</span>
                            {text}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Board(d: Dashboard, slug: String) -> impl IntoView {
    let base = format!("/shops/{slug}/transactions");
    let balance = if d.test_mode {
        view! {
            <p class="banner" data-testid="test-balance">
                "Test payments have no balance: they carry no fees and are never paid out. The figures below count test payments only."
            </p>
        }
        .into_any()
    } else {
        view! {
        <h2 class="sr-only">"Balance"</h2>
        <dl class="stats">
            <div><dt>"Balance"</dt><dd data-testid="balance">{d.balance.human()}</dd></div>
            <div><dt>"Reserved for refunds"</dt><dd data-testid="reserved">{d.reserved.human()}</dd></div>
            <div><dt>"Not yet paid out"</dt><dd data-testid="unpaid">{d.unpaid.human()}</dd></div>
        </dl>
        }
        .into_any()
    };
    let windows = view! {
        <h2>"Paid payments"</h2>
        <div class="table-wrap">
            <table class="stack windows">
                <caption class="sr-only">"Paid payments today, in the last 7 and 30 days"</caption>
                <thead><tr>
                    <th scope="col">"Period"</th><th scope="col" class="num">"Payments"</th>
                    <th scope="col" class="num">"Gross"</th><th scope="col" class="num">"Net"</th>
                </tr></thead>
                <tbody>
                    {d.windows.iter().map(|w| view! {
                        <tr>
                            <th scope="row" data-label="Period">{w.label.clone()}</th>
                            <td data-label="Payments" class="num">{w.count}</td>
                            <td data-label="Gross" class="num">{w.gross.human()}</td>
                            <td data-label="Net" class="num">{w.net.human()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any();
    let latest = if d.latest.is_empty() {
        view! { <p class="empty">"No payments yet. They appear here as soon as buyers pay."</p> }
            .into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table class="stack">
                    <caption class="sr-only">"The latest payments, newest first"</caption>
                    <thead><tr>
                        <th scope="col">"Time ("{d.time_zone.clone()}")"</th><th scope="col">"Reference"</th>
                        <th scope="col">"Channel"</th><th scope="col" class="num">"Amount"</th><th scope="col">"Status"</th>
                    </tr></thead>
                    <tbody>
                        {d.latest.iter().map(|r| view! {
                            <tr>
                                <td data-label="Time">{r.time.clone()}</td>
                                <td data-label="Reference"><a href=format!("{base}/{}", r.id)>{r.reference.clone()}</a></td>
                                <td data-label="Channel">{Channel::label_of(&r.channel).to_string()}</td>
                                <td data-label="Amount" class="num">{r.amount.human()}</td>
                                <td data-label="Status"><span class=format!("status status-{}", r.status)>{status_label(&r.status).to_string()}</span></td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        {balance}
        {windows}
        <h2 id="chart-h">"Daily paid gross, last 30 days"</h2>
        <Chart days=d.days.clone() />
        <details class="chart-table">
            <summary>"Show the chart as a table"</summary>
            <div class="table-wrap">
                <table>
                    <caption class="sr-only">"Paid gross per day, last 30 days"</caption>
                    <thead><tr><th scope="col">"Day"</th><th scope="col" class="num">"Gross"</th></tr></thead>
                    <tbody>
                        {d.days.iter().map(|x| view! { <tr><td>{x.date.clone()}</td><td class="num">{x.gross.human()}</td></tr> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
        <h2>"Latest payments"</h2>
        {latest}
        <p><a href=base.clone()>"All transactions →"</a></p>
    }
}

const W: f64 = 720.0;
const H: f64 = 200.0;
const LEFT: f64 = 64.0;
const BOTTOM: f64 = 24.0;

/// A bar chart drawn on the server as SVG: no script, no external assets.
#[component]
fn Chart(days: Vec<DayGross>) -> impl IntoView {
    let max = days
        .iter()
        .map(|d| d.gross.cents())
        .max()
        .unwrap_or(0)
        .max(1);
    let total: Money = days.iter().map(|d| d.gross).sum();
    let n = days.len().max(1) as f64;
    let slot = (W - LEFT) / n;
    let plot = H - BOTTOM - 8.0;
    let best = days.iter().max_by_key(|d| d.gross.cents()).cloned();
    let summary = match best {
        Some(b) if b.gross.is_positive() => format!(
            "{} in total over 30 days; the best day was {} with {}.",
            total.human(),
            b.date,
            b.gross.human()
        ),
        _ => "No paid payments in the last 30 days.".to_string(),
    };
    let bars = days
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let h = (d.gross.cents() as f64 / max as f64 * plot).max(if d.gross.is_positive() { 1.0 } else { 0.0 });
            let x = LEFT + i as f64 * slot + slot * 0.15;
            let y = H - BOTTOM - h;
            let label = (i % 5 == 0 || i + 1 == days.len()).then(|| {
                view! { <text x=format!("{:.1}", x + slot * 0.35) y=format!("{:.1}", H - 6.0) text-anchor="middle" class="axis">{d.label.clone()}</text> }
            });
            view! {
                <rect x=format!("{x:.1}") y=format!("{y:.1}") width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}") class="bar">
                    <title>{format!("{}: {}", d.date, d.gross.human())}</title>
                </rect>
                {label}
            }
        })
        .collect_view();
    view! {
        <svg class="chart" viewBox=format!("0 0 {W} {H}") role="img" aria-labelledby="chart-h chart-desc" preserveAspectRatio="xMidYMid meet">
            <desc id="chart-desc">{summary}</desc>
            <line x1=LEFT.to_string() y1=format!("{}", H - BOTTOM) x2=W.to_string() y2=format!("{}", H - BOTTOM) class="axis-line" />
            <text x=format!("{}", LEFT - 6.0) y="16" text-anchor="end" class="axis">{Money::from_cents(max).human()}</text>
            <text x=format!("{}", LEFT - 6.0) y=format!("{}", H - BOTTOM) text-anchor="end" class="axis">"0"</text>
            {bars}
        </svg>
    }
}
