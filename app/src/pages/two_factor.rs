//! `/account/two-factor`: set up an authenticator app, see the recovery codes once, turn it
//! off. Every form works before the page is interactive (plain posts that come back here).

use crate::api::account::current_account;
use crate::api::two_factor::{
    load_two_factor, ConfirmTwoFactor, DisableTwoFactor, TwoFactorStatus,
};
use crate::components::form::{field_msg, form_msg, ErrorPage, Field, FormError};
use crate::components::shell::SignInRedirect;
use crate::error::AppError;
use crate::pages::account::AccountChrome;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TwoFactor() -> impl IntoView {
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let disable = ServerAction::<DisableTwoFactor>::new();
    let who = Resource::new(|| (), |_| current_account());
    let status = Resource::new(
        move || (confirm.version().get(), disable.version().get()),
        |_| load_two_factor(),
    );
    view! {
        <Title text="Two-factor sign-in" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match (who.await, status.await) {
                    (Ok(Some(m)), Ok(s)) => view! {
                        <AccountChrome me=m />
                        <main id="main">
                            <section class="panel">
                                <h1>"Two-factor sign-in"</h1>
                                <Body s confirm disable />
                            </section>
                        </main>
                    }.into_any(),
                    (Ok(None), _) | (Err(AppError::Unauthenticated), _) | (_, Err(AppError::Unauthenticated)) => {
                        view! { <SignInRedirect /> }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <main id="main"><ErrorPage error=e /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Body(
    s: TwoFactorStatus,
    confirm: ServerAction<ConfirmTwoFactor>,
    disable: ServerAction<DisableTwoFactor>,
) -> impl IntoView {
    let required = (!s.required_by.is_empty()).then(|| {
        let names = s.required_by.join(", ");
        let text = if s.enabled {
            format!("{names} requires two-factor sign-in.")
        } else {
            format!("{names} requires two-factor sign-in: set it up now to open your shops.")
        };
        view! { <p class=if s.enabled { "banner info" } else { "banner warn" } role="status">{text}</p> }
    });
    let codes = (!s.fresh_codes.is_empty()).then(|| {
        view! {
            <div class="banner ok" role="status">
                <p><strong>"Two-factor sign-in is on."</strong>" Keep these recovery codes somewhere safe, such as a password manager. Each works once, when your phone is not at hand. They are shown only now."</p>
                <ul class="recovery-codes" aria-label="Recovery codes">
                    {s.fresh_codes.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}
                </ul>
            </div>
        }
    });
    let main = if s.enabled {
        view! {
            <p>"On. You sign in with your password and a code from your authenticator app. "
               {format!("{} unused recovery code(s) left.", s.codes_left)}</p>
            <h2>"Turn it off"</h2>
            <p class="muted">"Needs your password and a code from the app (or a recovery code)."</p>
            <FormError message=Signal::derive(move || match disable.value().get() {
                Some(Err(AppError::Validation(_))) => None,
                _ => form_msg(disable).get(),
            }) />
            <ActionForm action=disable>
                <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true error=field_msg(disable, "password") id_prefix="off-" />
                <Field label="Code" name="code" autocomplete="one-time-code" required=true error=field_msg(disable, "code") id_prefix="off-" />
                <button type="submit" class="danger" disabled=move || disable.pending().get()>"Turn off two-factor sign-in"</button>
            </ActionForm>
        }
        .into_any()
    } else if let Some(setup) = s.setup {
        view! {
            <p>"Off. To turn it on:"</p>
            <ol class="steps">
                <li>"Open an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or 1Password) and add an account."</li>
                <li>
                    "Scan this QR code, or type the key below it."
                    <div class="qr" inner_html=setup.qr_svg role="img" aria-label="QR code for your authenticator app"></div>
                    <p>"Key: "<code class="secret" data-secret=setup.secret.replace(' ', "")>{setup.secret.clone()}</code></p>
                </li>
                <li>"Type the 6-digit code the app shows."</li>
            </ol>
            <FormError message=Signal::derive(move || match confirm.value().get() {
                Some(Err(AppError::Validation(_))) => None,
                _ => form_msg(confirm).get(),
            }) />
            <ActionForm action=confirm>
                <Field label="Code from the app" name="code" autocomplete="one-time-code" required=true error=field_msg(confirm, "code") id_prefix="on-" />
                <button type="submit" class="primary" disabled=move || confirm.pending().get()>"Turn on two-factor sign-in"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <p>"Off."</p> }.into_any()
    };
    view! {
        {required}
        {codes}
        {main}
        <p class="aside"><a href="/account">"Back to My account"</a></p>
    }
}
