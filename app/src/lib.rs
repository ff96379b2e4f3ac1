//! Portal: the merchant self-service portal of a payment service provider.
//!
//! `domain` holds the pure rules, `server` the services (SSR only), `api` the server
//! functions the browser calls, and `pages`/`components` the UI.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Html, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::{path, SsrMode};

/// The tab's icon, inline so that it costs no request: a "P" on the brand's blue.
const FAVICON: &str = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='7' fill='%230b5cad'/%3E%3Cpath d='M11 24V8h6.5a5 5 0 0 1 0 10H15v6z' fill='none' stroke='%23fff' stroke-width='3' stroke-linejoin='round'/%3E%3C/svg%3E";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::provide_request_nonce();
    view! {
        <!DOCTYPE html>
        // The language is set by the page: see `PageLanguage` and the buyer's pages.
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href=FAVICON />
                // The stylesheet's name carries its hash when cargo-leptos hashed the files.
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The portal's own pages are in English. The buyer's pages (payment page and test bank) name
/// their language themselves, so that screen readers speak the whole page in it.
#[component]
fn PageLanguage() -> impl IntoView {
    let location = use_location();
    move || {
        let path = location.pathname.get();
        let buyers = path.starts_with("/pay/") || path.starts_with("/test-bank/");
        (!buyers).then(|| view! { <Html {..} lang="en" /> })
    }
}

/// The document's title: the page's own, then the product. On the server the text goes into
/// the HTML of `<head>` as it is (Leptos' meta tags do not escape it), so it is escaped here:
/// a reference like `</title><a href=…>` stays text. In the browser it is set as
/// `document.title`, which takes plain text.
fn title_text(page: String) -> String {
    let title = if page.is_empty() {
        "Portal".to_string()
    } else {
        format!("{page} · Portal")
    };
    #[cfg(feature = "ssr")]
    let title = server::infra::mail::escape_html(&title);
    title
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Lets browser tests (and anyone curious) see when the page has become interactive.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title formatter=title_text />
        <Router>
            <PageLanguage />
            <Routes fallback=pages::NotFound>
                <Route path=path!("/") view=pages::auth::Home ssr=SsrMode::Async />
                <Route path=path!("/login") view=pages::auth::SignIn ssr=SsrMode::Async />
                <Route path=path!("/login/code") view=pages::auth::SignInCode ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=pages::auth::ForgotPassword ssr=SsrMode::Async />
                <Route path=path!("/reset-password/:token") view=pages::auth::ResetPassword ssr=SsrMode::Async />
                <Route path=path!("/invite/:token") view=pages::auth::AcceptInvite ssr=SsrMode::Async />
                <Route path=path!("/invite-declined") view=pages::auth::InvitationDeclined ssr=SsrMode::Async />
                <Route path=path!("/refund-account/:token") view=pages::refund_account::RefundAccount ssr=SsrMode::Async />
                <Route path=path!("/pay/:token") view=pages::pay::Pay ssr=SsrMode::Async />
                <Route path=path!("/test-bank/:token/:payment") view=pages::test_bank::TestBank ssr=SsrMode::Async />
                <Route path=path!("/account") view=pages::account::Account ssr=SsrMode::Async />
                <Route path=path!("/account/two-factor") view=pages::two_factor::TwoFactor ssr=SsrMode::Async />
                <ParentRoute path=path!("/shops/:shop") view=components::shell::ShopLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::overview::Overview ssr=SsrMode::Async />
                    <Route path=path!("transactions") view=pages::transactions::Transactions ssr=SsrMode::Async />
                    <Route path=path!("transactions/:id") view=pages::transaction::Transaction ssr=SsrMode::Async />
                    <Route path=path!("payment-links") view=pages::payment_links::PaymentLinks ssr=SsrMode::Async />
                    <Route path=path!("statement") view=pages::statement::Statement ssr=SsrMode::Async />
                    <Route path=path!("payouts") view=pages::payouts::Payouts ssr=SsrMode::Async />
                    <Route path=path!("payouts/:id") view=pages::payout::Payout ssr=SsrMode::Async />
                    <Route path=path!("billing") view=pages::billing::Billing ssr=SsrMode::Async />
                    <Route path=path!("settings") view=pages::settings::Settings ssr=SsrMode::Async />
                    <Route path=path!("users") view=pages::users::Users ssr=SsrMode::Async />
                    <Route path=path!("audit") view=pages::audit::Audit ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
