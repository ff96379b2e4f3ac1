//! Downloads of files that may be large (a million rows): a plain form whose buttons ask the
//! server for the file, so the browser saves it to disk through its own download — before
//! the browser part has loaded too, and without the file ever sitting in the page's memory.
//! Once loaded, a button also names the download with a random token and asks the server
//! how far it is while the browser saves it, showing rows written and bytes sent.
//!
//! The CSV format (comma with decimal point, or semicolon with decimal comma) is a field of
//! the form: the server remembers the last one chosen for the user, and the form starts
//! with it.

use crate::domain::CsvDialect;
use crate::model::download::{DownloadProgress, DownloadState};
use leptos::prelude::*;

/// One button of the form: the file under `/shops/{shop}/exports/`, and its label.
#[derive(Clone, Debug, PartialEq)]
pub struct FileButton {
    pub file: &'static str,
    pub label: &'static str,
}

/// Where the page's latest download is.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Status {
    Idle,
    Running {
        label: &'static str,
        progress: Option<DownloadProgress>,
    },
    /// The server has sent everything.
    Done(&'static str),
    /// This server cannot tell (another instance serves the download): the browser's own
    /// download list shows it.
    Handed(&'static str),
    Failed(String),
}

/// The download form: `pairs` are the page's filter (hidden fields), `expected` the rows the
/// page knows the filter matches (for the bar when the server cannot tell in advance).
#[component]
pub fn Downloads(
    shop: String,
    /// What the buttons are for, before them.
    lead: &'static str,
    files: Vec<FileButton>,
    #[prop(into)] pairs: Signal<Vec<(&'static str, String)>>,
    /// The user's CSV format; `None` hides the choice (no CSV among the files).
    dialect: Option<CsvDialect>,
    #[prop(into)] expected: Signal<Option<u64>>,
) -> impl IntoView {
    let status = RwSignal::new(Status::Idle);
    let chosen = RwSignal::new(dialect.unwrap_or_default());
    let base = format!("/shops/{shop}/exports");
    let first = files
        .first()
        .map(|f| format!("{base}/{}", f.file))
        .unwrap_or_default();
    let busy = move || matches!(status.get(), Status::Running { .. });
    let buttons = files
        .into_iter()
        .map(|f| {
            let action = format!("{base}/{}", f.file);
            let target = action.clone();
            let shop = shop.clone();
            let start = move |ev: leptos::ev::MouseEvent| {
                #[cfg(feature = "hydrate")]
                {
                    ev.prevent_default();
                    if matches!(status.get_untracked(), Status::Running { .. }) {
                        return;
                    }
                    let token = browser::token();
                    let mut query: Vec<(String, String)> = pairs
                        .get_untracked()
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect();
                    if dialect.is_some() {
                        query.push(("dialect".into(), chosen.get_untracked().as_str().into()));
                    }
                    query.push(("progress".into(), token.clone()));
                    let url = format!("{target}?{}", browser::encode(&query));
                    status.set(Status::Running {
                        label: f.label,
                        progress: None,
                    });
                    if browser::save(&url).is_err() {
                        status.set(Status::Failed(
                            "The browser did not start the download. Try again.".into(),
                        ));
                        return;
                    }
                    leptos::task::spawn_local(browser::follow(
                        shop.clone(),
                        token,
                        f.label,
                        status,
                    ));
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = (ev, &shop, &target);
            };
            view! {
                <button type="submit" class="button-link" formaction=action on:click=start
                    aria-disabled=move || busy().then_some("true")>{f.label}</button>
            }
        })
        .collect_view();
    let choice = dialect.map(|_| {
        view! {
            <label class="csv-format">
                "CSV format "
                <select name="dialect" on:change=move |ev| {
                    if let Some(d) = CsvDialect::parse(&event_target_value(&ev)) {
                        chosen.set(d);
                    }
                }>
                    {CsvDialect::ALL.into_iter().map(|d| view! {
                        <option value=d.as_str() selected=move || chosen.get() == d>{d.label()}</option>
                    }).collect_view()}
                </select>
            </label>
        }
    });
    let shown = move || {
        match status.get() {
        Status::Idle => None,
        Status::Running { label, progress } => Some(running(label, progress, expected.get()).into_any()),
        Status::Done(label) => Some(view! {
            <p class="banner ok" role="status">{format!("{label}: done. The file is in your browser's downloads.")}</p>
        }.into_any()),
        Status::Handed(label) => Some(view! {
            <p class="banner" role="status">{format!("{label}: your browser is saving the file; its downloads list shows how far it is.")}</p>
        }.into_any()),
        Status::Failed(m) => Some(view! { <p class="banner error" role="alert">{m}</p> }.into_any()),
    }
    };
    view! {
        <form class="export" method="get" action=first>
            <span class="export-label">{lead}</span>
            {move || pairs.get().into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v /> }).collect_view()}
            {choice}
            {buttons}
            <div aria-live="polite" class="export-status">{shown}</div>
        </form>
    }
}

