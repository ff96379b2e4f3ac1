use crate::api::account::{current_account, ChangePassword, Me, SignOutElsewhere, UpdateName};
use crate::components::form::{field_msg, form_msg, succeeded, ErrorPage, Field, FormError};
use crate::components::shell::{SignInRedirect, SignOutButton};
use crate::domain::validate::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// My account: name and password.
#[component]
pub fn Account() -> impl IntoView {
    let rename = ServerAction::<UpdateName>::new();
    let password = ServerAction::<ChangePassword>::new();
    let elsewhere = ServerAction::<SignOutElsewhere>::new();
    let who = Resource::new(move || rename.version().get(), |_| current_account());
    let pv = password.value();
    view! {
        <Title text="My account" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match who.await {
                    Ok(Some(m)) => view! {
                        <AccountChrome me=m.clone() />
                        <main id="main">
                            <section class="panel">
                                <h1>"My account"</h1>
                                <p>"You sign in as "<strong>{m.email.clone()}</strong>"."</p>
                                <h2>"Name"</h2>
                                <div aria-live="polite">{move || succeeded(rename).get().then(|| view! { <p class="banner ok" role="status">"Your name is saved."</p> })}</div>
                                <ActionForm action=rename>
                                    <Field label="Name" name="name" value=m.name.clone() autocomplete="name" required=true error=field_msg(rename, "name") id_prefix="me-" />
                                    <button type="submit">"Save name"</button>
                                </ActionForm>
                            </section>
                            <section class="panel">
                                <h2>"Change password"</h2>
                                <p class="muted">"Changing your password signs you out everywhere else."</p>
                                <div aria-live="polite">{move || succeeded(password).get().then(|| view! { <p class="banner ok" role="status">"Your password is changed. Other sessions are signed out."</p> })}</div>
                                <FormError message=Signal::derive(move || match pv.get() {
                                    Some(Err(AppError::Validation(_))) => None,
                                    _ => form_msg(password).get(),
                                }) />
                                <ActionForm action=password>
                                    <Field label="Current password" name="current" kind="password" autocomplete="current-password" required=true error=field_msg(password, "current") />
                                    <Field label="New password" name="password" kind="password" autocomplete="new-password" minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS hint="At least 12 characters." required=true error=field_msg(password, "password") />
                                    <Field label="New password again" name="confirm" kind="password" autocomplete="new-password" minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS required=true error=field_msg(password, "confirm") />
                                    <button type="submit" class="primary" disabled=move || password.pending().get()>"Change password"</button>
                                </ActionForm>
                            </section>
                            <section class="panel" aria-labelledby="sessions-title">
                                <h2 id="sessions-title">"Where you are signed in"</h2>
                                <p>"Signed in on a shared or lost computer or phone? Sign out there from here: every other browser and device is signed out at once; this one stays."</p>
                                <div aria-live="polite">{move || succeeded(elsewhere).get().then(|| view! { <p class="banner ok" role="status">"You are signed out everywhere else."</p> })}</div>
                                <FormError message=form_msg(elsewhere) />
                                <ActionForm action=elsewhere>
                                    <button type="submit" disabled=move || elsewhere.pending().get()>"Sign out everywhere else"</button>
                                </ActionForm>
                            </section>
                            <section class="panel">
                                <h2>"Two-factor sign-in"</h2>
                                <p>"A code from an authenticator app on your phone, after your password, keeps your account safe even if your password leaks."</p>
                                <p><a class="button" href="/account/two-factor">"Manage two-factor sign-in"</a></p>
                            </section>
                        </main>
                    }.into_any(),
                    Ok(None) | Err(AppError::Unauthenticated) => view! { <SignInRedirect /> }.into_any(),
                    Err(e) => view! { <main id="main"><ErrorPage error=e /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The header and navigation of the account pages.
#[component]
pub fn AccountChrome(me: Me) -> impl IntoView {
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="top">
            <div class="brand"><span class="shop-name">"My account"</span></div>
            <div class="who"><span>{me.email.clone()}</span><SignOutButton /></div>
        </header>
        <nav class="main-nav" aria-label="Main">
            {me.shops.iter().map(|s| view! { <a href=format!("/shops/{}", s.slug)>{s.name.clone()}</a> }).collect_view()}
            <a href="/account" aria-current="page">"My account"</a>
        </nav>
    }
}
