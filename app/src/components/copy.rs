//! A value to copy: a read-only field that selects itself, and a Copy button that says
//! whether the clipboard took it.

use leptos::prelude::*;

/// Puts `text` on the clipboard; `done` turns true when it is there.
pub fn copy_to_clipboard(text: String, done: RwSignal<Option<bool>>) {
    #[cfg(feature = "hydrate")]
    {
        let Some(window) = web_sys::window() else {
            return;
        };
        let promise = window.navigator().clipboard().write_text(&text);
        wasm_bindgen_futures::spawn_local(async move {
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            done.set(Some(ok));
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (text, done);
}

/// Selects a read-only field's text when it gets the focus.
pub fn select_on_focus(ev: leptos::ev::FocusEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        {
            el.select();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = ev;
}

/// A labelled read-only value with a Copy button.
#[component]
pub fn CopyField(
    id: String,
    label: String,
    value: String,
    #[prop(default = "Copy")] button: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let text = value.clone();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <div class="copy-row">
                <input id=id readonly=true value=value spellcheck="false" autocomplete="off" on:focus=select_on_focus />
                <button type="button" on:click=move |_| copy_to_clipboard(text.clone(), copied)>{button}</button>
            </div>
            <p class="hint" aria-live="polite">{move || match copied.get() {
                Some(true) => "Copied to the clipboard.",
                Some(false) => "Copying was not allowed here: select the text and copy it yourself.",
                None => "",
            }}</p>
        </div>
    }
}
