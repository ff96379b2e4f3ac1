use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

/// The message for one field from the last result of a form's action.
pub fn field_msg<S>(action: ServerAction<S>, field: &'static str) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(AppError::Validation(f))) => f.get(field).map(str::to_string),
            _ => None,
        })
    })
}

/// The message for the form as a whole: any error that is not about one field.
pub fn form_msg<S>(action: ServerAction<S>) -> Signal<Option<String>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || {
        action.value().with(|v| match v {
            Some(Err(AppError::Validation(f))) => f.get("form").map(str::to_string),
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    })
}

/// Whether the last submission of the action succeeded.
pub fn succeeded<S>(action: ServerAction<S>) -> Signal<bool>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    Signal::derive(move || action.value().with(|v| matches!(v, Some(Ok(_)))))
}

/// A labelled input with its hint and its error, wired up for screen readers.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional, into)] hint: String,
    #[prop(optional)] required: bool,
    #[prop(optional, into)] id_prefix: String,
    /// Browser-side length limits, from the same constants the server checks.
    #[prop(optional)]
    minlength: Option<usize>,
    #[prop(optional)] maxlength: Option<usize>,
) -> impl IntoView {
    let id = format!("{id_prefix}f-{name}");
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_hint = !hint.is_empty();
    let described = {
        let (err_id, hint_id) = (err_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(err_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            {has_hint.then(|| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            <input
                id=id
                type=kind
                name=name
                value=value
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                required=required
                minlength=minlength.map(|n| n.to_string())
                maxlength=maxlength.map(|n| n.to_string())
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described
            />
            {move || error.get().map(|m| view! { <p class="field-error" id=err_id.clone()>{m}</p> })}
        </div>
    }
}

/// A banner for a whole-form error.
#[component]
pub fn FormError(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div aria-live="polite">
            {move || message.get().map(|m| view! { <p class="banner error" role="alert">{m}</p> })}
        </div>
    }
}

/// A full-page message for an error that stops the page (403, 404, 500).
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    let (title, text) = match &error {
        AppError::Forbidden => ("No access", error.to_string()),
        AppError::TwoFactorRequired => ("Two-factor sign-in required", error.to_string()),
        AppError::NotFound => (
            "Not found",
            "This page does not exist, or you have no access to it.".to_string(),
        ),
        _ => ("Something went wrong", error.to_string()),
    };
    view! {
        <leptos_meta::Title text=title />
        <section class="panel">
            <h1>{title}</h1>
            <p>{text}</p>
            {matches!(error, AppError::TwoFactorRequired).then(|| view! {
                <p><a class="button primary" href="/account/two-factor">"Set up two-factor sign-in"</a></p>
            })}
            <p><a href="/">"Go to the start page"</a></p>
        </section>
    }
}

/// A filter form's message for `field` (from a GET form's answer), with the id that
/// [`described`] points the field to.
pub fn field_error(
    errors: &crate::domain::FieldErrors,
    field: &str,
) -> Option<impl IntoView + use<>> {
    errors.get(field).map(|m| {
        let id = format!("f-{field}-error");
        view! { <p class="field-error" id=id>{m.to_string()}</p> }
    })
}

/// `aria-invalid` for a filter form's field with a message.
pub fn invalid(errors: &crate::domain::FieldErrors, field: &str) -> Option<&'static str> {
    errors.get(field).map(|_| "true")
}

/// `aria-describedby` for a filter form's field with a message (see [`field_error`]).
pub fn described(errors: &crate::domain::FieldErrors, field: &str) -> Option<String> {
    errors.get(field).map(|_| format!("f-{field}-error"))
}
