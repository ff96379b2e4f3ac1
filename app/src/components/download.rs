//! Downloads a file with progress: the browser fetches it as a stream, counts what arrives
//! and hands the finished file to the user, while the page stays usable.

use leptos::prelude::*;

/// Where a download is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    Idle,
    /// Bytes and lines received so far, and the expected bytes when the server said.
    Running {
        bytes: u64,
        lines: u64,
        total_bytes: Option<u64>,
    },
    Done {
        name: String,
        bytes: u64,
    },
    Failed(String),
}

/// Fetches `url`, reporting into `progress`, then saves the result under the server's name.
#[cfg(feature = "hydrate")]
pub async fn download(url: String, progress: RwSignal<Progress>) {
    match run(&url, progress).await {
        Ok((name, bytes)) => progress.set(Progress::Done { name, bytes }),
        Err(e) => progress.set(Progress::Failed(e)),
    }
}

#[cfg(not(feature = "hydrate"))]
pub async fn download(_url: String, progress: RwSignal<Progress>) {
    progress.set(Progress::Failed("Downloads start in the browser.".into()));
}

#[cfg(feature = "hydrate")]
async fn run(url: &str, progress: RwSignal<Progress>) -> Result<(String, u64), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let failed = |_| "The download failed. Check your connection and try again.".to_string();
    let window = web_sys::window().ok_or("no window")?;
    let resp: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(failed)?
        .unchecked_into();
    if !resp.ok() {
        let text = match resp.text() {
            Ok(p) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()),
            Err(_) => None,
        };
        return Err(text.unwrap_or_else(|| format!("The server answered {}.", resp.status())));
    }
    let headers = resp.headers();
    let name = headers
        .get("content-disposition")
        .ok()
        .flatten()
        .and_then(|d| {
            d.split("filename=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(str::to_string)
        })
        .unwrap_or_else(|| "export".into());
    let kind = headers
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    let total_bytes = headers
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|l| l.parse().ok());
    let body = resp.body().ok_or("The server sent no file.")?;
    let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
    let parts = js_sys::Array::new();
    let (mut bytes, mut lines) = (0u64, 0u64);
    progress.set(Progress::Running {
        bytes,
        lines,
        total_bytes,
    });
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(failed)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into())
            .map_err(failed)?
            .unchecked_into();
        let data = value.to_vec();
        bytes += data.len() as u64;
        lines += data.iter().filter(|b| **b == b'\n').count() as u64;
        parts.push(&value);
        progress.set(Progress::Running {
            bytes,
            lines,
            total_bytes,
        });
    }
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(&kind);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(failed)?;
    let href = web_sys::Url::create_object_url_with_blob(&blob).map_err(failed)?;
    let a: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(failed)?
        .unchecked_into();
    a.set_href(&href);
    a.set_download(&name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&href);
    Ok((name, bytes))
}