/// The bar and the words for a running download.
fn running(
    label: &'static str,
    p: Option<DownloadProgress>,
    expected: Option<u64>,
) -> impl IntoView {
    let (value, max, text) = match p {
        None => (None, None, format!("{label}: starting…")),
        Some(p) => {
            let step = p
                .message
                .clone()
                .map(|m| format!("{m}: "))
                .unwrap_or_default();
            match (p.state, p.total.or(expected)) {
                (DownloadState::Sending, _) => (
                    None,
                    None,
                    format!("{label}: sending, {} kB so far…", p.bytes / 1024),
                ),
                (_, Some(n)) if n > 0 => (
                    Some(p.rows.min(n) as f64),
                    Some(n as f64),
                    format!("{label}: {step}{} of {} rows written…", p.rows.min(n), n),
                ),
                _ => (
                    None,
                    None,
                    format!("{label}: {step}{} rows written…", p.rows),
                ),
            }
        }
    };
    view! {
        <div class="export-progress" role="status">
            {match (value, max) {
                (Some(v), Some(m)) => view! { <progress max=m.to_string() value=v.to_string() aria-label="Download progress"></progress> }.into_any(),
                _ => view! { <progress aria-label="Download progress"></progress> }.into_any(),
            }}
            <span>{text}" You can keep working meanwhile."</span>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Status;
    use crate::model::download::{DownloadProgress, DownloadState};
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    /// 128 random bits as 32 hex digits.
    pub fn token() -> String {
        (0..4)
            .map(|_| format!("{:08x}", (js_sys::Math::random() * 4_294_967_296.0) as u32))
            .collect()
    }

    pub fn encode(pairs: &[(String, String)]) -> String {
        pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    js_sys::encode_uri_component(k),
                    js_sys::encode_uri_component(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Lets the browser download `url` to disk itself.
    pub fn save(url: &str) -> Result<(), ()> {
        let a: web_sys::HtmlAnchorElement = document()
            .create_element("a")
            .map_err(|_| ())?
            .unchecked_into();
        a.set_href(url);
        a.set_download("");
        a.click();
        Ok(())
    }

    async fn sleep(ms: i32) {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(w) = web_sys::window() {
                let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
            }
        });
        let _ = JsFuture::from(p).await;
    }

    async fn ask(url: &str) -> Option<DownloadProgress> {
        let w = web_sys::window()?;
        let resp: web_sys::Response = JsFuture::from(w.fetch_with_str(url))
            .await
            .ok()?
            .unchecked_into();
        if !resp.ok() {
            return None;
        }
        let text = JsFuture::from(resp.text().ok()?).await.ok()?.as_string()?;
        serde_json::from_str(&text).ok()
    }

    /// Asks the server how far the download is until it ends.
    pub async fn follow(
        shop: String,
        token: String,
        label: &'static str,
        status: RwSignal<Status>,
    ) {
        let url = format!("/shops/{shop}/exports/progress?token={token}");
        let mut unknown = 0;
        loop {
            sleep(400).await;
            if !matches!(status.get_untracked(), Status::Running { .. }) {
                return;
            }
            match ask(&url).await {
                Some(p) if p.state == DownloadState::Done => {
                    status.set(Status::Done(label));
                    return;
                }
                Some(p) if p.state == DownloadState::Failed => {
                    status.set(Status::Failed(
                        p.message
                            .unwrap_or_else(|| "The download failed. Try again.".into()),
                    ));
                    return;
                }
                Some(p) if p.state != DownloadState::Unknown => {
                    unknown = 0;
                    status.set(Status::Running {
                        label,
                        progress: Some(p),
                    });
                }
                _ => {
                    // Not started here yet, or served by another instance.
                    unknown += 1;
                    if unknown >= 10 {
                        status.set(Status::Handed(label));
                        return;
                    }
                }
            }
        }
    }
}
