//! The frame around every shop page: merchant, shop switcher, navigation, the user.

use super::form::ErrorPage;
use crate::api::auth::SignOut;
use crate::api::shop::{load_shop, ShopContext};
use crate::domain::Permission;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::{use_location, use_params_map};

/// The current shop's slug from the URL.
pub fn use_shop() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.with(|p| p.get("shop").unwrap_or_default()))
}

/// Sends anonymous visitors to sign in, and back here afterwards.
#[component]
pub fn SignInRedirect() -> impl IntoView {
    let loc = use_location();
    let next = loc.pathname.get_untracked() + &loc.search.get_untracked();
    let next: String = js_encode(&next);
    view! { <Redirect path=format!("/login?next={next}") /> }
}

/// A value for a link's query string, percent-encoded.
pub fn js_encode(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '/' | '-' | '_' | '.' => c.to_string(),
            _ => {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("%{b:02X}"))
                    .collect()
            }
        })
        .collect()
}

#[component]
pub fn SignOutButton() -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <ActionForm action=sign_out attr:class="inline">
            <button type="submit" class="link-button">"Sign out"</button>
        </ActionForm>
    }
}

#[component]
pub fn ShopLayout() -> impl IntoView {
    let shop = use_shop();
    let ctx = Resource::new(move || shop.get(), load_shop);
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match ctx.await {
                    Ok(c) => {
                        provide_context(c.clone());
                        view! { <Frame ctx=c /> }.into_any()
                    }
                    Err(AppError::Unauthenticated) => view! { <SignInRedirect /> }.into_any(),
                    Err(e) => view! { <main id="main"><ErrorPage error=e /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Frame(ctx: ShopContext) -> impl IntoView {
    let base = format!("/shops/{}", ctx.slug);
    let can_users = ctx.can(Permission::ManageUsers);
    let can_audit = ctx.can(Permission::ViewAudit);
    let can_settings = ctx.can(Permission::ShopSettings);
    let others: Vec<_> = ctx
        .shops
        .iter()
        .filter(|s| s.slug != ctx.slug)
        .cloned()
        .collect();
    let loc = use_location();
    let here = move || loc.pathname.get() + &loc.search.get();
    let test_data = ctx.test_data;
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        {ctx.live_simulated.then(|| view! {
            <aside class="mode-banner demo" aria-label="Demo installation">
                <strong>"Demo."</strong>
                " Live payments in this installation go through a simulated bank: no money moves."
            </aside>
        })}
        {test_data.then(|| view! {
            <aside class="mode-banner test" aria-label="Test data">
                <strong>"You are viewing test data."</strong>
                " Test payments carry no fees and are not in the balance, statements or payouts; new payment links are test links."
            </aside>
        })}
        <header class="top">
            <div class="brand">
                <span class="merchant">{ctx.merchant.clone()}</span>
                <span class="shop-name">{ctx.name.clone()}</span>
            </div>
            {(!others.is_empty()).then(|| view! {
                <details class="switcher">
                    <summary>"Switch shop"</summary>
                    <ul>
                        {others.into_iter().map(|s| view! {
                            <li><a href=format!("/shops/{}", s.slug)>{s.name}" "<small>{s.merchant}" · "{s.role.label()}</small></a></li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
            <div class="who">
                // A plain form: switching reloads every figure of the page in the other mode.
                <form method="post" action="/api/set_test_data" class="inline mode-switch">
                    <input type="hidden" name="on" value=if test_data { "0" } else { "1" } />
                    <input type="hidden" name="next" prop:value=here value=here />
                    <button type="submit" class="link-button" aria-pressed=if test_data { "true" } else { "false" }>
                        {if test_data { "Back to live data" } else { "View test data" }}
                    </button>
                </form>
                <span>{ctx.user_name.clone()}" · "{ctx.role.label()}</span>
                <SignOutButton />
            </div>
        </header>
        <nav class="main-nav" aria-label="Main">
            <A href=base.clone() exact=true>"Overview"</A>
            <A href=format!("{base}/transactions")>"Transactions"</A>
            <A href=format!("{base}/payment-links")>"Payment links"</A>
            <A href=format!("{base}/statement")>"Statement"</A>
            <A href=format!("{base}/payouts")>"Payouts"</A>
            <A href=format!("{base}/billing")>"Billing"</A>
            {can_users.then(|| view! { <A href=format!("{base}/users")>"Users"</A> })}
            {can_audit.then(|| view! { <A href=format!("{base}/audit")>"Audit log"</A> })}
            {can_settings.then(|| view! { <A href=format!("{base}/settings")>"Settings"</A> })}
            <A href="/account">"My account"</A>
        </nav>
        <main id="main">
            <Outlet />
        </main>
    }
}
